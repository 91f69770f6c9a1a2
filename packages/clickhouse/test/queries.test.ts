import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { SchemaNotFoundError } from '../src/errors.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { LLM_COST_TAG_PREFIX } from '@llm-cost/semconv';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const database = uniqueDatabase('queries');
const queries = createUsageQueries({ path, database });
const tag = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`${LLM_COST_TAG_PREFIX}${k}`, v]));

const D1 = Date.UTC(2026, 2, 10); // 2026-03-10T00:00Z
const H = 3_600_000;
const NOW = Date.now();

// gpt-4o-mini 1000 in / 100 out = 0.00021; gpt-4o ($2.50 / $10 per M) 1000 in / 100 out = 0.0035.
beforeAll(async () => {
  const pipeline = new CostPipeline({ path, database, pricer: createPricer() });
  const submit = (...spans: ReturnType<typeof plainCalls>[]) => pipeline.submit(spans.flat());
  submit(
    plainCalls(2, { user: 'u1', startMs: D1 + 1 * H, durationMs: 100, attributes: tag({ feature: 'search', team: 'a' }) }),
    plainCalls(1, { user: 'u1', startMs: D1 + 23 * H, durationMs: 300, model: 'gpt-4o', attributes: tag({ feature: 'chat' }) }),
    plainCalls(3, { user: 'u2', startMs: D1 + 24 * H + 5 * H, durationMs: 200, attributes: tag({ feature: 'search', team: 'b' }) }),
    plainCalls(1, { user: 'u1', startMs: D1 + 48 * H + 2 * H, durationMs: 500, model: 'gpt-4o' }),
    plainCalls(1, { user: 'u3', startMs: D1 + 48 * H + 3 * H, model: 'mystery-model-1' }),
    plainCalls(1, { user: 'u1', startMs: NOW - 1 * H }),
    plainCalls(1, { user: 'u1', startMs: NOW - 25 * H }),
  );
  await pipeline.shutdown();
});
afterAll(() => queries.close());

