/**
 * One call, one charge, with the real instrumentations people stack on top of ours: @opentelemetry/instrumentation-
 * openai or OpenLLMetry's @traceloop/instrumentation-openai wrap the SDK method (they cannot both be active: the
 * second one's `_wrap` removes the first one's wrapper), the Anthropic SDK makes its own spans, OpenLLMetry's
 * Anthropic instrumentation wraps those, and our fetch-level span sits below them all. Every span goes to the exporter
 * in its own export batch (children before parents, as a BatchSpanProcessor sends them), so the layers of one call
 * arrive separately.
 */
import { createRequire } from 'node:module';

import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { OpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { registerLlmCostInstrumentation, trackLlmCall, withTags } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { AnthropicInstrumentation } from '@traceloop/instrumentation-anthropic';
import { OpenAIInstrumentation as TraceloopOpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { queryRows, totalsPerTable } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const require = createRequire(import.meta.url);
const pricer = createPricer();
const database = uniqueDatabase('stacked');
const exporter = new ClickHouseCostExporter({ path: testStorePath(), database, pricer });
const seen = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'stacked-app' }),
  spanProcessors: [
    new SimpleSpanProcessor(seen),
    // One span per export: the layers of one call reach the exporter in separate batches, child first.
    new BatchSpanProcessor(exporter, { maxExportBatchSize: 1, scheduledDelayMillis: 5 }),
  ],
});
const otelOpenAI = new OpenAIInstrumentation();
let openaiServer: ProviderServer;
let anthropicServer: ProviderServer;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let OpenAI: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let Anthropic: any;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const openaiChat = projectFixture('openai/chat-completions');
  const openaiStream = projectFixture('openai/chat-completions-stream');
  openaiServer = await startProviderServer((request) =>
    fixtureReply((request.json as { stream?: boolean }).stream ? openaiStream : openaiChat),
  );
  anthropicServer = await startProviderServer(() => fixtureReply(projectFixture('anthropic/messages')));
  registerInstrumentations({ tracerProvider: provider, instrumentations: [otelOpenAI] });
  registerLlmCostInstrumentation({
    tracerProvider: provider,
    hosts: { [openaiServer.host]: 'openai', [anthropicServer.host]: 'anthropic' },
  });
  // Loaded after the instrumentations are registered, through require, as an application would.
  OpenAI = require('openai').OpenAI;
  const anthropicSdk = require('@anthropic-ai/sdk');
  Anthropic = anthropicSdk.Anthropic;
  // OpenLLMetry's Anthropic instrumentation 0.27 also wraps `Anthropic.Completions`, which @anthropic-ai/sdk 1.x no
  // longer has, so its require hook throws. Apply the Messages wrapper its patch() applies, from the package itself.
  const anthropicInstrumentation = new AnthropicInstrumentation({ enabled: false });
  anthropicInstrumentation.setTracerProvider(provider);
  const internals = anthropicInstrumentation as unknown as {
    _wrap(target: object, name: string, wrapper: unknown): void;
    patchAnthropic(type: string, moduleExports: unknown): unknown;
  };
  internals._wrap(Anthropic.Messages.prototype, 'create', internals.patchAnthropic('chat', anthropicSdk));
});

afterAll(async () => {
  await provider.shutdown();
  await openaiServer.close();
  await anthropicServer.close();
});

async function flush(): Promise<void> {
  await provider.forceFlush();
  await exporter.forceFlush();
}

function scopesOfSpans(): string[] {
  return [...new Set(seen.getFinishedSpans().map((span) => span.instrumentationScope.name))].sort();
}

