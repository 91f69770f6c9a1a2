/**
 * Cost adjustment rows (issue 6): an upgrade from schema version 1 that keeps every rollup row, and adjustments that
 * make every rollup total equal what the provider charged while the raw table keeps the estimate and the correction.
 * Rows are written by the real pipeline; the charges are what @llm-cost/openrouter would read from OpenRouter.
 */
import { readFileSync } from 'node:fs';

import { createPricer } from '@llm-cost/pricing';
import { afterAll, describe, expect, it } from 'vitest';

import { openStore } from '../src/connection/connect.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { findUnreconciledCalls } from '../src/reconciliation/unreconciled-calls.js';
import { recordProviderCharges, type ProviderCharge } from '../src/reconciliation/record-charges.js';
import { llmCallsTable } from '../src/schema/definitions.js';
import { migrate } from '../src/schema/migrate.js';
import { MIGRATIONS } from '../src/schema/migrations.js';
import { dateTime64Text, identityToken, insertJsonRows } from '../src/storage/insert-json-rows.js';
import {
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_USAGE_SOURCE,
  ATTR_GEN_AI_PROVIDER_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/semconv';
import type { SpanLike } from '../src/spans/span-like.js';
import { queryRows, totalsPerTable } from './support/rows.js';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const pricer = createPricer();
const DAY = Date.UTC(2026, 1, 3, 12);
const stores: Array<{ close(): Promise<void> }> = [];
afterAll(async () => {
  for (const store of stores) await store.close();
});

const tag = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => [`${LLM_COST_TAG_PREFIX}${k}`, v]));

/** An OpenRouter call as our instrumentation records it; `cost` undefined and `usage` false: a stream without usage. */
function openRouterCall(id: string, startMs: number, options: { user: string; tenant: string; cost?: string; usage?: boolean }): SpanLike {
  const [span] = plainCalls(1, {
    user: options.user,
    model: 'anthropic/claude-sonnet-4.5',
    input: 2000,
    output: 50,
    startMs,
    attributes: {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openrouter',
      [ATTR_GEN_AI_RESPONSE_ID]: id,
      ...(options.cost === undefined ? {} : { [ATTR_LLM_COST_PROVIDER_REPORTED_COST]: options.cost }),
      ...tag({ tenant_id: options.tenant, feature: 'chat' }),
    },
  });
  if (options.usage === false) {
    const attributes = span!.attributes as Record<string, unknown>;
    delete attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS];
    delete attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS];
    attributes[ATTR_LLM_COST_USAGE_SOURCE] = 'unknown';
  }
  return span!;
}

async function write(database: string, spans: SpanLike[], autoMigrate = true): Promise<void> {
  const pipeline = new CostPipeline({ path, database, pricer, autoMigrate });
  pipeline.submit(spans);
  await pipeline.shutdown();
}

/** Every table's totals plus the tag rollup's (feature tag), to compare before and after. */
type Totals = Record<string, { calls: number; cost: string; input?: number }>;

async function everyTotal(client: ReturnType<typeof openStore>['client'], database: string, rawCalls?: string): Promise<Totals> {
  const totals: Totals = await totalsPerTable(client, database, rawCalls);
  const [byTag] = await queryRows<{ calls: string; cost: string }>(
    client,
    `SELECT toString(sum(calls)) AS calls, toDecimalString(sum(total_cost), 9) AS cost FROM \`${database}\`.llm_daily_by_tag WHERE tag_key = 'feature'`,
  );
  return { ...totals, llm_daily_by_tag_feature: { calls: Number(byTag?.calls), cost: byTag?.cost ?? '' } };
}

