import type { Store } from '../connection/connect.js';
import { fromNanoUsd, parseNanoUsd } from '../budgets/nano-usd.js';
import { InvalidOptionError } from '../errors.js';
import { llmCallsTable, providerChargesTable, RAW_TABLE, ROW_KIND } from '../schema/definitions.js';
import { dateTime64Text, identityToken, insertJsonRows } from '../storage/insert-json-rows.js';
import { readRecordedCosts, type RecordedCost, type UnreconciledCall } from './unreconciled-calls.js';

/** What the provider says it charged for one call (OpenRouter: the generation record). */
export interface ProviderCharge {
  /** USD charged, a decimal string with at most 9 decimals (OpenRouter `total_cost`, rounded to the nano-dollar). */
  chargedCost: string;
  /**
   * What the call is billed at with the tenant's markup (from `@llm-cost/pricing` with the charge as the
   * provider-reported cost). @default chargedCost
   */
  billedCost?: string;
  /** Model in the provider's record. @default '' */
  chargedModel?: string;
  /** Provider that served the call (OpenRouter `provider_name`). @default '' */
  upstreamProvider?: string;
  upstreamCost?: string | null;
  cacheDiscount?: string | null;
  /** Token counts by the model's own tokenizer (OpenRouter `native_tokens_*`); null fields count as 0. */
  nativeTokens?: { input?: number | null; output?: number | null; reasoning?: number | null; cached?: number | null };
  streamed?: boolean;
  cancelled?: boolean;
  isByok?: boolean;
  finishReason?: string;
  /** Fingerprint of the API key that read the record (never the key). @default '' */
  keyFingerprint?: string;
}

export interface ChargeToRecord {
  call: UnreconciledCall;
  charge: ProviderCharge;
}

/** One adjustment row written (or found already written) for a call. */
export interface WrittenAdjustment {
  responseId: string;
  /** Cost difference, USD decimal string (negative when the estimate was high). */
  costDelta: string;
  billedDelta: string;
  /** Tokens added (only for calls whose usage was unknown). */
  inputTokens: number;
  outputTokens: number;
}

export interface RecordChargesResult {
  /** Calls whose charge was recorded (calls deleted meanwhile, e.g. by `forgetUser`, are skipped). */
  recorded: number;
  /** Adjustment rows written (calls whose totals were not already what the provider charged). */
  adjustments: WrittenAdjustment[];
}

export interface RecordChargesOptions {
  /** Time written to `adjusted_at` and `reconciled_at`. @default Date.now() */
  nowMs?: number;
  /** Adjustment inserts in flight at once (each is its own insert, for its own deduplication token). @default 4 */
  insertConcurrency?: number;
}

/** Runs the tasks, at most `concurrency` at once; rejects with the first failure after all have settled. */
async function runAll(tasks: ReadonlyArray<() => Promise<void>>, concurrency: number): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < tasks.length) {
      const task = tasks[next++]!;
      await task().catch((error: unknown) => failures.push(error));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, worker));
  if (failures.length > 0) throw failures[0];
}

const CHARGE_COLUMNS = providerChargesTable.columns.map((column) => column.name);
const CALL_COLUMNS = llmCallsTable.columns.map((column) => column.name);
const DECIMAL = /^\d+(\.\d{1,9})?$/;

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}

function checkedUsd(value: string, name: string): string {
  if (!DECIMAL.test(value)) throw new InvalidOptionError(`${name} must be a non-negative USD decimal with at most 9 decimals, got ${value}`);
  return value;
}

/**
 * Native tokens an adjustment adds: only for a call whose usage was unknown (a stream that carried none), so the
 * rollups' token sums become the provider's counts. Calls with known usage keep their tokens (OpenRouter reports
 * native counts in the response too), and counters never go below zero.
 */
function tokenDelta(recorded: RecordedCost, charge: ProviderCharge) {
  if (recorded.usageKnown) return { input: 0, cacheRead: 0, output: 0, reasoning: 0 };
  const input = count(charge.nativeTokens?.input);
  const output = count(charge.nativeTokens?.output);
  const cached = Math.min(count(charge.nativeTokens?.cached), input);
  const reasoning = Math.min(count(charge.nativeTokens?.reasoning), output);
  return {
    input: Math.max(0, input - recorded.inputTokens),
    cacheRead: Math.max(0, cached - recorded.cacheReadTokens),
    output: Math.max(0, output - recorded.outputTokens),
    reasoning: Math.max(0, reasoning - recorded.reasoningTokens),
  };
}

function adjustmentRow(call: UnreconciledCall, costDelta: bigint, billedDelta: bigint, tokens: ReturnType<typeof tokenDelta>, nowMs: number) {
  return {
    timestamp: dateTime64Text(call.timestampMs),
    trace_id: call.traceId,
    span_id: call.spanId,
    service_name: call.serviceName,
    provider: call.provider,
    operation: call.operation,
    request_model: call.requestModel,
    response_model: call.responseModel,
    priced_model: call.pricedModel,
    input_tokens: tokens.input,
    cache_read_tokens: tokens.cacheRead,
    cache_write_tokens: 0,
    output_tokens: tokens.output,
    reasoning_tokens: tokens.reasoning,
    // The provider reports one total; the parts stay unknown (NULL adds 0 to the part sums).
    input_cost: null,
    cache_read_cost: null,
    cache_write_cost: null,
    output_cost: null,
    total_cost: fromNanoUsd(costDelta),
    billed_cost: fromNanoUsd(billedDelta),
    pricing_status: 'provider_charged',
    price_version: `${call.provider}:charged`,
    usage_source: 'reconciliation',
    stream: call.stream,
    latency_ms: 0,
    http_status: call.httpStatus,
    error_type: call.errorType,
    user_id: call.userId,
    tenant_id: call.tenantId,
    feature: call.feature,
    tags: call.tags,
    provider_response_id: call.responseId,
    instrumentation: 'llm-cost-reconciliation',
    row_kind: ROW_KIND.adjustment,
    adjusted_at: dateTime64Text(nowMs),
  };
}

