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
  /** The response model (else the requested model), as in the rollups. */
  model?: string;
}

export interface PeriodInput {
  /** Inclusive start. */
  from: TimeInput;
  /** Exclusive end. */
  to: TimeInput;
}

export type BreakdownDimension = 'model' | 'provider' | 'user' | 'tenant' | 'service' | { tag: string };

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
}
