import type { LlmCall } from '../mapping/llm-call.js';
import type { CostPricer, PriceResult, PriceUsageInput } from './pricer.js';

/** Row status when the call reported no usage (and no provider cost): its cost is unknown, so stored as NULL. */
export const UNKNOWN_USAGE_STATUS = 'unknown_usage';

/** The costs of one call as decimal USD strings, or null when unpriced (the writer turns them into columns). */
export interface CallCosts {
  inputCost: string | null;
  cacheReadCost: string | null;
  cacheWriteCost: string | null;
  outputCost: string | null;
  totalCost: string | null;
  billedCost: string | null;
}

/** Costs of a call that could not be priced: NULL, never zero. */
export const NO_COSTS: CallCosts = {
  inputCost: null,
  cacheReadCost: null,
  cacheWriteCost: null,
  outputCost: null,
  totalCost: null,
  billedCost: null,
};

/** A call's price: what the writer stores beside the call itself (`writer/llm-call-row.ts` depends on this, not back). */
export interface Priced {
  status: string;
  priceVersion: string;
  pricedModel: string;
  costs: CallCosts;
}

function fromResult(result: PriceResult): Priced {
  return {
    status: result.status,
    priceVersion: result.priceVersion,
    pricedModel: result.matchedModel ?? '',
    costs: {
      inputCost: result.inputCost,
      cacheReadCost: result.cacheReadCost,
      cacheWriteCost: result.cacheWriteCost,
      outputCost: result.outputCost,
      totalCost: result.totalCost,
      billedCost: result.billedCost,
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
        inputCost: spanPrice.inputCost,
        cacheReadCost: spanPrice.cacheReadCost,
        cacheWriteCost: spanPrice.cacheWriteCost,
        outputCost: spanPrice.outputCost,
        totalCost: spanPrice.totalCost,
        billedCost: spanPrice.billedCost,
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
