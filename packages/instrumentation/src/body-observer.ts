/**
 * Watches a response body as the application reads it, without copying it, buffering it or changing its timing.
 *
 * The `Response` and its `body` stream stay the very objects fetch returned. We give the stream instance a prototype
 * that sits between it and `ReadableStream.prototype` and wraps the ways a body is read: `getReader()` (and so
 * `response.json()/text()/arrayBuffer()`, which read through it, and `Readable.fromWeb`), async iteration,
 * `tee()` / `pipeTo()` / `pipeThrough()` (through a pull-based copy, so backpressure is kept) and `cancel()`.
 * Each chunk the application receives is shown to a sink after the underlying read resolves (one extra microtask,
 * no copy). `response.json()` is wrapped too, so the application's own parse feeds us (no second parse).
 *
 * A body dropped without being read to the end ends its span when it is garbage-collected (FinalizationRegistry),
 * marked `abandoned`.
 */
import type { ReadableStreamReadResult, ReadableWritablePair, StreamPipeOptions } from 'node:stream/web';
import { errorOnce } from './diag-once.js';

/** Receives what the application reads. Implementations never throw. */
export interface BodySink {
  /** A chunk the application is about to receive. */
  chunk(value: unknown): void;
  /** The body was read to the end. */
  completed(): void;
  /** The application stopped reading (cancel, early break, lock released before the end). */
  cancelled(): void;
  /** Reading failed. */
  failed(error: unknown): void;
  /** Garbage-collected before the end. */
  abandoned(): void;
  /** `response.json()` resolved (or rejected: `ok = false`). Called even after `completed()`; must be idempotent. */
  json?(value: unknown, ok: boolean): void;
  /** Whether `response.json()` is reading this body (raw chunks then need not be kept). */
  readingJson?: boolean;
}

const kSink = Symbol('llm-cost.body-sink');

type WithSink = { [kSink]?: ObservedRead };

/** Per-body adapter holding the bound callbacks, created once per response (not per chunk). */
class ObservedRead {
  readonly sink: BodySink;
  finished = false;

  constructor(sink: BodySink) {
    this.sink = sink;
  }

  readonly onResult = (result: ReadableStreamReadResult<unknown>): ReadableStreamReadResult<unknown> => {
    if (!this.finished) {
      if (result.done) {
        this.finish();
        this.sink.completed();
      } else {
        this.sink.chunk(result.value);
      }
    }
    return result;
  };

  readonly onError = (error: unknown): never => {
    if (!this.finished) {
      this.finish();
      this.sink.failed(error);
    }
    throw error;
  };

  cancel(): void {
    if (!this.finished) {
      this.finish();
      this.sink.cancelled();
    }
  }

  finish(): void {
    this.finished = true;
    registry.unregister(this);
  }
}

const registry = new FinalizationRegistry<ObservedRead>((observed) => {
  if (observed.finished) return;
  observed.finished = true;
  observed.sink.abandoned();
});

// --- readers ------------------------------------------------------------------------------------------------------

const readerProtos = new WeakMap<object, object>();

/** A prototype for a reader class whose `read`, `cancel` and `releaseLock` report to the body's sink. */
function observedReaderProto(base: object): object {
  let proto = readerProtos.get(base);
  if (proto !== undefined) return proto;
  const baseRead = (base as ReadableStreamDefaultReader).read;
  const baseCancel = (base as ReadableStreamDefaultReader).cancel;
  const baseRelease = (base as ReadableStreamDefaultReader).releaseLock;
  proto = Object.create(base, {
    read: {
      configurable: true,
      writable: true,
      value: function read(this: WithSink) {
        // `arguments` keeps BYOB `read(view, options)` intact.
        // eslint-disable-next-line prefer-rest-params
        const pending = baseRead.apply(this, arguments as unknown as []) as Promise<ReadableStreamReadResult<unknown>>;
        const observed = this[kSink];
        return observed === undefined || observed.finished ? pending : pending.then(observed.onResult, observed.onError);
      },
    },
    cancel: {
      configurable: true,
      writable: true,
      value: function cancel(this: WithSink, reason?: unknown) {
        this[kSink]?.cancel();
        return baseCancel.call(this, reason);
      },
    },
    releaseLock: {
      configurable: true,
      writable: true,
      value: function releaseLock(this: WithSink) {
        // Releasing the lock before the end means the consumer stopped reading (e.g. @google/genai after `break`).
        this[kSink]?.cancel();
        return baseRelease.call(this);
      },
    },
  }) as object;
  readerProtos.set(base, proto);
  return proto;
}

function observeReader<R extends object>(reader: R, observed: ObservedRead): R {
  (reader as WithSink)[kSink] = observed;
  Object.setPrototypeOf(reader, observedReaderProto(Object.getPrototypeOf(reader) as object));
  return reader;
}

// --- streams ------------------------------------------------------------------------------------------------------

const baseGetReader = ReadableStream.prototype.getReader;
const baseCancel = ReadableStream.prototype.cancel;

