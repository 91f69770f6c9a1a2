import { IS_CALL, RAW_TABLE } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { planQuery, type QueryPlan } from './query-plan.js';
import type { GroupDimension, UsageFilter } from './query-types.js';
import { dateTimeParam, dayString, type SplitRange } from './time-range.js';

/** Measures of a rollup row set, summed (rollups are SummingMergeTree: always `sum()`, exact before merges). */
const ROLLUP_MEASURES = [
  'sum(calls) AS m_calls',
  'sum(unpriced_calls) AS m_unpriced_calls',
  'sum(unknown_usage_calls) AS m_unknown_usage_calls',
  'sum(error_calls) AS m_error_calls',
  'sum(input_tokens) AS m_input_tokens',
  'sum(cache_read_tokens) AS m_cache_read_tokens',
  'sum(cache_write_tokens) AS m_cache_write_tokens',
  'sum(output_tokens) AS m_output_tokens',
  'sum(reasoning_tokens) AS m_reasoning_tokens',
  'sum(cache_read_cost) AS m_cache_read_cost',
  'sum(total_cost) AS m_cost',
  'sum(billed_cost) AS m_billed_cost',
];

/** The same measures over raw rows, in the same order and types (adjustment rows add cost, not calls). */
const RAW_MEASURES = [
  `toUInt64(countIf(${IS_CALL})) AS m_calls`,
  `toUInt64(countIf(${IS_CALL} AND pricing_status = 'unknown_model')) AS m_unpriced_calls`,
  `toUInt64(countIf(${IS_CALL} AND usage_source = 'unknown')) AS m_unknown_usage_calls`,
  `toUInt64(countIf(${IS_CALL} AND error_type != '')) AS m_error_calls`,
  'sum(input_tokens) AS m_input_tokens',
  'sum(cache_read_tokens) AS m_cache_read_tokens',
  'sum(cache_write_tokens) AS m_cache_write_tokens',
  'sum(output_tokens) AS m_output_tokens',
  'sum(reasoning_tokens) AS m_reasoning_tokens',
  'sum(ifNull(cache_read_cost, 0)) AS m_cache_read_cost',
  'sum(ifNull(total_cost, 0)) AS m_cost',
  'sum(ifNull(billed_cost, 0)) AS m_billed_cost',
];

/**
 * Outer totals over the union of rollup and raw parts, with money as exact 9-decimal strings. Inner columns are
 * prefixed `m_` because ClickHouse aliases are visible in the whole query: an outer `... AS cost` would otherwise
 * shadow the inner `cost` inside `sum(cost)`.
 */
const OUTER_MEASURES = [
  'toString(sum(m_calls)) AS calls',
  'toString(sum(m_unpriced_calls)) AS unpriced_calls',
  'toString(sum(m_unknown_usage_calls)) AS unknown_usage_calls',
  'toString(sum(m_error_calls)) AS error_calls',
  'toString(sum(m_input_tokens)) AS input_tokens',
  'toString(sum(m_cache_read_tokens)) AS cache_read_tokens',
  'toString(sum(m_cache_write_tokens)) AS cache_write_tokens',
  'toString(sum(m_output_tokens)) AS output_tokens',
  'toString(sum(m_reasoning_tokens)) AS reasoning_tokens',
  'toDecimalString(sum(m_cache_read_cost), 9) AS cache_read_cost',
  'toDecimalString(sum(m_cost), 9) AS cost',
  'toDecimalString(sum(m_billed_cost), 9) AS billed_cost',
];

export interface SqlWithParams {
  query: string;
  params: Record<string, unknown>;
}

function where(conditions: string[]): string {
  return conditions.length === 0 ? '' : ` AND ${conditions.join(' AND ')}`;
}

/** Options of a grouped totals query. */
export interface GroupedSqlOptions {
  /** Largest cost first (then by key), at most this many groups. */
  limit?: number;
  /** Order by the group keys instead (a time series). */
  orderByKeys?: boolean;
}

