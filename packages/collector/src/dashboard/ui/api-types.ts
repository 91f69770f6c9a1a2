/** The JSON shapes of the `/api/` endpoints (the query layer's types, as they cross the wire). */

export interface Totals {
  calls: number;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  reasoningTokens: number;
  totalTokens: number;
  cost: string;
  billedCost: string;
  unpricedCalls: number;
  unknownUsageCalls: number;
  errorCalls: number;
}

export interface TotalsAnswer {
  from: string;
  to: string;
  totals: Totals;
  previous: { from: string; to: string; totals: Totals };
}

export interface BreakdownRow extends Totals {
  key: string;
}

export interface BreakdownAnswer {
  by: string;
  rows: BreakdownRow[];
}

export interface DailyAnswer {
  days: string[];
  totals: Totals[];
  series: Array<{ key: string; cost: string[]; calls: number[] }>;
}

export interface SavingsAnswer {
  cacheReadTokens: number;
  uncachedCost: string;
  cacheReadCost: string;
  saved: string;
  unpricedCacheReadTokens: number;
  byModel: Array<{ provider: string; model: string; cacheReadTokens: number; uncachedCost: string; cacheReadCost: string; saved: string }>;
}

export interface CallRecord {
  timestamp: string;
  traceId: string;
  spanId: string;
  service: string;
  provider: string;
  operation: string;
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
  cost: string | null;
  billedCost: string | null;
  pricingStatus: string;
  usageSource: string;
  stream: boolean;
  latencyMs: number;
  httpStatus: number;
  errorType: string;
}

export interface CallsAnswer {
  calls: CallRecord[];
  next: string | null;
}

export interface QualityAnswer {
  quality: {
    calls: number;
    unpricedModels: Array<{ provider: string; model: string; calls: number }>;
    unpricedCalls: number;
    unknownUsageCalls: number;
    untaggedCalls: number;
    errorCalls: number;
    reconciliation: {
      reconcilableCalls: number;
      reconciledCalls: number;
      unreconciledCalls: number;
      byModel: Array<{
        provider: string;
        model: string;
        reconciledCalls: number;
        unestimatedCalls: number;
        estimatedCost: string;
        chargedCost: string;
        meanErrorUsd: string;
        meanAbsolutePercentError: number | null;
      }>;
    };
  };
  latency: Array<{ provider: string; model: string; calls: number; avgMs: number; p50Ms: number; p95Ms: number; p99Ms: number }>;
}

export interface CreditSnapshot {
  timestampMs: number;
  provider?: string;
  keyFingerprint: string;
  tenantId?: string;
  keyLimit: string | null;
  keyUsage: string;
  remaining: string | null;
  level: string;
  burnRatePerHour: string | null;
  runsOutAtMs: number | null;
  usageDaily: string | null;
}

export interface CreditsAnswer {
  keys: CreditSnapshot[];
  snapshots: CreditSnapshot[];
}
