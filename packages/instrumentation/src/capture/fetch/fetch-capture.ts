/**
 * The fetch wrapper. For a request to any other host it costs one string scan and a Map lookup before calling the
 * original fetch. For an LLM request it reads the model from the body, asks the budget guard (when there is one),
 * starts one CLIENT span, sends the request unchanged (unless `captureStreamUsage` adds `include_usage`), and returns
 * the very Response fetch returned, whose body it watches on a side path.
 *
 * Nothing here throws into the application: a failure of ours is logged once and the original fetch is called.
 */
import { context, trace, type Span } from '@opentelemetry/api';
import { urlTarget, type UrlTarget } from '../../url-targets.js';
import { currentRuntime, type Runtime } from '../../runtime.js';
import { readRequestInfo, type RequestInfo } from './request-info.js';
import type { LlmSpan } from '../../llm-span.js';
import { captureResponse } from './response-capture.js';
import { endWithRequestError } from '../response/usage-sinks.js';
import {
  askBudget,
  currentCallTags,
  handDown,
  insideHandedWindow,
  isThenable,
  startCall,
  type CallTags,
  type HandedCall,
} from '../call-start.js';
import { errorOnce } from '../../diag-once.js';
import { activeContextObservable } from '../../context-observers.js';

type FetchFn = typeof globalThis.fetch;
type FetchInput = Parameters<FetchFn>[0];

const kInstrumented = Symbol.for('@llm-cost/instrumentation.instrumented-fetch');
const kOriginal = Symbol.for('@llm-cost/instrumentation.original-fetch');

type MarkedFetch = FetchFn & { [kInstrumented]?: true; [kOriginal]?: FetchFn };

function urlOf(input: FetchInput): string | undefined {
  if (typeof input === 'string') return input;
  if (typeof input !== 'object' || input === null) return undefined;
  const url = (input as { url?: unknown }).url;
  if (typeof url === 'string') return url;
  const href = (input as { href?: unknown }).href;
  return typeof href === 'string' ? href : undefined;
}

/** Whether a request method is POST (SDKs write it in capitals; anything else is compared case-insensitively). */
export function isPost(method: unknown): boolean {
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

/** Sends the request under a new span and watches its response. */
function send(
  runtime: Runtime,
  target: UrlTarget,
  request: RequestInfo,
  tags: CallTags,
  original: FetchFn,
  thisArg: unknown,
  input: FetchInput,
): Promise<Response> {
  const parent = context.active();
  const call: LlmSpan | undefined = startCall(runtime, target, request, tags, parent);
  if (call === undefined) return handDown(undefined, () => original.call(thisArg, input, request.init));

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
  // A fetch that sends through node:http (node-fetch) takes this call down to that layer, which watches the bytes.
  const handed: HandedCall = { call, target, taken: false };
  let pending: Promise<Response>;
  try {
    pending = handDown(handed, () =>
      active !== undefined
        ? context.with(trace.setSpan(parent, active), original, thisArg, input, request.init)
        : original.call(thisArg, input, request.init),
    );
  } catch (error) {
    endWithRequestError(call, error);
    throw error;
  }
  if (!isThenable(pending)) {
    if (!handed.taken) call.end({ usageSource: 'unknown' });
    return pending;
  }
  return pending.then(
    (response) => (handed.taken ? response : captureResponse(call, target.module, target.endpoint, response)),
    (error: unknown) => {
      endWithRequestError(call, error);
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
    return handDown(undefined, () => original.call(thisArg, input, init));
  }
  const tags = currentCallTags();
  const blocked = askBudget(runtime, target, request, tags);
  if (blocked === undefined) return send(runtime, target, request, tags, original, thisArg, input);
  if (!isThenable(blocked)) return Promise.reject(blocked);
  return blocked.then((error) => {
    if (error !== undefined) throw error;
    return send(runtime, target, request, tags, original, thisArg, input);
  });
}

/** Wraps a fetch function; the wrapper records LLM calls while capture is enabled and passes everything else on. */
export function instrumentFetch(original: FetchFn): FetchFn {
  if ((original as MarkedFetch)[kInstrumented] === true) return original;
  const instrumented = function fetch(this: unknown, input: FetchInput, init?: RequestInit): Promise<Response> {
    // Inside another instrumented fetch's call (a wrapper around the global fetch): that layer records it.
    if (insideHandedWindow()) return original.call(this, input, init);
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
