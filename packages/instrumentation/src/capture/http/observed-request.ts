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
  errorOnce(key, 'could not follow an LLM call on node:http; it may be recorded without usage', error);
}

/** Blocks a request the budget guard refused: nothing is sent, the application gets the guard's error. */
function block(request: ClientRequest, call: OutgoingCall, error: Error): void {
  call.finished = true;
  call.call.discard(error);
  request.destroy(error);
}

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
          report('http:push', error);
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
          report('http:destroy', failure);
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
  const b = base as Record<'write' | 'end' | 'emit' | 'destroy' | 'abort', AnyFunction>;
  const baseWrite = b.write;
  const baseEnd = b.end;
  const baseEmit = b.emit;
  const baseDestroy = b.destroy;
  const baseAbort = b.abort;
  proto = Object.create(base, {
    write: method(function write(this: ClientRequest & Observed, chunk: unknown, encoding?: unknown) {
      const call = this[kCall];
      if (call !== undefined) {
        try {
          call.wrote(chunk, typeof encoding === 'function' ? undefined : encoding);
        } catch (error) {
          report('http:write', error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      const written = baseWrite.apply(this, arguments as unknown as unknown[]);
      if (written === false && call !== undefined) call.writeBlocked(this);
      return written;
    }),
    end: method(function end(this: ClientRequest & Observed, chunk?: unknown, encoding?: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      const call = this[kCall];
      if (call === undefined) return baseEnd.apply(this, args);
      let verdict: Error | undefined | Promise<Error | undefined>;
      try {
        if (typeof chunk !== 'function') call.wrote(chunk, typeof encoding === 'function' ? undefined : encoding);
        verdict = call.requestEnd();
      } catch (error) {
        report('http:end', error);
        verdict = undefined;
      }
      if (verdict === undefined) return baseEnd.apply(this, args);
      if (!isThenable(verdict)) {
        block(this, call, verdict);
        return this;
      }
      // An asynchronous budget answer: the request ends when it arrives (the body stays unsent until then).
      verdict.then(
        (error) => (error === undefined ? baseEnd.apply(this, args) : block(this, call, error)),
        () => baseEnd.apply(this, args),
      );
      return this;
    }),
    emit: method(function emit(this: ClientRequest & Observed, name: unknown, value?: unknown) {
      const call = this[kCall];
      if (call !== undefined && !call.finished) {
        try {
          if (name === 'response') observeResponse(value, call);
          else if (name === 'error') call.fail(value);
          else if (name === 'close' && (this as { res?: unknown }).res == null) call.fail(undefined);
        } catch (error) {
          report('http:emit', error);
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
  if (req[kCall] !== undefined) return false;
  const base = Object.getPrototypeOf(req) as object;
  try {
    Object.setPrototypeOf(req, observedRequestProto(base));
    req[kCall] = call;
  } catch (error) {
    try {
      if (Object.getPrototypeOf(req) !== base) Object.setPrototypeOf(req, base);
    } catch {
      // Nothing more to undo.
    }
    report('http:observe', error);
    return false;
  }
  // `http.get()` ends the request before returning it: read what there is (no body) now.
  if (req.writableEnded) call.requestEnd();
  else call.hold(req);
  return true;
}
