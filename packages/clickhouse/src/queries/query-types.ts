import type { BillCoverageReport } from './bill-drift-types.js';

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
