import type { Store } from '../connection/connect.js';
import { InvalidOptionError, SchemaNotFoundError } from '../errors.js';
import { IS_CALL, providerChargesTable, RAW_TABLE } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { isMissingObject } from '../schema/migrate.js';
import { dateTimeParam, toMs } from '../queries/time-range.js';
import type { TimeInput } from '../queries/query-types.js';
import { withoutTracing } from '../tracing/without-tracing.js';
import { reconcilableCallCondition, responseIdPrefix } from './reconcilable.js';

/** A call whose provider can say what it charged, not reconciled yet: its identity as stored in `llm_calls`. */
export interface UnreconciledCall {
  /** Start of the call, ms since the epoch (adjustment rows repeat it, so they land on the call's day). */
  timestampMs: number;
  traceId: string;
  spanId: string;
  serviceName: string;
  provider: string;
  operation: string;
  requestModel: string;
  responseModel: string;
  pricedModel: string;
  /** The provider's response id (OpenRouter generation id). */
  responseId: string;
  userId: string;
  tenantId: string;
  feature: string;
  tags: Record<string, string>;
  stream: boolean;
  httpStatus: number;
  errorType: string;
}

export interface FindUnreconciledOptions {
  /** Provider whose calls to list. @default 'openrouter' */
  provider?: string;
  /** Calls that started at or after this time. */
  from: TimeInput;
  /**
   * Calls that ended before this time (start + latency): the provider's record of a call appears with a lag, so a
   * reconciler passes `now - delay`.
   */
  endedBefore: TimeInput;
  /** At most this many calls, oldest first. @default 1000 */
  limit?: number;
  /**
   * Only calls after this one in the listing order (time, then response id): pages through calls that stay
   * unreconciled (a record not found yet) without listing them again.
   */
  after?: { timestampMs: number; responseId: string };
}

