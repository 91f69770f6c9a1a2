/**
 * xAI (api.x.ai): the OpenAI shape, but `completion_tokens` excludes `reasoning_tokens`
 * (`total_tokens = prompt + completion + reasoning`), so reasoning is added to the output. Cost comes as
 * `usage.cost_in_usd_ticks` (1 tick = 1e-10 USD).
 */
import { GEN_AI_PROVIDER, type TokenUsage } from '@llm-cost/semconv';
import { ticksToUsd } from '../decimal.js';
import { normalizeOpenAiUsage, openAiCompatibleProvider } from './openai-compatible.js';

/** xAI usage → canonical usage: output = completion + reasoning tokens. */
export function normalizeXaiUsage(usage: unknown): TokenUsage | undefined {
  const result = normalizeOpenAiUsage(usage);
  if (result === undefined) return undefined;
  if (result.reasoningTokens !== undefined) result.outputTokens += result.reasoningTokens;
  return result;
}

export const xaiProvider = openAiCompatibleProvider({
  name: GEN_AI_PROVIDER.xai,
  normalizeUsage: normalizeXaiUsage,
  reportedCost: (usage) => ticksToUsd(usage.cost_in_usd_ticks),
});
