/**
 * Watches one `node:http2` client stream (request and response are one Duplex) without changing what the
 * application sees, as http/observed-request.ts does for HTTP/1: the stream gets a prototype between it and
 * `ClientHttp2Stream.prototype` that wraps `write()` / `end()` (the body, the budget answer), `emit('response' |
 * 'error' | 'close')`, `push()` (where Node's HTTP/2 session delivers each DATA chunk and, with `push(null)`, the end
 * of the stream), `destroy()` and `close()`. No listener of ours; the flow mode, backpressure and encoding stay the
 * application's.
 */
import type { ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import type { OutgoingCall } from '../outgoing-call.js';
import type { HeaderLookup } from '../response/usage-sinks.js';
import { method, observe, report as reportAs, writeMethods, type AnyFunction, type Observed, kCall } from '../observed-writes.js';
import { isAbortError } from '../../error-type.js';

const report = (error: unknown): void => reportAs('node:http2', error);

function headerLookup(headers: IncomingHttpHeaders): HeaderLookup {
  return (name) => {
    const value = headers[name] as unknown;
    if (value === undefined || value === null) return undefined;
    return Array.isArray(value) ? value.join(', ') : String(value);
  };
}

const protos = new WeakMap<object, object>();

function observedStreamProto(base: object): object {
  let proto = protos.get(base);
  if (proto !== undefined) return proto;
  const b = base as Record<'emit' | 'push' | 'destroy' | 'close', AnyFunction>;
  const { emit: baseEmit, push: basePush, destroy: baseDestroy, close: baseClose } = b;
  proto = Object.create(base, {
    ...writeMethods(base, 'node:http2'),
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
          report(error);
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
          report(error);
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
          report(failure);
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
  if (!observe(s, call, observedStreamProto, 'node:http2')) return false;
  // `request(headers, { endStream: true })` ended the writable side already: no body to read.
  if (s.writableEnded) call.requestEnd();
  else call.hold(s);
  return true;
}
