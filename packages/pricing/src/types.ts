/**
 * Public types of `@llm-cost/pricing`: the canonical usage shape every provider is normalised to, and the priced
 * result. The instrumentation's provider modules produce `TokenUsage`; the exporter and collector consume `PriceResult`.
 */

/**
 * Token usage of one call, in one canonical shape for every provider.
 *
 * Parts are contained in their totals: `cacheReadTokens + cacheWriteTokens <= inputTokens` and
 * `reasoningTokens <= outputTokens`. Inconsistent counts are clamped and flagged (see {@link PriceResult.flags}),
 * never thrown.
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
 * How the call was billed, beyond the standard rate.
 * - `batch`: the provider's batch API (typically 50% off).
 * - `flex`, `priority`: OpenAI service tiers.
 * @default 'standard'
 */
export type PricingMode = 'standard' | 'batch' | 'flex' | 'priority';

/** What `priceUsage` needs to know about one call. */
export interface PriceUsageInput {
  /** Provider as the instrumentation names it (`gen_ai.provider.name`: `openai`, `gcp.gemini`, `x_ai`, ...) or as
   * the price data names it (`google`, `x-ai`, ...). */
  provider: string;
  /** Model id as the response reported it (preferred) or as requested: dated snapshots, `anthropic/claude-sonnet-4`,
   * Bedrock and Vertex ids, Azure deployment names (through the configured deployment map). */
  model: string;
  usage: TokenUsage;
  /** When the call happened; prices are looked up at this time. @default now */
  timestamp?: Date | number | string;
  mode?: PricingMode;
  /** Cost the provider reported for the call (USD, decimal string or number). Wins over local pricing. */
  providerReportedCost?: string | number;
  /** Tenant the call is billed to; selects a per-tenant markup for `billedCost`. */
  tenant?: string;
}

/**
 * - `priced`: computed from the price table.
 * - `provider_reported`: the provider's own figure (OpenRouter `usage.cost`).
 * - `unknown_model`: no price for this model; all costs are `null` (never guessed, never zero).
 */
export type PricingStatus = 'priced' | 'provider_reported' | 'unknown_model';

/** Money is a decimal string in USD with 9 decimals (nano-USD), e.g. `"0.006840000"`, computed exactly. */
export type UsdAmount = string;

export interface PriceResult {
  status: PricingStatus;
  currency: 'USD';
  inputCost: UsdAmount | null;
  cacheReadCost: UsdAmount | null;
  cacheWriteCost: UsdAmount | null;
  outputCost: UsdAmount | null;
  /** List cost: the sum of the parts above (or the provider-reported figure). */
  totalCost: UsdAmount | null;
  /** What the tenant is billed: `totalCost` times the tenant's markup (equal to `totalCost` without one). */
  billedCost: UsdAmount | null;
  /** Identifies the price data (engine version or snapshot content hash) plus overrides, e.g.
   * `genai-prices@0.1.8` or `snapshot:3f9a1c2b+overrides:91ab2c3d`. */
  priceVersion: string;
  /** `provider:model` of the price entry used, or `null` for an unknown model. */
  matchedModel: string | null;
  /** Problems found and corrected in the input, e.g. `cache_read_exceeds_input` (counts were clamped). */
  flags: string[];
}
