/**
 * Every span attribute name the exporter reads, in one place: ours come from `@llm-cost/instrumentation` (the
 * contract), the rest are the names other GenAI instrumentations write, old and new, which the exporter maps to ours.
 *
 * - OpenTelemetry GenAI conventions (current): https://opentelemetry.io/docs/specs/semconv/gen-ai/gen-ai-spans/
 * - OpenLLMetry (`@traceloop/instrumentation-*`, Python `opentelemetry-instrumentation-*`): `@traceloop/ai-semantic-
 *   conventions` SpanAttributes (`gen_ai.usage.cache_read_input_tokens`, `llm.usage.total_tokens`, ...).
 * - OpenInference (`@arizeai/openinference-*`): `llm.token_count.*`, `llm.model_name`, `llm.provider`.
 */
export {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVICE_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  LLM_COST_TAG_PREFIX,
  ATTR_LLM_COST_USAGE_SOURCE,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_PRICING_MODE,
  ATTR_LLM_COST_PRICE_VERSION,
  ATTR_LLM_COST_PRICING_STATUS,
  ATTR_LLM_COST_PRICED_MODEL,
  ATTR_LLM_COST_COST_INPUT,
  ATTR_LLM_COST_COST_CACHE_READ,
  ATTR_LLM_COST_COST_CACHE_WRITE,
  ATTR_LLM_COST_COST_OUTPUT,
  ATTR_LLM_COST_COST_BILLED,
  GEN_AI_PROVIDER,
  USAGE_SOURCE,
  INSTRUMENTATION_SCOPE_NAME,
} from '@llm-cost/instrumentation';

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

/** Instrumentation scopes whose Anthropic spans report `input_tokens` without the cached part (Anthropic's own
 * meaning) rather than the conventions' "all input tokens": `@traceloop/instrumentation-anthropic` 0.27 copies
 * `usage.input_tokens` as is. */
export const SCOPES_WITH_EXCLUSIVE_ANTHROPIC_INPUT: ReadonlySet<string> = new Set(['@traceloop/instrumentation-anthropic']);