describe('schema upgrade from version 1', () => {
  it('adds adjustment support without losing or doubling a rollup row', async () => {
    const database = uniqueDatabase('upgrade');
    const store = openStore({ path, database });
    stores.push(store);
    const v1 = readFileSync(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8').replaceAll('LLM_COST_DB', database);
    const statements = v1.replace(/^--.*$/gm, '').split(/;\n\n|;\n$/).map((s) => s.trim()).filter(Boolean);
    for (const statement of statements) await store.client.command({ query: statement });
    await store.client.command({
      query: `INSERT INTO \`${database}\`.llm_cost_schema_migrations (version, name, applied_at) SELECT 1, 'v1', now()`,
    });
    // Rows written while the store is still at version 1 (a writer that does not know row_kind).
    await write(database, [...plainCalls(3, { startMs: DAY }), openRouterCall('gen-up-1', DAY + 10, { user: 'u9', tenant: 't', cost: '0.001' })], false);
    const before = await everyTotal(store.client, database, 'count()');
    expect(before.llm_daily_by_model!).toEqual({ calls: 4, cost: '0.001630000', input: 5000 });

    expect((await migrate({ path, database })).applied).toEqual(MIGRATIONS.slice(1).map((migration) => migration.version));
    expect(await everyTotal(store.client, database)).toEqual(before);
    const [kinds] = await queryRows<{ kinds: string[] }>(store.client, `SELECT groupUniqArray(row_kind) AS kinds FROM \`${database}\`.llm_calls`);
    expect(kinds?.kinds).toEqual(['call']);
    expect((await migrate({ path, database })).applied).toEqual([]);

    // After the upgrade: new calls count once, and an adjustment adds cost but no call, in every rollup.
    await write(database, plainCalls(2, { startMs: DAY + 20 }));
    const [call] = await findUnreconciledCalls(store, { from: DAY - 1, endedBefore: DAY + 86_400_000 });
    expect(call).toMatchObject({ responseId: 'gen-up-1', userId: 'u9', tenantId: 't' });
    await recordProviderCharges(store, [{ call: call!, charge: { chargedCost: '0.0012' } }]);
    const after = await everyTotal(store.client, database);
    for (const table of ['llm_calls', 'llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant'] as const) {
      expect(after[table], table).toEqual({ calls: 6, cost: '0.002250000', input: 7000 });
    }
    expect(after.llm_daily_by_tag_feature).toEqual({ calls: 1, cost: '0.001200000' });
  });
});

describe('adjustment rows', () => {
  const database = uniqueDatabase('adjust');
  const store = openStore({ path, database });
  stores.push(store);
  const queries = createUsageQueries({ path, database });
  stores.push(queries);

  // What OpenRouter charged (its generation records), against what the calls recorded.
  const charges: Record<string, ProviderCharge> = {
    // Recorded 0.0014715 (usage.cost); charged 0.0015: +0.0000285.
    'gen-a': { chargedCost: '0.0015', upstreamProvider: 'Anthropic', nativeTokens: { input: 2000, output: 50 } },
    // A stream without usage: recorded nothing (NULL cost, 0 tokens); charged 0.00042 for 300 in (100 cached), 40 out.
    'gen-b': {
      chargedCost: '0.00042',
      billedCost: '0.000546',
      upstreamProvider: 'Google',
      nativeTokens: { input: 300, output: 40, reasoning: 10, cached: 100 },
    },
    // Recorded exactly what was charged: reconciled without an adjustment.
    'gen-c': { chargedCost: '0.002', upstreamProvider: 'Anthropic' },
  };
  // Hand-computed: 0.0015 + 0.00042 + 0.002 (OpenRouter, charged) + 0.00021 (gpt-4o-mini 1000 in, 100 out)
  // + 0.001 (an OpenRouter call whose id is not a generation id: never reconciled) = 0.00513.
  const expectedTotal = '0.005130000';

  it('makes every rollup total equal the charged amounts and keeps estimate and correction in the raw table', async () => {
    await write(database, [
      openRouterCall('gen-a', DAY, { user: 'u1', tenant: 'acme', cost: '0.0014715' }),
      openRouterCall('gen-b', DAY + 1000, { user: 'u2', tenant: 'acme', usage: false }),
      openRouterCall('gen-c', DAY + 2000, { user: 'u1', tenant: 'globex', cost: '0.002' }),
      openRouterCall('resp-not-a-generation', DAY + 3000, { user: 'u3', tenant: 'globex', cost: '0.001' }),
      ...plainCalls(1, { user: 'u3', startMs: DAY + 4000, attributes: { [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-1', ...tag({ feature: 'chat' }) } }),
    ]);
    const calls = await findUnreconciledCalls(store, { from: DAY - 1000, endedBefore: Date.now() });
    expect(calls.map((call) => call.responseId)).toEqual(['gen-a', 'gen-b', 'gen-c']);
    const firstPage = await findUnreconciledCalls(store, { from: DAY - 1000, endedBefore: Date.now(), limit: 2 });
    expect(firstPage.map((call) => call.responseId)).toEqual(['gen-a', 'gen-b']);
    const after = { timestampMs: firstPage[1]!.timestampMs, responseId: firstPage[1]!.responseId };
    const nextPage = await findUnreconciledCalls(store, { from: DAY - 1000, endedBefore: Date.now(), limit: 2, after });
    expect(nextPage.map((call) => call.responseId)).toEqual(['gen-c']);
    expect(calls[0]).toMatchObject({ userId: 'u1', tenantId: 'acme', tags: { user_id: 'u1', tenant_id: 'acme', feature: 'chat' } });

    const result = await recordProviderCharges(
      store,
      calls.map((call) => ({ call, charge: charges[call.responseId]! })),
      { nowMs: Date.UTC(2026, 1, 3, 13) },
    );
    expect(result.recorded).toBe(3);
    expect(result.adjustments).toEqual([
      { responseId: 'gen-a', costDelta: '0.000028500', billedDelta: '0.000028500', inputTokens: 0, outputTokens: 0 },
      { responseId: 'gen-b', costDelta: '0.000420000', billedDelta: '0.000546000', inputTokens: 300, outputTokens: 40 },
    ]);

    const totals = await everyTotal(store.client, database);
    for (const table of ['llm_calls', 'llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant'] as const) {
      expect(totals[table], table).toEqual({ calls: 5, cost: expectedTotal, input: 2000 * 3 + 300 + 1000 });
    }
    expect(totals.llm_daily_by_tag_feature).toEqual({ calls: 5, cost: expectedTotal });
    expect(await queries.usageInPeriod({ from: DAY - 1000, to: DAY + 86_400_000 })).toMatchObject({ calls: 5, cost: expectedTotal });
    expect(await queries.usageInPeriod({ from: '2026-02-03', to: '2026-02-04', provider: 'openrouter', tenantId: 'acme' })).toMatchObject({
      calls: 2,
      cost: '0.001920000',
      billedCost: '0.002046000',
      inputTokens: 2300,
      cacheReadTokens: 100,
      outputTokens: 90,
      reasoningTokens: 10,
    });
    const byUser = await queries.costBreakdown({ by: 'user', from: '2026-02-03', to: '2026-02-04' });
    expect(byUser.map((entry) => [entry.key, entry.calls, entry.cost])).toEqual([
      ['u1', 2, '0.003500000'],
      ['u3', 2, '0.001210000'],
      ['u2', 1, '0.000420000'],
    ]);

    const raw = await queryRows<Record<string, unknown>>(
      store.client,
      `SELECT provider_response_id AS id, row_kind, toString(total_cost) AS cost, pricing_status, toString(adjusted_at) AS adjusted_at,
              input_tokens, user_id, tenant_id, span_id, trace_id
       FROM \`${database}\`.llm_calls WHERE startsWith(provider_response_id, 'gen-') ORDER BY id, row_kind DESC`,
    );
    // An adjustment repeats its call's trace and span.
    expect(raw[1]).toMatchObject({ span_id: raw[0]!.span_id, trace_id: raw[0]!.trace_id });
    expect(raw[3]).toMatchObject({ span_id: raw[2]!.span_id, trace_id: raw[2]!.trace_id });
    expect(raw.map(({ span_id: _span, trace_id: _trace, ...rest }) => rest)).toEqual([
      { id: 'gen-a', row_kind: 'call', cost: '0.0014715', pricing_status: 'provider_reported', adjusted_at: null, input_tokens: 2000, user_id: 'u1', tenant_id: 'acme' },
      { id: 'gen-a', row_kind: 'adjustment', cost: '0.0000285', pricing_status: 'provider_charged', adjusted_at: '2026-02-03 13:00:00.000', input_tokens: 0, user_id: 'u1', tenant_id: 'acme' },
      { id: 'gen-b', row_kind: 'call', cost: null, pricing_status: 'unknown_usage', adjusted_at: null, input_tokens: 0, user_id: 'u2', tenant_id: 'acme' },
      { id: 'gen-b', row_kind: 'adjustment', cost: '0.00042', pricing_status: 'provider_charged', adjusted_at: '2026-02-03 13:00:00.000', input_tokens: 300, user_id: 'u2', tenant_id: 'acme' },
      { id: 'gen-c', row_kind: 'call', cost: '0.002', pricing_status: 'provider_reported', adjusted_at: null, input_tokens: 2000, user_id: 'u1', tenant_id: 'globex' },
    ]);
  });

  it('changes nothing when the same calls are reconciled again', async () => {
    const before = await everyTotal(store.client, database);
    expect(await findUnreconciledCalls(store, { from: DAY - 1000, endedBefore: Date.now() })).toEqual([]);
    // Even when handed the same calls again (a reconciler that listed them before the first one finished).
    const stale = await findUnreconciledCalls(store, { from: DAY - 1000, endedBefore: Date.now() }).then(() =>
      queryRows<{ n: string }>(store.client, `SELECT toString(count()) AS n FROM \`${database}\`.llm_calls`),
    );
    const listed = (await queryRows<Record<string, unknown>>(
      store.client,
      `SELECT provider_response_id FROM \`${database}\`.llm_provider_charges ORDER BY provider_response_id`,
    )).map((row) => row.provider_response_id);
    expect(listed).toEqual(['gen-a', 'gen-b', 'gen-c']);
    const again = await recordProviderCharges(
      store,
      (['gen-a', 'gen-b', 'gen-c'] as const).map((id, index) => ({
        call: {
          timestampMs: DAY + index * 1000,
          traceId: 't',
          spanId: 's',
          serviceName: 'x',
          provider: 'openrouter',
          operation: 'chat',
          requestModel: 'anthropic/claude-sonnet-4.5',
          responseModel: 'anthropic/claude-sonnet-4.5',
          pricedModel: '',
          responseId: id,
          userId: '',
          tenantId: '',
          feature: '',
          tags: {},
          stream: false,
          httpStatus: 200,
          errorType: '',
        },
        charge: charges[id]!,
      })),
    );
    expect(again.adjustments).toEqual([]);
    expect(await everyTotal(store.client, database)).toEqual(before);
    const [count] = await queryRows<{ n: string }>(store.client, `SELECT toString(count()) AS n FROM \`${database}\`.llm_calls`);
    expect(count?.n).toBe(stale[0]?.n);
  });

  it('counts a correction written twice with its token once, in the raw table and every rollup', async () => {
    const before = await everyTotal(store.client, database);
    const row = {
      timestamp: dateTime64Text(DAY),
      provider: 'openrouter',
      provider_response_id: 'gen-a',
      total_cost: '0.5',
      billed_cost: '0.5',
      user_id: 'u1',
      tenant_id: 'acme',
      tags: { feature: 'chat' },
      row_kind: 'adjustment',
      adjusted_at: dateTime64Text(DAY),
    };
    const token = identityToken('llm-cost-adjustment-v1', ['openrouter', 'gen-a', '0.5']);
    await insertJsonRows(store, 'llm_calls', Object.keys(row), [row], token);
    await insertJsonRows(store, 'llm_calls', Object.keys(row), [row], token);
    const after = await everyTotal(store.client, database);
    const plus = (cost: string) => (Number(cost) + 0.5).toFixed(9);
    for (const table of ['llm_calls', 'llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant'] as const) {
      expect(after[table], table).toEqual({ ...before[table], cost: plus(before[table]!.cost) });
    }
    expect(after.llm_daily_by_tag_feature).toEqual({ ...before.llm_daily_by_tag_feature, cost: plus(before.llm_daily_by_tag_feature!.cost) });
    expect(llmCallsTable.columns.map((c) => c.name)).toEqual(expect.arrayContaining(Object.keys(row)));
  });

  it('dataQuality reports unreconciled calls and the estimate error per model', async () => {
    const quality = await queries.dataQuality({ from: DAY - 1000, to: DAY + 86_400_000 });
    expect(quality.calls).toBe(5);
    expect(quality.reconciliation).toEqual({
      reconcilableCalls: 3,
      reconciledCalls: 3,
      unreconciledCalls: 0,
      byModel: [
        {
          provider: 'openrouter',
          model: 'anthropic/claude-sonnet-4.5',
          reconciledCalls: 3,
          unestimatedCalls: 1,
          // gen-a and gen-c: estimated 0.0014715 + 0.002, charged 0.0015 + 0.002; mean error 0.0000285 / 2.
          estimatedCost: '0.003471500',
          chargedCost: '0.003500000',
          meanErrorUsd: '0.000014250',
          // (|0.0015 - 0.0014715| / 0.0015 + 0) / 2 = 0.95 %
          meanAbsolutePercentError: 0.95,
        },
      ],
    });
    await write(database, [openRouterCall('gen-d', DAY + 5000, { user: 'u4', tenant: 'acme', cost: '0.001' })]);
    const later = await queries.dataQuality({ from: DAY - 1000, to: DAY + 86_400_000 });
    expect(later.reconciliation).toMatchObject({ reconcilableCalls: 4, reconciledCalls: 3, unreconciledCalls: 1 });
  });
});
