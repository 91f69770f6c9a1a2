/**
 * The canonical shape of one call's token usage: every provider module of `@llm-cost/instrumentation` normalises
 * to it, the exporter reads it back from span attributes, and `@llm-cost/pricing` prices it.
 */

/**
 * Token usage of one call, in one canonical shape for every provider.
 *
 * Parts are contained in their totals, as in the GenAI conventions (`gen_ai.usage.input_tokens` "SHOULD include all
 * types of input tokens, including cached tokens"):
 * - `cacheReadTokens + cacheWriteTokens <= inputTokens`;
 * - `cacheWrite5mTokens + cacheWrite1hTokens == cacheWriteTokens` when the TTL split is known;
 * - `reasoningTokens <= outputTokens`.
 *
 * `@llm-cost/pricing` clamps inconsistent counts and flags them (`PriceResult.flags`); it never throws for them.
 * Each package README says how each provider's usage maps to this shape.
 */
export interface TokenUsage {
  /** All input tokens, cached (read and written) included. OpenAI `prompt_tokens`; Anthropic `input_tokens +
   * cache_read_input_tokens + cache_creation_input_tokens`; Gemini `promptTokenCount`. */
  inputTokens: number;
  /** Input tokens read from the provider's prompt cache (part of `inputTokens`). */
  cacheReadTokens?: number;
  /** Input tokens written to the provider's prompt cache (part of `inputTokens`). When the TTL split below is
   * known, `cacheWriteTokens` is their sum. */
  cacheWriteTokens?: number;
  /** Cache writes with a 5-minute TTL (Anthropic `cache_creation.ephemeral_5m_input_tokens`). */
  cacheWrite5mTokens?: number;
  /** Cache writes with a 1-hour TTL (Anthropic `cache_creation.ephemeral_1h_input_tokens`), priced higher. */
  cacheWrite1hTokens?: number;
  /** All output tokens, reasoning included (Gemini `candidatesTokenCount + thoughtsTokenCount`). */
  outputTokens: number;
  /** Reasoning / thinking tokens (part of `outputTokens`). */
  reasoningTokens?: number;
}

/**
 * How the call was billed, beyond the standard rate (span attribute `llm_cost.pricing_mode`).
 * - `batch`: the provider's batch API (typically 50% off).
 * - `flex`, `priority`: OpenAI service tiers.
 * @default 'standard'
 */
export type PricingMode = 'standard' | 'batch' | 'flex' | 'priority';
