import { fromNanoUsd, parseNanoUsd } from '../budgets/nano-usd.js';
import { openStore, type Store } from '../connection/connect.js';
import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import { readCreditSnapshots, type CreditSnapshot } from '../credits/credit-snapshots.js';
import { InvalidOptionError, SchemaNotFoundError } from '../errors.js';
import { resolvePricer, type CostPricer } from '../pricing/pricer.js';
import { IS_CALL, RAW_TABLE } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { isMissingObject } from '../schema/migrate.js';
import { withoutTracing } from '../tracing/without-tracing.js';
import { computeCacheSavings } from './cache-savings.js';
import { readDataQuality } from './data-quality.js';
import { planQuery } from './query-plan.js';
import type {
  BillDriftEntry,
  BillDriftInput,
  BillDriftThresholds,
  BreakdownDimension,
  CacheSavings,
  DailyCostEntry,
  DailySeries,
  DataQualityReport,
  LatencyEntry,
  PeriodInput,
  RecentCallsInput,
  RecentCallsPage,
  TimeInput,
  UsageBreakdownEntry,
  UsageFilter,
  UsageTotals,
} from './query-types.js';
import { readBillDrift } from './bill-drift.js';
import { recentCallsSql, searchWindows, toCallsPage, type CallRow } from './recent-calls.js';
import { readTagKeys } from './tag-keys.js';
import { addDays, dateTimeParam, dayStart, dayString, parseDay, splitRange, toMs } from './time-range.js';
import { groupedSql, totalsSql, type SqlWithParams } from './usage-sql.js';
import { checkOptionShapes, CONNECTION_OPTION_SHAPES, PRICER_SHAPE, type OptionShape } from '../options/option-shapes.js';

/** The usage queries, all answered from the daily rollups where they can (see docs/SCHEMA.md). */
export interface UsageQueries {
  /**
   * Totals over `[from, to)`, optionally for one user, tenant, tag values, provider, model or service. A model matches
   * calls made with it (`gpt-4o`) and calls answered by it (`gpt-4o-2024-08-06`), in this and every query below.
   */
  usageInPeriod(input: UsageFilter & PeriodInput): Promise<UsageTotals>;
  /** Totals over the last 24 hours. */
  usageInLast24Hours(input?: UsageFilter): Promise<UsageTotals>;
  /** Totals of one UTC day: the per-user, per-model, per-day figure a rate limiter checks. */
  dailySummary(input: UsageFilter & { day: TimeInput }): Promise<UsageTotals>;
  /** Totals over `[from, to)` (same as `usageInPeriod`). */
  totalCost(input: UsageFilter & PeriodInput): Promise<UsageTotals>;
  /**
   * Totals per model (`by: 'model'`, the answering model; `'requestModel'`, the model asked for), provider, user,
   * tenant, service or tag value of the calls that match the filter, largest cost first (at most `limit` keys).
   */
  costBreakdown(input: UsageFilter & PeriodInput & { by: BreakdownDimension; limit?: number }): Promise<UsageBreakdownEntry[]>;
  /** Totals per UTC day for the last `days` days (today included), oldest first, days without calls as zeros. */
  dailyCosts(input: UsageFilter & { days: number }): Promise<DailyCostEntry[]>;
  /**
   * Totals per UTC day of `[from, to)` and, with `stack`, each day's cost split by the `top` largest keys of that
   * dimension (the rest summed as `(other)`). Days without calls are zeros.
   */
  dailySeries(input: UsageFilter & PeriodInput & { stack?: BreakdownDimension; top?: number }): Promise<DailySeries>;
  /** What prompt caching saved: cached tokens at the uncached input price minus what they cost. */
  cacheSavings(input: UsageFilter & PeriodInput): Promise<CacheSavings>;
  /** The latest calls, newest first, a page at a time, over a bounded range (from raw rows). */
  recentCalls(input: RecentCallsInput): Promise<RecentCallsPage>;
  /** Tag keys seen over `[from, to)` (for the calls matching the filter), sorted. */
  tagKeys(input: UsageFilter & PeriodInput): Promise<string[]>;
  /** Latency of calls per provider and model (from raw rows). */
  latencyByModel(input: UsageFilter & PeriodInput): Promise<LatencyEntry[]>;
  /**
   * Unpriced models, calls with unknown usage, untagged calls and errors over `[from, to)`, and the reconciliation
   * state: calls not reconciled yet and the average estimate error per model; and the coverage of each day's synced
   * provider bill (`bills`), flagged with a likely cause where it falls short.
   */
  dataQuality(input: UsageFilter & PeriodInput & BillDriftThresholds): Promise<DataQualityReport>;
  /**
   * The providers' own bills (synced by `@llm-cost/bills`) beside our estimate, per day × provider × model, unmapped
   * line item, and the day's total; each flagged when coverage or token counts drift (see docs/SCHEMA.md).
   */
  billDrift(input: BillDriftInput): Promise<BillDriftEntry[]>;
  /** Credit balance snapshots (`llm-cost credits monitor`) over `[from, to)`, oldest first. */
  creditHistory(input: PeriodInput & { tenantId?: string; provider?: string }): Promise<CreditSnapshot[]>;
  /** The store behind the queries. */
  readonly store: Store;
  /** Closes the store if these queries opened it. */
  close(): Promise<void>;
}

