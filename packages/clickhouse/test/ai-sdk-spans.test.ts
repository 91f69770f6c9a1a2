/**
 * The Vercel AI SDK's own spans, priced once: the real `ai` package (6, and 5 under an alias) with
 * `experimental_telemetry` and its OpenAI provider (`@ai-sdk/openai`), against a loopback server replaying OpenAI
 * responses, with our fetch instrumentation below it and the exporter in process. Every span goes to the exporter in
 * its own batch (children first, as a BatchSpanProcessor sends them), so the layers of one call arrive separately.
 * `ai` 7 (through `@ai-sdk/otel`) needs Node 22: it runs on the Node 24 leg of CI.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { registerLlmCostInstrumentation, withTags } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { queryRows } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const pricer = createPricer();
const database = uniqueDatabase('aisdk');
const exporter = new ClickHouseCostExporter({ path: testStorePath(), database, pricer });
const seen = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'ai-sdk-app' }),
  spanProcessors: [
    new SimpleSpanProcessor(seen),
    new BatchSpanProcessor(exporter, { maxExportBatchSize: 1, scheduledDelayMillis: 5 }),
  ],
});
const nodeMajor = Number(process.versions.node.split('.')[0]);
let server: ProviderServer;

/** A chat completion asking for the `lookup` tool (steps 1..n-1 of a multi-step call), or the final answer. */
function toolStepReply(step: number, last: boolean): object {
  const message = last
    ? { role: 'assistant', content: 'done' }
    : {
        role: 'assistant',
        content: null,
        tool_calls: [{ id: `call_${step}`, type: 'function', function: { name: 'lookup', arguments: `{"q":"${step}"}` } }],
      };
  return {
    id: `chatcmpl-step-${step}-${Math.random().toString(36).slice(2)}`,
    object: 'chat.completion',
    created: 1_767_225_600,
    model: 'gpt-4o-mini-2024-07-18',
    choices: [{ index: 0, message, finish_reason: last ? 'stop' : 'tool_calls' }],
    usage: { prompt_tokens: 100 * step, completion_tokens: 10 * step, total_tokens: 110 * step },
  };
}

let toolSteps = 0;
beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const responses = projectFixture('openai/responses');
  const chat = projectFixture('openai/chat-completions');
  const chatStream = projectFixture('openai/chat-completions-stream');
  const embeddings = projectFixture('openai/embeddings');
  server = await startProviderServer((request) => {
    const body = request.json as { stream?: boolean; tools?: unknown[] };
    if (request.url.endsWith('/responses')) return fixtureReply(responses);
    if (request.url.endsWith('/embeddings')) return fixtureReply(embeddings);
    if (body.tools !== undefined) {
      toolSteps += 1;
      return { body: toolStepReply(toolSteps, toolSteps === 3) };
    }
    return fixtureReply(body.stream ? chatStream : chat);
  });
  registerLlmCostInstrumentation({ tracerProvider: provider, hosts: { [server.host]: 'openai' } });
});

afterAll(async () => {
  await provider.shutdown();
  await server.close();
});

async function flush(): Promise<void> {
  await provider.forceFlush();
  await exporter.forceFlush();
}

interface Row {
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  input_tokens: number;
  cache_read_tokens: number;
  output_tokens: number;
  reasoning_tokens: number;
  cost: string;
  instrumentation: string;
}

function rowsOf(userId: string): Promise<Row[]> {
  return queryRows<Row>(
    exporter.pipeline.store.client,
    `SELECT provider, operation, request_model, response_model, input_tokens, cache_read_tokens, output_tokens,
            reasoning_tokens, toDecimalString(total_cost, 9) AS cost, instrumentation
     FROM \`${database}\`.llm_calls WHERE user_id = {user:String} ORDER BY timestamp, input_tokens`,
    { user: userId },
  );
}

/** The usage our fetch-level span recorded for each call (what the provider returned). */
function fetchSpans(): ReadableSpan[] {
  return seen.getFinishedSpans().filter((s) => s.instrumentationScope.name === '@llm-cost/instrumentation');
}

