/**
 * Recording calls the fetch patch cannot see: `trackLlmCall` (a gateway, a batch replay, another language's client)
 * and `recordLlmResponse` (an application that already holds the parsed provider response). Both produce the same
 * span as the automatic capture, with usage source `manual`. Unlike the automatic capture, these explicit calls throw
 * a typed error on input they cannot record.
 */
import { context, trace, type Attributes, type Tracer } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_REQUEST_STREAM,
  GEN_AI_PROVIDER,
  INSTRUMENTATION_SCOPE_NAME,
  USAGE_SOURCE,
  type TokenUsage,
} from '@llm-cost/semconv';
import type { RecordLlmResponseOptions, RecordedLlmCall, Tags, TrackLlmCallInput } from './types.js';
import type { ProviderModule } from './providers/types.js';
import { InvalidLlmCallError, MissingResponseFieldError } from './errors.js';
import { LlmSpan, type SpanSinks } from './llm-span.js';
import { providerModule } from './providers/registry.js';
import { isObject } from './providers/fields.js';
import { toDecimalString } from './decimal.js';
import { currentTagScope, defaultTagSet } from './tags.js';
import { extendTagSet } from './tag-validation.js';
import { sharedState } from './runtime-state.js';
import type { Runtime } from './runtime.js';
import { VERSION } from './version.js';

const PRICING_MODES = new Set(['standard', 'batch', 'flex', 'priority']);

function destination(): { tracer: Tracer; sinks: SpanSinks } {
  const active = sharedState.active as { runtime: Runtime } | undefined;
  if (active !== undefined) return { tracer: active.runtime.tracer, sinks: active.runtime.sinks };
  return {
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE_NAME, VERSION),
    sinks: { budgetGuard: undefined, pricer: () => undefined, metrics: undefined },
  };
}

/** Starts the span of a manually recorded call, under the current tags plus the call's own. */
function startManualSpan(
  module: ProviderModule,
  operation: string,
  requestModel: string,
  tags: Tags | undefined,
  startTime: number | Date | undefined,
  attributes: Attributes = {},
): LlmSpan {
  const { tracer, sinks } = destination();
  return new LlmSpan(
    {
      tracer,
      parent: context.active(),
      provider: module.name,
      operation,
      requestModel,
      attributes,
      defaults: defaultTagSet(),
      scope: extendTagSet(currentTagScope(), tags, sharedState.tagLimits),
      ...(startTime !== undefined ? { startTime } : {}),
    },
    sinks,
    module.openAiCompatible,
  );
}

function checkUsage(usage: unknown): TokenUsage {
  if (!isObject(usage)) throw new InvalidLlmCallError('usage', 'must be an object like { inputTokens, outputTokens }');
  const out: TokenUsage = { inputTokens: 0, outputTokens: 0 };
  for (const key of [
    'inputTokens',
    'outputTokens',
    'cacheReadTokens',
    'cacheWriteTokens',
    'cacheWrite5mTokens',
    'cacheWrite1hTokens',
    'reasoningTokens',
  ] as const) {
    const value = usage[key];
    if (value === undefined) {
      if (key === 'inputTokens' || key === 'outputTokens') {
        throw new InvalidLlmCallError(`usage.${key}`, 'is required');
      }
      continue;
    }
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
      throw new InvalidLlmCallError(`usage.${key}`, `must be a non-negative integer, got ${String(value)}`);
    }
    out[key] = value;
  }
  return out;
}

function checkTime(value: unknown, field: string): number | Date | undefined {
  if (value === undefined) return undefined;
  if (value instanceof Date && !Number.isNaN(value.getTime())) return value;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  throw new InvalidLlmCallError(field, 'must be a Date or epoch milliseconds');
}

function toRecorded(
  span: LlmSpan,
  provider: string,
  operation: string,
  requestModel: string,
  endTime: number | Date | undefined,
): RecordedLlmCall {
  const result = span.result;
  return {
    provider,
    operation,
    requestModel,
    ...(result.responseModel !== undefined ? { responseModel: result.responseModel } : {}),
    usage: result.usage,
    tags: span.tags().tags,
    timestamp: endTime === undefined ? Date.now() : endTime instanceof Date ? endTime.getTime() : endTime,
    ...(result.providerReportedCost !== undefined ? { providerReportedCost: result.providerReportedCost } : {}),
    ...(result.pricingMode !== undefined ? { pricingMode: result.pricingMode } : {}),
  };
}

/**
 * Records a call made by a client the instrumentation cannot see, as the same kind of span (usage source `manual`).
 * Throws {@link InvalidLlmCallError} on input it cannot record (missing provider or model, bad token counts).
 */
