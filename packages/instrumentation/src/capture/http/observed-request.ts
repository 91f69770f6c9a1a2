/**
 * Watches one `node:http` LLM request and its response without changing what the application sees.
 *
 * The ClientRequest and, when it arrives, the IncomingMessage stay the objects Node made; each gets a prototype that
 * sits between it and its own (so `instanceof`, own keys, listeners and every other method are unchanged) and wraps:
 * - on the request: `write()` / `end()` (the body chunks are looked at by reference; the budget guard is asked at
 *   `end()`, which waits for an asynchronous answer), `emit('response' | 'error' | 'close')` (seen before the
 *   application's listeners run), `destroy()` / `abort()` (an abort is not an error);
 * - on the response: `push()`, where Node's HTTP parser delivers each body chunk and the end (`push(null)`, with
 *   `complete` telling a whole body from a cut connection), and `destroy()`.
 * Nothing listens to the streams: no 'data' or 'readable' listener, so the flow mode (paused / flowing), backpressure
 * (`push()` returns what Node's own push returned), `setEncoding()`, `pipe()` and late listeners are the
 * application's alone. The bytes seen are the raw ones Node received (before `setEncoding()` decodes them and before
 * the client decompresses them: response/content-decoding.ts). Our state rides on the objects under a symbol.
 */
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { OutgoingCall } from '../outgoing-call.js';
import type { HeaderLookup } from '../response/usage-sinks.js';
import { kCall, method, observe, report as reportAs, writeMethods, type AnyFunction, type Observed } from '../observed-writes.js';
import { isAbortError } from '../../error-type.js';

const report = (error: unknown): void => reportAs('node:http', error);

// --- responses ------------------------------------------------------------------------------------------------------

function headerLookup(message: IncomingMessage): HeaderLookup {
  return (name) => {
    const value = message.headers[name];
    return value === undefined ? undefined : Array.isArray(value) ? value.join(', ') : value;
  };
}

const responseProtos = new WeakMap<object, object>();

function observedResponseProto(base: object): object {
  let proto = responseProtos.get(base);
  if (proto !== undefined) return proto;
  const basePush = (base as { push: AnyFunction }).push;
  const baseDestroy = (base as { destroy: AnyFunction }).destroy;
  proto = Object.create(base, {
    push: method(function push(this: IncomingMessage & Observed, chunk: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          if (chunk === null) call.bodyEnd(this.complete);
          else call.chunk(chunk);
        } catch (error) {
          report(error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return basePush.apply(this, arguments as unknown as unknown[]);
    }),
    destroy: method(function destroy(this: IncomingMessage & Observed, error?: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          call.fail(error);
        } catch (failure) {
          report(failure);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return baseDestroy.apply(this, arguments as unknown as unknown[]);
    }),
  }) as object;
  responseProtos.set(base, proto);
  return proto;
}

function observeResponse(response: unknown, call: OutgoingCall): void {
  if (typeof response !== 'object' || response === null) return;
  const message = response as IncomingMessage & Observed;
  call.response(message.statusCode ?? 0, headerLookup(message));
  if (call.finished) return;
  const base = Object.getPrototypeOf(message) as object;
  Object.setPrototypeOf(message, observedResponseProto(base));
  message[kCall] = call;
}

// --- requests -------------------------------------------------------------------------------------------------------

const requestProtos = new WeakMap<object, object>();

function observedRequestProto(base: object): object {
  let proto = requestProtos.get(base);
  if (proto !== undefined) return proto;
  const b = base as Record<'emit' | 'destroy' | 'abort', AnyFunction>;
  const baseEmit = b.emit;
  const baseDestroy = b.destroy;
  const baseAbort = b.abort;
  proto = Object.create(base, {
    ...writeMethods(base, 'node:http'),
    emit: method(function emit(this: ClientRequest & Observed, name: unknown, value?: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          if (name === 'response') observeResponse(value, call);
          else if (name === 'error') call.fail(value);
          else if (name === 'close' && (this as { res?: unknown }).res == null) call.fail(undefined);
        } catch (error) {
          report(error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return baseEmit.apply(this, arguments as unknown as unknown[]);
    }),
    destroy: method(function destroy(this: ClientRequest & Observed, error?: unknown) {
      const call = this[kCall];
      if (call !== undefined && (error === undefined || isAbortError(error))) call.aborted = true;
      // eslint-disable-next-line prefer-rest-params
      return baseDestroy.apply(this, arguments as unknown as unknown[]);
    }),
    abort: method(function abort(this: ClientRequest & Observed) {
      const call = this[kCall];
      if (call !== undefined) call.aborted = true;
      // eslint-disable-next-line prefer-rest-params
      return baseAbort.apply(this, arguments as unknown as unknown[]);
    }),
  }) as object;
  requestProtos.set(base, proto);
  return proto;
}

/**
 * Starts watching a request for `call`. Returns false when it cannot be watched (not a ClientRequest we understand);
 * the caller then ends the call itself.
 */
export function observeRequest(request: unknown, call: OutgoingCall): boolean {
  if (typeof request !== 'object' || request === null || typeof (request as { end?: unknown }).end !== 'function') {
    return false;
  }
  const req = request as ClientRequest & Observed;
  if (!observe(req, call, observedRequestProto, 'node:http')) return false;
  // `http.get()` ends the request before returning it: read what there is (no body) now.
  if (req.writableEnded) call.requestEnd();
  else call.hold(req);
  return true;
}
