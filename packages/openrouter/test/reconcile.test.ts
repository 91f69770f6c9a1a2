/**
 * Reconciliation end to end: the real OpenAI SDK calls a loopback OpenRouter inside withTags, instrumented by
 * registerLlmCostInstrumentation with the real ClickHouseCostExporter writing to embedded ClickHouse; then
 * reconcileOpenRouter looks every generation up on the same loopback OpenRouter (through a 429 and a 500) and
 * appends adjustment rows. Every rollup total must equal what OpenRouter charged, the raw table must keep the
 * estimate and the correction, and a second run must change nothing.
 */
import { readFileSync } from 'node:fs';

import { ClickHouseCostExporter, CostPipeline, createUsageQueries, openStore } from '@llm-cost/clickhouse';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { projectFixture, sseChunks } from '../../../test/support/index.js';
import { reconcileOpenRouter } from '../src/reconcile/reconcile-openrouter.js';
import { startReconciler } from '../src/reconcile/start-reconciler.js';
import { projectBody, startFakeOpenRouter, type FakeOpenRouter } from './support/openrouter-server.js';
import { openRouterSpan } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';
import { waitFor } from './support/wait.js';

const KEY = 'sk-or-v1-reconcile-0000000000000000000000000000000000000000000000000000rc01';
const path = testStorePath();
const database = uniqueDatabase('reconcile');
const pricer = createPricer();
const exporter = new ClickHouseCostExporter({ path, database, pricer });
const queries = createUsageQueries({ path, database });
let fake: FakeOpenRouter;
let instrumentation: LlmCostInstrumentation;

/** The project's OpenRouter chat response (usage.cost 0.0014715) under another generation id. */
function chatWithId(id: string): object {
  return { ...(JSON.parse(projectFixture('openrouter/chat-completions').body.toString('utf8')) as object), id };
}

/** The project's OpenRouter stream (gen-fixture-0009) without its usage: OpenRouter sends none unless asked. */
function streamWithoutUsage(): string[] {
  const text = projectFixture('openrouter/chat-completions-stream').body.toString('utf8');
  return sseChunks(text.replace(/,"usage":\{.*\}(?=\}\n)/, ''));
}

const generation = (id: string, totalCost: number, tokens: { prompt: number; completion: number; streamed?: boolean }) => ({
  data: {
    ...(projectBody('generation-paid.json').data as object),
    id,
    total_cost: totalCost,
    usage: totalCost,
    model: 'openai/gpt-4.1-mini',
    provider_name: 'OpenAI',
    native_tokens_prompt: tokens.prompt,
    native_tokens_completion: tokens.completion,
    native_tokens_reasoning: 0,
    native_tokens_cached: 0,
    cache_discount: null,
    streamed: tokens.streamed ?? false,
  },
});

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  fake.setKey(KEY, {});
  fake.onChat((request) => {
    const body = request.json as { model: string; stream?: boolean; user?: string };
    if (body.stream) return { chunks: streamWithoutUsage() };
    return { body: chatWithId(body.user ?? 'gen-fixture-0008') };
  });
  // Charged: 0.0015 where the response said 0.0014715; 0.0000125 for the stream that reported nothing; exactly the
  // reported 0.0014715 for gen-exact. gen-late has no record yet (404).
  fake.setGeneration('gen-fixture-0008', projectBody('generation-paid.json'));
  fake.setGeneration('gen-fixture-0009', generation('gen-fixture-0009', 0.0000125, { prompt: 120, completion: 9, streamed: true }));
  fake.setGeneration('gen-exact', generation('gen-exact', 0.0014715, { prompt: 2000, completion: 50 }));
  instrumentation = registerLlmCostInstrumentation({ exporter, serviceName: 'reconcile-app', hosts: { [fake.server.host]: 'openrouter' } });
});

afterAll(async () => {
  await instrumentation.shutdown();
  await queries.close();
  await fake.close();
});

async function everyTotal() {
  const store = openStore({ path, database });
  const sql = (table: string, calls: string) =>
    `SELECT toString(${calls}) AS calls, toDecimalString(sum(ifNull(total_cost, 0)), 9) AS cost, toString(sum(input_tokens)) AS input FROM \`${database}\`.${table}`;
  const totals: Record<string, { calls: string; cost: string; input: string }> = {};
  for (const table of ['llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant']) {
    totals[table] = (await (await store.client.query({ query: sql(table, 'sum(calls)'), format: 'JSONEachRow' })).json<never>())[0]!;
  }
  totals.llm_calls = (await (await store.client.query({ query: sql('llm_calls', "countIf(row_kind = 'call')"), format: 'JSONEachRow' })).json<never>())[0]!;
  const [byTag] = await (
    await store.client.query({
      query: `SELECT toString(sum(calls)) AS calls, toDecimalString(sum(total_cost), 9) AS cost, toString(sum(input_tokens)) AS input FROM \`${database}\`.llm_daily_by_tag WHERE tag_key = 'feature'`,
      format: 'JSONEachRow',
    })
  ).json<{ calls: string; cost: string; input: string }>();
  totals.llm_daily_by_tag = byTag!;
  await store.close();
  return totals;
}

