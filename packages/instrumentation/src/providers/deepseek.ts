/**
 * DeepSeek (api.deepseek.com): the OpenAI shape; cache hits are reported as `prompt_cache_hit_tokens` (part of
 * `prompt_tokens`, next to `prompt_cache_miss_tokens`), reasoning as `completion_tokens_details.reasoning_tokens`
 * (part of `completion_tokens`). Without `include_usage`, usage rides on the `finish_reason` chunk.
 */
import { GEN_AI_PROVIDER, type TokenUsage } from '@llm-cost/semconv';
import { count, isObject } from './fields.js';
import { normalizeOpenAiUsage, openAiCompatibleProvider } from './openai-compatible.js';

/** DeepSeek usage → canonical usage: cache reads from `prompt_cache_hit_tokens` when present. */
export function normalizeDeepSeekUsage(usage: unknown): TokenUsage | undefined {
  const result = normalizeOpenAiUsage(usage);
  if (result === undefined || !isObject(usage)) return result;
  const hits = count(usage.prompt_cache_hit_tokens);
  if (hits !== undefined) result.cacheReadTokens = hits;
  return result;
}

export const deepseekProvider = openAiCompatibleProvider({
  name: GEN_AI_PROVIDER.deepseek,
  normalizeUsage: normalizeDeepSeekUsage,
});
