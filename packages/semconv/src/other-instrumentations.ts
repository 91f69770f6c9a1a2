/**
 * Names other GenAI instrumentations write, old and new, which the exporter maps to the current conventions.
 *
 * - Deprecated GenAI convention names, still sent by older instrumentations and by OpenLLMetry:
 *   https://opentelemetry.io/docs/specs/semconv/registry/attributes/gen-ai/#deprecated-genai-attributes
 * - OpenLLMetry (`@traceloop/instrumentation-*`, Python `opentelemetry-instrumentation-*`): `@traceloop/ai-semantic-
 *   conventions` SpanAttributes (`gen_ai.usage.cache_read_input_tokens`, `llm.usage.total_tokens`, ...).
 * - OpenInference (`@arizeai/openinference-*`): `llm.token_count.*`, `llm.model_name`, `llm.provider`.
 */

// --- Deprecated GenAI convention names ----------------------------------------------------------------------------
/** Deprecated predecessor of `gen_ai.provider.name`; still sent by older instrumentations (OpenLLMetry). */
export const ATTR_GEN_AI_SYSTEM = 'gen_ai.system';
/** Deprecated predecessor of `gen_ai.usage.input_tokens`, still written by OpenLLMetry and older instrumentations. */
export const ATTR_GEN_AI_USAGE_PROMPT_TOKENS = 'gen_ai.usage.prompt_tokens';
/** Deprecated predecessor of `gen_ai.usage.output_tokens`, still written by OpenLLMetry and older instrumentations. */
export const ATTR_GEN_AI_USAGE_COMPLETION_TOKENS = 'gen_ai.usage.completion_tokens';

// --- OpenLLMetry (Traceloop) names kept for backwards compatibility by its instrumentations ---------------------
/** Cache reads, OpenLLMetry's pre-convention name. */
export const ATTR_OPENLLMETRY_CACHE_READ_INPUT_TOKENS = 'gen_ai.usage.cache_read_input_tokens';
/** Cache writes, OpenLLMetry's pre-convention name. */
export const ATTR_OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS = 'gen_ai.usage.cache_creation_input_tokens';
/** Reasoning tokens, OpenLLMetry's name. */
export const ATTR_OPENLLMETRY_REASONING_TOKENS = 'gen_ai.usage.reasoning_tokens';
/** Total tokens, used to recover input tokens when only total and output are present. */
export const ATTR_OPENLLMETRY_TOTAL_TOKENS = 'gen_ai.usage.total_tokens';
export const ATTR_LLM_USAGE_TOTAL_TOKENS = 'llm.usage.total_tokens';
export const ATTR_LLM_USAGE_PROMPT_TOKENS = 'llm.usage.prompt_tokens';
export const ATTR_LLM_USAGE_COMPLETION_TOKENS = 'llm.usage.completion_tokens';
/** OpenLLMetry's request type (`chat`, `completion`, `embedding`) on older spans without gen_ai.operation.name. */
export const ATTR_LLM_REQUEST_TYPE = 'llm.request.type';

// --- OpenInference (Arize) ----------------------------------------------------------------------------------------
export const ATTR_OPENINFERENCE_SPAN_KIND = 'openinference.span.kind';
export const ATTR_OPENINFERENCE_PROVIDER = 'llm.provider';
export const ATTR_OPENINFERENCE_SYSTEM = 'llm.system';
export const ATTR_OPENINFERENCE_MODEL_NAME = 'llm.model_name';
export const ATTR_OPENINFERENCE_PROMPT_TOKENS = 'llm.token_count.prompt';
export const ATTR_OPENINFERENCE_COMPLETION_TOKENS = 'llm.token_count.completion';
export const ATTR_OPENINFERENCE_CACHE_READ_TOKENS = 'llm.token_count.prompt_details.cache_read';
export const ATTR_OPENINFERENCE_CACHE_WRITE_TOKENS = 'llm.token_count.prompt_details.cache_write';
export const ATTR_OPENINFERENCE_REASONING_TOKENS = 'llm.token_count.completion_details.reasoning';