describe.each([
  ['ai 6', 'ai', '@ai-sdk/openai', '6.'],
  ['ai 5', 'ai-v5', 'ai-sdk-openai-v2', '5.'],
])('%s with experimental_telemetry', (label, aiModule, providerModule, major) => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let ai: any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let openai: any;
  const user = label.replace(' ', '');
  const telemetry = { isEnabled: true };

  beforeAll(async () => {
    ai = await import(aiModule);
    const { createOpenAI } = await import(providerModule);
    openai = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
  });

  it('runs the real package at the expected major', async () => {
    const { createRequire } = await import('node:module');
    const pkg = createRequire(import.meta.url)(`${aiModule}/package.json`) as { version: string };
    expect(pkg.version.startsWith(major)).toBe(true);
  });

  it('charges generateText once: outer span + doGenerate + our fetch span are one row, with exact tokens', async () => {
    seen.reset();
    const duplicatesBefore = exporter.stats().duplicates;
    await withTags({ user_id: `${user}-responses` }, () =>
      ai.generateText({ model: openai('gpt-4.1-mini'), prompt: 'hi', experimental_telemetry: telemetry }),
    );
    await flush();
    const names = seen.getFinishedSpans().map((s) => s.name).sort();
    expect(names).toEqual(['ai.generateText', 'ai.generateText.doGenerate', 'chat gpt-4.1-mini']);
    // resp_fixture_0003: 640 input of which 256 cached, 96 output of which 64 reasoning.
    const expected = pricer.priceUsage({
      provider: 'openai',
      model: 'gpt-4.1-mini-2025-04-14',
      usage: { inputTokens: 640, cacheReadTokens: 256, outputTokens: 96, reasoningTokens: 64 },
    });
    expect(await rowsOf(`${user}-responses`)).toEqual([
      {
        provider: 'openai',
        operation: 'chat',
        request_model: 'gpt-4.1-mini',
        response_model: 'gpt-4.1-mini-2025-04-14',
        input_tokens: 640,
        cache_read_tokens: 256,
        output_tokens: 96,
        reasoning_tokens: 64,
        cost: expected.totalCost,
        instrumentation: '@llm-cost/instrumentation',
      },
    ]);
    expect(exporter.stats().duplicates - duplicatesBefore).toBe(2);
  });

  it('charges streamText once (outer span + doStream + our fetch span)', async () => {
    seen.reset();
    await withTags({ user_id: `${user}-stream` }, async () => {
      const result = ai.streamText({ model: openai.chat('gpt-4o-mini'), prompt: 'hi', experimental_telemetry: telemetry });
      for await (const _part of result.textStream) {
        // consume
      }
    });
    await flush();
    expect(seen.getFinishedSpans().map((s) => s.name)).toEqual(
      expect.arrayContaining(['ai.streamText', 'ai.streamText.doStream']),
    );
    const [ours] = fetchSpans();
    const rows = await rowsOf(`${user}-stream`);
    expect(rows).toHaveLength(1);
    // chatcmpl-fixture-0002: 850 input (512 cached), 42 output.
    expect(rows[0]).toMatchObject({ input_tokens: 850, cache_read_tokens: 512, output_tokens: 42 });
    expect(ours!.attributes['gen_ai.usage.input_tokens']).toBe(850);
  });

  it('charges a three-step generateText (two tool calls) as three rows, not four', async () => {
    seen.reset();
    toolSteps = 0;
    await withTags({ user_id: `${user}-steps` }, () =>
      ai.generateText({
        model: openai.chat('gpt-4o-mini'),
        prompt: 'look it up',
        tools: { lookup: ai.tool({ description: 'lookup', inputSchema: z.object({ q: z.string() }), execute: async () => 'found' }) },
        stopWhen: ai.stepCountIs(5),
        experimental_telemetry: telemetry,
      }),
    );
    await flush();
    expect(toolSteps).toBe(3);
    const names = seen.getFinishedSpans().map((s) => s.name);
    expect(names.filter((n) => n === 'ai.generateText.doGenerate')).toHaveLength(3);
    expect(names.filter((n) => n === 'ai.generateText')).toHaveLength(1);
    const rows = await rowsOf(`${user}-steps`);
    expect(rows.map((r) => [r.input_tokens, r.output_tokens])).toEqual([
      [100, 10],
      [200, 20],
      [300, 30],
    ]);
    // The outer span (the sum of the steps) is not charged on top of them.
    expect(rows.reduce((sum, r) => sum + r.input_tokens, 0)).toBe(600);
  });

  it('charges embed once (ai.embed + ai.embed.doEmbed + our fetch span)', async () => {
    seen.reset();
    await withTags({ user_id: `${user}-embed` }, () =>
      ai.embed({ model: openai.embedding('text-embedding-3-small'), value: 'hi', experimental_telemetry: telemetry }),
    );
    await flush();
    expect(seen.getFinishedSpans().map((s) => s.name)).toEqual(expect.arrayContaining(['ai.embed', 'ai.embed.doEmbed']));
    const rows = await rowsOf(`${user}-embed`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ provider: 'openai', operation: 'embeddings', request_model: 'text-embedding-3-small' });
    expect(rows[0]!.input_tokens).toBe(fetchSpans()[0]!.attributes['gen_ai.usage.input_tokens']);
  });
});

