import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { insertCreditSnapshots } from '../src/credits/credit-snapshots.js';
import { InvalidOptionError } from '../src/errors.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { planQuery } from '../src/queries/query-plan.js';
import { searchWindows } from '../src/queries/recent-calls.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { ATTR_ERROR_TYPE, ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS, LLM_COST_TAG_PREFIX } from '@llm-cost/semconv';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

/*
 * The queries the dashboard grows on: every filter on every breakdown (the tenant scope of a tenant's read token is
 * one of them), daily series stacked by a dimension, what caching saved, the calls page and its cursor. Each answer
 * is checked against the fixture's arithmetic and, where a rollup answers, against the raw table.
 */

const path = testStorePath();
const database = uniqueDatabase('dashboard');
const pricer = createPricer({ markups: { acme: '1.5' } });
const queries = createUsageQueries({ path, database }, { pricer });
const tag = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`${LLM_COST_TAG_PREFIX}${k}`, v]));

const D1 = Date.UTC(2026, 2, 10); // 2026-03-10T00:00Z
const H = 3_600_000;
const range = { from: D1, to: D1 + 72 * H };

// gpt-4o-mini: $0.15 / M input, $0.075 / M cached input, $0.60 / M output. 1000 in / 100 out = 0.00021.
// 1000 in with 400 cached / 100 out = 600 x 0.15e-6 + 400 x 0.075e-6 + 100 x 0.6e-6 = 0.00018; caching saved 0.00003.
// gpt-4o: $2.50 / $10 per M: 1000 in / 100 out = 0.0035.
beforeAll(async () => {
  const pipeline = new CostPipeline({ path, database, pricer });
  pipeline.submit([
    ...plainCalls(2, { user: 'u1', startMs: D1 + 1 * H, attributes: tag({ tenant_id: 'acme', feature: 'search' }) }),
    ...plainCalls(3, {
      user: 'u1',
      startMs: D1 + 2 * H,
      attributes: { ...tag({ tenant_id: 'acme', feature: 'chat' }), [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 400 },
    }),
    ...plainCalls(1, { user: 'u2', startMs: D1 + 26 * H, model: 'gpt-4o', attributes: tag({ tenant_id: 'globex', feature: 'search' }) }),
    ...plainCalls(1, { user: 'u2', startMs: D1 + 27 * H, attributes: { ...tag({ tenant_id: 'globex' }), [ATTR_ERROR_TYPE]: '500' } }),
    ...plainCalls(1, { user: 'u3', startMs: D1 + 50 * H, model: 'mystery-model-2', attributes: tag({ tenant_id: 'acme' }) }),
  ]);
  await pipeline.shutdown();
  await insertCreditSnapshots(queries.store, [
    { ...snapshot, timestampMs: D1 + 5 * H, tenantId: 'acme', keyFingerprint: '…aaaa', remaining: '9.5' },
    { ...snapshot, timestampMs: D1 + 6 * H, tenantId: 'globex', keyFingerprint: '…bbbb', remaining: '3.25' },
  ]);
});
afterAll(() => queries.close());

const snapshot = {
  keyLimit: null,
  keyUsage: '1',
  keyRemaining: null,
  usageDaily: null,
  usageWeekly: null,
  usageMonthly: null,
  totalCredits: '10',
  totalUsage: '1',
  isFreeTier: false,
  level: 'ok',
  burnRatePerHour: '0.01',
  runsOutAtMs: null,
};

describe('query plan', () => {
  it('picks the rollup that carries every dimension, else the raw table', () => {
    expect(planQuery({ tenantId: 'acme' }, ['model']).rollup).toBe('llm_daily_by_tenant');
    expect(planQuery({ tenantId: 'acme' }, ['service']).rollup).toBeUndefined();
    expect(planQuery({ service: 'api' }, ['day', 'provider']).rollup).toBe('llm_daily_by_model');
    expect(planQuery({ tags: { feature: 'a' } }, [{ tag: 'feature' }]).rollup).toBe('llm_daily_by_tag');
    expect(planQuery({ tags: { feature: 'a' } }, [{ tag: 'team' }]).rollup).toBeUndefined();
    expect(planQuery({ userId: 'u', tenantId: 't' }).rollup).toBeUndefined();
  });
});

describe('calls page windows', () => {
  it('looks in the last day, then the last week before the page end, then the whole range', () => {
    const to = D1 + 30 * 24 * H;
    expect(searchWindows({ from: D1, to }).map((w) => [w.from, w.to])).toEqual([
      [to - 24 * H, to],
      [to - 7 * 24 * H, to],
      [D1, to],
    ]);
    // After a cursor, the windows end at the cursor; windows reaching before `from` are skipped.
    const cursor = D1 + 3 * 24 * H;
    expect(searchWindows({ from: D1, to, before: `${cursor}_ab` }).map((w) => w.from)).toEqual([cursor + 1 - 24 * H, D1]);
  });
});

describe('dashboard queries', () => {
  it('a tenant filter narrows every breakdown, from the rollup or the raw table, with the billed cost beside', async () => {
    const byModel = await queries.costBreakdown({ by: 'model', tenantId: 'acme', ...range });
    expect(byModel.map((e) => [e.key, e.calls, e.cost, e.billedCost])).toEqual([
      ['gpt-4o-mini', 5, '0.000960000', '0.001440000'],
      ['mystery-model-2', 1, '0.000000000', '0.000000000'],
    ]);
    // No rollup has tenant and user (or tenant and feature): these read llm_calls, with the same answers.
    const byUser = await queries.costBreakdown({ by: 'user', tenantId: 'acme', ...range });
    expect(byUser.map((e) => [e.key, e.calls, e.cost])).toEqual([
      ['u1', 5, '0.000960000'],
      ['u3', 1, '0.000000000'],
    ]);
    const byFeature = await queries.costBreakdown({ by: { tag: 'feature' }, tenantId: 'globex', ...range });
    expect(byFeature.map((e) => [e.key, e.calls, e.cost])).toEqual([['search', 1, '0.003500000']]);
    const byTenant = await queries.costBreakdown({ by: 'tenant', tenantId: 'globex', ...range });
    expect(byTenant.map((e) => e.key)).toEqual(['globex']);
    // A partial-day range (raw rows at both ends) gives the same figures as the whole days.
    const partial = await queries.costBreakdown({ by: 'model', tenantId: 'acme', from: D1 + 30 * 60_000, to: D1 + 71 * H });
    expect(partial.map((e) => [e.key, e.calls, e.cost])).toEqual(byModel.map((e) => [e.key, e.calls, e.cost]));
  });

  it('limits a breakdown to its largest keys', async () => {
    const top = await queries.costBreakdown({ by: 'user', ...range, limit: 1 });
    expect(top.map((e) => e.key)).toEqual(['u2']);
    await expect(queries.costBreakdown({ by: 'user', ...range, limit: 0 })).rejects.toBeInstanceOf(InvalidOptionError);
  });

  it('counts errors in the totals', async () => {
    expect(await queries.usageInPeriod({ ...range })).toMatchObject({ calls: 8, errorCalls: 1, unpricedCalls: 1 });
    expect(await queries.usageInPeriod({ tenantId: 'acme', ...range })).toMatchObject({ calls: 6, errorCalls: 0 });
  });

  it('dailySeries gives every day and stacks the largest keys, the rest as (other), exactly', async () => {
    const series = await queries.dailySeries({ ...range, stack: 'model', top: 2 });
    expect(series.days).toEqual(['2026-03-10', '2026-03-11', '2026-03-12']);
    expect(series.totals.map((t) => t.calls)).toEqual([5, 2, 1]);
    expect(series.series.map((s) => s.key)).toEqual(['gpt-4o', '(other)']);
    expect(series.series[0]!.cost).toEqual(['0.000000000', '0.003500000', '0.000000000']);
    // gpt-4o-mini (5 calls on day 1, 1 on day 2) and the unpriced model (day 3) fall into (other).
    expect(series.series[1]!.cost).toEqual(['0.000960000', '0.000210000', '0.000000000']);
    expect(series.series[1]!.calls).toEqual([5, 1, 1]);
    const plain = await queries.dailySeries({ ...range });
    expect(plain.series).toEqual([]);
  });

  it('cacheSavings prices the cached tokens at the uncached input price of their day', async () => {
    const savings = await queries.cacheSavings({ ...range });
    // 3 calls x 400 cached tokens: 1200 x 0.15e-6 = 0.00018 uncached, 1200 x 0.075e-6 = 0.00009 paid.
    expect(savings).toEqual({
      cacheReadTokens: 1200,
      uncachedCost: '0.000180000',
      cacheReadCost: '0.000090000',
      saved: '0.000090000',
      unpricedCacheReadTokens: 0,
      byModel: [
        {
          provider: 'openai',
          model: 'gpt-4o-mini',
          cacheReadTokens: 1200,
          uncachedCost: '0.000180000',
          cacheReadCost: '0.000090000',
          saved: '0.000090000',
        },
      ],
    });
    expect((await queries.cacheSavings({ tenantId: 'globex', ...range })).saved).toBe('0.000000000');
  });

  it('recentCalls pages newest first with a cursor, filtered, never beyond the range', async () => {
    const first = await queries.recentCalls({ ...range, limit: 3 });
    expect(first.calls).toHaveLength(3);
    expect(first.calls[0]).toMatchObject({ model: 'mystery-model-2', userId: 'u3', tenantId: 'acme', cost: null, pricingStatus: 'unknown_model' });
    const second = await queries.recentCalls({ ...range, limit: 3, before: first.next! });
    const third = await queries.recentCalls({ ...range, limit: 3, before: second.next! });
    expect(third.next).toBeNull();
    const all = [...first.calls, ...second.calls, ...third.calls];
    expect(all).toHaveLength(8);
    expect(new Set(all.map((c) => c.spanId)).size).toBe(8);
    expect(all.map((c) => c.timestamp)).toEqual([...all.map((c) => c.timestamp)].sort().reverse());
    const errors = await queries.recentCalls({ ...range, status: 'error' });
    expect(errors.calls.map((c) => [c.userId, c.errorType])).toEqual([['u2', '500']]);
    const unpriced = await queries.recentCalls({ ...range, priced: false, tenantId: 'acme' });
    expect(unpriced.calls.map((c) => c.model)).toEqual(['mystery-model-2']);
    const acme = await queries.recentCalls({ ...range, tenantId: 'acme', limit: 500 });
    expect(acme.calls.every((c) => c.tenantId === 'acme')).toBe(true);
    expect(acme.calls).toHaveLength(6);
    await expect(queries.recentCalls({ from: D1 - 100 * 24 * H, to: D1 })).rejects.toThrow(/at most 92 days/);
    await expect(queries.recentCalls({ ...range, before: "1' OR 1=1" })).rejects.toThrow(/cursor/);
  });

  it('tagKeys lists the keys of the range, narrowed by a filter', async () => {
    expect(await queries.tagKeys({ ...range })).toEqual(['feature', 'tenant_id', 'user_id']);
    expect(await queries.tagKeys({ ...range, userId: 'u3' })).toEqual(['tenant_id', 'user_id']);
  });

  it('dataQuality and latencyByModel take the same filter', async () => {
    const acme = await queries.dataQuality({ ...range, tenantId: 'acme' });
    expect(acme).toMatchObject({ calls: 6, unpricedCalls: 1, errorCalls: 0 });
    const globex = await queries.dataQuality({ ...range, tenantId: 'globex' });
    expect(globex).toMatchObject({ calls: 2, unpricedCalls: 0, errorCalls: 1, unpricedModels: [] });
    const latency = await queries.latencyByModel({ ...range, tenantId: 'globex' });
    expect(latency.map((e) => [e.model, e.calls])).toEqual([
      ['gpt-4o', 1],
      ['gpt-4o-mini', 1],
    ]);
  });

  it('creditHistory reads the balance snapshots, per tenant when asked', async () => {
    expect((await queries.creditHistory({ ...range })).map((s) => s.keyFingerprint)).toEqual(['…aaaa', '…bbbb']);
    expect((await queries.creditHistory({ ...range, tenantId: 'globex' })).map((s) => s.remaining)).toEqual(['3.250000000']);
  });
});
