/** A point in time: a `Date`, milliseconds since the epoch, or an ISO 8601 string (UTC unless it says otherwise). */
export type TimeInput = Date | number | string;

/** Totals every query returns. Token counts are numbers; money is an exact decimal string in USD (9 decimals). */
export interface UsageTotals {
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** `inputTokens + outputTokens` (cached and reasoning tokens are parts of those). */
  totalTokens: number;
  /** List cost of the priced calls, e.g. `"0.004148250"`. */
  cost: string;
  /** Billed cost (tenant markups applied) of the priced calls. */
  billedCost: string;
  /** Calls of models without a price: their cost is unknown and not included in `cost`. */
  unpricedCalls: number;
  /** Calls whose provider reported no token usage (counted in `calls`, zero tokens, cost unknown). */
  unknownUsageCalls: number;
  /** Calls that ended with an error (counted in `calls`). */
  errorCalls: number;
}

/** One entry of a breakdown: the totals of one key (a model, a user, a tag value, ...). */
export interface UsageBreakdownEntry extends UsageTotals {
  key: string;
}

export interface UsageFilter {
  userId?: string;
  tenantId?: string;
  /** Tag values the calls must carry, e.g. `{ feature: 'search' }` (all of them). */
  tags?: Record<string, string>;
  provider?: string;
  /**
   * A model: calls match when it is the model the caller asked for (`gpt-4o`) or the one that answered
   * (`gpt-4o-2024-08-06`). Rollup rows written before schema version 4 match by the answering model only.
   */
  model?: string;
  /** The `service.name` of the calls. */
  service?: string;
}

export interface PeriodInput {
  /** Inclusive start. */
  from: TimeInput;
  /** Exclusive end. */
  to: TimeInput;
}

/**
 * What a breakdown groups by. `model`: the model that answered (else the one asked for); `requestModel`: the model the
 * caller asked for (rows written before schema version 4 fall back to the answering model).
 */
export type BreakdownDimension = 'model' | 'requestModel' | 'provider' | 'user' | 'tenant' | 'service' | { tag: string };

/** What totals can be grouped by: a breakdown dimension, or the UTC day. */
export type GroupDimension = BreakdownDimension | 'day';

export interface DailyCostEntry extends UsageTotals {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
}

