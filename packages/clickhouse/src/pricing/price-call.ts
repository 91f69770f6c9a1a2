import type { LlmCall } from '../mapping/llm-call.js';
import type { LlmCallRow } from '../writer/llm-call-row.js';
import type { CostPricer, PriceResult, PriceUsageInput } from './pricer.js';

/** Row status when the call reported no usage (and no provider cost): its cost is unknown, so stored as NULL. */
export const UNKNOWN_USAGE_STATUS = 'unknown_usage';

type Costs = Pick<
  LlmCallRow,
  'input_cost' | 'cache_read_cost' | 'cache_write_cost' | 'output_cost' | 'total_cost' | 'billed_cost'
>;

/** Costs of a call that could not be priced: NULL, never zero. */
export const NO_COSTS: Costs = {
  input_cost: null,
  cache_read_cost: null,
  cache_write_cost: null,
  output_cost: null,
  total_cost: null,
  billed_cost: null,
};

export interface Priced {
  status: string;
  priceVersion: string;
  pricedModel: string;
  costs: Costs;
}

function fromResult(result: PriceResult): Priced {
  return {
    status: result.status,
    priceVersion: result.priceVersion,
    pricedModel: result.matchedModel ?? '',
    costs: {
      input_cost: result.inputCost,
      cache_read_cost: result.cacheReadCost,
      cache_write_cost: result.cacheWriteCost,
      output_cost: result.outputCost,
      total_cost: result.totalCost,
      billed_cost: result.billedCost,
    },
  };
}

/**
 * Prices one call. Costs the span already carries are kept when they were computed with the same price data and
 * the tenant was not overridden (the markup depends on the tenant); otherwise the call is priced here, with the
 * response model first and the requested model (an Azure deployment name, say) when that one is unknown.
 */
export function priceCall(call: LlmCall, pricer: CostPricer, tenantOverridden: boolean): Priced {
  const spanPrice = call.spanPrice;
  if (spanPrice && spanPrice.priceVersion === pricer.priceVersion && !tenantOverridden) {
    return {
      status: spanPrice.status,
      priceVersion: spanPrice.priceVersion,
      pricedModel: spanPrice.pricedModel,
      costs: {
        input_cost: spanPrice.inputCost,
        cache_read_cost: spanPrice.cacheReadCost,
        cache_write_cost: spanPrice.cacheWriteCost,
        output_cost: spanPrice.outputCost,
        total_cost: spanPrice.totalCost,
        billed_cost: spanPrice.billedCost,
      },
    };
  }
  if (call.usage === undefined && call.providerReportedCost === undefined) {
    return { status: UNKNOWN_USAGE_STATUS, priceVersion: pricer.priceVersion, pricedModel: '', costs: NO_COSTS };
  }
  const input: PriceUsageInput = {
    provider: call.provider,
    model: call.responseModel || call.requestModel,
    usage: call.usage ?? { inputTokens: 0, outputTokens: 0 },
    timestamp: call.timestampMs,
  };
  if (call.pricingMode) input.mode = call.pricingMode;
  if (call.providerReportedCost !== undefined) input.providerReportedCost = call.providerReportedCost;
  if (call.tags.tenant_id) input.tenant = call.tags.tenant_id;
  let result = pricer.priceUsage(input);
  if (result.status === 'unknown_model' && call.requestModel !== '' && call.requestModel !== input.model) {
    input.model = call.requestModel;
    result = pricer.priceUsage(input);
  }
  return fromResult(result);
}

/** The `llm_calls` row for a priced call. */
export function toRow(call: LlmCall, priced: Priced): LlmCallRow {
  const usage = call.usage;
  return {
    timestamp_ms: call.timestampMs,
    trace_id: call.traceId,
    span_id: call.spanId,
    service_name: call.serviceName,
    provider: call.provider,
    operation: call.operation,
    request_model: call.requestModel,
    response_model: call.responseModel,
    priced_model: priced.pricedModel,
    input_tokens: usage?.inputTokens ?? 0,
    cache_read_tokens: usage?.cacheReadTokens ?? 0,
    cache_write_tokens: usage?.cacheWriteTokens ?? 0,
    output_tokens: usage?.outputTokens ?? 0,
    reasoning_tokens: usage?.reasoningTokens ?? 0,
    ...priced.costs,
    pricing_status: priced.status,
    price_version: priced.priceVersion,
    usage_source: call.usageSource,
    stream: call.stream,
    latency_ms: call.latencyMs,
    http_status: call.httpStatus,
    error_type: call.errorType,
    user_id: call.tags.user_id ?? '',
    tenant_id: call.tags.tenant_id ?? '',
    feature: call.tags.feature ?? '',
    tags: call.tags,
    provider_response_id: call.responseId,
    instrumentation: call.instrumentation,
  };
}
