/**
 * The OpenAI API shape (chat completions, legacy completions, embeddings, Responses), shared by OpenAI and every
 * OpenAI-compatible provider. Each provider module configures what differs: usage semantics, reported cost, and
 * where stream chunks put usage.
 */
import type { TokenUsage } from '@llm-cost/semconv';
import type { CallResult, Endpoint, ProviderModule } from './types.js';
import { addFinishReason, child, count, isObject, text, type JsonObject } from './fields.js';

export const CHAT_COMPLETIONS: Endpoint = Object.freeze({ kind: 'chat_completions', operation: 'chat' });
export const RESPONSES: Endpoint = Object.freeze({ kind: 'responses', operation: 'chat' });
export const COMPLETIONS: Endpoint = Object.freeze({ kind: 'completions', operation: 'text_completion' });
export const EMBEDDINGS: Endpoint = Object.freeze({ kind: 'embeddings', operation: 'embeddings' });

/** OpenAI-shaped endpoints by path suffix: `/v1/chat/completions`, `/api/v1/chat/completions`, `/openai/v1/...`. */
export function matchOpenAiPath(path: string): Endpoint | undefined {
  const p = path.endsWith('/') ? path.slice(0, -1) : path;
  if (p.endsWith('/chat/completions')) return CHAT_COMPLETIONS;
  if (p.endsWith('/completions')) return COMPLETIONS;
  if (p.endsWith('/embeddings')) return EMBEDDINGS;
  if (p.endsWith('/responses')) return RESPONSES;
  return undefined;
}

/**
 * OpenAI usage → canonical usage.
 * Chat / completions / embeddings: `prompt_tokens` (cached included), `completion_tokens` (reasoning included),
 * `prompt_tokens_details.cached_tokens`, `completion_tokens_details.reasoning_tokens`.
 * Responses API: `input_tokens`, `output_tokens`, `input_tokens_details.cached_tokens`,
 * `output_tokens_details.reasoning_tokens` (same semantics). Embeddings have no output: 0.
 */
export function normalizeOpenAiUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const input = count(usage.prompt_tokens) ?? count(usage.input_tokens);
  const output = count(usage.completion_tokens) ?? count(usage.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const result: TokenUsage = { inputTokens: input ?? 0, outputTokens: output ?? 0 };
  const cached = count(child(usage.prompt_tokens_details ?? usage.input_tokens_details, 'cached_tokens'));
  if (cached !== undefined) result.cacheReadTokens = cached;
  const reasoning = count(child(usage.completion_tokens_details ?? usage.output_tokens_details, 'reasoning_tokens'));
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}

export interface OpenAiCompatibleSpec {
  /** `gen_ai.provider.name`. */
  name: string;
  /** Usage normaliser. @default normalizeOpenAiUsage */
  normalizeUsage?: (usage: unknown) => TokenUsage | undefined;
  /** Cost the provider reports inside `usage`, as an exact USD decimal string. */
  reportedCost?: (usage: JsonObject) => string | undefined;
  /** Usage a stream chunk carries somewhere other than `usage` (Groq: `x_groq.usage`). */
  streamUsage?: (chunk: JsonObject) => unknown;
  /** Endpoint matcher. @default matchOpenAiPath */
  matchPath?: (path: string) => Endpoint | undefined;
}

/**
 * Chat chunks that carry usage, a finish reason, an error (or Groq's `x_groq`), and the Responses API's lifecycle
 * events; content-only deltas are skipped without parsing.
 */
const MATTERS = /"usage"\s*:\s*\{|"finish_reason"\s*:\s*"|"type"\s*:\s*"(response\.|error)|"error"\s*:|"x_groq"/;

/** Builds the provider module of an OpenAI-compatible API. */
export function openAiCompatibleProvider(spec: OpenAiCompatibleSpec): ProviderModule {
  const normalizeUsage = spec.normalizeUsage ?? normalizeOpenAiUsage;
  const reportedCost = spec.reportedCost;
  const streamUsage = spec.streamUsage;

  const readUsage = (usage: unknown, out: CallResult): void => {
    if (!isObject(usage)) return;
    const normalized = normalizeUsage(usage);
    if (normalized !== undefined) out.usage = normalized;
    const cost = reportedCost?.(usage);
    if (cost !== undefined) out.providerReportedCost = cost;
  };

  const readCommon = (body: JsonObject, out: CallResult): void => {
    const model = text(body.model);
    if (model !== undefined) out.responseModel = model;
    const id = text(body.id);
    if (id !== undefined) out.responseId = id;
    const tier = text(body.service_tier);
    if (tier !== undefined) {
      out.serviceTier = tier;
      if (tier === 'flex' || tier === 'priority') out.pricingMode = tier;
    }
    const choices = body.choices;
    if (Array.isArray(choices)) {
      for (let i = 0; i < choices.length; i++) {
        const choice: unknown = choices[i];
        if (isObject(choice)) addFinishReason(out, choice.index ?? i, choice.finish_reason);
      }
    }
  };

  const readBody = (body: unknown, _endpoint: Endpoint, out: CallResult): void => {
    if (!isObject(body)) return;
    readCommon(body, out);
    const incomplete = text(child(body.incomplete_details, 'reason'));
    if (incomplete !== undefined) out.finishReasons = [incomplete];
    if (body.status === 'failed') out.errorType = text(child(body.error, 'code')) ?? 'failed';
    readUsage(body.usage, out);
  };

  const readStreamEvent = (_event: string | undefined, data: unknown, endpoint: Endpoint, out: CallResult): void => {
    if (!isObject(data)) return;
    const type = data.type;
    if (typeof type === 'string') {
      // Responses API events: the final `response.completed` (or `.incomplete` / `.failed`) carries the response.
      if (type.startsWith('response.')) {
        if (isObject(data.response)) readBody(data.response, endpoint, out);
        if (type === 'response.completed' || type === 'response.incomplete' || type === 'response.failed') {
          out.streamComplete = true;
        }
        return;
      }
      if (type === 'error') {
        out.errorType = text(data.code) ?? 'error';
        return;
      }
    }
    if (isObject(data.error)) {
      const code = data.error.code ?? data.error.type;
      out.errorType = typeof code === 'string' || typeof code === 'number' ? String(code) : 'error';
      return;
    }
    readCommon(data, out);
    if (isObject(data.usage)) {
      readUsage(data.usage, out);
    } else if (streamUsage !== undefined) {
      readUsage(streamUsage(data), out);
    }
  };

  return {
    name: spec.name,
    openAiCompatible: true,
    readsFirstStreamEvent: false,
    matchPath: spec.matchPath ?? matchOpenAiPath,
    readBody,
    streamEventMatters: (data) => MATTERS.test(data),
    readStreamEvent,
    normalizeUsage,
  };
}
