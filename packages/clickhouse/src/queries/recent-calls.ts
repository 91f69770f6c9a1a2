import { InvalidOptionError } from '../errors.js';
import { IS_CALL, RAW_TABLE } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { planQuery, RAW_MODEL } from './query-plan.js';
import type { CallRecord, RecentCallsInput } from './query-types.js';
import { dateTimeParam, toMs } from './time-range.js';
import type { SqlWithParams } from './usage-sql.js';

/**
 * The latest calls, newest first, one page at a time. The scan is bounded twice: by the time range (the raw table is
 * ordered by day first, so ClickHouse reads only the parts and granules of those days) and by `LIMIT`; the next page
 * continues strictly before the last row of this one (`(timestamp, span_id) <` the cursor), so paging never re-reads
 * what it has shown and never skips calls with the same millisecond. A page is looked for in the last day before the
 * page's end first, then the last week, then the whole range ({@link searchWindows}): a busy store fills a page from
 * one day's rows, and only a sparse filter pays for the whole range.
 */

export const MAX_CALLS_PAGE = 500;
/** Longest range the calls page may scan, in days. */
export const MAX_CALLS_RANGE_DAYS = 92;

const CURSOR = /^(\d{1,15})_([0-9a-fA-F]{1,32})$/;

interface CallRow {
  ts: string;
  trace_id: string;
  span_id: string;
  service_name: string;
  provider: string;
  operation: string;
  model: string;
  request_model: string;
  user_id: string;
  tenant_id: string;
  feature: string;
  tags: Record<string, string>;
  input_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  output_tokens: string;
  reasoning_tokens: string;
  cost: string | null;
  billed_cost: string | null;
  pricing_status: string;
  usage_source: string;
  stream: boolean;
  latency_ms: number;
  http_status: number;
  error_type: string;
}

export function recentCallsSql(database: string, input: RecentCallsInput): SqlWithParams {
  const from = toMs(input.from, 'from');
  const to = toMs(input.to, 'to');
  if (to < from) throw new InvalidOptionError("'to' is before 'from'");
  if (to - from > MAX_CALLS_RANGE_DAYS * 86_400_000) {
    throw new InvalidOptionError(`the calls range is at most ${MAX_CALLS_RANGE_DAYS} days`);
  }
  const limit = input.limit ?? 50;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CALLS_PAGE) {
    throw new InvalidOptionError(`limit must be an integer from 1 to ${MAX_CALLS_PAGE}, got ${String(limit)}`);
  }
  const { rawWhere, params } = planQuery(input);
  const conditions = [
    "timestamp >= {c_from:DateTime64(3, 'UTC')}",
    "timestamp < {c_to:DateTime64(3, 'UTC')}",
    IS_CALL,
    ...rawWhere,
  ];
  params.c_from = dateTimeParam(from);
  params.c_to = dateTimeParam(to);
  if (input.status === 'error') conditions.push("error_type != ''");
  if (input.status === 'ok') conditions.push("error_type = ''");
  if (input.priced === true) conditions.push("pricing_status IN ('priced', 'provider_reported')");
  if (input.priced === false) conditions.push("pricing_status NOT IN ('priced', 'provider_reported')");
  if (input.before !== undefined) {
    const cursor = CURSOR.exec(input.before);
    if (!cursor) throw new InvalidOptionError('before must be a cursor from a previous page (<ms>_<span id>)');
    params.c_before_ts = dateTimeParam(Number(cursor[1]));
    params.c_before_span = cursor[2];
    conditions.push("(timestamp, span_id) < ({c_before_ts:DateTime64(3, 'UTC')}, {c_before_span:String})");
  }
  return {
    query:
      'SELECT toString(toUnixTimestamp64Milli(timestamp)) AS ts, trace_id, span_id, service_name, provider, operation, ' +
      `${RAW_MODEL} AS model, request_model, user_id, tenant_id, feature, tags, ` +
      'toString(input_tokens) AS input_tokens, toString(cache_read_tokens) AS cache_read_tokens, ' +
      'toString(cache_write_tokens) AS cache_write_tokens, toString(output_tokens) AS output_tokens, ' +
      'toString(reasoning_tokens) AS reasoning_tokens, ' +
      'if(isNull(total_cost), NULL, toDecimalString(assumeNotNull(total_cost), 9)) AS cost, ' +
      'if(isNull(billed_cost), NULL, toDecimalString(assumeNotNull(billed_cost), 9)) AS billed_cost, ' +
      'pricing_status, usage_source, stream, latency_ms, http_status, error_type ' +
      `FROM ${qualified(database, RAW_TABLE)} WHERE ${conditions.join(' AND ')} ` +
      `ORDER BY timestamp DESC, span_id DESC LIMIT ${limit + 1}`,
    params,
  };
}

const DAY_MS = 86_400_000;

/**
 * The ranges to try in turn for one page: the last day and the last week before the page's end (the cursor, else
 * `to`), then the whole range. Every row outside a window is older than every row inside it, so a window that holds
 * a full page holds the right page.
 */
export function searchWindows(input: RecentCallsInput): RecentCallsInput[] {
  const from = toMs(input.from, 'from');
  const to = toMs(input.to, 'to');
  const cursor = input.before === undefined ? undefined : CURSOR.exec(input.before);
  const end = cursor ? Math.min(to, Number(cursor[1]) + 1) : to;
  const windows = [1, 7].map((days) => end - days * DAY_MS).filter((start) => start > from);
  return [...windows.map((start) => ({ ...input, from: start })), input];
}

/** Rows of {@link recentCallsSql} as records, and the cursor of the next page (null on the last page). */
export function toCallsPage(rows: readonly CallRow[], limit: number): { calls: CallRecord[]; next: string | null } {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    calls: page.map((row) => ({
      timestamp: new Date(Number(row.ts)).toISOString(),
      traceId: row.trace_id,
      spanId: row.span_id,
      service: row.service_name,
      provider: row.provider,
      operation: row.operation,
      model: row.model,
      requestModel: row.request_model,
      userId: row.user_id,
      tenantId: row.tenant_id,
      feature: row.feature,
      tags: row.tags,
      inputTokens: Number(row.input_tokens),
      cacheReadTokens: Number(row.cache_read_tokens),
      cacheWriteTokens: Number(row.cache_write_tokens),
      outputTokens: Number(row.output_tokens),
      reasoningTokens: Number(row.reasoning_tokens),
      cost: row.cost,
      billedCost: row.billed_cost,
      pricingStatus: row.pricing_status,
      usageSource: row.usage_source,
      stream: Boolean(row.stream),
      latencyMs: Number(row.latency_ms),
      httpStatus: Number(row.http_status),
      errorType: row.error_type,
    })),
    next: rows.length > limit && last !== undefined ? `${last.ts}_${last.span_id}` : null,
  };
}

export type { CallRow };
