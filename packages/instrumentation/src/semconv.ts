/**
 * Every span attribute name llm-cost reads or writes, in one place.
 *
 * Stable names come from `@opentelemetry/semantic-conventions`; the incubating `gen_ai.*` names are copied here
 * (the package's `incubating` entry point is not meant to be depended on by libraries) from the GenAI semantic
 * conventions: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
 * Names under `llm_cost.*` are ours; they carry what the conventions have no name for yet.
 *
 * This module is the contract between the instrumentation (which writes these attributes) and the exporter and
 * collector (which read them). Other packages import the constants from `@llm-cost/instrumentation`; a literal
 * `'gen_ai.…'` string appears nowhere else in the project.
 */
export {
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
} from '@opentelemetry/semantic-conventions';

// --- GenAI semantic conventions (incubating) ---------------------------------------------------------------------

/** Provider of the model, e.g. `openai`, `anthropic`, `gcp.gemini` (see {@link GEN_AI_PROVIDER}). */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
/** Deprecated predecessor of `gen_ai.provider.name`; still sent by older instrumentations (OpenLLMetry). */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** `chat`, `text_completion`, `embeddings`, `generate_content` (see {@link GEN_AI_OPERATION}). */
export const ATTR_GEN_AI_OPERATION_NAME = 'gen_ai.operation.name';
export const ATTR_GEN_AI_REQUEST_MODEL = 'gen_ai.request.model';
export const ATTR_GEN_AI_REQUEST_STREAM = 'gen_ai.request.stream';
export const ATTR_GEN_AI_RESPONSE_MODEL = 'gen_ai.response.model';
export const ATTR_GEN_AI_RESPONSE_ID = 'gen_ai.response.id';
export const ATTR_GEN_AI_RESPONSE_FINISH_REASONS = 'gen_ai.response.finish_reasons';
/**
 * All input tokens of the call, cached ones included (semconv: "SHOULD include all types of input tokens, including
 * cached tokens"). For Anthropic this is `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`.
 */
export const ATTR_GEN_AI_USAGE_INPUT_TOKENS = 'gen_ai.usage.input_tokens';
/** All output tokens, reasoning tokens included (Gemini thoughts and xAI reasoning are added in). */
export const ATTR_GEN_AI_USAGE_OUTPUT_TOKENS = 'gen_ai.usage.output_tokens';
/** Input tokens served from the provider's cache (a part of input_tokens). */
export const ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read.input_tokens';
/** Input tokens written to the provider's cache (a part of input_tokens). */
export const ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation.input_tokens';
/** Reasoning tokens (a part of output_tokens). */
export const ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS = 'gen_ai.usage.reasoning.output_tokens';
/** Deprecated token names still written by OpenLLMetry and older instrumentations; read by the exporter. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';
export const ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER = 'gen_ai.openai.request.service_tier';
export const ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER = 'gen_ai.openai.response.service_tier';
/**
 * Proposed cost attributes for the GenAI conventions, set when the instrumentation prices in process
 * (`priceSpans: true`), so any tracing backend shows the cost.
 */
export const ATTR_GEN_AI_USAGE_COST_AMOUNT = 'gen_ai.usage.cost.amount';
export const ATTR_GEN_AI_USAGE_COST_CURRENCY = 'gen_ai.usage.cost.currency';
/** `provider` (the provider reported the cost) or `local` (priced from the price table). */
export const ATTR_GEN_AI_USAGE_COST_SOURCE = 'gen_ai.usage.cost.source';

/** Well-known `gen_ai.provider.name` values (semconv), plus ours for providers the conventions do not list yet. */
export const GEN_AI_PROVIDER = {
  openai: 'openai',
  azureOpenai: 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertexAi: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  xai: 'x_ai',
  deepseek: 'deepseek',
  mistral: 'mistral_ai',
  groq: 'groq',
  perplexity: 'perplexity',
  cohere: 'cohere',
  // Not (yet) in the conventions:
  openrouter: 'openrouter',
  together: 'together',
  fireworks: 'fireworks',
} as const;

/** Well-known `gen_ai.operation.name` values. */
export const GEN_AI_OPERATION = {
  chat: 'chat',
  textCompletion: 'text_completion',
  embeddings: 'embeddings',
  generateContent: 'generate_content',
} as const;

// --- llm-cost attributes -----------------------------------------------------------------------------------------

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
/** Pricing mode when it is not the standard one: `batch`, `flex`, `priority` (see `@llm-cost/pricing`). */
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
  /** The response was garbage-collected without being read to the end (see the README, "Streams"). */
  abandoned: 'abandoned',
} as const;

/** Instrumentation scope of our spans; the exporter uses it to recognise them. */
export const INSTRUMENTATION_SCOPE_NAME = '@llm-cost/instrumentation';
