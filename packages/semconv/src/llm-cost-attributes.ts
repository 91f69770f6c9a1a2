/**
 * Names under `llm_cost.*`: ours, for what the GenAI conventions have no name for yet (usage source, how a call
 * ended, tags, provider-reported cost, in-process prices), and the values they take.
 */

/** Prefix of tag attributes: `withTags({ user_id: '42' })` becomes `llm_cost.tag.user_id = "42"`. */
export const LLM_COST_TAG_PREFIX = 'llm_cost.tag.';
/** Where the token counts came from: see {@link USAGE_SOURCE}. */
export const ATTR_LLM_COST_USAGE_SOURCE = 'llm_cost.usage_source';
/** Anthropic's split of cache writes by time-to-live (priced differently); parts of cache_creation.input_tokens. */
export const ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS = 'llm_cost.usage.cache_write_5m.input_tokens';
export const ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS = 'llm_cost.usage.cache_write_1h.input_tokens';
/**
 * Cost the provider reported for this call, as a decimal string in USD (OpenRouter `usage.cost`,
 * xAI `cost_in_usd_ticks` / 1e10). Pricing prefers it over the local price table.
 */
export const ATTR_LLM_COST_PROVIDER_REPORTED_COST = 'llm_cost.provider_reported_cost';
/** Pricing mode when it is not the standard one: `batch`, `flex`, `priority` (see `PricingMode`). */
export const ATTR_LLM_COST_PRICING_MODE = 'llm_cost.pricing_mode';
/** Set with `priceSpans: true`: the price table version the cost attributes were computed with. */
export const ATTR_LLM_COST_PRICE_VERSION = 'llm_cost.price_version';
/** Set with `priceSpans: true`: `priced`, `provider_reported` or `unknown_model`. */
export const ATTR_LLM_COST_PRICING_STATUS = 'llm_cost.pricing_status';
/** Set with `priceSpans: true`: the price table entry the model matched. */
export const ATTR_LLM_COST_PRICED_MODEL = 'llm_cost.priced_model';
/** Set with `priceSpans: true`: cost breakdown as decimal strings in USD. */
export const ATTR_LLM_COST_COST_INPUT = 'llm_cost.cost.input';
export const ATTR_LLM_COST_COST_CACHE_READ = 'llm_cost.cost.cache_read';
export const ATTR_LLM_COST_COST_CACHE_WRITE = 'llm_cost.cost.cache_write';
export const ATTR_LLM_COST_COST_OUTPUT = 'llm_cost.cost.output';
export const ATTR_LLM_COST_COST_BILLED = 'llm_cost.cost.billed';

/** Values of `llm_cost.usage_source`. */
export const USAGE_SOURCE = {
  /** Read from a non-streamed JSON response body. */
  response: 'response',
  /** Read from the final events of a streamed (SSE) response. */
  streamFinal: 'stream_final',
  /** The call finished without reporting usage (for example an OpenAI stream without `include_usage`). */
  unknown: 'unknown',
  /** Recorded by the application through `trackLlmCall` / `recordLlmResponse`. */
  manual: 'manual',
  /**
   * Read from the events a stream delivered before it was cancelled, failed or abandoned: a lower bound (for example
   * Anthropic's input tokens from `message_start` without the final output count).
   */
  streamPartial: 'stream_partial',
} as const;

/**
 * How the call ended, set on streamed calls and on calls that did not complete: see {@link END_REASON}.
 * A cancelled or aborted call is not an error (span status stays unset).
 */
export const ATTR_LLM_COST_END_REASON = 'llm_cost.end_reason';

/** Values of `llm_cost.end_reason`. */
export const END_REASON = {
  /** The response (or the stream) was read to the end. */
  completed: 'completed',
  /** The consumer stopped reading: `cancel()`, an early `break`, or releasing the reader before the end. */
  cancelled: 'cancelled',
  /** The request was aborted (AbortSignal) before a response arrived. */
  aborted: 'aborted',
  /** The network or the stream failed. */
  error: 'error',
  /** The response was garbage-collected without being read to the end (see the instrumentation README, "Streams"). */
  abandoned: 'abandoned',
} as const;

/** Instrumentation scope of the spans `@llm-cost/instrumentation` writes; the exporter uses it to recognise them. */
export const INSTRUMENTATION_SCOPE_NAME = '@llm-cost/instrumentation';