describe('the AI SDK without our instrumentation (its spans alone)', () => {
  it('prices doGenerate with cached and reasoning tokens from ai.usage.*, the outer span not on top', async () => {
    const only = new ClickHouseCostExporter({ path: testStorePath(), database: uniqueDatabase('aisdk_only'), pricer });
    const own = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': 'ai-sdk-only' }),
      spanProcessors: [new BatchSpanProcessor(only, { maxExportBatchSize: 1, scheduledDelayMillis: 5 })],
    });
    try {
      const ai = await import('ai');
      const { createOpenAI } = await import('@ai-sdk/openai');
      // A host our instrumentation does not know: only the AI SDK's spans describe the call.
      const openai = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url.replace('127.0.0.1', 'localhost')}/v1` });
      await ai.generateText({
        model: openai('gpt-4.1-mini'),
        prompt: 'hi',
        experimental_telemetry: { isEnabled: true, tracer: own.getTracer('ai') },
      });
      await own.forceFlush();
      await only.forceFlush();
      const rows = await queryRows<Row>(
        only.pipeline.store.client,
        `SELECT provider, operation, request_model, response_model, input_tokens, cache_read_tokens, output_tokens,
                reasoning_tokens, toDecimalString(total_cost, 9) AS cost, instrumentation FROM \`${only.pipeline.store.database}\`.llm_calls`,
      );
      expect(rows).toEqual([
        {
          provider: 'openai',
          operation: 'chat',
          request_model: 'gpt-4.1-mini',
          response_model: 'gpt-4.1-mini-2025-04-14',
          input_tokens: 640,
          cache_read_tokens: 256,
          output_tokens: 96,
          reasoning_tokens: 64,
          cost: pricer.priceUsage({
            provider: 'openai',
            model: 'gpt-4.1-mini-2025-04-14',
            usage: { inputTokens: 640, cacheReadTokens: 256, outputTokens: 96, reasoningTokens: 64 },
          }).totalCost,
          instrumentation: 'ai',
        },
      ]);
    } finally {
      await own.shutdown();
      await only.shutdown();
    }
  });
});

// ai 7 and @ai-sdk/otel require Node >= 22: the Node 24 leg of .ci/run runs this (as the newest SDK majors elsewhere).
if (nodeMajor >= 22) describe('ai 7 through @ai-sdk/otel (Node >= 22)', () => {
  it('charges generateText once and a three-step call as three rows', async () => {
    const ai = await import('ai-latest');
    const { createOpenAI } = await import('ai-sdk-openai-latest');
    const { OpenTelemetry } = await import('@ai-sdk/otel');
    ai.registerTelemetry(new OpenTelemetry());
    const openai = createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });
    seen.reset();
    await withTags({ user_id: 'ai7-responses' }, () => ai.generateText({ model: openai('gpt-4.1-mini'), prompt: 'hi' }));
    toolSteps = 0;
    await withTags({ user_id: 'ai7-steps' }, () =>
      ai.generateText({
        model: openai.chat('gpt-4o-mini'),
        prompt: 'look it up',
        tools: { lookup: ai.tool({ description: 'lookup', inputSchema: z.object({ q: z.string() }), execute: async () => 'found' }) },
        stopWhen: ai.stepCountIs(5),
      }),
    );
    await flush();
    expect(seen.getFinishedSpans().some((s) => s.name.startsWith('invoke_agent'))).toBe(true);
    expect(await rowsOf('ai7-responses')).toMatchObject([
      { input_tokens: 640, cache_read_tokens: 256, output_tokens: 96, reasoning_tokens: 64 },
    ]);
    expect((await rowsOf('ai7-steps')).map((r) => r.input_tokens)).toEqual([100, 200, 300]);
  });
});
