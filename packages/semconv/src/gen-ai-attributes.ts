/**
 * OpenTelemetry GenAI attribute names (incubating), as the instrumentation writes them and the exporter reads them.
 *
 * They are copied here, not imported: the `incubating` entry point of `@opentelemetry/semantic-conventions` is not
 * meant to be depended on by libraries (its names may change in any minor release).
 * Spec: https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
 * Registry: https://opentelemetry.io/docs/specs/semconv/registry/attributes/gen-ai/
 */

/** Provider of the model, e.g. `openai`, `anthropic`, `gcp.gemini` (see `GEN_AI_PROVIDER`). */
export const ATTR_GEN_AI_PROVIDER_NAME = 'gen_ai.provider.name';
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

/** Well-known `gen_ai.operation.name` values. */
export const GEN_AI_OPERATION = {
  chat: 'chat',
  textCompletion: 'text_completion',
  embeddings: 'embeddings',
  generateContent: 'generate_content',
} as const;
