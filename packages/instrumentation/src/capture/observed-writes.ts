/**
 * The request side of a watched Node stream transport (an HTTP/1 ClientRequest, an HTTP/2 client stream): `write()`
 * and `end()` wrappers that show the body chunks to the call (by reference) and, at `end()`, ask the budget guard,
 * waiting for an asynchronous answer before the request ends, or destroying the request with the guard's error.
 * Installed through a prototype in front of the object's own (see http/observed-request.ts, http2/observed-stream.ts).
 */
import { isThenable } from './call-start.js';
import type { OutgoingCall } from './outgoing-call.js';
import { errorOnce } from '../diag-once.js';

/** Where a watched object keeps its call (shared by the ESM and CommonJS builds). */
export const kCall = Symbol.for('@llm-cost/instrumentation.outgoing-call');

export type Observed = { [kCall]?: OutgoingCall };
export type AnyFunction = (this: unknown, ...args: unknown[]) => unknown;

interface RequestStream {
  destroy(error?: Error): unknown;
}

export const method = (value: unknown): PropertyDescriptor => ({ configurable: true, writable: true, value });

export function report(transport: string, error: unknown): void {
  errorOnce(`${transport}:observe`, `could not follow an LLM call on ${transport}; it may be recorded without usage`, error);
}

/** Blocks a request the budget guard refused: nothing more is sent, the application gets the guard's error. */
function block(stream: RequestStream, call: OutgoingCall, error: Error): void {
  call.finished = true;
  call.call.discard(error);
  stream.destroy(error);
}

/** `write` and `end` of the observed prototype over `base`. */
export function writeMethods(base: object, transport: string): PropertyDescriptorMap {
  const baseWrite = (base as { write: AnyFunction }).write;
  const baseEnd = (base as { end: AnyFunction }).end;
  return {
    write: method(function write(this: RequestStream & Observed, chunk: unknown, encoding?: unknown) {
      const call = this[kCall];
      if (call !== undefined) {
        try {
          call.wrote(chunk, typeof encoding === 'function' ? undefined : encoding);
        } catch (error) {
          report(transport, error);
        }
      }
      // eslint-disable-next-line prefer-rest-params
      const written = baseWrite.apply(this, arguments as unknown as unknown[]);
      if (written === false && call !== undefined) call.writeBlocked(this as unknown as Parameters<OutgoingCall['writeBlocked']>[0]);
      return written;
    }),
    end: method(function end(this: RequestStream & Observed, chunk?: unknown, encoding?: unknown) {
      // eslint-disable-next-line prefer-rest-params
      const args = arguments as unknown as unknown[];
      const call = this[kCall];
      if (call === undefined) return baseEnd.apply(this, args);
      let verdict: Error | undefined | Promise<Error | undefined>;
      try {
        if (typeof chunk !== 'function') call.wrote(chunk, typeof encoding === 'function' ? undefined : encoding);
        verdict = call.requestEnd();
      } catch (error) {
        report(transport, error);
        verdict = undefined;
      }
      if (verdict === undefined) return baseEnd.apply(this, args);
      if (!isThenable(verdict)) {
        block(this, call, verdict);
        return this;
      }
      // An asynchronous budget answer: the request ends when it arrives (the body stays held until then).
      verdict.then(
        (error) => (error === undefined ? baseEnd.apply(this, args) : block(this, call, error)),
        () => baseEnd.apply(this, args),
      );
      return this;
    }),
  };
}

/** Puts `target` behind a prototype made by `protoFor` and gives it `call`; false (and `target` untouched) on failure. */
export function observe(target: object & Observed, call: OutgoingCall, protoFor: (base: object) => object, transport: string): boolean {
  if (target[kCall] !== undefined) return false;
  const base = Object.getPrototypeOf(target) as object;
  try {
    Object.setPrototypeOf(target, protoFor(base));
    target[kCall] = call;
    return true;
  } catch (error) {
    try {
      if (Object.getPrototypeOf(target) !== base) Object.setPrototypeOf(target, base);
    } catch {
      // Nothing more to undo.
    }
    report(transport, error);
    return false;
  }
}
