import { OpenRouterResponseError } from '../errors.js';
import { dataObject, nullableNumber, optionalBoolean, optionalString, requiredNumber } from '../http/json-fields.js';
import { usdText } from '../money/usd.js';
import type { GenerationRecord } from '../types.js';

const WHAT = 'GET /generation';

function count(data: Record<string, unknown>, field: string): number | null {
  const value = nullableNumber(data, field, WHAT);
  return value === null ? null : Math.max(0, Math.round(value));
}

function money(data: Record<string, unknown>, field: string): string | null {
  const value = nullableNumber(data, field, WHAT);
  return value === null ? null : usdText(value);
}

/**
 * Reads a generation record. `total_cost` is what the account was charged (USD); the `native_tokens_*` counts are the
 * model tokenizer's (what billing uses), `tokens_*` OpenRouter's normalised counts (not used).
 */
export function parseGeneration(body: unknown): GenerationRecord {
  const data = dataObject(body, WHAT);
  const id = optionalString(data, 'id');
  const totalCost = requiredNumber(data, 'total_cost', WHAT);
  if (totalCost < 0) throw new OpenRouterResponseError(`${WHAT}: total_cost is negative (${totalCost})`);
  return {
    id,
    totalCost: usdText(totalCost),
    model: optionalString(data, 'model'),
    providerName: optionalString(data, 'provider_name'),
    upstreamInferenceCost: money(data, 'upstream_inference_cost'),
    cacheDiscount: money(data, 'cache_discount'),
    nativeTokensPrompt: count(data, 'native_tokens_prompt'),
    nativeTokensCompletion: count(data, 'native_tokens_completion'),
    nativeTokensReasoning: count(data, 'native_tokens_reasoning'),
    nativeTokensCached: count(data, 'native_tokens_cached'),
    streamed: optionalBoolean(data, 'streamed'),
    cancelled: optionalBoolean(data, 'cancelled'),
    isByok: optionalBoolean(data, 'is_byok'),
    finishReason: optionalString(data, 'finish_reason'),
  };
}
