import {
  IS_CALL,
  RAW_TABLE,
  rollupByModelTable,
  rollupByTagTable,
  rollupByTenantTable,
  rollupByUserTable,
} from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import type { BreakdownDimension, UsageFilter } from './query-types.js';
import { dateTimeParam, dayString, type SplitRange } from './time-range.js';

/** The model as the rollups key it. */
const RAW_MODEL = "if(response_model != '', response_model, request_model)";

/** Measures of a rollup row set, summed (rollups are SummingMergeTree: always `sum()`, exact before merges). */
const ROLLUP_MEASURES = [
  'sum(calls) AS m_calls',
  'sum(unpriced_calls) AS m_unpriced_calls',
  'sum(unknown_usage_calls) AS m_unknown_usage_calls',
  'sum(input_tokens) AS m_input_tokens',
  'sum(cache_read_tokens) AS m_cache_read_tokens',
  'sum(cache_write_tokens) AS m_cache_write_tokens',
  'sum(output_tokens) AS m_output_tokens',
  'sum(reasoning_tokens) AS m_reasoning_tokens',
  'sum(total_cost) AS m_cost',
  'sum(billed_cost) AS m_billed_cost',
];

/** The same measures over raw rows, in the same order and types (adjustment rows add cost, not calls). */
const RAW_MEASURES = [
  `toUInt64(countIf(${IS_CALL})) AS m_calls`,
  `toUInt64(countIf(${IS_CALL} AND pricing_status = 'unknown_model')) AS m_unpriced_calls`,
  `toUInt64(countIf(${IS_CALL} AND usage_source = 'unknown')) AS m_unknown_usage_calls`,
  'sum(input_tokens) AS m_input_tokens',
  'sum(cache_read_tokens) AS m_cache_read_tokens',
  'sum(cache_write_tokens) AS m_cache_write_tokens',
  'sum(output_tokens) AS m_output_tokens',
  'sum(reasoning_tokens) AS m_reasoning_tokens',
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
  'toString(sum(m_input_tokens)) AS input_tokens',
  'toString(sum(m_cache_read_tokens)) AS cache_read_tokens',
  'toString(sum(m_cache_write_tokens)) AS cache_write_tokens',
  'toString(sum(m_output_tokens)) AS output_tokens',
  'toString(sum(m_reasoning_tokens)) AS reasoning_tokens',
  'toDecimalString(sum(m_cost), 9) AS cost',
  'toDecimalString(sum(m_billed_cost), 9) AS billed_cost',
];

export interface SqlWithParams {
  query: string;
  params: Record<string, unknown>;
}

interface Plan {
  /** Rollup table to read whole days from; undefined: the filters need the raw table for everything. */
  rollup: string | undefined;
  rollupKey: string;
  rawKey: string;
  rollupWhere: string[];
  rawWhere: string[];
  params: Record<string, unknown>;
}

/**
 * Picks the rollup that can answer the filter: by user, by tenant, by one tag, else by model. Filters that combine
 * two of user / tenant / tag cannot be answered by one daily rollup and read the raw table.
 */
function planFilter(filter: UsageFilter): Plan {
  const params: Record<string, unknown> = {};
  const rollupWhere: string[] = [];
  const rawWhere: string[] = [];
  const tagEntries = Object.entries(filter.tags ?? {});
  const dimensions = (filter.userId !== undefined ? 1 : 0) + (filter.tenantId !== undefined ? 1 : 0) + tagEntries.length;
  let rollup: string | undefined = rollupByModelTable.name;
  if (filter.userId !== undefined) {
    params.user_id = filter.userId;
    rollup = rollupByUserTable.name;
    rollupWhere.push('user_id = {user_id:String}');
    rawWhere.push('user_id = {user_id:String}');
  }
  if (filter.tenantId !== undefined) {
    params.tenant_id = filter.tenantId;
    rollup = rollupByTenantTable.name;
    rollupWhere.push('tenant_id = {tenant_id:String}');
    rawWhere.push('tenant_id = {tenant_id:String}');
  }
  tagEntries.forEach(([key, value], index) => {
    params[`tag_key_${index}`] = key;
    params[`tag_value_${index}`] = value;
    rollup = rollupByTagTable.name;
    rollupWhere.push(`tag_key = {tag_key_${index}:String} AND tag_value = {tag_value_${index}:String}`);
    rawWhere.push(`tags[{tag_key_${index}:String}] = {tag_value_${index}:String}`);
  });
  if (dimensions > 1) rollup = undefined;
  if (filter.provider !== undefined) {
    params.provider = filter.provider;
    rollupWhere.push('provider = {provider:String}');
    rawWhere.push('provider = {provider:String}');
  }
  if (filter.model !== undefined) {
    params.model = filter.model;
    rollupWhere.push('model = {model:String}');
    rawWhere.push(`${RAW_MODEL} = {model:String}`);
  }
  return { rollup, rollupKey: "''", rawKey: "''", rollupWhere, rawWhere, params };
}

