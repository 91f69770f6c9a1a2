/**
 * One LLM call, one CLIENT span: the start attributes every capture path shares (fetch, `trackLlmCall`,
 * `recordLlmResponse`) and the end, where usage, cost, tags and status are set and the budget guard hears about the
 * call.
 *
 * The OpenTelemetry span itself is made when the call ends, with the start time taken when the call started and every
 * attribute in one go, unless something needs it earlier (`span`: the fetch wrapper makes it the active context when
 * an HTTP-client instrumentation can see it). Starting an SDK span costs several microseconds; deferring it keeps
 * that off the request path (time to first chunk) and makes the span short-lived (it never survives into the
 * garbage collector's old generation during a long stream). Span processors therefore see `onStart` and `onEnd` of a
 * deferred span together, when the call ends.
 */
import { SpanKind, SpanStatusCode, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LLM_COST_PRICING_STATUS,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LLM_COST_END_REASON,
  ATTR_LLM_COST_PRICING_MODE,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS,
  ATTR_LLM_COST_USAGE_SOURCE,
  END_REASON,
  USAGE_SOURCE,
  type TokenUsage,
} from '@llm-cost/semconv';
import type { BudgetGuard, SpanPricer } from './types.js';
import type { CallResult } from './providers/types.js';
import { compactReasons } from './providers/fields.js';
import { EMPTY_TAG_SET, mergeTagSets, type TagSet } from './tag-validation.js';
import { sharedState } from './runtime-state.js';
import { errorOnce } from './diag-once.js';
import { priceAttributes } from './price-attributes.js';
import type { GenAiMetrics } from './genai-metrics.js';

export type UsageSource = (typeof USAGE_SOURCE)[keyof typeof USAGE_SOURCE];
export type EndReason = (typeof END_REASON)[keyof typeof END_REASON];

/** What the span needs from the configuration when it ends. */
export interface SpanSinks {
  readonly budgetGuard: BudgetGuard | undefined;
  /** Resolves the pricer lazily (undefined when pricing is off or unavailable). */
  readonly pricer: () => SpanPricer | undefined;
  /** GenAI client metrics (undefined with `metrics: false`). */
  readonly metrics: GenAiMetrics | undefined;
}

export interface LlmSpanStart {
  tracer: Tracer;
  parent: Context;
  provider: string;
  operation: string;
  requestModel: string | undefined;
  /** Start attributes shared by every call to the same endpoint (server address, stream flag): copied, never changed. */
  shared?: Readonly<Attributes> | undefined;
  /** This call's own extra start attributes (the request service tier, a manual call's attributes). */
  attributes?: Attributes | undefined;
  /** Default tags (under) and scope tags (over). */
  defaults: TagSet | undefined;
  scope: TagSet;
  startTime?: number | Date;
}

/** How the call ended. */
export interface LlmSpanOutcome {
  usageSource: UsageSource;
  endReason?: EndReason;
  /** Set `llm_cost.end_reason` even when the call completed (streamed calls always carry it). */
  recordEndReason?: boolean;
  status?: number;
  errorType?: string;
  endTime?: number | Date;
}

/** A started LLM call; `end` is idempotent. */
export class LlmSpan {
  readonly result: CallResult = {};
  ended = false;
  /** What the call started with; read again only when the span is made (nothing is copied per call before that). */
  private readonly start: LlmSpanStart;
  private readonly sinks: SpanSinks;
  /** `gen_ai.openai.response.service_tier` only means something for OpenAI-shaped APIs. */
  private readonly openAiShaped: boolean;
  /** Wall clock at the start and the monotonic clock with it, as the SDK itself takes them for a span's times. */
  private readonly startEpochMs: number;
  private readonly startPerfMs: number;
  private started: Span | undefined;
  /** Monotonic time the first chunk of a streamed response reached the application (time to first chunk). */
  firstChunkPerfMs: number | undefined;

  constructor(start: LlmSpanStart, sinks: SpanSinks, openAiShaped: boolean) {
    this.start = start;
    this.sinks = sinks;
    this.openAiShaped = openAiShaped;
    this.startEpochMs = Date.now();
    this.startPerfMs = performance.now();
  }

  /** The OpenTelemetry span, started now (at the call's start time) if it was not yet. May throw (a broken SDK). */
  get span(): Span {
    return (this.started ??= this.startSpan());
  }

