/**
 * Public types of `@llm-cost/pricing`: what a call is priced from and the priced result. The usage shape
 * (`TokenUsage`, `PricingMode`) is the shared one of `@llm-cost/semconv`, which the instrumentation's provider modules
 * produce; the exporter and collector consume `PriceResult`.
 */
import type { PricingMode, TokenUsage } from '@llm-cost/semconv';

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
  /** Per-request fee (`requests_kcount` in the price data, e.g. Perplexity Sonar); `"0.000000000"` for most
   * models. Added to the contract by `@llm-cost/pricing` so that `totalCost` is the sum of the parts. */
  requestCost: UsdAmount | null;
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

// --- Pricer configuration -----------------------------------------------------------------------------------------

/** A price in USD per unit of its key (per million tokens for `*_mtok`, per thousand for `*_kcount`): a number, a
 * decimal string (exact), or long-context tiers keyed on the call's total input tokens. */
export type PriceValue = number | string | TieredPriceValue;

/** Whole-request tiers: when a call's total input tokens exceed `start`, that tier's price applies to every token. */
export interface TieredPriceValue {
  base: number | string;
  tiers: Array<{ start: number; price: number | string }>;
}

/** Prices of one model, in the keys of the genai-prices data format (`input_mtok`, `cache_read_mtok`,
 * `cache_write_mtok`, `cache_write_1h_mtok`, `output_mtok`, `output_reasoning_mtok`, `requests_kcount`, ...). */
export type ModelPrices = Record<string, PriceValue>;

/** Date-dependent prices: the last entry whose constraint holds at the call's timestamp applies. */
export interface ConditionalModelPrices {
  constraint?: { start_date: string } | { start_time: string; end_time: string };
  prices: ModelPrices;
}

/** One price override. */
export interface PriceOverride {
  /** Provider the override is for (`openai`, `gcp.vertex_ai`, `my-gateway`, ...). Without it, the override applies
   * to the model from any provider; a provider-qualified override beats a model-only one. */
  provider?: string;
  /** Model id, matched case-insensitively and exactly (after the Azure deployment map). */
  model: string;
  prices: ModelPrices | ConditionalModelPrices[];
}

/** Options of {@link createPricer}. */
export interface PricerOptions {
  /**
   * Price data to use instead of the data bundled with the engine: the parsed JSON of a genai-prices v2 data file
   * (what `llm-cost prices sync` writes). Validated on creation; unknown price fields are an error.
   * @default the data bundled in `@pydantic/genai-prices` (see `ENGINE_VERSION`)
   */
  snapshot?: unknown;
  /**
   * Path of a price data file (JSON) to read instead of the bundled data. Ignored when `snapshot` is given.
   * The default pricer reads it from the environment variable `LLM_COST_PRICES_FILE`.
   * @default undefined (bundled data)
   */
  snapshotFile?: string;
  /** In-code price overrides; they beat the overrides file, which beats the price data. @default [] */
  overrides?: PriceOverride[];
  /**
   * Path of a YAML or JSON overrides file: `{ overrides: PriceOverride[] }` or a bare list.
   * The default pricer reads it from the environment variable `LLM_COST_PRICE_OVERRIDES_FILE`.
   * @default undefined
   */
  overridesFile?: string;
  /**
   * Per-tenant markup as a decimal (`{ acme: "1.3" }` bills 130% of list cost); key `"*"` applies to tenants
   * without an entry of their own. Affects `billedCost` only. At most 6 decimals.
   * @default {} (billedCost = totalCost)
   */
  markups?: Record<string, string | number>;
  /** Azure OpenAI deployment name → model id (`{ "my-gpt4o": "gpt-4o" }`), for provider `azure.ai.openai`. @default {} */
  azureDeployments?: Record<string, string>;
}

/** A configured pricer: one price table, overrides and markups, with cached model lookups. */
export interface Pricer {
  /** Price one call. Never throws for bad usage or unknown models (see `status` and `flags`). */
  priceUsage(input: PriceUsageInput): PriceResult;
  /** `genai-prices@0.1.8` or `snapshot:<sha256 prefix>`, plus `+overrides:<sha256 prefix>` when overrides apply. */
  readonly priceVersion: string;
  /** Where the price data came from. */
  readonly source: 'bundled' | 'snapshot';
  /** The price entry a provider/model pair maps to (`provider:model`), or `null` when unknown. */
  resolveModel(provider: string, model: string): string | null;
}
