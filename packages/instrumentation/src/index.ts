/**
 * @llm-cost/instrumentation: every LLM call made through fetch or an LLM SDK becomes an OpenTelemetry GenAI span,
 * ready to price and tagged from `withTags()`.
 */
export { registerLlmCostInstrumentation } from './register.js';
export { withTags, getTags } from './tags.js';
export { wrapFetch } from './capture/fetch/fetch-capture.js';
export { trackLlmCall, recordLlmResponse } from './manual-calls.js';
export { MissingResponseFieldError, InvalidLlmCallError } from './errors.js';
export { canonicalProviderName, PROVIDER_ALIASES, DEFAULT_HOSTS, DEFAULT_HOST_SUFFIXES } from './providers/registry.js';
export { normalizeOpenAiUsage } from './providers/openai.js';
export { normalizeAnthropicUsage } from './providers/anthropic.js';
export { normalizeGeminiUsage } from './providers/gemini.js';
export { normalizeOpenRouterUsage } from './providers/openrouter.js';
export { normalizeXaiUsage } from './providers/xai.js';
export { normalizeDeepSeekUsage } from './providers/deepseek.js';
export { normalizeUsage } from './normalize-usage.js';
export { VERSION } from './version.js';
export type {
  TagValue,
  Tags,
  BudgetCheckRequest,
  BudgetDecision,
  BudgetGuard,
  RecordedLlmCall,
  SpanPriceInput,
  SpanPriceResult,
  SpanPricer,
  LlmCostInstrumentationOptions,
  LlmCostInstrumentation,
  TrackLlmCallInput,
  RecordLlmResponseOptions,
} from './types.js';
export type { TokenUsage, PricingMode } from '@llm-cost/semconv';
export {
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
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
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_COST_CURRENCY,
  ATTR_GEN_AI_USAGE_COST_SOURCE,
  GEN_AI_PROVIDER,
  GEN_AI_OPERATION,
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
  ATTR_LLM_COST_END_REASON,
  USAGE_SOURCE,
  END_REASON,
  INSTRUMENTATION_SCOPE_NAME,
} from '@llm-cost/semconv';
