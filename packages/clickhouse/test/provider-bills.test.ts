/**
 * Provider bills on the embedded engine (issue 14): snapshots per sync and day, read through the latest-snapshot view,
 * so a repeated sync, overlapping ranges and revised days (a line item removed included) leave each day's latest
 * figures once; and `billDrift()` / `dataQuality()` / `runDoctor()` comparing them with calls the real pipeline wrote.
 */
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { recordProviderBills, type BillLine, type DayBill } from '../src/bills/provider-bills.js';
import { openStore, type Store } from '../src/connection/connect.js';
import { runDoctor } from '../src/maintenance/doctor.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { checkDrift, resolveThresholds } from '../src/queries/bill-checks.js';
import { createUsageQueries, type UsageQueries } from '../src/queries/usage-queries.js';
import { renderSchemaDdl } from '../src/schema/render-ddl.js';
import { migrateStore } from '../src/schema/migrate.js';
import { ATTR_GEN_AI_PROVIDER_NAME } from '@llm-cost/semconv';
import { queryRows } from './support/rows.js';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const KEY = '…wxyz';

const cost = (lineItem: string, model: string, amount: string, projectId = 'proj_a'): BillLine => ({
  kind: 'cost',
  projectId,
  lineItem,
  reportModel: model,
  model,
  amount,
  inputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 0,
  requests: 0,
});
const usage = (model: string, input: number, output: number, requests: number, projectId = 'proj_a'): BillLine => ({
  kind: 'usage',
  projectId,
  lineItem: '',
  reportModel: model,
  model,
  amount: '0',
  inputTokens: input,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: output,
  requests,
});