export function trackLlmCall(input: TrackLlmCallInput): RecordedLlmCall {
  if (!isObject(input)) throw new InvalidLlmCallError('input', 'must be an object');
  if (typeof input.provider !== 'string' || input.provider.trim() === '') {
    throw new InvalidLlmCallError('provider', 'must be a non-empty string');
  }
  if (typeof input.model !== 'string' || input.model.trim() === '') {
    throw new InvalidLlmCallError('model', 'must be a non-empty string');
  }
  const usage = input.usage === undefined ? undefined : checkUsage(input.usage);
  const startTime = checkTime(input.startTime, 'startTime');
  const endTime = checkTime(input.endTime, 'endTime');
  if (input.pricingMode !== undefined && !PRICING_MODES.has(input.pricingMode)) {
    throw new InvalidLlmCallError('pricingMode', 'must be standard, batch, flex or priority');
  }
  let reportedCost: string | undefined;
  if (input.providerReportedCost !== undefined) {
    reportedCost = toDecimalString(input.providerReportedCost);
    if (reportedCost === undefined) {
      throw new InvalidLlmCallError('providerReportedCost', 'must be a non-negative decimal number or string');
    }
  }
  const module = providerModule(input.provider);
  const operation = input.operation ?? 'chat';
  const span = startManualSpan(
    module,
    operation,
    input.model,
    input.tags,
    startTime,
    input.streamed === undefined ? {} : { [ATTR_GEN_AI_REQUEST_STREAM]: input.streamed },
  );
  const result = span.result;
  result.responseModel = input.responseModel ?? input.model;
  if (input.responseId !== undefined) result.responseId = input.responseId;
  if (Array.isArray(input.finishReasons)) result.finishReasons = input.finishReasons.filter((r) => typeof r === 'string');
  if (usage !== undefined) result.usage = usage;
  if (reportedCost !== undefined) result.providerReportedCost = reportedCost;
  if (input.pricingMode !== undefined) result.pricingMode = input.pricingMode;
  span.end({
    usageSource: USAGE_SOURCE.manual,
    ...(input.errorType !== undefined ? { errorType: String(input.errorType) } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
  });
  return toRecorded(span, module.name, operation, input.model, endTime);
}

/** Operation of a parsed body when the caller did not name it. */
function inferOperation(body: Record<string, unknown>, fallback: string): string {
  const object = body.object;
  if (object === 'text_completion') return 'text_completion';
  if (object === 'list' && Array.isArray(body.data)) return 'embeddings';
  if ('embedding' in body || 'embeddings' in body) return 'embeddings';
  return fallback;
}

/**
 * Parses a provider's JSON response the way the fetch patch would and records it as a span (usage source `manual`).
 * Throws {@link MissingResponseFieldError} naming the field when the body has no usable model or usage, and
 * {@link InvalidLlmCallError} when it is not a JSON object.
 */
export function recordLlmResponse(responseJson: unknown, options: RecordLlmResponseOptions): RecordedLlmCall {
  if (!isObject(options) || typeof options.provider !== 'string' || options.provider.trim() === '') {
    throw new InvalidLlmCallError('options.provider', 'must be a non-empty string');
  }
  let body: unknown = responseJson;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      throw new InvalidLlmCallError('responseJson', 'is a string that is not valid JSON');
    }
  }
  if (!isObject(body)) throw new InvalidLlmCallError('responseJson', 'must be a JSON object');
  const module = providerModule(options.provider);
  const gemini = module.name === GEN_AI_PROVIDER.gemini || module.name === GEN_AI_PROVIDER.vertexAi;
  const fallbackOperation = gemini ? 'generate_content' : 'chat';
  const operation = options.operation ?? inferOperation(body, fallbackOperation);
  const probe: Parameters<typeof module.readBody>[2] = {};
  const endpoint = { kind: 'chat_completions', operation } as const;
  module.readBody(body, endpoint, probe);
  const model = probe.responseModel ?? options.requestModel;
  if (model === undefined) throw new MissingResponseFieldError(module.name, gemini ? 'modelVersion' : 'model');
  if (probe.usage === undefined) throw new MissingResponseFieldError(module.name, gemini ? 'usageMetadata' : 'usage');
  const startTime = checkTime(options.startTime, 'startTime');
  const endTime = checkTime(options.endTime, 'endTime');
  const requestModel = options.requestModel ?? model;
  const span = startManualSpan(module, operation, requestModel, options.tags, startTime);
  Object.assign(span.result, probe);
  span.end({ usageSource: USAGE_SOURCE.manual, ...(endTime !== undefined ? { endTime } : {}) });
  return toRecorded(span, module.name, operation, requestModel, endTime);
}