/**
 * `SELECT key, key2, key3, <totals>` over `[from, to)`: whole days from the rollup, the partial days at the ends from the
 * raw table, summed together. Without group dimensions: one row of totals (key and key2 empty).
 */
function planSql(database: string, plan: QueryPlan, range: SplitRange, options: GroupedSqlOptions = {}): SqlWithParams {
  const params: Record<string, unknown> = { ...plan.params };
  const keyList = (keys: string[]) => [0, 1, 2].map((index) => `${keys[index] ?? "''"} AS m_k${index}`).join(', ');
  const groupBy = (keys: string[]) => (keys.length === 0 ? '' : ` GROUP BY ${keys.map((_, index) => `m_k${index}`).join(', ')}`);
  const parts: string[] = [];
  const useRollup = plan.rollup !== undefined && range.firstDay < range.endDay;
  if (useRollup) {
    params.first_day = dayString(range.firstDay);
    params.end_day = dayString(range.endDay);
    parts.push(
      `SELECT ${keyList(plan.rollupKeys)}, ${ROLLUP_MEASURES.join(', ')} FROM ${qualified(database, plan.rollup!)}` +
        ` WHERE day >= {first_day:Date} AND day < {end_day:Date}${where(plan.rollupWhere)}${groupBy(plan.rollupKeys)}`,
    );
  }
  const rawRanges = (
    useRollup
      ? [
          [range.from, range.firstDay],
          [range.endDay, range.to],
        ]
      : [[range.from, range.to]]
  ).filter(([start, end]) => start! < end!);
  if (rawRanges.length > 0) {
    const timeConditions = rawRanges.map(([start, end], index) => {
      params[`raw_from_${index}`] = dateTimeParam(start!);
      params[`raw_to_${index}`] = dateTimeParam(end!);
      return `(timestamp >= {raw_from_${index}:DateTime64(3, 'UTC')} AND timestamp < {raw_to_${index}:DateTime64(3, 'UTC')})`;
    });
    parts.push(
      `SELECT ${keyList(plan.rawKeys)}, ${RAW_MEASURES.join(', ')} FROM ${qualified(database, RAW_TABLE)}` +
        ` WHERE (${timeConditions.join(' OR ')})${where(plan.rawWhere)}${groupBy(plan.rawKeys)}`,
    );
  }
  if (parts.length === 0) {
    // An empty range: one all-zero row keeps the result shape.
    parts.push(`SELECT ${keyList([])}, ${RAW_MEASURES.join(', ')} FROM ${qualified(database, RAW_TABLE)} WHERE 0`);
  }
  const order = options.orderByKeys ? 'm_k0, m_k1, m_k2' : 'sum(m_cost) DESC, m_k0, m_k1, m_k2';
  const limit = options.limit === undefined ? '' : ` LIMIT ${Math.trunc(options.limit)}`;
  return {
    query:
      `SELECT toString(m_k0) AS key, toString(m_k1) AS key2, toString(m_k2) AS key3, ${OUTER_MEASURES.join(', ')}` +
      ` FROM (${parts.join(' UNION ALL ')}) GROUP BY m_k0, m_k1, m_k2 ORDER BY ${order}${limit}`,
    params,
  };
}

/** Totals of `filter` over a range, grouped by up to three dimensions (none: one row of totals). */
export function groupedSql(
  database: string,
  filter: UsageFilter,
  groupBy: readonly GroupDimension[],
  range: SplitRange,
  options?: GroupedSqlOptions,
): SqlWithParams {
  if (groupBy.length > 3) throw new Error('at most three group dimensions');
  return planSql(database, planQuery(filter, groupBy), range, options);
}

export function totalsSql(database: string, filter: UsageFilter, range: SplitRange): SqlWithParams {
  return groupedSql(database, filter, [], range);
}
