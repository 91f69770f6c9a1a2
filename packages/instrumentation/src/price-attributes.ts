/**
 * Cost on the span (`priceSpans`): prices the call with `@llm-cost/pricing` when the span ends, so any tracing backend
 * shows what it cost. Money stays a decimal string except `gen_ai.usage.cost.amount`, which the proposed convention
 * defines as a double.
 */
import type { Attributes } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_COST_CURRENCY,
  ATTR_GEN_AI_USAGE_COST_SOURCE,
  ATTR_LLM_COST_COST_BILLED,
  ATTR_LLM_COST_COST_CACHE_READ,
  ATTR_LLM_COST_COST_CACHE_WRITE,
  ATTR_LLM_COST_COST_INPUT,
  ATTR_LLM_COST_COST_OUTPUT,
  ATTR_LLM_COST_PRICED_MODEL,
  ATTR_LLM_COST_PRICE_VERSION,
  ATTR_LLM_COST_PRICING_STATUS,
} from '@llm-cost/semconv';
import type { SpanPriceInput, SpanPricer } from './types.js';
import { errorOnce } from './diag-once.js';

/** Adds the cost attributes of one call to `attributes`. Never throws (a failing pricer is logged once). */
export function priceAttributes(attributes: Attributes, pricer: SpanPricer, input: SpanPriceInput): void {
  let result;
  try {
    result = pricer.priceUsage(input);
  } catch (error) {
    errorOnce('price:failed', 'pricing a span failed; it is exported without cost attributes', error);
    return;
  }
  if (typeof result !== 'object' || result === null) return;
  if (typeof result.status === 'string') attributes[ATTR_LLM_COST_PRICING_STATUS] = result.status;
  if (typeof result.priceVersion === 'string') attributes[ATTR_LLM_COST_PRICE_VERSION] = result.priceVersion;
  if (typeof result.matchedModel === 'string') attributes[ATTR_LLM_COST_PRICED_MODEL] = result.matchedModel;
  if (typeof result.totalCost === 'string') {
    attributes[ATTR_GEN_AI_USAGE_COST_AMOUNT] = Number(result.totalCost);
    attributes[ATTR_GEN_AI_USAGE_COST_CURRENCY] = result.currency ?? 'USD';
    attributes[ATTR_GEN_AI_USAGE_COST_SOURCE] = result.status === 'provider_reported' ? 'provider' : 'local';
  }
  if (typeof result.inputCost === 'string') attributes[ATTR_LLM_COST_COST_INPUT] = result.inputCost;
  if (typeof result.cacheReadCost === 'string') attributes[ATTR_LLM_COST_COST_CACHE_READ] = result.cacheReadCost;
  if (typeof result.cacheWriteCost === 'string') attributes[ATTR_LLM_COST_COST_CACHE_WRITE] = result.cacheWriteCost;
  if (typeof result.outputCost === 'string') attributes[ATTR_LLM_COST_COST_OUTPUT] = result.outputCost;
  if (typeof result.billedCost === 'string') attributes[ATTR_LLM_COST_COST_BILLED] = result.billedCost;
}