const options = () => ({
  apiKey: KEY,
  baseUrl: fake.baseUrl,
  clickhouse: { path, database },
  delayMs: 0,
  lookbackMs: 3_600_000,
  retryBaseMs: 1,
  pricer,
});

describe('reconcileOpenRouter', () => {
  it('makes every rollup total equal what OpenRouter charged', async () => {
    // The user field carries the generation id the loopback OpenRouter answers with.
    const openrouter = new OpenAI({ apiKey: KEY, baseURL: fake.baseUrl, maxRetries: 0 });
    const chat = (user: string) =>
      openrouter.chat.completions.create({ model: 'anthropic/claude-sonnet-4.5', user, messages: [{ role: 'user', content: 'hi' }] });
    await withTags({ user_id: 'alice', tenant_id: 'acme', feature: 'chat' }, async () => {
      await chat('gen-fixture-0008');
      const stream = await openrouter.chat.completions.create({ model: 'openai/gpt-4.1-mini', stream: true, messages: [{ role: 'user', content: 'hi' }] });
      for await (const _chunk of stream) {
        // read to the end
      }
    });
    await withTags({ user_id: 'bob', tenant_id: 'globex', feature: 'chat' }, async () => {
      await chat('gen-exact');
      await chat('gen-late');
    });
    await instrumentation.forceFlush();
    await exporter.forceFlush();
    // Before: 3 × 0.0014715 reported, the stream unknown (no cost, no tokens).
    expect((await everyTotal()).llm_daily_by_model).toEqual({ calls: '4', cost: '0.004414500', input: '6000' });

    // OpenRouter is rate limiting at first (Retry-After: 0) and then fails once: both retried.
    fake.enqueue('/api/v1/generation', { status: 429, headers: { 'retry-after': '0' }, body: { error: { code: 429, message: 'slow down' } } });
    fake.enqueue('/api/v1/generation', { status: 500, body: { error: { code: 500, message: 'oops' } } });
    const result = await reconcileOpenRouter(options());
    expect(result).toEqual({
      calls: 4,
      reconciled: 3,
      adjusted: 2,
      pending: 1,
      failed: 0,
      costDelta: '0.000041000',
      errors: [],
      dryRun: false,
    });
    const lookups = fake.requestsTo('/api/v1/generation');
    expect(lookups).toHaveLength(6);
    expect(lookups.every((request) => request.headers.authorization === `Bearer ${KEY}`)).toBe(true);

    // 0.0015 + 0.0000125 + 0.0014715 charged, + 0.0014715 still estimated for gen-late; the stream's 120 input tokens.
    const totals = await everyTotal();
    for (const table of ['llm_calls', 'llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant', 'llm_daily_by_tag']) {
      expect(totals[table], table).toEqual({ calls: '4', cost: '0.004455500', input: '6120' });
    }
    expect(await queries.usageInPeriod({ from: Date.now() - 3_600_000, to: Date.now() + 1, tenantId: 'acme' })).toMatchObject({
      calls: 2,
      cost: '0.001512500',
      inputTokens: 2120,
      outputTokens: 59,
      unknownUsageCalls: 1,
    });
  });

  it('keeps the estimate and the correction with its time in the raw table', async () => {
    const store = openStore({ path, database });
    const rows = await (
      await store.client.query({
        query:
          `SELECT provider_response_id AS id, row_kind, toString(total_cost) AS cost, pricing_status, adjusted_at IS NOT NULL AS adjusted, ` +
          `user_id, tenant_id, tags['feature'] AS feature FROM \`${database}\`.llm_calls ORDER BY id, row_kind DESC`,
        format: 'JSONEachRow',
      })
    ).json();
    const charges = await (
      await store.client.query({
        query: `SELECT provider_response_id AS id, toString(estimated_cost) AS estimated, toString(charged_cost) AS charged, upstream_provider, native_input_tokens, key_fingerprint FROM \`${database}\`.llm_provider_charges ORDER BY id`,
        format: 'JSONEachRow',
      })
    ).json();
    await store.close();
    expect(rows).toEqual([
      { id: 'gen-exact', row_kind: 'call', cost: '0.0014715', pricing_status: 'provider_reported', adjusted: 0, user_id: 'bob', tenant_id: 'globex', feature: 'chat' },
      { id: 'gen-fixture-0008', row_kind: 'call', cost: '0.0014715', pricing_status: 'provider_reported', adjusted: 0, user_id: 'alice', tenant_id: 'acme', feature: 'chat' },
      { id: 'gen-fixture-0008', row_kind: 'adjustment', cost: '0.0000285', pricing_status: 'provider_charged', adjusted: 1, user_id: 'alice', tenant_id: 'acme', feature: 'chat' },
      { id: 'gen-fixture-0009', row_kind: 'call', cost: null, pricing_status: 'unknown_usage', adjusted: 0, user_id: 'alice', tenant_id: 'acme', feature: 'chat' },
      { id: 'gen-fixture-0009', row_kind: 'adjustment', cost: '0.0000125', pricing_status: 'provider_charged', adjusted: 1, user_id: 'alice', tenant_id: 'acme', feature: 'chat' },
      { id: 'gen-late', row_kind: 'call', cost: '0.0014715', pricing_status: 'provider_reported', adjusted: 0, user_id: 'bob', tenant_id: 'globex', feature: 'chat' },
    ]);
    expect(charges).toEqual([
      { id: 'gen-exact', estimated: '0.0014715', charged: '0.0014715', upstream_provider: 'OpenAI', native_input_tokens: 2000, key_fingerprint: '…rc01' },
      { id: 'gen-fixture-0008', estimated: '0.0014715', charged: '0.0015', upstream_provider: 'Anthropic', native_input_tokens: 2000, key_fingerprint: '…rc01' },
      { id: 'gen-fixture-0009', estimated: null, charged: '0.0000125', upstream_provider: 'OpenAI', native_input_tokens: 120, key_fingerprint: '…rc01' },
    ]);
  });

  it('changes nothing when run again, and reconciles a record once it appears', async () => {
    const before = await everyTotal();
    const again = await reconcileOpenRouter(options());
    expect(again).toMatchObject({ calls: 1, reconciled: 0, adjusted: 0, pending: 1, failed: 0, costDelta: '0.000000000' });
    expect(await everyTotal()).toEqual(before);

    fake.setGeneration('gen-late', generation('gen-late', 0.0016, { prompt: 2000, completion: 50 }));
    const late = await reconcileOpenRouter(options());
    expect(late).toMatchObject({ calls: 1, reconciled: 1, adjusted: 1, pending: 0, costDelta: '0.000128500' });
    expect((await everyTotal()).llm_daily_by_tenant).toEqual({ calls: '4', cost: '0.004584000', input: '6120' });
    expect(await reconcileOpenRouter(options())).toMatchObject({ calls: 0, reconciled: 0 });
    expect((await everyTotal()).llm_daily_by_tenant).toEqual({ calls: '4', cost: '0.004584000', input: '6120' });
  });

  it('reports unreconciled calls and the estimate error per model in dataQuality', async () => {
    const quality = await queries.dataQuality({ from: Date.now() - 3_600_000, to: Date.now() + 1 });
    expect(quality.calls).toBe(4);
    expect(quality.reconciliation).toMatchObject({ reconcilableCalls: 4, reconciledCalls: 4, unreconciledCalls: 0 });
    const models = Object.fromEntries(quality.reconciliation.byModel.map((entry) => [entry.model, entry]));
    // gen-fixture-0008 (0.0014715 → 0.0015), gen-exact (equal), gen-late (0.0014715 → 0.0016): mean error 0.000157 / 3.
    expect(models['anthropic/claude-sonnet-4.5']).toMatchObject({
      reconciledCalls: 3,
      unestimatedCalls: 0,
      estimatedCost: '0.004414500',
      chargedCost: '0.004571500',
      meanErrorUsd: '0.000052333',
    });
    expect(models['openai/gpt-4.1-mini']).toMatchObject({ reconciledCalls: 1, unestimatedCalls: 1, meanAbsolutePercentError: null });
  });

  it('writes nothing in a dry run and says what it would adjust', async () => {
    const database2 = uniqueDatabase('dry');
    const pipeline = new CostPipeline({ path, database: database2, pricer });
    pipeline.submit([openRouterSpan({ startMs: Date.now() - 60_000, cost: '0.0014715', id: 'gen-fixture-0008' })]);
    await pipeline.shutdown();
    const dry = await reconcileOpenRouter({ ...options(), clickhouse: { path, database: database2 }, dryRun: true });
    expect(dry).toMatchObject({ dryRun: true, calls: 1, reconciled: 1, adjusted: 1, costDelta: '0.000028500' });
    const store = openStore({ path, database: database2 });
    const [counts] = await (
      await store.client.query({
        query: `SELECT toString(count()) AS rows, (SELECT toString(count()) FROM \`${database2}\`.llm_provider_charges) AS charges FROM \`${database2}\`.llm_calls`,
        format: 'JSONEachRow',
      })
    ).json<{ rows: string; charges: string }>();
    await store.close();
    expect(counts).toEqual({ rows: '1', charges: '0' });
  });

  it('stops early when OpenRouter refuses the key, and says so without the key', async () => {
    const database2 = uniqueDatabase('refused');
    const pipeline = new CostPipeline({ path, database: database2, pricer });
    pipeline.submit([openRouterSpan({ startMs: Date.now() - 60_000, cost: '0.001', id: 'gen-fixture-0008' })]);
    await pipeline.shutdown();
    const wrong = 'sk-or-v1-wrong-000000000000000000000000000000000000000000000000000000wr01';
    const result = await reconcileOpenRouter({ ...options(), apiKey: wrong, clickhouse: { path, database: database2 } });
    expect(result).toMatchObject({ calls: 1, reconciled: 0, failed: 1, stoppedEarly: 'OpenRouter refused the API key …wr01 (HTTP 401) for /generation?id=gen-fixture-0008: User not found.' });
    expect(JSON.stringify(result)).not.toContain(wrong);
  });
});

