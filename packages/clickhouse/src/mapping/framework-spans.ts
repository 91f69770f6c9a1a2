/*
 * Spans of AI frameworks, read into the same terms as a GenAI instrumentation's span.
 *
 * Vercel AI SDK, `ai` 5 and 6 (`experimental_telemetry: { isEnabled: true }`), measured with the real packages:
 * - `ai.generateText` / `ai.streamText` / `ai.generateObject` / `ai.embed` / `ai.embedMany` (outer span, one per
 *   SDK call): `ai.operationId`, `ai.model.provider` (`openai.responses`), `ai.model.id`, and `ai.usage.*` summed
 *   over every step. No `gen_ai.*` attribute. `ai` 5 leaves only `ai.usage.completionTokens` there.
 * - `ai.generateText.doGenerate` / `ai.streamText.doStream` / `ai.embed.doEmbed` (one per model call, i.e. per step):
 *   the same `ai.*` plus `gen_ai.system` (the AI SDK provider id again), `gen_ai.request.model`,
 *   `gen_ai.response.model`, `gen_ai.response.id` and `gen_ai.usage.input_tokens` / `output_tokens`; `ai` 6 adds
 *   `ai.usage.cachedInputTokens`, `ai.usage.inputTokenDetails.*` and `ai.usage.reasoningTokens`. Embedding spans
 *   carry only `ai.usage.tokens`.
 * Both kinds are read as model calls (operation from `ai.operationId`, provider from the AI SDK provider id), so the
 * one-charge rule sees the outer span as the parent of its `do*` spans: one step makes outer + `doGenerate` + our
 * fetch span one call; several steps make the outer span an aggregate that is not charged (`resolveCalls`).
 * `ai` 7 with `@ai-sdk/otel` writes the GenAI conventions (`invoke_agent` over `chat` spans) and needs nothing here.
 *
 * OpenInference's LangChain instrumentation writes `openinference.span.kind = LLM` with `llm.model_name` and
 * `llm.token_count.*` but no `llm.provider`; LangChain's own run metadata names it (`ls_provider`).
 */
import {
  ATTR_AI_MODEL_ID,
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_OPERATION_ID,
  ATTR_AI_RESPONSE_ID,
  ATTR_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_OPENINFERENCE_METADATA,
  ATTR_OPENINFERENCE_SPAN_KIND,
  GEN_AI_OPERATION,
  GEN_AI_PROVIDER,
} from '@llm-cost/semconv';

import { readString } from './attribute-values.js';
import { normalizeProviderName } from './provider-names.js';

type Attributes = Readonly<Record<string, unknown>>;

/** What a framework span says about the call, where the GenAI attributes are missing. */
export interface FrameworkReading {
  provider: string;
  operation: string;
  requestModel: string | undefined;
  responseModel: string | undefined;
  responseId: string | undefined;
  stream: boolean;
}

/**
 * The AI SDK's provider ids (`<provider>.<api>`) and LangChain's `ls_provider` values to `gen_ai.provider.name`
 * values. The part before the first dot names the provider, except Google's Vertex, which needs the second part.
 */
const FRAMEWORK_PROVIDERS: Readonly<Record<string, string>> = {
  openai: GEN_AI_PROVIDER.openai,
  azure: GEN_AI_PROVIDER.azureOpenai,
  'azure-openai': GEN_AI_PROVIDER.azureOpenai,
  anthropic: GEN_AI_PROVIDER.anthropic,
  google: GEN_AI_PROVIDER.gemini,
  'google.vertex': GEN_AI_PROVIDER.vertexAi,
  vertex: GEN_AI_PROVIDER.vertexAi,
  'amazon-bedrock': GEN_AI_PROVIDER.bedrock,
  bedrock: GEN_AI_PROVIDER.bedrock,
  xai: GEN_AI_PROVIDER.xai,
  deepseek: GEN_AI_PROVIDER.deepseek,
  mistral: GEN_AI_PROVIDER.mistral,
  groq: GEN_AI_PROVIDER.groq,
  perplexity: GEN_AI_PROVIDER.perplexity,
  cohere: GEN_AI_PROVIDER.cohere,
  openrouter: GEN_AI_PROVIDER.openrouter,
  togetherai: GEN_AI_PROVIDER.together,
  fireworks: GEN_AI_PROVIDER.fireworks,
  // LangChain (`ls_provider`)
  google_genai: GEN_AI_PROVIDER.gemini,
  google_vertexai: GEN_AI_PROVIDER.vertexAi,
  amazon_bedrock: GEN_AI_PROVIDER.bedrock,
  together: GEN_AI_PROVIDER.together,
};