/** Options of {@link createUsageQueries} beyond the connection. */
export interface UsageQueriesOptions {
  /**
   * Prices used for the cache savings (the uncached input price of each model on each day).
   * @default `@llm-cost/pricing`'s default pricer (env `LLM_COST_PRICES_FILE`, `LLM_COST_PRICE_OVERRIDES_FILE`)
   */
  pricer?: CostPricer;
}

interface TotalsRow {
  key: string;
  key2: string;
  key3: string;
  calls: string | number;
  unpriced_calls: string | number;
  unknown_usage_calls: string | number;
  error_calls: string | number;
  input_tokens: string | number;
  cache_read_tokens: string | number;
  cache_write_tokens: string | number;
  output_tokens: string | number;
  reasoning_tokens: string | number;
  cache_read_cost: string;
  cost: string;
  billed_cost: string;
}

const ZERO = '0.000000000';
/** Keys of a stacked series, at most. */
const MAX_STACK = 20;

function totalsFromRow(row: TotalsRow | undefined): UsageTotals {
  const inputTokens = Number(row?.input_tokens ?? 0);
  const outputTokens = Number(row?.output_tokens ?? 0);
  return {
    calls: Number(row?.calls ?? 0),
    inputTokens,
    cacheReadTokens: Number(row?.cache_read_tokens ?? 0),
    cacheWriteTokens: Number(row?.cache_write_tokens ?? 0),
    outputTokens,
    reasoningTokens: Number(row?.reasoning_tokens ?? 0),
    totalTokens: inputTokens + outputTokens,
    cost: row?.cost ?? ZERO,
    billedCost: row?.billed_cost ?? ZERO,
    unpricedCalls: Number(row?.unpriced_calls ?? 0),
    unknownUsageCalls: Number(row?.unknown_usage_calls ?? 0),
    errorCalls: Number(row?.error_calls ?? 0),
  };
}

/** The filter fields of an input (the rest, such as `from` or `by`, dropped). */
function filterOf(input: UsageFilter): UsageFilter {
  const filter: UsageFilter = {};
  if (input.userId !== undefined) filter.userId = input.userId;
  if (input.tenantId !== undefined) filter.tenantId = input.tenantId;
  if (input.tags !== undefined) filter.tags = input.tags;
  if (input.provider !== undefined) filter.provider = input.provider;
  if (input.model !== undefined) filter.model = input.model;
  if (input.service !== undefined) filter.service = input.service;
  return filter;
}

function checkLimit(value: number | undefined, name: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new InvalidOptionError(`${name} must be an integer from 1 to ${max}, got ${String(value)}`);
  }
  return value;
}

/**
 * Usage queries over the llm-cost tables. Accepts the same connection options as every entry point (a client, a
 * URL, an embedded path, or the embedded default).
 */
const USAGE_QUERIES_OPTION_SHAPES: { readonly [K in keyof Required<UsageQueriesOptions>]: OptionShape } = {
  pricer: PRICER_SHAPE,
};

