/**
 * The collector runs OpenRouter reconciliation continuously when given an OpenRouter configuration: a call it
 * ingested (OTLP JSON, priced from the `usage.cost` the response reported) is looked up at OpenRouter's generation
 * endpoint and, where OpenRouter charged a different amount, corrected, so the totals read through the collector's
 * query endpoint equal what OpenRouter billed.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  INSTRUMENTATION_SCOPE_NAME,
} from '@llm-cost/instrumentation';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createCollectorQueries, startCollector } from '../src/index.js';
import { keyBody, projectBody, startFakeOpenRouter, type FakeOpenRouter } from '../../openrouter/test/support/openrouter-server.js';
import { waitFor } from './helpers/collector-fixture.js';

const API_KEY = 'sk-or-v1-collector-test-0000000000000000000000000001';
const dir = mkdtempSync(join(tmpdir(), 'llm-cost-collector-openrouter-'));
let openrouter: FakeOpenRouter;

beforeAll(async () => {
  openrouter = await startFakeOpenRouter();
  openrouter.setKey(API_KEY, keyBody({ limit: 20, usage: 5 }));
  const paid = projectBody('generation-paid.json').data as Record<string, unknown>;
  // OpenRouter charged 0.0061 USD for the call the response reported at 0.0045 USD.
  openrouter.setGeneration('gen-collector-0001', { data: { ...paid, id: 'gen-collector-0001', total_cost: 0.0061, usage: 0.0061 } });
  process.env.LLM_COST_TEST_OPENROUTER_KEY = API_KEY;
});
afterAll(async () => {
  delete process.env.LLM_COST_TEST_OPENROUTER_KEY;
  await openrouter.close();
  rmSync(dir, { recursive: true, force: true });
});

function otlpJson(startMs: number): string {
  const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n}`;
  const attribute = (key: string, value: string | number) => ({
    key,
    value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value },
  });
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [attribute('service.name', 'agency-app')] },
        scopeSpans: [
          {
            scope: { name: INSTRUMENTATION_SCOPE_NAME },
            spans: [
              {
                traceId: '5b8efff798038103d269b633813fc60c',
                spanId: 'eee19b7ec3c1b174',
                name: 'chat anthropic/claude-sonnet-4.5',
                kind: 3,
                startTimeUnixNano: nanos(startMs),
                endTimeUnixNano: nanos(startMs + 900),
                attributes: [
                  attribute(ATTR_GEN_AI_PROVIDER_NAME, 'openrouter'),
                  attribute(ATTR_GEN_AI_OPERATION_NAME, 'chat'),
                  attribute(ATTR_GEN_AI_REQUEST_MODEL, 'anthropic/claude-sonnet-4.5'),
                  attribute(ATTR_GEN_AI_RESPONSE_ID, 'gen-collector-0001'),
                  attribute(ATTR_GEN_AI_USAGE_INPUT_TOKENS, 900),
                  attribute(ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, 120),
                  attribute(ATTR_LLM_COST_PROVIDER_REPORTED_COST, '0.0045'),
                ],
              },
            ],
          },
        ],
      },
    ],
  });
}

describe('collector with an OpenRouter configuration', () => {
  it('reconciles ingested OpenRouter calls continuously: totals become what OpenRouter charged', async () => {
    const config = join(dir, 'openrouter.yaml');
    writeFileSync(
      config,
      [
        `baseUrl: ${openrouter.baseUrl}`,
        'keys:',
        '  - { apiKeyEnv: LLM_COST_TEST_OPENROUTER_KEY }',
        'reconcile: { delay: 0s, interval: 100ms }',
      ].join('\n'),
    );
    const collector = await startCollector({ port: 0, path: join(dir, 'store'), openrouter: config, flushIntervalMs: 50 });
    try {
      const started = Date.now() - 60_000;
      const response = await fetch(`${collector.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: otlpJson(started),
      });
      expect(response.status).toBe(200);

      const queries = createCollectorQueries({ url: collector.url });
      const period = { from: started - 86_400_000, to: Date.now() + 86_400_000 };
      await waitFor(async () => (await queries.usageInPeriod(period)).cost === '0.006100000', 'the reconciled total', 20_000);
      const totals = await queries.usageInPeriod(period);
      // Still one call: the correction adds cost, not a call.
      expect(totals.calls).toBe(1);
      expect(openrouter.requestsTo('/api/v1/generation?id=gen-collector-0001').length).toBeGreaterThanOrEqual(1);
    } finally {
      await collector.close();
    }
  });
});