  /**
   * What the request body said, read after the call started (`node:http` and `node:http2` see the body only when the
   * application writes it). Changes the start attributes; on a span already made (it was the active context while
   * the request started), sets them on it.
   */
  requestRead(model: string | undefined, shared: Readonly<Attributes> | undefined, attributes: Attributes | undefined): void {
    const start = this.start;
    start.requestModel = model;
    start.shared = shared;
    start.attributes = attributes;
    const span = this.started;
    if (span === undefined) return;
    if (shared !== undefined) span.setAttributes(shared);
    if (attributes !== undefined) span.setAttributes(attributes);
    if (model !== undefined) {
      span.setAttribute(ATTR_GEN_AI_REQUEST_MODEL, model);
      span.updateName(`${start.operation} ${model}`);
    }
  }

  /** The span with its start attributes: the endpoint's shared ones, the call's own, operation, provider, model, tags. */
  private startSpan(): Span {
    const start = this.start;
    const attributes: Attributes = start.shared === undefined ? {} : { ...start.shared };
    if (start.attributes !== undefined) Object.assign(attributes, start.attributes);
    attributes[ATTR_GEN_AI_OPERATION_NAME] = start.operation;
    attributes[ATTR_GEN_AI_PROVIDER_NAME] = start.provider;
    if (start.requestModel !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = start.requestModel;
    if (start.defaults !== undefined && start.defaults.count > 0) Object.assign(attributes, start.defaults.attributes);
    if (start.scope.count > 0) Object.assign(attributes, start.scope.attributes);
    const name = start.requestModel === undefined ? start.operation : `${start.operation} ${start.requestModel}`;
    const startTime = start.startTime ?? this.startEpochMs;
    return start.tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime }, start.parent);
  }

  /** When the call ended: the given time, else the start time plus the monotonic time elapsed (as the SDK does). */
  private endTime(given: number | Date | undefined): number | Date {
    if (given !== undefined) return given;
    if (this.start.startTime !== undefined) return Date.now();
    return this.startEpochMs + (performance.now() - this.startPerfMs);
  }

  /**
   * Drops a call that never left (the budget guard blocked it after it started, as `node:http` only knows the model
   * once the body is written): no span, nothing recorded, as for a call fetch blocks before it starts. A span already
   * made (it was the active context) ends with the blocking error's type.
   */
  discard(error: Error): void {
    if (this.ended) return;
    this.ended = true;
    const span = this.started;
    if (span === undefined) return;
    try {
      span.setAttribute(ATTR_ERROR_TYPE, error.name);
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    } catch (failure) {
      errorOnce('span:end', 'could not complete an LLM span', failure);
    }
  }

  /** Ends the span with everything the call reported. Never throws. */
  end(outcome: LlmSpanOutcome): void {
    if (this.ended) return;
    this.ended = true;
    try {
      this.finish(outcome);
    } catch (error) {
      errorOnce('span:end', 'could not complete an LLM span', error);
      try {
        // Only a span still open: when a span processor threw inside end(), the span did end, and ending it again
        // makes the SDK log two lines per call ("You can only call end() on a span once").
        const span = this.started;
        if (span !== undefined && span.isRecording()) span.end();
      } catch {
        // The span processor failed; nothing more we can do.
      }
    }
  }

  private finish(outcome: LlmSpanOutcome): void {
    const result = this.result;
    const attributes: Attributes = {};
    if (outcome.status !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = outcome.status;
    if (result.responseModel !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = result.responseModel;
    if (result.responseId !== undefined) attributes[ATTR_GEN_AI_RESPONSE_ID] = result.responseId;
    const reasons = compactReasons(result.finishReasons);
    if (reasons !== undefined) attributes[ATTR_GEN_AI_RESPONSE_FINISH_REASONS] = reasons;
    const usage = result.usage;
    if (usage !== undefined) setUsageAttributes(attributes, usage);
    attributes[ATTR_LLM_COST_USAGE_SOURCE] = usage === undefined ? USAGE_SOURCE.unknown : outcome.usageSource;
    if (result.providerReportedCost !== undefined) {
      attributes[ATTR_LLM_COST_PROVIDER_REPORTED_COST] = result.providerReportedCost;
    }
    if (result.serviceTier !== undefined && this.openAiShaped) {
      attributes[ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER] = result.serviceTier;
    }
    if (result.pricingMode !== undefined && result.pricingMode !== 'standard') {
      attributes[ATTR_LLM_COST_PRICING_MODE] = result.pricingMode;
    }
    const endReason = outcome.endReason ?? END_REASON.completed;
    if (outcome.recordEndReason === true || endReason !== END_REASON.completed) {
      attributes[ATTR_LLM_COST_END_REASON] = endReason;
    }
    const errorType = outcome.errorType ?? result.errorType;
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;

    const start = this.start;
    const responseModel = result.responseModel ?? start.requestModel;
    if (usage !== undefined && responseModel !== undefined) {
      const pricer = this.sinks.pricer();
      if (pricer !== undefined) {
        const timestamp = outcome.endTime ?? Date.now();
        priceAttributes(attributes, pricer, {
          provider: start.provider,
          model: responseModel,
          usage,
          timestamp,
          ...(result.pricingMode !== undefined ? { mode: result.pricingMode } : {}),
          ...(result.providerReportedCost !== undefined ? { providerReportedCost: result.providerReportedCost } : {}),
        });
      }
    }

    const endTime = this.endTime(outcome.endTime);
    // The start attributes go through startSpan (samplers see them), the rest through one setAttributes: the SDK
    // validates an attribute passed to startSpan twice, so this is cheaper than one startSpan with all of them.
    const span = this.span;
    span.setAttributes(attributes);
    if (errorType !== undefined) span.setStatus({ code: SpanStatusCode.ERROR });
    span.end(endTime);
    this.record(usage, outcome.endTime);
    // Checked first, so a process without a MeterProvider builds nothing for the metrics.
    const metrics = this.sinks.metrics;
    if (metrics === undefined || !metrics.active()) return;
    metrics.record({
      provider: start.provider,
      operation: start.operation,
      requestModel: start.requestModel,
      responseModel: result.responseModel,
      endpoint: start.shared,
      errorType,
      usage,
      durationS: this.durationS(endTime),
      timeToFirstChunkS:
        this.firstChunkPerfMs === undefined ? undefined : Math.max(0, this.firstChunkPerfMs - this.startPerfMs) / 1000,
      costUsd: attributes[ATTR_GEN_AI_USAGE_COST_AMOUNT] as number | undefined,
      pricingStatus: attributes[ATTR_LLM_COST_PRICING_STATUS] as string | undefined,
      tags: metrics.wantsTags ? this.tags().tags : undefined,
    });
  }

  /** Seconds from the call's start to `endTime` (the monotonic clock for a call timed here). */
  private durationS(endTime: number | Date): number {
    const startTime = this.start.startTime;
    const startMs = startTime === undefined ? this.startEpochMs : startTime instanceof Date ? startTime.getTime() : startTime;
    const endMs = endTime instanceof Date ? endTime.getTime() : endTime;
    return Math.max(0, endMs - startMs) / 1000;
  }

  /** The merged tags of this call (defaults under scope). */
  tags(): TagSet {
    const { defaults, scope } = this.start;
    return defaults === undefined ? scope : mergeTagSets(defaults, scope, sharedState.tagLimits);
  }

  private record(usage: TokenUsage | undefined, endTime: number | Date | undefined): void {
    const guard = this.sinks.budgetGuard;
    if (guard === undefined) return;
    const result = this.result;
    const start = this.start;
    try {
      guard.record({
        provider: start.provider,
        operation: start.operation,
        ...(start.requestModel !== undefined ? { requestModel: start.requestModel } : {}),
        ...(result.responseModel !== undefined ? { responseModel: result.responseModel } : {}),
        usage,
        tags: (this.tags() ?? EMPTY_TAG_SET).tags,
        timestamp: endTime === undefined ? Date.now() : endTime instanceof Date ? endTime.getTime() : endTime,
        ...(result.providerReportedCost !== undefined ? { providerReportedCost: result.providerReportedCost } : {}),
        ...(result.pricingMode !== undefined ? { pricingMode: result.pricingMode } : {}),
      });
    } catch (error) {
      errorOnce('budget:record', 'the budget guard failed to record a call', error);
    }
  }
}

/** Token attributes per the GenAI conventions (input includes cached, output includes reasoning). */
export function setUsageAttributes(attributes: Attributes, usage: TokenUsage): void {
  attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
  attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
  if (usage.cacheReadTokens !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cacheReadTokens;
  if (usage.cacheWriteTokens !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS] = usage.cacheWriteTokens;
  }
  if (usage.cacheWrite5mTokens !== undefined) attributes[ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS] = usage.cacheWrite5mTokens;
  if (usage.cacheWrite1hTokens !== undefined) attributes[ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS] = usage.cacheWrite1hTokens;
  if (usage.reasoningTokens !== undefined) {
    attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoningTokens;
  }
}