function chargeRow(call: UnreconciledCall, charge: ProviderCharge, recorded: RecordedCost, delta: bigint, nowMs: number) {
  return {
    timestamp: dateTime64Text(call.timestampMs),
    reconciled_at: dateTime64Text(nowMs),
    provider: call.provider,
    provider_response_id: call.responseId,
    trace_id: call.traceId,
    span_id: call.spanId,
    model: call.responseModel || call.requestModel,
    charged_model: charge.chargedModel ?? '',
    upstream_provider: charge.upstreamProvider ?? '',
    estimated_cost: recorded.estimatedCost,
    charged_cost: charge.chargedCost,
    adjustment_cost: fromNanoUsd(delta),
    upstream_cost: charge.upstreamCost ?? null,
    cache_discount: charge.cacheDiscount ?? null,
    native_input_tokens: count(charge.nativeTokens?.input),
    native_output_tokens: count(charge.nativeTokens?.output),
    native_reasoning_tokens: count(charge.nativeTokens?.reasoning),
    native_cached_tokens: count(charge.nativeTokens?.cached),
    streamed: charge.streamed ?? false,
    cancelled: charge.cancelled ?? false,
    is_byok: charge.isByok ?? false,
    finish_reason: charge.finishReason ?? '',
    key_fingerprint: charge.keyFingerprint ?? '',
  };
}

/**
 * Records what the provider charged for each call without rewriting history:
 *
 * 1. reads what `llm_calls` holds now for each response id (call rows and earlier adjustments);
 * 2. where that differs from the charge, appends one adjustment row carrying the difference (cost, billed cost, and
 *    native tokens for calls whose usage was unknown), with its own insert and a deduplication token made of the
 *    provider, the response id and the charged amount, so a retried or repeated write of the same correction is
 *    dropped by `llm_calls` and by every rollup;
 * 3. appends the charge to `llm_provider_charges`, which marks the call reconciled.
 *
 * Reconciling the same call again changes nothing: step 1 sees the earlier adjustment (difference 0), and a racing
 * writer that did not see it sends the same token. If the process stops between 2 and 3, the next run finds the call
 * unreconciled, sees its adjustment in step 1 and only records the charge.
 */
export async function recordProviderCharges(
  store: Store,
  charges: readonly ChargeToRecord[],
  options: RecordChargesOptions = {},
): Promise<RecordChargesResult> {
  const nowMs = options.nowMs ?? Date.now();
  for (const { charge } of charges) {
    checkedUsd(charge.chargedCost, 'chargedCost');
    if (charge.billedCost !== undefined) checkedUsd(charge.billedCost, 'billedCost');
  }
  const recorded = await readRecordedCosts(store, charges.map((entry) => entry.call));
  const adjustments: WrittenAdjustment[] = [];
  const chargeRows: Record<string, unknown>[] = [];
  const written: ChargeToRecord[] = [];
  const inserts: Array<() => Promise<void>> = [];
  for (const { call, charge } of charges) {
    const current = recorded.get(call.responseId);
    // The call's rows are gone (deleted by forgetUser since it was listed): nothing to correct, nothing to record.
    if (current === undefined) continue;
    written.push({ call, charge });
    const costDelta = parseNanoUsd(charge.chargedCost) - parseNanoUsd(current.totalCost);
    const billedDelta = parseNanoUsd(charge.billedCost ?? charge.chargedCost) - parseNanoUsd(current.billedCost);
    const tokens = tokenDelta(current, charge);
    const needed = costDelta !== 0n || billedDelta !== 0n || tokens.input + tokens.output > 0;
    if (needed) {
      const token = identityToken('llm-cost-adjustment-v1', [call.provider, call.responseId, charge.chargedCost]);
      const row = adjustmentRow(call, costDelta, billedDelta, tokens, nowMs);
      inserts.push(() => insertJsonRows(store, RAW_TABLE, CALL_COLUMNS, [row], token));
      adjustments.push({
        responseId: call.responseId,
        costDelta: fromNanoUsd(costDelta),
        billedDelta: fromNanoUsd(billedDelta),
        inputTokens: tokens.input,
        outputTokens: tokens.output,
      });
    }
    chargeRows.push(chargeRow(call, charge, current, costDelta, nowMs));
  }
  await runAll(inserts, options.insertConcurrency ?? 4);
  const identities = written.map(({ call, charge }) => `${call.provider} ${call.responseId} ${charge.chargedCost}`).sort();
  await insertJsonRows(store, providerChargesTable.name, CHARGE_COLUMNS, chargeRows, identityToken('llm-cost-charges-v1', identities));
  return { recorded: written.length, adjustments };
}
