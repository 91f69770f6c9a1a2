import type { TimeInput } from './query-types.js';

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
