/**
 * OpenRouter (openrouter.ai/api/v1): the OpenAI shape plus `usage.cost` (USD credits, the amount charged) and
 * `prompt_tokens_details.cache_write_tokens`. `prompt_tokens` includes cached and cache-write tokens.
 */
import { GEN_AI_PROVIDER, type TokenUsage } from '@llm-cost/semconv';
import { toDecimalString } from '../decimal.js';
import { child, count } from './fields.js';
import { normalizeOpenAiUsage, openAiCompatibleProvider } from './openai-compatible.js';

/** OpenRouter usage → canonical usage: OpenAI semantics plus cache writes. */
export function normalizeOpenRouterUsage(usage: unknown): TokenUsage | undefined {
  const result = normalizeOpenAiUsage(usage);
  if (result === undefined) return undefined;
  const writes = count(child(child(usage, 'prompt_tokens_details'), 'cache_write_tokens'));
  if (writes !== undefined) result.cacheWriteTokens = writes;
  return result;
}

export const openrouterProvider = openAiCompatibleProvider({
  name: GEN_AI_PROVIDER.openrouter,
  normalizeUsage: normalizeOpenRouterUsage,
  reportedCost: (usage) => toDecimalString(usage.cost),
});