/** A plain stream fed through the observed reader, used for tee / pipeTo / pipeThrough (pull-based: no read-ahead). */
function observedCopy(stream: ReadableStream): ReadableStream {
  const reader = stream.getReader() as ReadableStreamDefaultReader<unknown>;
  return new ReadableStream<unknown>(
    {
      pull(controller) {
        return reader.read().then((result) => {
          if (result.done) {
            controller.close();
          } else {
            controller.enqueue(result.value);
          }
        });
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Async iteration over the base reader, reporting inline (one microtask per chunk, like the native iterator). */
function observedValues(this: ReadableStream & WithSink, options?: { preventCancel?: boolean }) {
  const observed = this[kSink];
  const reader = baseGetReader.call(this) as ReadableStreamDefaultReader<unknown>;
  const preventCancel = Boolean(options?.preventCancel);
  let done = false;
  const onResult = (result: ReadableStreamReadResult<unknown>) => {
    if (observed !== undefined) observed.onResult(result);
    if (result.done) {
      done = true;
      reader.releaseLock();
    }
    return result;
  };
  const onError = (error: unknown): never => {
    done = true;
    reader.releaseLock();
    if (observed !== undefined) observed.onError(error);
    throw error;
  };
  const iterator: AsyncIterableIterator<unknown> & { return(value?: unknown): Promise<IteratorResult<unknown>> } = {
    next() {
      if (done) return Promise.resolve({ value: undefined, done: true });
      return reader.read().then(onResult, onError) as Promise<IteratorResult<unknown>>;
    },
    return(value?: unknown) {
      if (done) return Promise.resolve({ value, done: true });
      done = true;
      observed?.cancel();
      if (!preventCancel) {
        const cancelling = reader.cancel(value);
        reader.releaseLock();
        return cancelling.then(() => ({ value, done: true }));
      }
      reader.releaseLock();
      return Promise.resolve({ value, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return iterator;
}

const streamProtos = new WeakMap<object, object>();

function observedStreamProto(base: object): object {
  let proto = streamProtos.get(base);
  if (proto !== undefined) return proto;
  const method = (value: unknown) => ({ configurable: true, writable: true, value });
  proto = Object.create(base, {
    getReader: method(function getReader(this: ReadableStream & WithSink, options?: { mode?: 'byob' }) {
      const reader = baseGetReader.call(this, options as { mode: 'byob' });
      const observed = this[kSink];
      return observed === undefined || observed.finished ? reader : observeReader(reader, observed);
    }),
    values: method(observedValues),
    [Symbol.asyncIterator]: method(observedValues),
    cancel: method(function cancel(this: ReadableStream & WithSink, reason?: unknown) {
      if (!this.locked) this[kSink]?.cancel();
      return baseCancel.call(this, reason);
    }),
    tee: method(function tee(this: ReadableStream) {
      return observedCopy(this).tee();
    }),
    pipeTo: method(function pipeTo(this: ReadableStream, destination: WritableStream, options?: StreamPipeOptions) {
      return observedCopy(this).pipeTo(destination, options);
    }),
    pipeThrough: method(function pipeThrough(
      this: ReadableStream,
      transform: ReadableWritablePair,
      options?: StreamPipeOptions,
    ) {
      return observedCopy(this).pipeThrough(transform, options);
    }),
  }) as object;
  streamProtos.set(base, proto);
  return proto;
}

/** Wraps `response.json()` so the application's parse result feeds the sink. */
function observeJsonMethod(response: Response, observed: ObservedRead): void {
  const baseJson = response.json;
  Object.defineProperty(response, 'json', {
    configurable: true,
    writable: true,
    enumerable: false,
    value: function json(this: Response) {
      const sink = observed.sink;
      sink.readingJson = true;
      const pending = baseJson.call(this) as Promise<unknown>;
      // json() reads through the observed reader, which already saw the end; the parsed value completes the call.
      return pending.then(
        (value) => {
          observed.finish();
          sink.json?.(value, true);
          return value;
        },
        (error: unknown) => {
          observed.finish();
          sink.json?.(undefined, false);
          throw error;
        },
      );
    },
  });
}

/**
 * Starts watching `response.body` for `sink`. Returns false when the body cannot be watched (no body, already read,
 * not a web ReadableStream); the caller then ends the span itself.
 */
export function observeBody(response: Response, sink: BodySink, wrapJson: boolean): boolean {
  const body = response.body as (ReadableStream & WithSink) | null;
  if (body === null || !(body instanceof ReadableStream) || body.locked || kSink in body) return false;
  const observed = new ObservedRead(sink);
  try {
    body[kSink] = observed;
    Object.setPrototypeOf(body, observedStreamProto(Object.getPrototypeOf(body) as object));
    if (wrapJson) observeJsonMethod(response, observed);
  } catch (error) {
    errorOnce('body:observe', 'could not watch a response body; its usage is not recorded', error);
    return false;
  }
  registry.register(body, observed, observed);
  return true;
}
