/**
 * The fetch wrapper. For a request to any other host it costs one string scan and a Map lookup before calling the
 * original fetch. For an LLM request it reads the model from the body, asks the budget guard (when there is one),
 * starts one CLIENT span, sends the request unchanged (unless `captureStreamUsage` adds `include_usage`), and returns
 * the very Response fetch returned, whose body it watches on a side path.
 *
 * Nothing here throws into the application: a failure of ours is logged once and the original fetch is called.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import { ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER } from '@llm-cost/semconv';
import type { BudgetDecision, Tags } from './types.js';
import { urlTarget, type UrlTarget } from './url-targets.js';
import { currentRuntime, type Runtime } from './runtime.js';
import { readRequestInfo, type RequestInfo } from './request-info.js';
import { LlmSpan } from './llm-span.js';
import { captureFetchError, captureResponse } from './response-capture.js';
import { currentTagScope, defaultTagSet } from './tags.js';
import { mergeTagSets, type TagSet } from './tag-validation.js';
import { sharedState } from './runtime-state.js';
import { errorOnce, warnOnce } from './diag-once.js';
import { activeContextObservable } from './context-observers.js';

type FetchFn = typeof globalThis.fetch;
type FetchInput = Parameters<FetchFn>[0];

const kInstrumented = Symbol.for('@llm-cost/instrumentation.instrumented-fetch');
const kOriginal = Symbol.for('@llm-cost/instrumentation.original-fetch');

type MarkedFetch = FetchFn & { [kInstrumented]?: true; [kOriginal]?: FetchFn };

/**
 * Set while an instrumented fetch synchronously calls the fetch it wraps, so that a wrapped fetch which calls the
 * (also instrumented) global fetch does not record the same call twice.
 */
let insideInstrumentedCall = false;

function urlOf(input: FetchInput): string | undefined {
  if (typeof input === 'string') return input;
  if (typeof input !== 'object' || input === null) return undefined;
  const url = (input as { url?: unknown }).url;
  if (typeof url === 'string') return url;
  const href = (input as { href?: unknown }).href;
  return typeof href === 'string' ? href : undefined;
}

/** Whether a request method is POST (SDKs write it in capitals; anything else is compared case-insensitively). */
function isPost(method: unknown): boolean {
  return method === 'POST' || (typeof method === 'string' && method.toUpperCase() === 'POST');
}

