/**
 * Recorded span shapes of AI frameworks we cannot run here (LangChain JS through OpenLLMetry and through
 * OpenInference; see test/fixtures/framework-spans/README.md for where each shape comes from), priced by the pipeline
 * the exporter and the collector share, each span in its own submission (as separate export batches would bring them).
 * The Vercel AI SDK runs for real in ai-sdk-spans.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { createPricer } from '@llm-cost/pricing';
import { afterAll, describe, expect, it } from 'vitest';

import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { migrate } from '../src/schema/migrate.js';
import type { SpanLike } from '../src/spans/span-like.js';
import { queryRows } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

interface Recording {
  spans: Array<Omit<SpanLike, 'startTime' | 'endTime'> & { startTime: number; endTime: number }>;
  expected: Array<Record<string, unknown>>;
}

const dir = join(__dirname, 'fixtures/framework-spans');
const pricer = createPricer();
const pipelines: CostPipeline[] = [];
afterAll(async () => {
  for (const pipeline of pipelines) await pipeline.shutdown();
});

const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];

async function price(file: string): Promise<{ rows: Array<Record<string, unknown>>; expected: Recording['expected']; pipeline: CostPipeline }> {
  const recording = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Recording;
  const pipeline = new CostPipeline({ path: testStorePath(), database: uniqueDatabase('framework'), pricer, flushIntervalMs: 10 });
  pipelines.push(pipeline);
  // The schema exists even when nothing is written, so an empty result is read from a real table.
  await migrate({ client: pipeline.store.client, database: pipeline.store.database });
  const base = Date.now() - 5_000;
  for (const span of recording.spans) {
    pipeline.submit([{ ...span, startTime: hr(base + span.startTime), endTime: hr(base + span.endTime) }]);
  }
  await pipeline.flush();
  const rows = await queryRows(
    pipeline.store.client,
    `SELECT provider, operation, request_model, response_model, input_tokens, cache_read_tokens, output_tokens,
            toDecimalString(total_cost, 9) AS total_cost
     FROM \`${pipeline.store.database}\`.llm_calls ORDER BY timestamp`,
  );
  return { rows, expected: recording.expected, pipeline };
}

describe('LangChain JS through OpenLLMetry', () => {
  it('charges a chain call once: LangChain chat span + OpenAI SDK span, with cached tokens from the LangChain span', async () => {
    const { rows, expected, pipeline } = await price('openllmetry-langchain-chain.json');
    expect(rows).toEqual(expected);
    // The workflow span (provider "langchain") is a container, not a call; the SDK span folds into the chat span.
    expect(pipeline.stats()).toMatchObject({ accepted: 2, duplicates: 1, written: 1 });
  });

  it('charges an agent making two model calls as two rows (invoke_agent and the tool span are not calls)', async () => {
    const { rows, expected } = await price('openllmetry-langchain-agent.json');
    expect(rows).toEqual(expected);
  });
});

describe('LangChain JS through OpenInference', () => {
  it('prices an LLM span with llm.token_count.*, its provider read from LangChain run metadata', async () => {
    const { rows, expected } = await price('openinference-langchain.json');
    expect(rows).toEqual(expected);
  });

  it('leaves an LLM span that names no provider unpriced rather than guessing one', async () => {
    const { rows, pipeline } = await price('openinference-langchain-no-provider.json');
    expect(rows).toEqual([]);
    expect(pipeline.stats().accepted).toBe(0);
  });
});

describe('no message content reaches a row', () => {
  it('drops the prompt and completion attributes the frameworks write', async () => {
    for (const file of ['openllmetry-langchain-chain.json', 'openinference-langchain.json']) {
      const { pipeline } = await price(file);
      const [dump] = await queryRows<{ all: string }>(
        pipeline.store.client,
        `SELECT toString(groupArray(tuple(*))) AS all FROM \`${pipeline.store.database}\`.llm_calls`,
      );
      expect(dump!.all).not.toMatch(/SECRET PROMPT|This is a test/);
    }
  });
});