describe('provider bill snapshots', () => {
  let store: Store;
  let queries: UsageQueries;
  const write = (days: DayBill[], fetchedAtMs: number, syncId?: string) =>
    recordProviderBills(store, { provider: 'openai', keyFingerprint: KEY, fetchedAtMs, ...(syncId ? { syncId } : {}), days });
  /** What every query sums: the latest snapshot of each day. */
  const latest = async () =>
    (
      await queryRows<{ day: string; line_item: string; amount: string }>(
        store.client,
        `SELECT toString(day) AS day, line_item, toDecimalString(amount, 9) AS amount FROM \`${store.database}\`.llm_provider_bills_latest ` +
          "WHERE row_kind = 'cost' ORDER BY day, line_item",
      )
    ).map((row) => `${row.day} ${row.line_item} ${row.amount}`);
  const tableRows = async () =>
    Number((await queryRows<{ n: string }>(store.client, `SELECT toString(count()) AS n FROM \`${store.database}\`.llm_provider_bills`))[0]!.n);
  const billedTotals = async (from: string, to: string) =>
    (await queries.billDrift({ from, to })).filter((e) => e.kind === 'total').map((e) => `${e.day} ${e.billedCost}`);

  beforeAll(async () => {
    store = openStore({ path, database: uniqueDatabase('bills') });
    await migrateStore(store);
    queries = createUsageQueries({ client: store.client, database: store.database });
  });
  afterAll(() => store.close());

  it('writes a day once: the same figures again add no rows, in any line order', async () => {
    const day = { day: '2026-03-01', lines: [cost('gpt-4o-mini, input', 'gpt-4o-mini', '1.25'), usage('gpt-4o-mini', 1000, 100, 3)] };
    const first = await write([day], Date.UTC(2026, 2, 2));
    expect(first).toMatchObject({ changedDays: ['2026-03-01'], unchangedDays: [], written: 3 });
    const second = await write([{ ...day, lines: [...day.lines].reverse() }], Date.UTC(2026, 2, 3));
    expect(second).toMatchObject({ changedDays: [], unchangedDays: ['2026-03-01'], written: 0 });
    expect(await tableRows()).toBe(3);
    expect(await billedTotals('2026-03-01', '2026-03-02')).toEqual(['2026-03-01 1.250000000']);
  });

  it('a revised day replaces the earlier figures, a line item the revision removed included', async () => {
    await write([{ day: '2026-03-05', lines: [cost('gpt-4o, input', 'gpt-4o', '2'), cost('web search tool calls', '', '0.5')] }], Date.UTC(2026, 2, 6));
    await write([{ day: '2026-03-05', lines: [cost('gpt-4o, input', 'gpt-4o', '2.1')] }], Date.UTC(2026, 2, 7));
    expect(await latest()).toContain('2026-03-05 gpt-4o, input 2.100000000');
    expect((await latest()).filter((row) => row.startsWith('2026-03-05'))).toEqual(['2026-03-05 gpt-4o, input 2.100000000']);
    expect(await billedTotals('2026-03-05', '2026-03-06')).toEqual(['2026-03-05 2.100000000']);
  });

  it('a day revised to nothing bills nothing, and revised back it bills again (A, B, A)', async () => {
    const a = { day: '2026-03-08', lines: [cost('gpt-4o, output', 'gpt-4o', '3')] };
    await write([a], Date.UTC(2026, 2, 9));
    await write([{ day: '2026-03-08', lines: [] }], Date.UTC(2026, 2, 10));
    expect(await billedTotals('2026-03-08', '2026-03-09')).toEqual(['2026-03-08 0.000000000']);
    const again = await write([a], Date.UTC(2026, 2, 11));
    expect(again.changedDays).toEqual(['2026-03-08']);
    expect(await billedTotals('2026-03-08', '2026-03-09')).toEqual(['2026-03-08 3.000000000']);
  });

  it('overlapping ranges leave each day once, with its latest figures', async () => {
    const bill = (day: string, amount: string) => ({ day, lines: [cost('gpt-4o-mini, input', 'gpt-4o-mini', amount)] });
    await write([bill('2026-03-20', '1'), bill('2026-03-21', '2'), bill('2026-03-22', '3')], Date.UTC(2026, 2, 23));
    // A later sync over 21..23: 21 unchanged, 22 revised, 23 new.
    const later = await write([bill('2026-03-21', '2'), bill('2026-03-22', '3.5'), bill('2026-03-23', '4')], Date.UTC(2026, 2, 24));
    expect(later).toMatchObject({ changedDays: ['2026-03-22', '2026-03-23'], unchangedDays: ['2026-03-21'] });
    expect(await billedTotals('2026-03-20', '2026-03-24')).toEqual([
      '2026-03-20 1.000000000',
      '2026-03-21 2.000000000',
      '2026-03-22 3.500000000',
      '2026-03-23 4.000000000',
    ]);
  });

  it('the figures read last win, whichever sync writes last', async () => {
    await write([{ day: '2026-03-25', lines: [cost('gpt-4o, input', 'gpt-4o', '9')] }], Date.UTC(2026, 2, 27), 'sync-newer');
    // A slow sync that read the reports earlier writes after it: its older figures do not replace the newer ones.
    await write([{ day: '2026-03-25', lines: [cost('gpt-4o, input', 'gpt-4o', '8')] }], Date.UTC(2026, 2, 26), 'sync-older');
    expect(await billedTotals('2026-03-25', '2026-03-26')).toEqual(['2026-03-25 9.000000000']);
  });

  it('refuses malformed snapshots with a message naming the field', async () => {
    await expect(write([{ day: '2026-3-1', lines: [] }], Date.now())).rejects.toThrow(/days\[0\]\.day must be YYYY-MM-DD/);
    await expect(write([{ day: '2026-03-30', lines: [cost('x', '', '1.0000000001')] }], Date.now())).rejects.toThrow(/lines\[0\]\.amount/);
    await expect(write([{ day: '2026-03-30', lines: [] }, { day: '2026-03-30', lines: [] }], Date.now())).rejects.toThrow(/appears twice/);
  });
});