/** What `llm_calls` holds now for one response id, summed over its call row(s) and earlier adjustment rows. */
export interface RecordedCost {
  responseId: string;
  /** Sum of `total_cost` over every row with this response id: what every total shows for the call now. */
  totalCost: string;
  billedCost: string;
  /** Sum of `total_cost` over the call rows only (the estimate); null when a call row has no cost. */
  estimatedCost: string | null;
  /** Whether a call row reported token usage (usage_source other than unknown). */
  usageKnown: boolean;
  inputTokens: number;
  cacheReadTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

async function rows<T>(store: Store, query: string, params: Record<string, unknown>): Promise<T[]> {
  try {
    const result = await withoutTracing(() => store.client.query({ query, query_params: params, format: 'JSONEachRow' }));
    return await result.json<T>();
  } catch (error) {
    if (isMissingObject(error)) throw new SchemaNotFoundError(store.database, error);
    throw error;
  }
}

interface CallRow {
  ts: string;
  trace_id: string;
  span_id: string;
  service_name: string;
  provider: string;
  operation: string;
  request_model: string;
  response_model: string;
  priced_model: string;
  provider_response_id: string;
  user_id: string;
  tenant_id: string;
  feature: string;
  tags: Record<string, string>;
  stream: boolean;
  http_status: number | string;
  error_type: string;
}

/**
 * Calls of a reconcilable provider (OpenRouter, `gen-` response ids) in `[from, endedBefore)` whose response id has
 * no row in `llm_provider_charges` yet, oldest first, one per response id.
 */
export async function findUnreconciledCalls(store: Store, options: FindUnreconciledOptions): Promise<UnreconciledCall[]> {
  const provider = options.provider ?? 'openrouter';
  if (responseIdPrefix(provider) === undefined) throw new InvalidOptionError(`provider ${provider} cannot be reconciled`);
  const limit = options.limit ?? 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new InvalidOptionError(`limit must be a positive integer, got ${String(limit)}`);
  const from = toMs(options.from, 'from');
  const to = toMs(options.endedBefore, 'endedBefore');
  const range = "timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}";
  const params: Record<string, unknown> = { from: dateTimeParam(from), to: dateTimeParam(to), limit };
  let cursor = '';
  if (options.after !== undefined) {
    params.after_ts = dateTimeParam(options.after.timestampMs);
    params.after_id = options.after.responseId;
    cursor = "AND (timestamp, provider_response_id) > ({after_ts:DateTime64(3, 'UTC')}, {after_id:String}) ";
  }
  // GLOBAL: on a cluster the charges are read once and sent to every shard (a plain IN over a Distributed table in
  // a distributed query is refused); on one node it is the same as IN.
  const found = await rows<CallRow>(
    store,
    'SELECT toString(toUnixTimestamp64Milli(timestamp)) AS ts, trace_id, span_id, service_name, provider, operation, ' +
      'request_model, response_model, priced_model, provider_response_id, user_id, tenant_id, feature, tags, stream, ' +
      `http_status, error_type FROM ${qualified(store.database, RAW_TABLE)} ` +
      `WHERE ${range} AND ${reconcilableCallCondition(provider)} ` +
      "AND addMilliseconds(timestamp, latency_ms) < {to:DateTime64(3, 'UTC')} " +
      cursor +
      `AND (provider, provider_response_id) GLOBAL NOT IN (SELECT provider, provider_response_id FROM ` +
      `${qualified(store.database, providerChargesTable.name)} WHERE ${range}) ` +
      'ORDER BY timestamp, provider_response_id LIMIT 1 BY provider_response_id LIMIT {limit:UInt32}',
    params,
  );
  return found.map((row) => ({
    timestampMs: Number(row.ts),
    traceId: row.trace_id,
    spanId: row.span_id,
    serviceName: row.service_name,
    provider: row.provider,
    operation: row.operation,
    requestModel: row.request_model,
    responseModel: row.response_model,
    pricedModel: row.priced_model,
    responseId: row.provider_response_id,
    userId: row.user_id,
    tenantId: row.tenant_id,
    feature: row.feature,
    tags: row.tags ?? {},
    stream: Boolean(row.stream),
    httpStatus: Number(row.http_status),
    errorType: row.error_type,
  }));
}

/**
 * What `llm_calls` holds now for each of the calls' response ids (their call rows and any adjustment rows), read
 * right before a reconciliation writes, so a correction already written is never written again.
 */
export async function readRecordedCosts(store: Store, calls: readonly UnreconciledCall[]): Promise<Map<string, RecordedCost>> {
  const recorded = new Map<string, RecordedCost>();
  const byProvider = new Map<string, UnreconciledCall[]>();
  for (const call of calls) byProvider.set(call.provider, [...(byProvider.get(call.provider) ?? []), call]);
  for (const [provider, group] of byProvider) {
    // Adjustment rows carry their call's timestamp, so the calls' time span bounds every row to read.
    const from = Math.min(...group.map((call) => call.timestampMs));
    const to = Math.max(...group.map((call) => call.timestampMs)) + 1;
    const result = await rows<Record<string, string>>(
      store,
      'SELECT provider_response_id AS id, toDecimalString(sum(ifNull(total_cost, 0)), 9) AS total, ' +
        'toDecimalString(sum(ifNull(billed_cost, 0)), 9) AS billed, ' +
        `toDecimalString(sumIf(ifNull(total_cost, 0), ${IS_CALL}), 9) AS estimated, ` +
        `toString(countIf(${IS_CALL} AND total_cost IS NULL)) AS unpriced_calls, ` +
        `toString(countIf(${IS_CALL} AND usage_source != 'unknown')) AS usage_calls, ` +
        'toString(sum(input_tokens)) AS input, toString(sum(cache_read_tokens)) AS cache_read, ' +
        'toString(sum(output_tokens)) AS output, toString(sum(reasoning_tokens)) AS reasoning ' +
        `FROM ${qualified(store.database, RAW_TABLE)} ` +
        "WHERE provider = {provider:String} AND timestamp >= {from:DateTime64(3, 'UTC')} " +
        "AND timestamp < {to:DateTime64(3, 'UTC')} AND provider_response_id IN {ids:Array(String)} " +
        'GROUP BY provider_response_id',
      { provider, from: dateTimeParam(from), to: dateTimeParam(to), ids: group.map((call) => call.responseId) },
    );
    for (const row of result) {
      recorded.set(row.id!, {
        responseId: row.id!,
        totalCost: row.total!,
        billedCost: row.billed!,
        estimatedCost: Number(row.unpriced_calls) > 0 ? null : row.estimated!,
        usageKnown: Number(row.usage_calls) > 0,
        inputTokens: Number(row.input),
        cacheReadTokens: Number(row.cache_read),
        outputTokens: Number(row.output),
        reasoningTokens: Number(row.reasoning),
      });
    }
  }
  return recorded;
}