describe('usage queries', () => {
  it('usageInPeriod sums whole days from rollups and partial days from raw rows, exactly', async () => {
    // u1 between 2026-03-10T12:00 and 2026-03-12T03:00: the gpt-4o call at 23:00 on day 1 (partial day, raw) and
    // the gpt-4o call at 02:00 on day 3 (partial day, raw); nothing on day 2 (whole day, rollup).
    const partial = await queries.usageInPeriod({ userId: 'u1', from: D1 + 12 * H, to: D1 + 51 * H });
    expect(partial).toEqual({
      calls: 2,
      inputTokens: 2000,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 200,
      reasoningTokens: 0,
      totalTokens: 2200,
      cost: '0.007000000',
      billedCost: '0.007000000',
      unpricedCalls: 0,
      unknownUsageCalls: 0,
      errorCalls: 0,
    });
    // Three whole days: 2 x 0.00021 + 0.0035 + 0.0035.
    const whole = await queries.usageInPeriod({ userId: 'u1', from: '2026-03-10', to: '2026-03-13' });
    expect(whole).toMatchObject({ calls: 4, cost: '0.007420000' });
    const everyone = await queries.usageInPeriod({ from: D1, to: D1 + 72 * H });
    expect(everyone).toMatchObject({ calls: 8, cost: '0.008050000', unpricedCalls: 1 });
  });

  it('filters by one tag from the tag rollup and by several tags from raw rows', async () => {
    const search = await queries.usageInPeriod({ tags: { feature: 'search' }, from: D1, to: D1 + 72 * H });
    expect(search).toMatchObject({ calls: 5, cost: '0.001050000' });
    const searchA = await queries.usageInPeriod({ tags: { feature: 'search', team: 'a' }, from: D1, to: D1 + 72 * H });
    expect(searchA).toMatchObject({ calls: 2, cost: '0.000420000' });
    const userAndTag = await queries.usageInPeriod({ userId: 'u2', tags: { team: 'b' }, from: D1, to: D1 + 72 * H });
    expect(userAndTag).toMatchObject({ calls: 3, cost: '0.000630000' });
    const modelOnly = await queries.totalCost({ from: D1, to: D1 + 72 * H, model: 'gpt-4o' });
    expect(modelOnly).toMatchObject({ calls: 2, cost: '0.007000000' });
  });

  it('dailySummary answers the per-user, per-model, per-day figure', async () => {
    expect(await queries.dailySummary({ day: '2026-03-10', userId: 'u1' })).toMatchObject({ calls: 3, cost: '0.003920000' });
    expect(await queries.dailySummary({ day: '2026-03-10', userId: 'u1', model: 'gpt-4o-mini' })).toMatchObject({
      calls: 2,
      cost: '0.000420000',
    });
    expect(await queries.dailySummary({ day: new Date(D1 + 24 * H), userId: 'u1' })).toMatchObject({ calls: 0, cost: '0.000000000' });
  });

  it('costBreakdown groups by model, user and tag, largest cost first', async () => {
    const range = { from: D1, to: D1 + 72 * H };
    const byModel = await queries.costBreakdown({ by: 'model', ...range });
    expect(byModel.map((e) => [e.key, e.calls, e.cost])).toEqual([
      ['gpt-4o', 2, '0.007000000'],
      ['gpt-4o-mini', 5, '0.001050000'],
      ['mystery-model-1', 1, '0.000000000'],
    ]);
    const byUser = await queries.costBreakdown({ by: 'user', from: D1 + 12 * H, to: D1 + 72 * H });
    expect(byUser.map((e) => [e.key, e.calls, e.cost])).toEqual([
      ['u1', 2, '0.007000000'],
      ['u2', 3, '0.000630000'],
      ['u3', 1, '0.000000000'],
    ]);
    const byFeature = await queries.costBreakdown({ by: { tag: 'feature' }, ...range });
    expect(byFeature.map((e) => [e.key, e.calls, e.cost])).toEqual([
      ['chat', 1, '0.003500000'],
      ['search', 5, '0.001050000'],
    ]);
    expect((await queries.costBreakdown({ by: 'provider', ...range }))[0]).toMatchObject({ key: 'openai', calls: 8 });
    expect((await queries.costBreakdown({ by: 'service', ...range }))[0]).toMatchObject({ key: 'plain-spans', calls: 8 });
  });

  it('usageInLast24Hours counts the last 24 hours only', async () => {
    expect(await queries.usageInLast24Hours({ userId: 'u1' })).toMatchObject({ calls: 1, cost: '0.000210000' });
  });

  it('dailyCosts lists every day, oldest first, zeros included', async () => {
    const days = await queries.dailyCosts({ days: 3 });
    expect(days).toHaveLength(3);
    expect(days.map((d) => d.day)).toEqual(
      [2, 1, 0].map((back) => new Date(NOW - back * 86_400_000).toISOString().slice(0, 10)),
    );
    expect(days.reduce((sum, d) => sum + d.calls, 0)).toBe(2);
  });

  it('latencyByModel and dataQuality read the raw rows', async () => {
    const latency = await queries.latencyByModel({ from: D1, to: D1 + 72 * H });
    expect(latency.find((e) => e.model === 'gpt-4o')).toMatchObject({ calls: 2, avgMs: 400 });
    expect(latency.find((e) => e.model === 'gpt-4o-mini')).toMatchObject({ calls: 5, p50Ms: 200 });
    const quality = await queries.dataQuality({ from: D1, to: D1 + 72 * H });
    expect(quality).toEqual({
      calls: 8,
      unpricedModels: [{ provider: 'openai', model: 'mystery-model-1', calls: 1 }],
      unpricedCalls: 1,
      unknownUsageCalls: 0,
      untaggedCalls: 0,
      errorCalls: 0,
      reconciliation: { reconcilableCalls: 0, reconciledCalls: 0, unreconciledCalls: 0, byModel: [] },
      bills: { coverageThreshold: 0.95, tokenTolerance: 0.02, days: [], flaggedDays: 0 },
    });
  });

  it('says clearly when the schema is missing', async () => {
    const empty = createUsageQueries({ path, database: uniqueDatabase('empty') });
    await expect(empty.dailySummary({ day: '2026-03-10' })).rejects.toBeInstanceOf(SchemaNotFoundError);
    await empty.close();
  });
});