describe('billDrift, dataQuality and doctor', () => {
  const database = uniqueDatabase('drift');
  const pipeline = new CostPipeline({ path, database, pricer: createPricer(), dedupHoldMs: 0 });
  const queries = createUsageQueries({ path, database });
  const yesterday = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate()) - 86_400_000;
  const day = new Date(yesterday).toISOString().slice(0, 10);
  const anthropic = { [ATTR_GEN_AI_PROVIDER_NAME]: 'anthropic' };

  beforeAll(async () => {
    // OpenAI: 4 calls of gpt-4o-mini (1000 in, 100 out: 0.00021 USD each). Anthropic: 2 calls of claude-3-5-haiku.
    const spans = [
      ...plainCalls(4, { startMs: yesterday + 3_600_000 }),
      ...plainCalls(2, { startMs: yesterday + 7_200_000, model: 'claude-3-5-haiku-20241022', input: 2000, output: 200, attributes: anthropic }),
    ];
    expect(pipeline.submit(spans).status).toBe('accepted');
    expect((await pipeline.flush()).drained).toBe(true);
    // OpenAI billed 5 calls' worth (one it never saw) plus a tool line item; Anthropic billed exactly what we saw.
    await recordProviderBills(pipeline.store, {
      provider: 'openai',
      keyFingerprint: KEY,
      fetchedAtMs: Date.now(),
      days: [
        {
          day,
          lines: [
            cost('gpt-4o-mini-2024-07-18, input', 'gpt-4o-mini', '0.00075'),
            cost('gpt-4o-mini-2024-07-18, output', 'gpt-4o-mini', '0.0003'),
            cost('web search tool calls', '', '0.025', ''),
            usage('gpt-4o-mini', 5000, 500, 5),
          ],
        },
      ],
    });
    const haiku = await queries.usageInPeriod({ from: yesterday, to: yesterday + 86_400_000, provider: 'anthropic' });
    await recordProviderBills(pipeline.store, {
      provider: 'anthropic',
      keyFingerprint: KEY,
      fetchedAtMs: Date.now(),
      days: [{ day, lines: [cost('Claude Haiku 3.5 Usage - Input Tokens', 'claude-3-5-haiku-20241022', haiku.cost, ''), usage('claude-3-5-haiku-20241022', 4000, 400, 0, '')] }],
    });
  });
  afterAll(async () => {
    await queries.close();
    await pipeline.shutdown();
  });

  it('compares each model, each unmapped line item and each day with the bill, exactly', async () => {
    const drift = await queries.billDrift({ from: day, to: yesterday + 86_400_000 });
    const pick = (e: (typeof drift)[number]) => ({
      kind: e.kind,
      provider: e.provider,
      model: e.model,
      lineItem: e.lineItem,
      estimatedCost: e.estimatedCost,
      billedCost: e.billedCost,
      difference: e.difference,
      coverage: e.coverage,
      tokens: [e.estimatedInputTokens, e.billedInputTokens, e.estimatedOutputTokens, e.billedOutputTokens],
      calls: [e.estimatedCalls, e.billedRequests],
      causes: e.causes,
    });
    expect(drift.map(pick)).toEqual([
      {
        kind: 'model',
        provider: 'anthropic',
        model: 'claude-3-5-haiku-20241022',
        lineItem: null,
        estimatedCost: drift[0]!.billedCost,
        billedCost: drift[0]!.billedCost,
        difference: '0.000000000',
        coverage: 1,
        tokens: [4000, 4000, 400, 400],
        calls: [2, 0],
        causes: [],
      },
      expect.objectContaining({ kind: 'total', provider: 'anthropic', coverage: 1, causes: [] }),
      {
        kind: 'model',
        provider: 'openai',
        model: 'gpt-4o-mini',
        lineItem: null,
        estimatedCost: '0.000840000',
        billedCost: '0.001050000',
        difference: '0.000210000',
        coverage: 0.8,
        tokens: [4000, 5000, 400, 500],
        calls: [4, 5],
        causes: ['uninstrumented_traffic'],
      },
      {
        kind: 'unmapped',
        provider: 'openai',
        model: null,
        lineItem: 'web search tool calls',
        estimatedCost: '0.000000000',
        billedCost: '0.025000000',
        difference: '0.025000000',
        coverage: 0,
        tokens: [0, 0, 0, 0],
        calls: [0, 0],
        causes: ['unknown_model'],
      },
      {
        kind: 'total',
        provider: 'openai',
        model: null,
        lineItem: null,
        estimatedCost: '0.000840000',
        billedCost: '0.026050000',
        difference: '0.025210000',
        coverage: 0.032245681,
        tokens: [4000, 5000, 400, 500],
        calls: [4, 5],
        causes: ['uninstrumented_traffic', 'unknown_model'],
      },
    ]);
    expect(drift.every((e) => e.day === day)).toBe(true);
    expect(drift.find((e) => e.kind === 'total' && e.provider === 'openai')!.reason).toMatch(
      /^coverage 3\.2% .*tokens billed 5500, seen 4400 \(-20\.0% of the bill.*0\.025000000 USD on line items that map to no model: likely uninstrumented traffic/,
    );
    expect(await queries.billDrift({ from: day, to: yesterday + 86_400_000, provider: 'anthropic' })).toHaveLength(2);
  });

  it('dataQuality shows each billed day with its coverage and flags', async () => {
    const quality = await queries.dataQuality({ from: yesterday, to: yesterday + 86_400_000 });
    expect(quality.bills.flaggedDays).toBe(1);
    expect(quality.bills.days.map((d) => [d.provider, d.coverage, d.flagged])).toEqual([
      ['anthropic', 1, false],
      ['openai', 0.032245681, true],
    ]);
    const lenient = await queries.dataQuality({ from: yesterday, to: yesterday + 86_400_000, coverageThreshold: 0.01, tokenTolerance: 0.5 });
    expect(lenient.bills.flaggedDays).toBe(0);
  });

  it('doctor warns about the drifting day and names its likely cause', async () => {
    const report = await runDoctor({ path, database });
    const check = report.checks.find((c) => c.name === 'provider bills');
    expect(check).toMatchObject({ status: 'warn' });
    expect(check!.detail).toContain(`1 of 2 day(s) × provider drift from the bill`);
    expect(check!.detail).toContain(`${day} openai: coverage 3.2%`);
    expect(check!.detail).toContain('likely uninstrumented traffic');
  });
});

