/**
 * A flush that stores (issue 12): every way an application flushes through the real OpenTelemetry SDK resolves only
 * when the calls made before it are rows a query returns. Real parts throughout: the `openai` SDK against a loopback
 * server replaying the project's chat completion (a fresh response id per request, so no two calls look alike to the
 * one-charge filter), `registerLlmCostInstrumentation` sending its spans to the SDK provider under test, the SDK's own
 * processors around `ClickHouseCostExporter`, and the embedded store queried right after the flush resolves.
 *
 * The paths: `provider.forceFlush()` with a `BatchSpanProcessor` (SDK 2.x and 3.x) on its first flush (the exporter
 * does not know the processor yet, and the last call's span ends on the turn after the application got its answer)
 * and later ones; the same with an empty batch buffer while the exporter still holds the calls for the one-charge
 * filter; `SimpleSpanProcessor`; the instrumentation's own provider through `handle.forceFlush()`; a queue that refuses
 * calls (they are counted, not waited for). `NodeSDK` (a registered global provider) is in flush-node-sdk.test.ts.
 */
import { context, trace, type TracerProvider } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { OpenAI } from 'openai';
import { BatchSpanProcessor as BatchSpanProcessor3, TracerProvider as TracerProvider3 } from 'otel-sdk-trace-3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { queryRows, totalsPerTable } from './support/rows.js';
import { waitFor } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const pricer = createPricer();
/** gpt-4o-mini, the fixture's usage: 176 uncached x $0.15/M + 1024 cached x $0.075/M + 300 output x $0.60/M. */
const COST_PER_CALL = 0.0002832;
let server: ProviderServer;
let instrumentation: LlmCostInstrumentation | undefined;
const cleanups: Array<() => Promise<void>> = [];

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const fixture = projectFixture('openai/chat-completions');
  const body = JSON.parse(fixture.body.toString('utf8')) as Record<string, unknown>;
  let served = 0;
  server = await startProviderServer(() => fixtureReply(fixture, { body: { ...body, id: `chatcmpl-flush-${++served}` } }));
});