export function createUsageQueries(connection: ClickHouseConnectionOptions = {}, options: UsageQueriesOptions = {}): UsageQueries {
  checkOptionShapes('createUsageQueries', connection, CONNECTION_OPTION_SHAPES);
  // The second argument is checked as well: a pricer of the wrong shape would otherwise fail inside a query, later.
  checkOptionShapes('createUsageQueries', options, USAGE_QUERIES_OPTION_SHAPES);
  const store = openStore(connection);
  const database = store.database;

  async function rows<T>({ query, params }: SqlWithParams): Promise<T[]> {
    try {
      // Untraced: the budget guard queries from inside the application's calls.
      const result = await withoutTracing(() => store.client.query({ query, query_params: params, format: 'JSONEachRow' }));
      return await result.json<T>();
    } catch (error) {
      if (isMissingObject(error)) throw new SchemaNotFoundError(database, error);
      throw error;
    }
  }

  const totals = async (filter: UsageFilter, from: TimeInput, to: TimeInput) =>
    totalsFromRow((await rows<TotalsRow>(totalsSql(database, filterOf(filter), splitRange(from, to))))[0]);

  const rawRange = (input: PeriodInput) => {
    const from = toMs(input.from, 'from');
    const to = toMs(input.to, 'to');
    return { from: dateTimeParam(from), to: dateTimeParam(to) };
  };
  const rawWhere = "timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}";

  /** Every UTC day `[first, last]` of a range as `YYYY-MM-DD`. */
  const daysOf = (from: number, to: number): string[] => {
    const first = dayStart(from);
    const last = to > from ? dayStart(to - 1) : first;
    const count = Math.round((last - first) / 86_400_000) + 1;
    if (count > 3660) throw new InvalidOptionError(`the range is at most 3660 days, got ${count}`);
    return Array.from({ length: count }, (_, index) => dayString(addDays(first, index)));
  };

  return {
    store,
    close: () => store.close(),

    usageInPeriod: ({ from, to, ...filter }) => totals(filter, from, to),

    usageInLast24Hours: (filter = {}) => {
      const now = Date.now();
      return totals(filter, now - 86_400_000, now);
    },

    dailySummary: ({ day, ...filter }) => {
      const start = parseDay(day, 'day');
      return totals(filter, start, addDays(start, 1));
    },

    totalCost: ({ from, to, ...filter }) => totals(filter, from, to),

    costBreakdown: async (input) => {
      const limit = checkLimit(input.limit, 'limit', 100_000);
      const sql = groupedSql(database, filterOf(input), [input.by], splitRange(input.from, input.to), { limit });
      const result = await rows<TotalsRow>(sql);
      return result.filter((row) => Number(row.calls) > 0).map((row) => ({ key: row.key, ...totalsFromRow(row) }));
    },

    dailyCosts: async ({ days, ...filter }) => {
      if (!Number.isInteger(days) || days < 1 || days > 3660) {
        throw new InvalidOptionError(`days must be an integer from 1 to 3660, got ${String(days)}`);
      }
      const today = dayStart(Date.now());
      const first = addDays(today, -(days - 1));
      const sql = groupedSql(database, filterOf(filter), ['day'], splitRange(first, addDays(today, 1)), { orderByKeys: true });
      const byDay = new Map((await rows<TotalsRow>(sql)).map((row) => [row.key, row]));
      return Array.from({ length: days }, (_, index) => {
        const day = dayString(addDays(first, index));
        return { day, ...totalsFromRow(byDay.get(day)) };
      });
    },

    dailySeries: async (input) => {
      const top = checkLimit(input.top, 'top', MAX_STACK) ?? 8;
      const range = splitRange(input.from, input.to);
      const days = daysOf(range.from, range.to);
      const filter = filterOf(input);
      const byDay = new Map((await rows<TotalsRow>(groupedSql(database, filter, ['day'], range, { orderByKeys: true }))).map((r) => [r.key, r]));
      const result: DailySeries = { days, totals: days.map((day) => totalsFromRow(byDay.get(day))), series: [] };
      if (input.stack === undefined) return result;
      const split = await rows<TotalsRow>(groupedSql(database, filter, ['day', input.stack], range, { orderByKeys: true }));
      // Rank keys by their cost over the whole range; keep the largest, sum the rest exactly as "(other)".
      const keyCost = new Map<string, bigint>();
      for (const row of split) keyCost.set(row.key2, (keyCost.get(row.key2) ?? 0n) + parseNanoUsd(row.cost));
      const ranked = [...keyCost.entries()].sort((a, b) => (b[1] > a[1] ? 1 : b[1] < a[1] ? -1 : a[0] < b[0] ? -1 : 1)).map(([key]) => key);
      const kept = ranked.length > top ? ranked.slice(0, top - 1) : ranked;
      const names = ranked.length > kept.length ? [...kept, '(other)'] : kept;
      const dayIndex = new Map(days.map((day, index) => [day, index]));
      const costs = names.map(() => days.map(() => 0n));
      const calls = names.map(() => days.map(() => 0));
      for (const row of split) {
        const at = dayIndex.get(row.key);
        if (at === undefined) continue;
        const keyIndex = kept.includes(row.key2) ? kept.indexOf(row.key2) : names.length - 1;
        costs[keyIndex]![at]! += parseNanoUsd(row.cost);
        calls[keyIndex]![at]! += Number(row.calls);
      }
      result.series = names.map((key, index) => ({ key, cost: costs[index]!.map(fromNanoUsd), calls: calls[index]! }));
      return result;
    },

    cacheSavings: async (input) => {
      const sql = groupedSql(database, filterOf(input), ['day', 'provider', 'model'], splitRange(input.from, input.to), { orderByKeys: true });
      const result = await rows<TotalsRow>(sql);
      const cacheRows = result.map((row) => ({
        day: row.key,
        provider: row.key2,
        model: row.key3,
        cacheReadTokens: Number(row.cache_read_tokens),
        cacheReadCost: row.cache_read_cost,
      }));
      return computeCacheSavings(cacheRows, resolvePricer(options.pricer));
    },

    recentCalls: async (input) => {
      const limit = input.limit ?? 50;
      recentCallsSql(database, input); // checks the whole input before any window runs
      for (const window of searchWindows(input)) {
        const result = await rows<CallRow>(recentCallsSql(database, window));
        if (result.length > limit || window === input) return toCallsPage(result, limit);
      }
      return { calls: [], next: null };
    },

    tagKeys: (input) => readTagKeys(rows, database, filterOf(input), splitRange(input.from, input.to)),

    latencyByModel: async (input) => {
      const filter = planQuery(filterOf(input));
      const result = await rows<Record<string, string | number>>({
        query:
          "SELECT provider, if(response_model != '', response_model, request_model) AS model, toString(count()) AS calls, " +
          'round(avg(latency_ms), 1) AS avg_ms, quantiles(0.5, 0.95, 0.99)(latency_ms) AS q ' +
          `FROM ${qualified(database, RAW_TABLE)} WHERE ${[rawWhere, IS_CALL, ...filter.rawWhere].join(' AND ')} ` +
          'GROUP BY provider, model ORDER BY provider, model',
        params: { ...filter.params, ...rawRange(input) },
      });
      return result.map((row) => {
        const q = (row.q as unknown as number[]) ?? [];
        return {
          provider: String(row.provider),
          model: String(row.model),
          calls: Number(row.calls),
          avgMs: Number(row.avg_ms),
          p50Ms: Number(q[0] ?? 0),
          p95Ms: Number(q[1] ?? 0),
          p99Ms: Number(q[2] ?? 0),
        };
      });
    },

    dataQuality: (input) => {
      const filter = planQuery(filterOf(input));
      return readDataQuality(rows, database, rawRange(input), input, { where: filter.rawWhere, params: filter.params });
    },

    billDrift: (input) => readBillDrift(rows, database, input),

    creditHistory: async (input) => {
      try {
        return await readCreditSnapshots(store, input);
      } catch (error) {
        if (isMissingObject(error)) throw new SchemaNotFoundError(database, error);
        throw error;
      }
    },
  };
}
