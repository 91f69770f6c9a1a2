/**
 * `node:http2` capture: `request()` of every client session (what the AWS SDK v3's NodeHttp2Handler and other
 * HTTP/2 clients call after `http2.connect()`). The method lives on `ClientHttp2Session.prototype`, which Node does
 * not export; it is reached through a session made at registration over an in-memory stream (no socket, destroyed at
 * once). Wrapping the prototype covers sessions opened before registration and `connect` imported by name alike.
 *
 * For a stream to any other host, or anything but a POST, the wrapper costs a property read of the request headers
 * and, for a POST, one of the stream's sent headers and a Map lookup on the authority.
 */
import http2 from 'node:http2';
import { Duplex } from 'node:stream';
import { context } from '@opentelemetry/api';
import { currentRuntime, type Runtime } from '../../runtime.js';
import { requestTarget, type UrlTarget } from '../../url-targets.js';
import { currentCallTags, startCall, takeHandedCall, PASS_THROUGH } from '../call-start.js';
import { OutgoingCall } from '../outgoing-call.js';
import { observeStream } from './observed-stream.js';
import { sharedState } from '../../runtime-state.js';
import { errorOnce } from '../../diag-once.js';
import { USAGE_SOURCE } from '@llm-cost/semconv';

type RequestFn = (this: http2.ClientHttp2Session, ...args: unknown[]) => http2.ClientHttp2Stream;

const kOriginal = Symbol.for('@llm-cost/instrumentation.original-http2-request');

type Marked = RequestFn & { [kOriginal]?: RequestFn };

function isPost(method: unknown): boolean {
  return method === 'POST' || (typeof method === 'string' && method.toUpperCase() === 'POST');
}

/** `ClientHttp2Session.prototype`, from a session over an in-memory stream that never connects anywhere. */
function clientSessionPrototype(): Record<string, unknown> {
  const session = http2.connect('http://llm-cost.invalid', {
    createConnection: () =>
      new Duplex({
        read() {},
        write(_chunk, _encoding, callback) {
          callback();
        },
      }),
  });
  session.on('error', () => undefined);
  const proto = Object.getPrototypeOf(session) as Record<string, unknown>;
  session.destroy();
  return proto;
}

function watch(stream: http2.ClientHttp2Stream, call: OutgoingCall): http2.ClientHttp2Stream {
  if (!observeStream(stream, call)) call.call.end({ usageSource: USAGE_SOURCE.unknown });
  return stream;
}

/** The endpoint a new stream addresses (from the headers Node completed with the session's authority and scheme). */
function targetOf(runtime: Runtime, stream: http2.ClientHttp2Stream): UrlTarget | undefined {
  const sent = stream.sentHeaders as Record<string, unknown> | undefined;
  const authority = sent?.[':authority'];
  const path = sent?.[':path'];
  if (typeof authority !== 'string' || typeof path !== 'string') return undefined;
  const secure = sent?.[':scheme'] !== 'http';
  const hasPort = authority.lastIndexOf(':') > authority.lastIndexOf(']');
  return requestTarget(runtime.hosts, secure, hasPort ? authority : `${authority}:${secure ? 443 : 80}`, path);
}

function wrap(original: RequestFn): RequestFn {
  const wrapper = function request(this: http2.ClientHttp2Session, headers: unknown): http2.ClientHttp2Stream {
    // eslint-disable-next-line prefer-rest-params
    const args = arguments as unknown as unknown[];
    if (sharedState.handed !== undefined) {
      const handed = takeHandedCall();
      if (handed === undefined || handed === PASS_THROUGH) return original.apply(this, args);
      return watch(original.apply(this, args), new OutgoingCall(undefined, handed.target, handed.call, undefined));
    }
    if (typeof headers !== 'object' || headers === null || !isPost((headers as Record<string, unknown>)[':method'])) {
      return original.apply(this, args);
    }
    const runtime = currentRuntime();
    if (runtime === undefined) return original.apply(this, args);
    const parent = context.active();
    const tags = currentCallTags();
    // The stream is made first (Node fills in :authority and :scheme); nothing is sent before this returns.
    const stream = original.apply(this, args);
    let target: UrlTarget | undefined;
    try {
      target = targetOf(runtime, stream);
    } catch (error) {
      errorOnce('http2:match', 'could not inspect a node:http2 request', error);
    }
    if (target === undefined) return stream;
    const endpoint = target.endpoint;
    const call = startCall(runtime, target, { model: endpoint.modelInPath, stream: endpoint.streamInPath === true, serviceTier: undefined }, tags, parent);
    if (call === undefined) return stream;
    return watch(stream, new OutgoingCall(runtime, target, call, tags));
  } as Marked;
  Object.defineProperty(wrapper, kOriginal, { value: original });
  return wrapper;
}

/** Wraps `ClientHttp2Session.prototype.request`; returns the function that undoes it (if still ours). */
export function patchNodeHttp2(): () => void {
  let proto: Record<string, unknown>;
  try {
    proto = clientSessionPrototype();
  } catch (error) {
    errorOnce('http2:patch', 'could not reach node:http2 client sessions; their LLM calls are not captured', error);
    return () => undefined;
  }
  const current = proto.request as Marked | undefined;
  if (typeof current !== 'function' || current[kOriginal] !== undefined) return () => undefined;
  const wrapper = wrap(current);
  proto.request = wrapper;
  return () => {
    if (proto.request === wrapper) proto.request = current;
  };
}

