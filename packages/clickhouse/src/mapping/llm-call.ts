import type { PricingMode, TokenUsage } from '@llm-cost/semconv';

/** Cost attributes a span already carries (instrumentation option `priceSpans: true`). */
export interface SpanPrice {
  priceVersion: string;
  status: string;
  pricedModel: string;
  inputCost: string | null;
  cacheReadCost: string | null;
  cacheWriteCost: string | null;
  outputCost: string | null;
  totalCost: string | null;
  billedCost: string | null;
}

/**
 * One GenAI span read into our terms, before deduplication across instrumentations and before pricing. Produced by
 * `mapSpan`, for spans of any instrumentation we know.
 */
export interface LlmCall {
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  /** Start of the call, ms since the epoch. */
  timestampMs: number;
  latencyMs: number;
  serviceName: string;
  provider: string;
  operation: string;
  requestModel: string;
  responseModel: string;
  responseId: string;
  /** Undefined when the span reports no usage. */
  usage: TokenUsage | undefined;
  usageSource: string;
  stream: boolean;
  httpStatus: number;
  errorType: string;
  /** `llm_cost.tag.*` attributes, without the prefix (`tenant_id` replaced when the tenant was overridden). */
  tags: Record<string, string>;
  /** The tenant came from the submitter (the collector's token), not from the span. */
  tenantOverridden: boolean;
  /** Instrumentation scope name of the span. */
  instrumentation: string;
  /** Written by `@llm-cost/instrumentation` (fetch-level span or `trackLlmCall`). */
  isOurs: boolean;
  providerReportedCost: string | undefined;
  pricingMode: PricingMode | undefined;
  spanPrice: SpanPrice | undefined;
  /** See `readUsage`: how complete the span's usage is, to choose among spans describing one call. */
  completeness: number;
}