describe('a record that cannot be read', () => {
  it('fails that call only, says why, and leaves it for the next run', async () => {
    const database2 = uniqueDatabase('badrecord');
    const pipeline = new CostPipeline({ path, database: database2, pricer });
    pipeline.submit([
      openRouterSpan({ startMs: Date.now() - 60_000, cost: '0.0014715', id: 'gen-fixture-0008' }),
      openRouterSpan({ startMs: Date.now() - 50_000, cost: '0.001', id: 'gen-garbled' }),
    ]);
    await pipeline.shutdown();
    fake.setGeneration('gen-garbled', { data: { id: 'gen-garbled', total_cost: 'lots' } });
    const result = await reconcileOpenRouter({ ...options(), clickhouse: { path, database: database2 } });
    expect(result).toMatchObject({ calls: 2, reconciled: 1, adjusted: 1, failed: 1 });
    expect(result.errors).toEqual(['OpenRouterResponseError: 1 call(s), e.g. GET /generation: "total_cost" must be a number, got "lots"']);
    fake.setGeneration('gen-garbled', generation('gen-garbled', 0.001, { prompt: 2000, completion: 50 }));
    expect(await reconcileOpenRouter({ ...options(), clickhouse: { path, database: database2 } })).toMatchObject({ calls: 1, reconciled: 1, adjusted: 0, failed: 0 });
  });
});