describe('drift verdicts', () => {
  const thresholds = resolveThresholds({});
  const figures = { kind: 'total' as const, unpricedCalls: 0, unmappedNano: 0n };

  it('tokens that agree with money that does not: a price mismatch', () => {
    const verdict = checkDrift({ ...figures, estimatedNano: 900n, billedNano: 1000n, estimatedTokens: 1000, billedTokens: 1010 }, thresholds);
    expect(verdict).toMatchObject({ flagged: true, causes: ['price_mismatch'] });
    expect(verdict.reason).toContain('coverage 90.0%');
  });

  it('more tokens seen than billed: the estimate is above the bill', () => {
    expect(checkDrift({ ...figures, estimatedNano: 1300n, billedNano: 1000n, estimatedTokens: 1300, billedTokens: 1000 }, thresholds).causes).toEqual([
      'estimate_above_bill',
    ]);
  });

  it('calls we could not price: an unknown model', () => {
    expect(
      checkDrift({ ...figures, estimatedNano: 500n, billedNano: 1000n, estimatedTokens: 1000, billedTokens: 1000, unpricedCalls: 3 }, thresholds).causes,
    ).toEqual(['unknown_model', 'price_mismatch']);
  });

  it('within the band and the tolerance: not flagged', () => {
    expect(checkDrift({ ...figures, estimatedNano: 960n, billedNano: 1000n, estimatedTokens: 990, billedTokens: 1000 }, thresholds)).toEqual({
      flagged: false,
      causes: [],
      reason: '',
    });
  });

  it('refuses impossible thresholds, naming the option', () => {
    expect(() => resolveThresholds({ coverageThreshold: 95 })).toThrow(/coverageThreshold must be a number in \(0, 1\]/);
    expect(() => resolveThresholds({ tokenTolerance: -1 })).toThrow(/tokenTolerance/);
  });
});

describe('cluster DDL', () => {
  it('creates the latest-bills view over the Distributed table on every node', () => {
    const view = renderSchemaDdl({ database: 'llm_cost', cluster: 'c' }).find((s) => s.includes('VIEW IF NOT EXISTS `llm_cost`.`llm_provider_bills_latest`'));
    expect(view).toContain('ON CLUSTER `c`');
    expect(view).toContain('FROM `llm_cost`.`llm_provider_bills`\n');
    expect(view).not.toContain('_local');
  });
});