describe('stacked GenAI instrumentations', () => {
  it('charge an OpenAI chat completion once (OpenTelemetry instrumentation + ours), with our tags', async () => {
    const client = new OpenAI({ apiKey: 'test-key', baseURL: `${openaiServer.url}/v1` });
    const tracer = provider.getTracer('app');
    await withTags({ user_id: 'u-stack', feature: 'answers' }, () =>
      tracer.startActiveSpan('handle request', async (span) => {
        await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
        span.end();
      }),
    );
    await flush();
    // Two instrumentations described the call (plus the app span).
    expect(scopesOfSpans()).toEqual(['@llm-cost/instrumentation', '@opentelemetry/instrumentation-openai', 'app']);
    const rows = await queryRows<Record<string, unknown>>(
      exporter.pipeline.store.client,
      `SELECT user_id, feature, input_tokens, cache_read_tokens, output_tokens, reasoning_tokens,
              toString(total_cost) AS cost, provider_response_id, instrumentation
       FROM \`${database}\`.llm_calls WHERE provider_response_id = 'chatcmpl-fixture-0001'`,
    );
    // gpt-4o-mini: 176 uncached x $0.15/M + 1024 cached x $0.075/M + 300 output x $0.60/M = $0.0002832
    expect(rows).toEqual([
      {
        user_id: 'u-stack',
        feature: 'answers',
        input_tokens: 1200,
        cache_read_tokens: 1024,
        output_tokens: 300,
        reasoning_tokens: 128,
        cost: '0.0002832',
        provider_response_id: 'chatcmpl-fixture-0001',
        instrumentation: '@llm-cost/instrumentation',
      },
    ]);
    expect(exporter.stats().duplicates).toBe(1);
  });

  it('charge a chat completion and a streamed one once each (OpenLLMetry + ours)', async () => {
    otelOpenAI.disable();
    const traceloop = new TraceloopOpenAIInstrumentation({ enabled: false });
    traceloop.setTracerProvider(provider);
    traceloop.manuallyInstrument(OpenAI);
    seen.reset();
    const before = exporter.stats().written;
    const duplicatesBefore = exporter.stats().duplicates;
    const client = new OpenAI({ apiKey: 'test-key', baseURL: `${openaiServer.url}/v1` });
    await withTags({ user_id: 'u-stream' }, async () => {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
      const stream = await client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
        stream_options: { include_usage: true },
      });
      for await (const _chunk of stream) {
        // consume
      }
    });
    await flush();
    expect(scopesOfSpans()).toEqual(['@llm-cost/instrumentation', '@traceloop/instrumentation-openai']);
    expect(seen.getFinishedSpans()).toHaveLength(4);
    expect(exporter.stats().written - before).toBe(2);
    expect(exporter.stats().duplicates - duplicatesBefore).toBe(2);
    const rows = await queryRows<{ user_id: string; stream: boolean }>(
      exporter.pipeline.store.client,
      `SELECT user_id, stream FROM \`${database}\`.llm_calls WHERE user_id = 'u-stream' ORDER BY stream`,
    );
    expect(rows).toEqual([
      { user_id: 'u-stream', stream: false },
      { user_id: 'u-stream', stream: true },
    ]);
  });

  it('charge an Anthropic message once, with cache writes priced from our span', async () => {
    seen.reset();
    const duplicatesBefore = exporter.stats().duplicates;
    const client = new Anthropic({ apiKey: 'test-key', baseURL: anthropicServer.url });
    await withTags({ user_id: 'u-claude' }, () =>
      client.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }] }),
    );
    await flush();
    // Three layers: the SDK's own span, OpenLLMetry's around it, ours below.
    expect(scopesOfSpans()).toEqual([
      '@llm-cost/instrumentation',
      '@traceloop/instrumentation-anthropic',
      'com.anthropic.sdk.typescript',
    ]);
    expect(exporter.stats().duplicates - duplicatesBefore).toBe(2);
    const rows = await queryRows<Record<string, unknown>>(
      exporter.pipeline.store.client,
      `SELECT input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, toString(total_cost) AS cost
       FROM \`${database}\`.llm_calls WHERE user_id = 'u-claude'`,
    );
    const expected = pricer.priceUsage({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 2425, cacheReadTokens: 1800, cacheWriteTokens: 600, cacheWrite5mTokens: 400, cacheWrite1hTokens: 200, outputTokens: 70 },
    });
    expect(rows).toEqual([
      {
        input_tokens: 2425,
        cache_read_tokens: 1800,
        cache_write_tokens: 600,
        output_tokens: 70,
        cost: expected.totalCost!.replace(/0+$/, ''),
      },
    ]);
  });

  it('counts a trackLlmCall span as a call of its own', async () => {
    await withTags({ user_id: 'u-manual' }, () =>
      trackLlmCall({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1000, outputTokens: 100 } }),
    );
    await flush();
    const rows = await queryRows<Record<string, unknown>>(
      exporter.pipeline.store.client,
      `SELECT usage_source, toString(total_cost) AS cost FROM \`${database}\`.llm_calls WHERE user_id = 'u-manual'`,
    );
    expect(rows).toEqual([{ usage_source: 'manual', cost: '0.00021' }]);
  });

  it('leave every rollup equal to the raw table', async () => {
    const totals = await totalsPerTable(exporter.pipeline.store.client, database);
    const raw = totals.llm_calls!;
    expect(raw.calls).toBe(5);
    for (const table of Object.values(totals)) expect(table).toEqual(raw);
  });
});