/** The provider endpoint a request addresses, or undefined (the common case: not an LLM call). */
function matchTarget(runtime: Runtime, input: FetchInput, init: RequestInit | undefined): UrlTarget | undefined {
  const url = urlOf(input);
  if (url === undefined) return undefined;
  const target = urlTarget(runtime.hosts, url);
  if (target === undefined) return undefined;
  const method = init?.method ?? (typeof input === 'object' ? (input as { method?: unknown }).method : undefined);
  return isPost(method) ? target : undefined;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The error a blocking decision rejects with, or undefined to let the call through. */
function blockingError(decision: unknown): Error | undefined {
  if (decision === undefined || decision === null) return undefined;
  const d = decision as BudgetDecision;
  if (d.action === 'allow') return undefined;
  if (d.action === 'block') {
    return d.error instanceof Error ? d.error : new Error('LLM call blocked by the budget guard');
  }
  warnOnce('budget:decision', 'the budget guard answered neither allow nor block; the call proceeds');
  return undefined;
}

/** Sends the request under a new span and watches its response. */
function send(
  runtime: Runtime,
  target: UrlTarget,
  request: RequestInfo,
  defaults: TagSet | undefined,
  scope: TagSet,
  original: FetchFn,
  thisArg: unknown,
  input: FetchInput,
): Promise<Response> {
  const parent = context.active();
  let call: LlmSpan;
  try {
    const module = target.module;
    call = new LlmSpan(
      {
        tracer: runtime.tracer,
        parent,
        provider: module.name,
        operation: target.endpoint.operation,
        requestModel: request.model,
        shared: request.stream ? target.streamAttributes : target.attributes,
        attributes:
          request.serviceTier !== undefined && module.openAiCompatible
            ? { [ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER]: request.serviceTier }
            : undefined,
        defaults,
        scope,
      },
      runtime.sinks,
      module.openAiCompatible,
    );
  } catch (error) {
    errorOnce('span:start', 'could not start an LLM span; the call is not recorded', error);
    return original.call(thisArg, input, request.init);
  }

  // When an HTTP-level instrumentation (or a traced application) can see it, the span is the active context while
  // fetch starts, so HTTP client spans nest under it and propagators inject its trace context. Nothing stays active
  // once the request is sent; and when nothing can see it, no context is entered at all (see context-observers.ts)
  // and the span is only made when the call ends (see llm-span.ts).
  let active: Span | undefined;
  if (activeContextObservable(parent)) {
    try {
      active = call.span;
    } catch (error) {
      errorOnce('span:start', 'could not start an LLM span; the request is sent without it as its context', error);
    }
  }
  let pending: Promise<Response>;
  insideInstrumentedCall = true;
  try {
    pending =
      active !== undefined
        ? context.with(trace.setSpan(parent, active), original, thisArg, input, request.init)
        : original.call(thisArg, input, request.init);
  } catch (error) {
    insideInstrumentedCall = false;
    captureFetchError(call, error);
    throw error;
  }
  insideInstrumentedCall = false;
  if (!isThenable(pending)) {
    call.end({ usageSource: 'unknown' });
    return pending;
  }
  return pending.then(
    (response) => captureResponse(call, target.module, target.endpoint, response),
    (error: unknown) => {
      captureFetchError(call, error);
      throw error;
    },
  );
}

/** An LLM call: prepare, ask the budget guard, send. */
function captureCall(
  runtime: Runtime,
  target: UrlTarget,
  original: FetchFn,
  thisArg: unknown,
  input: FetchInput,
  init: RequestInit | undefined,
): Promise<Response> {
  let request: RequestInfo;
  try {
    request = readRequestInfo(target.module, target.endpoint, init, runtime.captureStreamUsage);
  } catch (error) {
    errorOnce('request:read', 'could not read an LLM request; the call is not recorded', error);
    return original.call(thisArg, input, init);
  }
  const defaults = defaultTagSet();
  const scope = currentTagScope();
  const guard = runtime.sinks.budgetGuard;
  if (guard === undefined) return send(runtime, target, request, defaults, scope, original, thisArg, input);

  let decision: unknown;
  try {
    const merged: Tags = defaults === undefined ? scope.tags : mergeTagSets(defaults, scope, sharedState.tagLimits).tags;
    decision = guard.check({
      provider: target.module.name,
      ...(request.model !== undefined ? { model: request.model } : {}),
      operation: target.endpoint.operation,
      tags: merged,
    });
  } catch (error) {
    errorOnce('budget:check', 'the budget guard threw; the call proceeds', error);
    decision = undefined;
  }
  if (!isThenable(decision)) {
    const blocked = blockingError(decision);
    return blocked === undefined ? send(runtime, target, request, defaults, scope, original, thisArg, input) : Promise.reject(blocked);
  }
  return Promise.resolve(decision).then(
    (answer) => {
      const blocked = blockingError(answer);
      if (blocked !== undefined) throw blocked;
      return send(runtime, target, request, defaults, scope, original, thisArg, input);
    },
    (error: unknown) => {
      errorOnce('budget:check-rejected', 'the budget guard rejected; the call proceeds', error);
      return send(runtime, target, request, defaults, scope, original, thisArg, input);
    },
  );
}

/** Wraps a fetch function; the wrapper records LLM calls while capture is enabled and passes everything else on. */
export function instrumentFetch(original: FetchFn): FetchFn {
  if ((original as MarkedFetch)[kInstrumented] === true) return original;
  const instrumented = function fetch(this: unknown, input: FetchInput, init?: RequestInit): Promise<Response> {
    if (insideInstrumentedCall) return original.call(this, input, init);
    const runtime = currentRuntime();
    if (runtime === undefined) return original.call(this, input, init);
    let target: UrlTarget | undefined;
    try {
      target = matchTarget(runtime, input, init);
    } catch (error) {
      errorOnce('request:match', 'could not inspect a fetch request', error);
      target = undefined;
    }
    if (target === undefined) return original.call(this, input, init);
    return captureCall(runtime, target, original, this, input, init);
  } as MarkedFetch;
  Object.defineProperty(instrumented, kInstrumented, { value: true });
  Object.defineProperty(instrumented, kOriginal, { value: original });
  return instrumented;
}

/** The fetch an instrumented fetch wraps (the argument itself when it is not one of ours). */
export function originalFetchOf(fetchFn: FetchFn): FetchFn {
  return (fetchFn as MarkedFetch)[kOriginal] ?? fetchFn;
}

export function isInstrumentedFetch(fetchFn: unknown): boolean {
  return typeof fetchFn === 'function' && (fetchFn as MarkedFetch)[kInstrumented] === true;
}

/**
 * Instruments a fetch function that is handed to an SDK explicitly (`new OpenAI({ fetch: wrapFetch(myFetch) })`)
 * instead of the global one. Uses the registered options (hosts, tags, budget guard); before
 * `registerLlmCostInstrumentation()`, the built-in hosts and the globally registered tracer provider.
 */
export function wrapFetch<F extends (input: FetchInput, init?: RequestInit) => Promise<Response>>(fetchFn: F): F {
  if (typeof fetchFn !== 'function') throw new TypeError('wrapFetch(fetch): fetch must be a function');
  return instrumentFetch(fetchFn as unknown as FetchFn) as unknown as F;
}
