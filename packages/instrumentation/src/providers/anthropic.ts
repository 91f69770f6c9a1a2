/**
 * Anthropic Messages API (`POST /v1/messages`).
 *
 * Usage semantics differ from OpenAI: `input_tokens` EXCLUDES cached tokens, so the canonical input is
 * `input_tokens + cache_read_input_tokens + cache_creation_input_tokens`. Cache writes split by TTL in
 * `cache_creation.ephemeral_5m_input_tokens` / `ephemeral_1h_input_tokens`. Thinking tokens are part of
 * `output_tokens` and not reported separately. With server-side compaction, `usage.iterations[]` lists every
 * sampling step and the top-level counts cover only the last one, so the iterations are summed (all are billed).
 *
 * Streams: `message_start.message.usage` has the input and cache counts; `message_delta.usage` has the final
 * (cumulative) `output_tokens` and, in newer API versions, repeats the input fields (which then win).
 */
import { GEN_AI_PROVIDER, type TokenUsage } from '@llm-cost/semconv';
import type { CallResult, Endpoint, ProviderModule } from './types.js';
import { addFinishReason, child, count, isObject, text, type JsonObject } from './fields.js';

export const MESSAGES: Endpoint = Object.freeze({ kind: 'messages', operation: 'chat' });

function matchPath(path: string): Endpoint | undefined {
  const p = path.endsWith('/') ? path.slice(0, -1) : path;
  return p.endsWith('/messages') ? MESSAGES : undefined;
}

interface Counts {
  input?: number;
  cacheRead?: number;
  cacheWrite?: number;
  write5m?: number;
  write1h?: number;
  output?: number;
}

function countsOf(usage: JsonObject): Counts {
  const creation = usage.cache_creation;
  return {
    input: count(usage.input_tokens),
    cacheRead: count(usage.cache_read_input_tokens),
    cacheWrite: count(usage.cache_creation_input_tokens),
    write5m: count(child(creation, 'ephemeral_5m_input_tokens')),
    write1h: count(child(creation, 'ephemeral_1h_input_tokens')),
    output: count(usage.output_tokens),
  };
}

function sumCounts(items: unknown[]): Counts | undefined {
  const total: Counts = {};
  let any = false;
  for (const item of items) {
    if (!isObject(item)) continue;
    const c = countsOf(item);
    for (const key of Object.keys(c) as (keyof Counts)[]) {
      const value = c[key];
      if (value !== undefined) {
        total[key] = (total[key] ?? 0) + value;
        any = true;
      }
    }
  }
  return any ? total : undefined;
}

/** Anthropic usage → canonical usage (see the module comment for the mapping). */
export function normalizeAnthropicUsage(usage: unknown): TokenUsage | undefined {
  if (!isObject(usage)) return undefined;
  const iterations = usage.iterations;
  const c = (Array.isArray(iterations) && iterations.length > 0 ? sumCounts(iterations) : undefined) ?? countsOf(usage);
  if (c.input === undefined && c.output === undefined && c.cacheRead === undefined && c.cacheWrite === undefined) {
    return undefined;
  }
  const result: TokenUsage = {
    inputTokens: (c.input ?? 0) + (c.cacheRead ?? 0) + (c.cacheWrite ?? 0),
    outputTokens: c.output ?? 0,
  };
  if (c.cacheRead !== undefined) result.cacheReadTokens = c.cacheRead;
  if (c.cacheWrite !== undefined) result.cacheWriteTokens = c.cacheWrite;
  if (c.write5m !== undefined) result.cacheWrite5mTokens = c.write5m;
  if (c.write1h !== undefined) result.cacheWrite1hTokens = c.write1h;
  return result;
}

function readServiceTier(usage: JsonObject, out: CallResult): void {
  const tier = text(usage.service_tier);
  if (tier === undefined) return;
  out.serviceTier = tier;
  if (tier === 'priority' || tier === 'batch') out.pricingMode = tier;
}

function readBody(body: unknown, _endpoint: Endpoint, out: CallResult): void {
  if (!isObject(body)) return;
  const model = text(body.model);
  if (model !== undefined) out.responseModel = model;
  const id = text(body.id);
  if (id !== undefined) out.responseId = id;
  addFinishReason(out, 0, body.stop_reason);
  if (isObject(body.usage)) {
    const usage = normalizeAnthropicUsage(body.usage);
    if (usage !== undefined) out.usage = usage;
    readServiceTier(body.usage, out);
  }
}

/** Merges a stream event's usage over what earlier events reported (later numbers are cumulative and win). */
function mergeUsage(out: CallResult, usage: JsonObject): void {
  const merged: JsonObject = out.rawUsage ?? {};
  for (const key of Object.keys(usage)) {
    const value = usage[key];
    if (value !== null && value !== undefined) merged[key] = value;
  }
  out.rawUsage = merged;
  const normalized = normalizeAnthropicUsage(merged);
  if (normalized !== undefined) out.usage = normalized;
  readServiceTier(merged, out);
}

function readStreamEvent(event: string | undefined, data: unknown, _endpoint: Endpoint, out: CallResult): void {
  if (!isObject(data)) return;
  const type = text(data.type) ?? event;
  if (type === 'message_start') {
    const message = data.message;
    if (!isObject(message)) return;
    const model = text(message.model);
    if (model !== undefined) out.responseModel = model;
    const id = text(message.id);
    if (id !== undefined) out.responseId = id;
    if (isObject(message.usage)) mergeUsage(out, message.usage);
  } else if (type === 'message_delta') {
    addFinishReason(out, 0, child(data.delta, 'stop_reason'));
    if (isObject(data.usage)) mergeUsage(out, data.usage);
  } else if (type === 'message_stop') {
    out.streamComplete = true;
  } else if (type === 'error') {
    out.errorType = text(child(data.error, 'type')) ?? 'error';
  }
}

/** message_start / message_delta / message_stop / error carry what we read; content and ping events do not. */
const MATTERS = /"type"\s*:\s*"(message_start|message_delta|message_stop|error)"/;

export const anthropicProvider: ProviderModule = {
  name: GEN_AI_PROVIDER.anthropic,
  openAiCompatible: false,
  readsFirstStreamEvent: true,
  matchPath,
  readBody,
  streamEventMatters: (data) => MATTERS.test(data),
  readStreamEvent,
  normalizeUsage: normalizeAnthropicUsage,
};