afterEach(async () => {
  await instrumentation?.shutdown();
  instrumentation = undefined;
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

afterAll(async () => {
  await server.close();
});

function newExporter(prefix: string, options: { maxQueueSize?: number } = {}) {
  const database = uniqueDatabase(prefix);
  const exporter = new ClickHouseCostExporter({ path, database, pricer, ...options });
  return { database, exporter };
}

/** Our spans go to `provider` (an application's provider, not registered globally). */
function instrument(provider: TracerProvider): void {
  instrumentation = registerLlmCostInstrumentation({ tracerProvider: provider, hosts: { [server.host]: 'openai' } });
}

/** `count` chat completions through the real SDK, each awaited as an application awaits it. */
async function chats(count: number, userId = 'u-flush'): Promise<void> {
  const openai = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
  await withTags({ user_id: userId }, async () => {
    for (let i = 0; i < count; i++) {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    }
  });
}

/**
 * One chat completion through `fetch`, its body read with `text()` (as an application, or an SDK that parses text
 * itself, does): the instrumentation reads the usage from those bytes on the next turn, so the span ends just after
 * the application got its answer.
 */
async function fetchChat(): Promise<void> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  JSON.parse(await response.text());
}

/** Rows in `llm_calls` and their cost, read right now; every rollup must hold exactly the same. */
async function stored(exporter: ClickHouseCostExporter, database: string): Promise<{ rows: number; cost: number }> {
  const client = exporter.pipeline.store.client;
  const totals = await totalsPerTable(client, database).catch(() => undefined);
  if (totals === undefined) return { rows: 0, cost: 0 };
  for (const table of ['llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant']) expect(totals[table]).toEqual(totals.llm_calls);
  const [row] = await queryRows<{ n: string }>(client, `SELECT toString(count()) AS n FROM \`${database}\`.llm_calls`);
  return { rows: Number(row?.n), cost: Number(totals.llm_calls!.cost) };
}

function provider2(processor: SpanProcessor): BasicTracerProvider {
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  cleanups.push(() => provider.shutdown());
  return provider;
}

describe('provider.forceFlush() through a BatchSpanProcessor', () => {
  it('stores all eight calls on the first flush (the SDK defaults: 512 spans or 5 s), and on the next', async () => {
    const { database, exporter } = newExporter('bsp_first');
    const provider = provider2(new BatchSpanProcessor(exporter));
    instrument(provider);
    await chats(7);
    // The last call's span ends on the turn after the application read its answer, i.e. after the flush began.
    await fetchChat();
    // Nothing was exported yet: the spans wait in the processor's buffer for its 5 s timer.
    expect(exporter.stats().received).toBe(0);
    await provider.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 8, cost: +(8 * COST_PER_CALL).toFixed(9) });

    await chats(7);
    await fetchChat();
    await provider.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 16, cost: +(16 * COST_PER_CALL).toFixed(9) });
    expect(exporter.stats()).toMatchObject({ written: 16, queueDepth: 0, held: 0, lost: 0, rejected: 0 });
  });

  it('with an empty buffer, still waits for calls the timer exported and the one-charge filter holds', async () => {
    const { database, exporter } = newExporter('bsp_held');
    const provider = provider2(new BatchSpanProcessor(exporter, { scheduledDelayMillis: 20 }));
    instrument(provider);
    const tracer = provider.getTracer('app');
    // The calls run inside a request span that is still open: each call's span waits in the exporter's hold for its
    // parent (it could be another instrumentation's layer of the same call).
    const request = tracer.startSpan('POST /answer');
    await context.with(trace.setSpan(context.active(), request), () => chats(5, 'u-held'));
    await waitFor('the timer to export the five spans', () => exporter.stats().received === 5);
    expect(exporter.stats()).toMatchObject({ held: 5, written: 0 });

    await provider.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 5, cost: +(5 * COST_PER_CALL).toFixed(9) });

    // The parent arrives later: nothing is charged again.
    request.end();
    await provider.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 5, cost: +(5 * COST_PER_CALL).toFixed(9) });
    expect(exporter.stats()).toMatchObject({ received: 6, written: 5, held: 0, duplicates: 0 });
  });

  it('with the OpenTelemetry JS 3.x SDK (its TracerProvider and BatchSpanProcessor)', async () => {
    const { database, exporter } = newExporter('bsp3');
    const provider = new TracerProvider3({ spanProcessors: [new BatchSpanProcessor3({ exporter })] });
    cleanups.push(() => provider.shutdown());
    instrument(provider as unknown as TracerProvider);
    await chats(6);
    expect(exporter.stats().received).toBe(0);
    await provider.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 6, cost: +(6 * COST_PER_CALL).toFixed(9) });
    await chats(2);
    await provider.forceFlush();
    expect((await stored(exporter, database)).rows).toBe(8);
  });

  it('counts the calls a full queue refused instead of waiting for them', async () => {
    const { database, exporter } = newExporter('bsp_refused', { maxQueueSize: 3 });
    const provider = provider2(new BatchSpanProcessor(exporter));
    instrument(provider);
    await chats(5);
    await provider.forceFlush();
    expect((await stored(exporter, database)).rows).toBe(3);
    expect(exporter.stats()).toMatchObject({ written: 3, rejected: 2, queueDepth: 0 });
  });
});

describe('other flush paths', () => {
  it('provider.forceFlush() through a SimpleSpanProcessor, calls held for a parent included', async () => {
    const { database, exporter } = newExporter('simple');
    const provider = provider2(new SimpleSpanProcessor(exporter));
    instrument(provider);
    const request = provider.getTracer('app').startSpan('POST /answer');
    await context.with(trace.setSpan(context.active(), request), () => chats(4));
    await provider.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 4, cost: +(4 * COST_PER_CALL).toFixed(9) });
    request.end();
  });

  it("the instrumentation's own provider: handle.forceFlush()", async () => {
    const { database, exporter } = newExporter('own');
    cleanups.push(() => exporter.shutdown());
    instrumentation = registerLlmCostInstrumentation({ exporter, hosts: { [server.host]: 'openai' } });
    await chats(7);
    await instrumentation.forceFlush();
    expect(await stored(exporter, database)).toEqual({ rows: 7, cost: +(7 * COST_PER_CALL).toFixed(9) });
  });
});