export interface LatencyEntry {
  provider: string;
  model: string;
  calls: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

export interface DataQualityReport {
  calls: number;
  /** Calls of models without a price, by model. */
  unpricedModels: Array<{ provider: string; model: string; calls: number }>;
  unpricedCalls: number;
  /** Successful calls whose provider reported no token usage. */
  unknownUsageCalls: number;
  /** Calls without any tag (no user, tenant or feature to attribute them to). */
  untaggedCalls: number;
  /** Calls that ended with an error. */
  errorCalls: number;
  /** Calls whose provider can report what it charged (OpenRouter generation ids), and how far estimates were off. */
  reconciliation: ReconciliationReport;
  /** Each day × provider with a synced provider bill (OpenAI, Anthropic): coverage, token drift, flags. */
  bills: BillCoverageReport;
}

export interface ReconciliationReport {
  /** Calls whose provider can be asked what it charged (OpenRouter calls with a `gen-` response id). */
  reconcilableCalls: number;
  /** Those whose charge has been read (their cost in every total is now what the provider charged). */
  reconciledCalls: number;
  /** Those still at our estimate (not reconciled yet: too recent, not found yet, or no reconciler running). */
  unreconciledCalls: number;
  /** Estimate against charge, per provider and model of the reconciled calls. */
  byModel: ReconciliationModelEntry[];
}

export interface ReconciliationModelEntry {
  provider: string;
  model: string;
  reconciledCalls: number;
  /** Reconciled calls we had no cost for (unpriced model or unknown usage); not in the figures below. */
  unestimatedCalls: number;
  /** Our estimate, summed over the reconciled calls we had a cost for (USD decimal string). */
  estimatedCost: string;
  /** What the provider charged for those same calls. */
  chargedCost: string;
  /** Mean of charged − estimated per call, USD (positive: the estimate was low). */
  meanErrorUsd: string;
  /** Mean of |charged − estimated| / charged, in percent, over calls with a non-zero charge; null when none. */
  meanAbsolutePercentError: number | null;
}

// --- Provider bills (billDrift, dataQuality().bills) ---------------------------------------------------------------

/** How far the bill and our estimate may differ before a day is flagged. */
export interface BillDriftThresholds {
  /**
   * Coverage (estimated cost / billed cost) below which a day is flagged; above `2 − coverageThreshold` it is flagged
   * too (we estimate more than was billed). @default 0.95
   */
  coverageThreshold?: number;
  /** Largest relative difference between billed and estimated token counts (input + output). @default 0.02 */
  tokenTolerance?: number;
}

export interface BillDriftInput extends BillDriftThresholds {
  /** First UTC day (any time in it). */
  from: TimeInput;
  /** End, exclusive: a time inside a day includes that day (so `Date.now()` includes today). */
  to: TimeInput;
  /** One provider (`openai`, `anthropic`). @default every provider with a bill */
  provider?: string;
}

/**
 * Why a day (or model) is flagged, most likely first:
 * - `uninstrumented_traffic`: the bill counts more tokens than our calls carried: calls we never saw (a service that
 *   is not instrumented, a script, a notebook, another tool on the same organization).
 * - `unknown_model`: billed line items that map to no model (tools billed separately, a product or model name we do
 *   not know), or calls we saw but could not price.
 * - `price_mismatch`: token counts agree but the money does not: prices we do not know (negotiated rates, credits,
 *   batch or priority tier, a price change).
 * - `estimate_above_bill`: we saw more tokens than were billed (the provider's report for the day is not final yet,
 *   or calls were billed to another organization).
 */
export type BillDriftCause = 'uninstrumented_traffic' | 'unknown_model' | 'price_mismatch' | 'estimate_above_bill';

/** The comparison of one day × provider × model (or line item, or the whole day). Money: exact USD decimal strings. */
export interface BillDriftEntry {
  /** UTC day, `YYYY-MM-DD`. */
  day: string;
  provider: string;
  /**
   * `model`: a model in the bill or in our calls; `unmapped`: a billed line item that maps to no model (its own row,
   * never dropped); `total`: the whole day for the provider.
   */
  kind: 'model' | 'unmapped' | 'total';
  /** Our model name (as the rollups key it); null for unmapped line items and totals. */
  model: string | null;
  /** The line item as the report names it, for `unmapped` entries; null otherwise. */
  lineItem: string | null;
  /** Our list-price estimate from the instrumented calls. */
  estimatedCost: string;
  /** What the provider's cost report says. */
  billedCost: string;
  /** `billedCost − estimatedCost` (positive: the bill is higher). */
  difference: string;
  /** `estimatedCost / billedCost`, exact to 9 decimals; null when nothing was billed. */
  coverage: number | null;
  estimatedInputTokens: number;
  billedInputTokens: number;
  estimatedOutputTokens: number;
  billedOutputTokens: number;
  /** Calls we recorded. */
  estimatedCalls: number;
  /** Requests the usage report counts (0 where it has no count: Anthropic). */
  billedRequests: number;
  /** Calls we recorded without a price (their cost is not in `estimatedCost`). */
  unpricedCalls: number;
  /** Coverage outside the band or token counts differing by more than the tolerance. */
  flagged: boolean;
  /** Likely causes when flagged, most likely first; empty otherwise. */
  causes: BillDriftCause[];
  /** One line for people: the figures that flagged it and the likely cause. Empty when not flagged. */
  reason: string;
}

/** Bill coverage in `dataQuality()`: each day × provider with a synced bill in the period (its `total` entry). */
export interface BillCoverageReport {
  coverageThreshold: number;
  tokenTolerance: number;
  /** Totals per day × provider, oldest first. */
  days: BillDriftEntry[];
  /** How many of them are flagged. */
  flaggedDays: number;
}

/** What prompt caching saved over a range (list prices, USD decimal strings). */
export interface CacheSavings {
  /** Input tokens read from the prompt cache, of models with a price. */
  cacheReadTokens: number;
  /** What those tokens would have cost at the model's uncached input price of their day. */
  uncachedCost: string;
  /** What they cost (the cache-read price). */
  cacheReadCost: string;
  /** `uncachedCost - cacheReadCost`. */
  saved: string;
  /** Cached tokens of models without a price: not in the figures above. */
  unpricedCacheReadTokens: number;
  /** Per provider and model, largest saving first. */
  byModel: CacheSavingsEntry[];
}

export interface CacheSavingsEntry {
  provider: string;
  model: string;
  cacheReadTokens: number;
  uncachedCost: string;
  cacheReadCost: string;
  saved: string;
}

/** Totals per UTC day, and the cost per day of the largest keys of one dimension (a stacked chart's data). */
export interface DailySeries {
  /** Every UTC day of the range, oldest first (`YYYY-MM-DD`). */
  days: string[];
  /** Totals of each day (all keys), same order as `days`. */
  totals: UsageTotals[];
  /** The largest keys by cost over the range, then `(other)` for the rest when there are more; costs per day. */
  series: Array<{ key: string; cost: string[]; calls: number[] }>;
}

/** One call of `llm_calls`, as the calls page lists it (no prompt, completion or header is ever stored). */
export interface CallRecord {
  /** ISO 8601 start time (UTC). */
  timestamp: string;
  traceId: string;
  spanId: string;
  service: string;
  provider: string;
  operation: string;
  /** Response model, else the requested one (as the rollups key it). */
  model: string;
  requestModel: string;
  userId: string;
  tenantId: string;
  feature: string;
  tags: Record<string, string>;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  /** List cost; null when the call could not be priced. */
  cost: string | null;
  billedCost: string | null;
  /** priced | provider_reported | unknown_model | unknown_usage */
  pricingStatus: string;
  usageSource: string;
  stream: boolean;
  latencyMs: number;
  httpStatus: number;
  /** error.type; empty on success. */
  errorType: string;
}

export interface RecentCallsInput extends UsageFilter, PeriodInput {
  /** `error`: failed calls only; `ok`: successful ones only. */
  status?: 'ok' | 'error';
  /** `true`: calls with a cost; `false`: unpriced calls and calls without usage. */
  priced?: boolean;
  /** Calls per page, 1 to 500. @default 50 */
  limit?: number;
  /** The `next` cursor of the previous page. */
  before?: string;
}

export interface RecentCallsPage {
  calls: CallRecord[];
  /** Cursor of the next (older) page; null on the last page. */
  next: string | null;
}
