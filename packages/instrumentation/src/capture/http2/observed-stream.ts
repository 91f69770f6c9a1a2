/**
 * Watches one `node:http2` client stream (request and response are one Duplex) without changing what the
 * application sees, as http/observed-request.ts does for HTTP/1: the stream gets a prototype between it and
 * `ClientHttp2Stream.prototype` that wraps `write()` / `end()` (the body, the budget answer), `emit('response' |
 * 'error' | 'close')`, `push()` (where Node's HTTP/2 session delivers each DATA chunk and, with `push(null)`, the end
 * of the stream), `destroy()` and `close()`. No listener of ours; the flow mode, backpressure and encoding stay the
 * application's.
 */
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { isThenable } from '../call-start.js';
import type { OutgoingCall } from '../outgoing-call.js';
import type { HeaderLookup } from '../response/usage-sinks.js';
import { errorOnce } from '../../diag-once.js';
import { isAbortError } from '../../error-type.js';

const kCall = Symbol.for('@llm-cost/instrumentation.outgoing-call');

type Observed = { [kCall]?: OutgoingCall };
type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

const method = (value: unknown): PropertyDescriptor => ({ configurable: true, writable: true, value });

function report(key: string, error: unknown): void {
  errorOnce(key, 'could not follow an LLM call on node:http2; it may be recorded without usage', error);
}

function headerLookup(headers: IncomingHttpHeaders): HeaderLookup {
  return (name) => {
    const value = headers[name] as unknown;
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.join(', ') : String(value);
  };
}

/** Blocks a request the budget guard refused: the stream is reset before its body is sent. */
function block(stream: ClientHttp2Stream, call: OutgoingCall, error: Error): void {
  call.finished = true;
  call.call.discard(error);
  stream.destroy(error);
}

const protos = new WeakMap<object, object>();

function observedStreamProto(base: object): object {
  let proto = protos.get(base);
  if (proto !== undefined) return proto;
  const b = base as Record<'write' | 'end' | 'emit' | 'push' | 'destroy' | 'close', AnyFunction>;
  const { write: baseWrite, end: baseEnd, emit: baseEmit, push: basePush, destroy: baseDestroy, close: baseClose } = b;
  proto = Object.create(base, {
    write: method(function write(this: ClientHttp2Stream & Observed, chunk: unknown, encoding?: unknown) {
      const call = this[kCall];
      if (call !== undefined) {
        try {
          call.wrote(chunk, typeof encoding === 'function' ? undefined : encoding);
        } catch (error) {
          report('http2:write', error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      const written = baseWrite.apply(this, arguments as unknown as unknown[]);
      if (written === false && call !== undefined) call.writeBlocked(this);
      return written;
    }),
    end: method(function end(this: ClientHttp2Stream & Observed, chunk?: unknown, encoding?: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      const call = this[kCall];
      if (call === undefined) return baseEnd.apply(this, args);
      let verdict: Error | undefined | Promise<Error | undefined>;
      try {
        if (typeof chunk !== 'function') call.wrote(chunk, typeof encoding === 'function' ? undefined : encoding);
        verdict = call.requestEnd();
      } catch (error) {
        report('http2:end', error);
        verdict = undefined;
      }
      if (verdict === undefined) return baseEnd.apply(this, args);
      if (!isThenable(verdict)) {
        block(this, call, verdict);
        return this;
      }
      verdict.then(
        (error) => (error === undefined ? baseEnd.apply(this, args) : block(this, call, error)),
        () => baseEnd.apply(this, args),
      );
      return this;
    }),
    emit: method(function emit(this: ClientHttp2Stream & Observed, name: unknown, value?: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          if (name === 'response') {
            const headers = (value ?? {}) as IncomingHttpHeaders;
            call.response(Number(headers[':status']), headerLookup(headers));
          } else if (name === 'error') {
            call.fail(value);
          } else if (name === 'close') {
            call.fail(undefined);
          }
        } catch (error) {
          report('http2:emit', error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return baseEmit.apply(this, arguments as unknown as unknown[]);
    }),
    push: method(function push(this: ClientHttp2Stream & Observed, chunk: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          if (chunk === null) call.bodyEnd(true);
          else call.chunk(chunk);
        } catch (error) {
          report('http2:push', error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return basePush.apply(this, arguments as unknown as unknown[]);
    }),
    destroy: method(function destroy(this: ClientHttp2Stream & Observed, error?: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          if (isAbortError(error)) call.aborted = true;
          call.fail(error);
        } catch (failure) {
          report('http2:destroy', failure);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return baseDestroy.apply(this, arguments as unknown as unknown[]);
    }),
    close: method(function close(this: ClientHttp2Stream & Observed) {
      const call = this[kCall];
      // The application closing the stream before its end cancels the call.
      if (call !== undefined) call.aborted = true;
      // eslint-disable-next-line prefer-rest-params
      return baseClose.apply(this, arguments as unknown as unknown[]);
    }),
  }) as object;
  protos.set(base, proto);
  return proto;
}

/** Starts watching a client stream for `call`; false when it cannot be watched (the caller ends the call). */
export function observeStream(stream: unknown, call: OutgoingCall): boolean {
  if (typeof stream !== 'object' || stream === null || typeof (stream as { push?: unknown }).push !== 'function') {
    return false;
  }
  const s = stream as ClientHttp2Stream & Observed;
  if (s[kCall] !== undefined) return false;
  const base = Object.getPrototypeOf(s) as object;
  try {
    Object.setPrototypeOf(s, observedStreamProto(base));
    s[kCall] = call;
  } catch (error) {
    try {
      if (Object.getPrototypeOf(s) !== base) Object.setPrototypeOf(s, base);
    } catch {
      // Nothing more to undo.
    }
    report('http2:observe', error);
    return false;
  }
  // `request(headers, { endStream: true })` ended the writable side already: no body to read.
  if (s.writableEnded) call.requestEnd();
  else call.hold(s);
  return true;
}