describe('startReconciler', () => {
  it('reconciles right away and on every run after, never twice', async () => {
    const database2 = uniqueDatabase('continuous');
    const pipeline = new CostPipeline({ path, database: database2, pricer });
    pipeline.submit([openRouterSpan({ startMs: Date.now() - 120_000, cost: '0.0014715', id: 'gen-fixture-0008', tenant: 'acme' })]);
    await pipeline.shutdown();
    const runs: number[] = [];
    const reconciler = startReconciler({ ...options(), clickhouse: { path, database: database2 }, intervalMs: 3_600_000, onRun: (r) => runs.push(r.reconciled) });
    await waitFor('the first run', () => runs.length === 1);
    expect(runs).toEqual([1]);
    expect(await reconciler.runNow()).toMatchObject({ calls: 0, reconciled: 0 });
    expect(reconciler.stats()).toMatchObject({ runs: 2, reconciled: 1, adjusted: 1, failedRuns: 0 });
    const usage = createUsageQueries({ path, database: database2 });
    expect(await usage.usageInPeriod({ from: Date.now() - 3_600_000, to: Date.now() + 1 })).toMatchObject({ calls: 1, cost: '0.001500000' });
    await usage.close();
    await reconciler.stop();
    await reconciler.stop();
  });
});

describe('fixtures', () => {
  it('uses the project chat response whose usage.cost the paid generation record corrects', () => {
    const chat = JSON.parse(readFileSync(projectFixture('openrouter/chat-completions').file, 'utf8')) as { id: string; usage: { cost: number } };
    expect(chat).toMatchObject({ id: 'gen-fixture-0008', usage: { cost: 0.0014715 } });
    expect(projectBody('generation-paid.json').data).toMatchObject({ id: 'gen-fixture-0008', total_cost: 0.0015 });
  });
});