const providerCache = new Map<string, string>();

/** `openai.responses` → `openai`, `google.vertex.chat` → `gcp.vertex_ai`, `google_genai` → `gcp.gemini`; unknown ids keep their first part. */
export function frameworkProvider(id: string): string {
  let provider = providerCache.get(id);
  if (provider === undefined) {
    const lower = id.trim().toLowerCase();
    const [first = '', second] = lower.split('.', 2);
    provider =
      (second !== undefined ? FRAMEWORK_PROVIDERS[`${first}.${second}`] : undefined) ??
      FRAMEWORK_PROVIDERS[first] ??
      normalizeProviderName(first);
    // Bounded: ids come from spans, possibly from outside.
    if (providerCache.size < 256) providerCache.set(id, provider);
  }
  return provider;
}

/** `ai.generateText.doGenerate` → `chat`; `ai.embed.doEmbed` → `embeddings`; other operations (tools) → undefined. */
function aiSdkOperation(operationId: string): string | undefined {
  const [, fn] = operationId.split('.', 2);
  switch (fn) {
    case 'generateText':
    case 'streamText':
    case 'generateObject':
    case 'streamObject':
      return GEN_AI_OPERATION.chat;
    case 'embed':
    case 'embedMany':
      return GEN_AI_OPERATION.embeddings;
    default:
      return undefined;
  }
}

/**
 * Reads an AI SDK span (it has `ai.operationId`), or undefined when it is not one or describes no model call
 * (`ai.toolCall`, no provider). Called only when the span has no GenAI provider attribute of its own, or has the AI
 * SDK's `gen_ai.system`.
 */
export function readAiSdkSpan(attributes: Attributes): FrameworkReading | undefined {
  const operationId = readString(attributes, ATTR_AI_OPERATION_ID);
  if (operationId === undefined) return undefined;
  const operation = aiSdkOperation(operationId);
  const providerId = readString(attributes, ATTR_AI_MODEL_PROVIDER) ?? readString(attributes, ATTR_GEN_AI_SYSTEM);
  if (operation === undefined || providerId === undefined || providerId === '') return undefined;
  return {
    provider: frameworkProvider(providerId),
    operation,
    requestModel: readString(attributes, ATTR_AI_MODEL_ID),
    responseModel: readString(attributes, ATTR_AI_RESPONSE_MODEL),
    responseId: readString(attributes, ATTR_AI_RESPONSE_ID),
    stream: operationId.includes('.stream'),
  };
}

const OPENINFERENCE_OPERATIONS: Readonly<Record<string, string>> = {
  LLM: GEN_AI_OPERATION.chat,
  EMBEDDING: GEN_AI_OPERATION.embeddings,
};
const LS_PROVIDER = /"ls_provider"\s*:\s*"([^"]{1,64})"/;

/**
 * Reads the provider of an OpenInference LLM or embedding span that has no `llm.provider` (LangChain's): from
 * `ls_provider` in its run metadata. Undefined for other span kinds, or when the metadata does not name one (the span
 * is then not priced: a model name alone can belong to several providers).
 */
export function readOpenInferenceSpan(attributes: Attributes): FrameworkReading | undefined {
  const kind = readString(attributes, ATTR_OPENINFERENCE_SPAN_KIND);
  const operation = kind === undefined ? undefined : OPENINFERENCE_OPERATIONS[kind];
  if (operation === undefined) return undefined;
  const metadata = readString(attributes, ATTR_OPENINFERENCE_METADATA, 4096);
  const provider = metadata === undefined ? undefined : LS_PROVIDER.exec(metadata)?.[1];
  if (provider === undefined) return undefined;
  return {
    provider: frameworkProvider(provider),
    operation,
    requestModel: undefined,
    responseModel: undefined,
    responseId: undefined,
    stream: false,
  };
}
