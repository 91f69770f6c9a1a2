import { openStore, type Store } from '../connection/connect.js';
import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import { InvalidOptionError, SchemaNotFoundError } from '../errors.js';
import { IS_CALL, RAW_TABLE } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { isMissingObject } from '../schema/migrate.js';
import { withoutTracing } from '../tracing/without-tracing.js';
import type {
  BillDriftEntry,
  BillDriftInput,
  BillDriftThresholds,
  BreakdownDimension,
  DailyCostEntry,
  DataQualityReport,
  LatencyEntry,
  PeriodInput,
  TimeInput,
  UsageBreakdownEntry,
  UsageFilter,
  UsageTotals,
} from './query-types.js';
import { readBillDrift } from './bill-drift.js';
import { readDataQuality } from './data-quality.js';
import { addDays, dateTimeParam, dayStart, dayString, parseDay, splitRange, toMs } from './time-range.js';
import { breakdownSql, dailySql, totalsSql, type SqlWithParams } from './usage-sql.js';

/** The usage queries, all answered from the daily rollups where they can (see docs/SCHEMA.md). */
export interface UsageQueries {
  /** Totals over `[from, to)`, optionally for one user, tenant, tag values, provider or model. */
  usageInPeriod(input: UsageFilter & PeriodInput): Promise<UsageTotals>;
  /** Totals over the last 24 hours. */
  usageInLast24Hours(input?: UsageFilter): Promise<UsageTotals>;
  /** Totals of one UTC day: the per-user, per-model, per-day figure a rate limiter checks. */
  dailySummary(input: { day: TimeInput; userId?: string; provider?: string; model?: string }): Promise<UsageTotals>;
  /** Totals over `[from, to)` (same as `usageInPeriod` with fewer filters). */
  totalCost(input: PeriodInput & { provider?: string; model?: string; userId?: string }): Promise<UsageTotals>;
  /** Totals per model, provider, user, tenant, service or tag value, largest cost first. */
  costBreakdown(input: PeriodInput & { by: BreakdownDimension }): Promise<UsageBreakdownEntry[]>;
  /** Totals per UTC day for the last `days` days (today included), oldest first, days without calls as zeros. */
  dailyCosts(input: { days: number }): Promise<DailyCostEntry[]>;
  /** Latency of calls per provider and model (from raw rows). */
  latencyByModel(input: PeriodInput): Promise<LatencyEntry[]>;
  /**
   * Unpriced models, calls with unknown usage, untagged calls and errors over `[from, to)`, and the reconciliation
   * state: calls not reconciled yet and the average estimate error per model; and the coverage of each day's synced
   * provider bill (`bills`), flagged with a likely cause where it falls short.
   */
  dataQuality(input: PeriodInput & BillDriftThresholds): Promise<DataQualityReport>;
  /**
   * The providers' own bills (synced by `@llm-cost/bills`) beside our estimate, per day × provider × model, unmapped
   * line item, and the day's total; each flagged when coverage or token counts drift (see docs/SCHEMA.md).
   */
  billDrift(input: BillDriftInput): Promise<BillDriftEntry[]>;
  /** The store behind the queries. */
  readonly store: Store;
  /** Closes the store if these queries opened it. */
  close(): Promise<void>;
}

interface TotalsRow {
  key: string;
  calls: string | number;
  unpriced_calls: string | number;
  unknown_usage_calls: string | number;
  input_tokens: string | number;
  cache_read_tokens: string | number;
  cache_write_tokens: string | number;
  output_tokens: string | number;
  reasoning_tokens: string | number;
  cost: string;
  billed_cost: string;
}

const ZERO = '0.000000000';

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
  };
}

/**
 * Usage queries over the llm-cost tables. Accepts the same connection options as every entry point (a client, a
 * URL, an embedded path, or the embedded default).
 */
export function createUsageQueries(connection: ClickHouseConnectionOptions = {}): UsageQueries {
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
    totalsFromRow((await rows<TotalsRow>(totalsSql(database, filter, splitRange(from, to))))[0]);

  const rawRange = (input: PeriodInput) => {
    const from = toMs(input.from, 'from');
    const to = toMs(input.to, 'to');
    return { from: dateTimeParam(from), to: dateTimeParam(to) };
  };
  const rawWhere = "timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}";

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

    costBreakdown: async ({ by, from, to }) => {
      const result = await rows<TotalsRow>(breakdownSql(database, by, splitRange(from, to)));
      return result.filter((row) => Number(row.calls) > 0).map((row) => ({ key: row.key, ...totalsFromRow(row) }));
    },

    dailyCosts: async ({ days }) => {
      if (!Number.isInteger(days) || days < 1 || days > 3660) {
        throw new InvalidOptionError(`days must be an integer from 1 to 3660, got ${String(days)}`);
      }
      const today = dayStart(Date.now());
      const first = addDays(today, -(days - 1));
      const result = await rows<TotalsRow>(dailySql(database, dayString(first), dayString(today)));
      const byDay = new Map(result.map((row) => [row.key, row]));
      return Array.from({ length: days }, (_, index) => {
        const day = dayString(addDays(first, index));
        return { day, ...totalsFromRow(byDay.get(day)) };
      });
    },

    latencyByModel: async (input) => {
      const result = await rows<Record<string, string | number>>({
        query:
          "SELECT provider, if(response_model != '', response_model, request_model) AS model, toString(count()) AS calls, " +
          'round(avg(latency_ms), 1) AS avg_ms, quantiles(0.5, 0.95, 0.99)(latency_ms) AS q ' +
          `FROM ${qualified(database, RAW_TABLE)} WHERE ${rawWhere} AND ${IS_CALL} GROUP BY provider, model ORDER BY provider, model`,
        params: rawRange(input),
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

    dataQuality: (input) => readDataQuality(rows, database, rawRange(input), input),

    billDrift: (input) => readBillDrift(rows, database, input),
  };
}

