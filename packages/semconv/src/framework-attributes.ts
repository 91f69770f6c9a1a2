/**
 * Names AI frameworks write on their own spans, read by the exporter to price those spans (and to charge a call
 * described by several layers once).
 *
 * - Vercel AI SDK (`ai` 5 and 6, `experimental_telemetry`): `ai.*` attributes on `ai.generateText`,
 *   `ai.generateText.doGenerate`, `ai.streamText.doStream`, `ai.embed`, ... spans
 *   (https://ai-sdk.dev/docs/ai-sdk-core/telemetry). Its inner `do*` spans also carry `gen_ai.system` (the AI SDK's
 *   provider id, such as `openai.responses`), `gen_ai.request.model` and input / output tokens. `ai` 7 with
 *   `@ai-sdk/otel` writes the GenAI conventions instead and needs none of these.
 * - LangChain through OpenInference (`@arizeai/openinference-instrumentation-langchain`): LLM spans carry no
 *   `llm.provider`; the provider is in the run's LangSmith metadata (`ls_provider`), a JSON string in `metadata`.
 */

// --- Vercel AI SDK ------------------------------------------------------------------------------------------------
/** `ai.generateText`, `ai.generateText.doGenerate`, `ai.streamText.doStream`, `ai.embed.doEmbed`, ... */
export const ATTR_AI_OPERATION_ID = 'ai.operationId';
/** The AI SDK's provider id: `openai.chat`, `openai.responses`, `anthropic.messages`, `google.generative-ai`, ... */
export const ATTR_AI_MODEL_PROVIDER = 'ai.model.provider';
/** The model id the caller asked for. */
export const ATTR_AI_MODEL_ID = 'ai.model.id';
/** The model that answered (inner `do*` spans). */
export const ATTR_AI_RESPONSE_MODEL = 'ai.response.model';
export const ATTR_AI_RESPONSE_ID = 'ai.response.id';
/** Input tokens (`ai` 5 and 6), including cached ones. */
export const ATTR_AI_USAGE_INPUT_TOKENS = 'ai.usage.inputTokens';
/** Input tokens, `ai` 4's name. */
export const ATTR_AI_USAGE_PROMPT_TOKENS = 'ai.usage.promptTokens';
/** Output tokens (`ai` 5 and 6), including reasoning tokens. */
export const ATTR_AI_USAGE_OUTPUT_TOKENS = 'ai.usage.outputTokens';
/** Output tokens, `ai` 4's name (also left on some `ai` 5 spans). */
export const ATTR_AI_USAGE_COMPLETION_TOKENS = 'ai.usage.completionTokens';
/** Embedding input tokens (`ai.embed`, `ai.embedMany`). */
export const ATTR_AI_USAGE_TOKENS = 'ai.usage.tokens';
export const ATTR_AI_USAGE_CACHED_INPUT_TOKENS = 'ai.usage.cachedInputTokens';
export const ATTR_AI_USAGE_CACHE_READ_TOKENS = 'ai.usage.inputTokenDetails.cacheReadTokens';
export const ATTR_AI_USAGE_CACHE_WRITE_TOKENS = 'ai.usage.inputTokenDetails.cacheWriteTokens';
export const ATTR_AI_USAGE_REASONING_TOKENS = 'ai.usage.reasoningTokens';
export const ATTR_AI_USAGE_OUTPUT_REASONING_TOKENS = 'ai.usage.outputTokenDetails.reasoningTokens';

// --- OpenInference LangChain --------------------------------------------------------------------------------------
/** OpenInference's run metadata, a JSON object as a string; LangChain puts `ls_provider` and `ls_model_name` in it. */
export const ATTR_OPENINFERENCE_METADATA = 'metadata';