function planBreakdown(by: BreakdownDimension): Plan {
  const base = { rollupWhere: [] as string[], rawWhere: [] as string[], params: {} as Record<string, unknown> };
  if (typeof by === 'object') {
    return {
      ...base,
      rollup: rollupByTagTable.name,
      rollupKey: 'tag_value',
      rawKey: 'tags[{tag_key:String}]',
      rollupWhere: ['tag_key = {tag_key:String}'],
      rawWhere: ['mapContains(tags, {tag_key:String})'],
      params: { tag_key: by.tag },
    };
  }
  switch (by) {
    case 'model':
      return { ...base, rollup: rollupByModelTable.name, rollupKey: 'model', rawKey: RAW_MODEL };
    case 'provider':
      return { ...base, rollup: rollupByModelTable.name, rollupKey: 'provider', rawKey: 'provider' };
    case 'service':
      return { ...base, rollup: rollupByModelTable.name, rollupKey: 'service_name', rawKey: 'service_name' };
    case 'user':
      return { ...base, rollup: rollupByUserTable.name, rollupKey: 'user_id', rawKey: 'user_id' };
    case 'tenant':
      return { ...base, rollup: rollupByTenantTable.name, rollupKey: 'tenant_id', rawKey: 'tenant_id' };
  }
}

function where(conditions: string[]): string {
  return conditions.length === 0 ? '' : ` AND ${conditions.join(' AND ')}`;
}

/**
 * `SELECT key, <totals>` over `[from, to)`: whole days from the rollup, the partial days at the ends from the raw
 * table, summed together. Grouped by key, largest cost first.
 */
function planSql(database: string, plan: Plan, range: SplitRange): SqlWithParams {
  const params: Record<string, unknown> = { ...plan.params };
  const parts: string[] = [];
  const useRollup = plan.rollup !== undefined && range.firstDay < range.endDay;
  if (useRollup) {
    params.first_day = dayString(range.firstDay);
    params.end_day = dayString(range.endDay);
    parts.push(
      `SELECT ${plan.rollupKey} AS m_key, ${ROLLUP_MEASURES.join(', ')} FROM ${qualified(database, plan.rollup!)}` +
        ` WHERE day >= {first_day:Date} AND day < {end_day:Date}${where(plan.rollupWhere)} GROUP BY m_key`,
    );
  }
  const rawRanges = useRollup
    ? [
        [range.from, range.firstDay],
        [range.endDay, range.to],
      ].filter(([start, end]) => start! < end!)
    : [[range.from, range.to]].filter(([start, end]) => start! < end!);
  if (rawRanges.length > 0) {
    const timeConditions = rawRanges.map(([start, end], index) => {
      params[`raw_from_${index}`] = dateTimeParam(start!);
      params[`raw_to_${index}`] = dateTimeParam(end!);
      return `(timestamp >= {raw_from_${index}:DateTime64(3, 'UTC')} AND timestamp < {raw_to_${index}:DateTime64(3, 'UTC')})`;
    });
    parts.push(
      `SELECT ${plan.rawKey} AS m_key, ${RAW_MEASURES.join(', ')} FROM ${qualified(database, RAW_TABLE)}` +
        ` WHERE (${timeConditions.join(' OR ')})${where(plan.rawWhere)} GROUP BY m_key`,
    );
  }
  if (parts.length === 0) {
    // An empty range: one all-zero row keeps the result shape.
    parts.push(`SELECT '' AS m_key, ${RAW_MEASURES.join(', ')} FROM ${qualified(database, RAW_TABLE)} WHERE 0`);
  }
  return {
    query:
      `SELECT toString(m_key) AS key, ${OUTER_MEASURES.join(', ')} FROM (${parts.join(' UNION ALL ')})` +
      ' GROUP BY m_key ORDER BY sum(m_cost) DESC, m_key',
    params,
  };
}

export function totalsSql(database: string, filter: UsageFilter, range: SplitRange): SqlWithParams {
  return planSql(database, planFilter(filter), range);
}

export function breakdownSql(database: string, by: BreakdownDimension, range: SplitRange): SqlWithParams {
  return planSql(database, planBreakdown(by), range);
}

/** Totals per UTC day in `[firstDay, lastDay]` (both `YYYY-MM-DD`), from the by-model rollup. */
export function dailySql(database: string, firstDay: string, lastDay: string): SqlWithParams {
  return {
    query:
      `SELECT toString(m_key) AS key, ${OUTER_MEASURES.join(', ')} FROM (` +
      `SELECT day AS m_key, ${ROLLUP_MEASURES.join(', ')} FROM ${qualified(database, rollupByModelTable.name)}` +
      ' WHERE day >= {first:Date} AND day <= {last:Date} GROUP BY m_key) GROUP BY m_key ORDER BY m_key',
    params: { first: firstDay, last: lastDay },
  };
}
