/**
 * The Vercel AI SDK's spans through the collector: the real `ai` package with `experimental_telemetry` and
 * `@ai-sdk/openai` against a loopback OpenAI, our fetch instrumentation below it, every span sent over OTLP/HTTP in
 * its own request (as a BatchSpanProcessor with small batches sends them), priced by the collector.
 */
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerLlmCostInstrumentation, withTags } from '@llm-cost/instrumentation';
import * as ai from 'ai';
import { createOpenAI } from '@ai-sdk/openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { createOtlpExporter } from './helpers/otel-spans.js';

const DAY = 86_400_000;
const window = () => ({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });

let fx: CollectorFixture;
let server: ProviderServer;
let provider: BasicTracerProvider;
let toolSteps = 0;

beforeAll(async () => {
  // The default hold: a doGenerate span waits for its outer span, which ends (and is sent) after it.
  fx = await startTestCollector({ dedupHoldMs: 10_000 });
  const responses = projectFixture('openai/responses');
  server = await startProviderServer((request) => {
    if (request.url.endsWith('/responses')) return fixtureReply(responses);
    toolSteps += 1;
    const last = toolSteps === 3;
    return {
      body: {
        id: `chatcmpl-collector-step-${toolSteps}`,
        object: 'chat.completion',
        created: 1_767_225_600,
        model: 'gpt-4o-mini-2024-07-18',
        choices: [
          {
            index: 0,
            message: last
              ? { role: 'assistant', content: 'done' }
              : {
                  role: 'assistant',
                  content: null,
                  tool_calls: [{ id: `call_${toolSteps}`, type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }],
                },
            finish_reason: last ? 'stop' : 'tool_calls',
          },
        ],
        usage: { prompt_tokens: 1000 * toolSteps, completion_tokens: 100, total_tokens: 1000 * toolSteps + 100 },
      },
    };
  });
  const exporter = createOtlpExporter('protobuf', fx.collector.url, { headers: { Authorization: `Bearer ${TOKENS.acme}` } });
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': 'ai-sdk-service' }),
    spanProcessors: [new BatchSpanProcessor(exporter, { maxExportBatchSize: 1, scheduledDelayMillis: 5 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  registerLlmCostInstrumentation({ tracerProvider: provider, hosts: { [server.host]: 'openai' } });
});

afterAll(async () => {
  await provider.shutdown();
  await server.close();
  await fx.close();
});

describe('AI SDK spans sent to the collector', () => {
  const openai = () => createOpenAI({ apiKey: 'test-key', baseURL: `${server.url}/v1` });

  it('charges a generateText call once, with exact cached and reasoning tokens and our tags', async () => {
    await withTags({ user_id: 'collector-ai-one' }, () =>
      ai.generateText({ model: openai()('gpt-4.1-mini'), prompt: 'hi', experimental_telemetry: { isEnabled: true } }),
    );
    await provider.forceFlush();
    await waitFor(async () => (await fx.queries.usageInPeriod({ ...window(), userId: 'collector-ai-one' })).calls > 0, 'the call');
    expect(await fx.queries.usageInPeriod({ ...window(), userId: 'collector-ai-one' })).toMatchObject({
      calls: 1,
      inputTokens: 640,
      cacheReadTokens: 256,
      outputTokens: 96,
      reasoningTokens: 64,
    });
  });

  it('charges a three-step generateText as three rows (the outer span is not a fourth)', async () => {
    toolSteps = 0;
    await withTags({ user_id: 'collector-ai-steps' }, () =>
      ai.generateText({
        model: openai().chat('gpt-4o-mini'),
        prompt: 'look it up',
        tools: { lookup: ai.tool({ description: 'lookup', inputSchema: z.object({ q: z.string() }), execute: async () => 'found' }) },
        stopWhen: ai.stepCountIs(5),
        experimental_telemetry: { isEnabled: true },
      }),
    );
    await provider.forceFlush();
    expect(toolSteps).toBe(3);
    const usage = () => fx.queries.usageInPeriod({ ...window(), userId: 'collector-ai-steps' });
    await waitFor(async () => (await usage()).calls >= 3, 'three calls');
    // Held spans are released once complete; wait until nothing is held, then check nothing more arrived.
    await waitFor(async () => (await fx.metric('llm_cost_pipeline_queue_depth')) === 0, 'the queue to drain');
    expect(await usage()).toMatchObject({ calls: 3, inputTokens: 6000, outputTokens: 300 });
  });
});
