/**
 * `node:http` / `node:https` capture: `request` and `get` of the shared module objects are wrapped at registration,
 * so every client that calls them through the module (node-fetch 2 and 3, axios and follow-redirects, got,
 * superagent, the SDKs built on node-fetch) is covered, also when it was imported before registration. ESM named
 * imports (`import { request } from 'node:http'`) are bindings of Node's built-in ESM facade, which keeps its own copy
 * of each export: `syncBuiltinESMExports()` after patching (and unpatching) points them at the wrapper too.
 *
 * For a request to any other host, the wrapper costs a property read (the method: LLM calls are POSTs) and, for a
 * POST, a string concatenation and a Map lookup on `hostname:port`.
 */
import http from 'node:http';
import https from 'node:https';
import { syncBuiltinESMExports } from 'node:module';
import { context, trace } from '@opentelemetry/api';
import { currentRuntime, type Runtime } from '../../runtime.js';
import { requestTarget, urlTarget, type UrlTarget } from '../../url-targets.js';
import { currentCallTags, startCall, takeHandedCall, PASS_THROUGH } from '../call-start.js';
import { OutgoingCall } from '../outgoing-call.js';
import { endWithRequestError } from '../response/usage-sinks.js';
import { observeRequest } from './observed-request.js';
import { requestParts } from './request-args.js';
import { sharedState } from '../../runtime-state.js';
import { errorOnce } from '../../diag-once.js';
import { USAGE_SOURCE } from '@llm-cost/semconv';

type RequestFn = (...args: unknown[]) => http.ClientRequest;

const kOriginal = Symbol.for('@llm-cost/instrumentation.original-http-request');

type Marked = RequestFn & { [kOriginal]?: RequestFn; __wrapped?: boolean };

/** The function a wrapper of ours wraps (the argument itself when it is not ours). */
export function originalRequestOf(fn: unknown): unknown {
  return typeof fn === 'function' ? ((fn as Marked)[kOriginal] ?? fn) : fn;
}

function targetOf(runtime: Runtime, secure: boolean, first: unknown, second: unknown): UrlTarget | undefined {
  const parts = requestParts(secure, first, second);
  if (parts === undefined) return undefined;
  const path = parts.path;
  // A request to an HTTP proxy names its target in absolute form.
  if (path.charCodeAt(0) === 104 /* h */ && (path.startsWith('http://') || path.startsWith('https://'))) {
    return urlTarget(runtime.hosts, path);
  }
  return requestTarget(runtime.hosts, parts.secure, parts.authority, path);
}

/** Watches `request` for `call`, or ends the call when it cannot be watched. */
function watch(request: http.ClientRequest, call: OutgoingCall): http.ClientRequest {
  if (!observeRequest(request, call)) call.call.end({ usageSource: USAGE_SOURCE.unknown });
  return request;
}

/** An LLM request: its call starts now; the body, the budget answer and the response come through the request. */
function capture(runtime: Runtime, target: UrlTarget, original: RequestFn, thisArg: unknown, args: unknown[]): http.ClientRequest {
  const parent = context.active();
  const tags = currentCallTags();
  const endpoint = target.endpoint;
  const call = startCall(runtime, target, { model: endpoint.modelInPath, stream: endpoint.streamInPath === true, serviceTier: undefined }, tags, parent);
  if (call === undefined) return original.apply(thisArg, args);
  // As for fetch: our span is the active context while the request starts only when an HTTP instrumentation inside
  // this wrapper (or a traced application) can see it.
  let active;
  if (trace.getSpan(parent) !== undefined || (original as Marked).__wrapped === true) {
    try {
      active = call.span;
    } catch (error) {
      errorOnce('span:start', 'could not start an LLM span; the request is sent without it as its context', error);
    }
  }
  let request: http.ClientRequest;
  try {
    request =
      active !== undefined
        ? context.with(trace.setSpan(parent, active), () => original.apply(thisArg, args))
        : original.apply(thisArg, args);
  } catch (error) {
    endWithRequestError(call, error);
    throw error;
  }
  return watch(request, new OutgoingCall(runtime, target, call, tags));
}

function wrap(original: RequestFn, secure: boolean): RequestFn {
  const wrapper = function request(this: unknown, first: unknown, second: unknown): http.ClientRequest {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments as unknown as unknown[];
    // Inside an instrumented fetch's call (node-fetch under wrapFetch): that call is this request.
    if (sharedState.handed !== undefined) {
      const handed = takeHandedCall();
      if (handed === undefined || handed === PASS_THROUGH) return original.apply(this, args);
      return watch(original.apply(this, args), new OutgoingCall(undefined, handed.target, handed.call, undefined));
    }
    const runtime = currentRuntime();
    if (runtime === undefined) return original.apply(this, args);
    let target: UrlTarget | undefined;
    try {
      target = targetOf(runtime, secure, first, second);
    } catch (error) {
      errorOnce('http:match', 'could not inspect a node:http request', error);
    }
    if (target === undefined) return original.apply(this, args);
    return capture(runtime, target, original, this, args);
  } as Marked;
  Object.defineProperty(wrapper, kOriginal, { value: original });
  return wrapper;
}

interface Patched {
  module: Record<string, unknown>;
  name: 'request' | 'get';
  original: RequestFn;
  wrapper: RequestFn;
}

/**
 * Wraps `request` and `get` of `node:http` and `node:https`; returns the function that undoes it (only our own
 * wrappers are taken off: one wrapped around ours by someone else stays, passing through to the original).
 */
export function patchNodeHttp(): () => void {
  const patched: Patched[] = [];
  for (const [module, secure] of [
    [http, false],
    [https, true],
  ] as const) {
    for (const name of ['request', 'get'] as const) {
      const current = module[name] as unknown as Marked;
      if (typeof current !== 'function' || current[kOriginal] !== undefined) continue;
      const wrapper = wrap(current, secure);
      try {
        (module as unknown as Record<string, unknown>)[name] = wrapper;
        patched.push({ module: module as unknown as Record<string, unknown>, name, original: current, wrapper });
      } catch (error) {
        errorOnce('http:patch', `could not patch node:${secure ? 'https' : 'http'}.${name}; its LLM calls are not captured`, error);
      }
    }
  }
  syncBuiltinESMExports();
  return () => {
    for (const { module, name, original, wrapper } of patched) {
      if (module[name] === wrapper) module[name] = original;
    }
    syncBuiltinESMExports();
  };
}
