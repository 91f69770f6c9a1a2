/**
 * Google Gemini API (generativelanguage.googleapis.com) and Vertex AI (`*-aiplatform.googleapis.com`):
 * `models/{model}:generateContent`, `:streamGenerateContent`, `:embedContent`, `:batchEmbedContents`.
 *
 * Usage semantics: `promptTokenCount` INCLUDES `cachedContentTokenCount`; `candidatesTokenCount` EXCLUDES
 * `thoughtsTokenCount` (thoughts are billed as output, so they are added); `toolUsePromptTokenCount` (tool results fed
 * back to the model) is input on top of the prompt. Stream chunks carry cumulative `usageMetadata`: the last one wins,
 * never a sum. A non-SSE `streamGenerateContent` answers a JSON array of the same chunks.
 * Embedding responses report no usage (recorded as usage source `unknown`).
 */
import { GEN_AI_PROVIDER, type TokenUsage } from '@llm-cost/semconv';
import type { CallResult, Endpoint, EndpointKind, ProviderModule } from './types.js';
import { addFinishReason, count, isObject, text } from './fields.js';

const METHODS: Record<string, { kind: EndpointKind; operation: string; stream?: boolean }> = {
  generateContent: { kind: 'generate_content', operation: 'generate_content' },
  streamGenerateContent: { kind: 'stream_generate_content', operation: 'generate_content', stream: true },
  embedContent: { kind: 'embed_content', operation: 'embeddings' },
  batchEmbedContents: { kind: 'embed_content', operation: 'embeddings' },
};

function matchPath(path: string): Endpoint | undefined {
  const slash = path.lastIndexOf('/');
  const colon = path.indexOf(':', slash + 1);
  if (colon === -1) return undefined;
  const method = METHODS[path.slice(colon + 1)];
  if (method === undefined) return undefined;
  let model = path.slice(slash + 1, colon);
  try {
    model = decodeURIComponent(model);
  } catch {
    // A malformed escape: keep the raw segment.
  }
  const endpoint: { -readonly [K in keyof Endpoint]: Endpoint[K] } = { kind: method.kind, operation: method.operation };
  if (model !== '') endpoint.modelInPath = model;
  if (method.stream === true) endpoint.streamInPath = true;
  return endpoint;
}

/** Gemini `usageMetadata` → canonical usage (see the module comment for the mapping). */
export function normalizeGeminiUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const prompt = count(usage.promptTokenCount);
  const candidates = count(usage.candidatesTokenCount);
  const thoughts = count(usage.thoughtsTokenCount);
  const toolPrompt = count(usage.toolUsePromptTokenCount);
  if (prompt === undefined && candidates === undefined && thoughts === undefined) return undefined;
  const result: TokenUsage = {
    inputTokens: (prompt ?? 0) + (toolPrompt ?? 0),
    outputTokens: (candidates ?? 0) + (thoughts ?? 0),
  };
  const cached = count(usage.cachedContentTokenCount);
  if (cached !== undefined) result.cacheReadTokens = cached;
  if (thoughts !== undefined) result.reasoningTokens = thoughts;
  return result;
}

function readChunk(chunk: unknown, out: CallResult): void {
  if (!isObject(chunk)) return;
  const model = text(chunk.modelVersion);
  if (model !== undefined) out.responseModel = model;
  const id = text(chunk.responseId);
  if (id !== undefined) out.responseId = id;
  const candidates = chunk.candidates;
  if (Array.isArray(candidates)) {
    for (let i = 0; i < candidates.length; i++) {
      const candidate: unknown = candidates[i];
      if (isObject(candidate)) addFinishReason(out, candidate.index ?? i, candidate.finishReason);
    }
  }
  const usage = normalizeGeminiUsage(chunk.usageMetadata);
  if (usage !== undefined) out.usage = usage;
  if (isObject(chunk.error)) out.errorType = String(chunk.error.status ?? chunk.error.code ?? 'error');
}

function readBody(body: unknown, _endpoint: Endpoint, out: CallResult): void {
  if (Array.isArray(body)) {
    for (const chunk of body) readChunk(chunk, out);
  } else {
    readChunk(body, out);
  }
}

function readStreamEvent(_event: string | undefined, data: unknown, _endpoint: Endpoint, out: CallResult): void {
  readChunk(data, out);
  // The chunk that carries a finish reason is the last one.
  if (out.finishReasons !== undefined && out.finishReasons.length > 0) out.streamComplete = true;
}

const MATTERS = /"usageMetadata"|"finishReason"|"modelVersion"|"error"/;

function geminiFamily(name: string): ProviderModule {
  return {
    name,
    openAiCompatible: false,
    readsFirstStreamEvent: false,
    matchPath,
    readBody,
    streamEventMatters: (data) => MATTERS.test(data),
    readStreamEvent,
    normalizeUsage: normalizeGeminiUsage,
  };
}

export const geminiProvider = geminiFamily(GEN_AI_PROVIDER.gemini);
export const vertexAiProvider = geminiFamily(GEN_AI_PROVIDER.vertexAi);
