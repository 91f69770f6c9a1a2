/**
 * Watches a response body as the application reads it, without copying it, buffering it or changing its timing.
 *
 * The `Response` and its `body` stream stay the very objects fetch returned. The response gets a prototype that sits
 * between it and `Response.prototype` and wraps the ways a body is read: `json()` (the application's own parse feeds
 * us: no second parse), `text()`, `arrayBuffer()`, `bytes()`, `blob()`, `formData()`, `clone()` and the `body` getter.
 * Only when the application touches `body` does the stream get such a prototype too, wrapping `getReader()` (and so
 * `Readable.fromWeb`), async iteration, `tee()` / `pipeTo()` / `pipeThrough()` (through a pull-based copy, so
 * backpressure is kept) and `cancel()`. Each chunk is shown to a sink after the underlying read resolves (no copy,
 * one extra microtask). Per-object state lives in WeakMaps: adding a property to a stream costs more than the lookup.
 *
 * A body dropped without being read to the end ends its span when it is garbage-collected (FinalizationRegistry),
 * marked `abandoned`.
 */
import type { ReadableStreamReadResult, ReadableWritablePair, StreamPipeOptions } from 'node:stream/web';
import { errorOnce } from './diag-once.js';

/** Receives what the application reads. Implementations never throw. */
export interface BodySink {
  /** A chunk the application is about to receive from the stream. */
  chunk(value: unknown): void;
  /** The stream was read to the end. */
  completed(): void;
  /** The application stopped reading (cancel, early break, lock released before the end). */
  cancelled(): void;
  /** Reading failed. */
  failed(error: unknown): void;
  /** Garbage-collected before the end. */
  abandoned(): void;
  /** `response.json()` resolved with `value`. */
  json(value: unknown): void;
  /** `text()` / `arrayBuffer()` / `bytes()` / `blob()` resolved with the whole body. */
  whole(body: string | Uint8Array): void;
}

/** Per-response adapter holding the bound callbacks, created once per response (not per chunk). */
class ObservedBody {
  readonly sink: BodySink;
  finished = false;

  constructor(sink: BodySink) {
    this.sink = sink;
  }

  private resultCallback: ((result: ReadableStreamReadResult<unknown>) => ReadableStreamReadResult<unknown>) | undefined;
  private errorCallback: ((error: unknown) => never) | undefined;

  /** Reports a read's chunk, or the end. */
  report(result: ReadableStreamReadResult<unknown>): ReadableStreamReadResult<unknown> {
    if (!this.finished) {
      if (result.done) {
        this.finish();
        this.sink.completed();
      } else {
        this.sink.chunk(result.value);
      }
    }
    return result;
  }

  /** `then` callback for a reader's read, made on first use (a body read with `json()` never needs it). */
  get onResult(): (result: ReadableStreamReadResult<unknown>) => ReadableStreamReadResult<unknown> {
    return (this.resultCallback ??= (result) => this.report(result));
  }

  /** `then` callback for a failed read. */
  get onError(): (error: unknown) => never {
    return (this.errorCallback ??= (error) => {
      this.fail(error);
      throw error;
    });
  }

  fail(error: unknown): void {
    if (!this.finished) {
      this.finish();
      this.sink.failed(error);
    }
  }

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

const registry = new FinalizationRegistry<ObservedBody>((observed) => {
  if (observed.finished) return;
  observed.finished = true;
  observed.sink.abandoned();
});

const responses = new WeakMap<object, ObservedBody>();
const streams = new WeakMap<object, ObservedBody>();
const readers = new WeakMap<object, ObservedBody>();

const method = (value: unknown): PropertyDescriptor => ({ configurable: true, writable: true, value });

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
    read: method(function read(this: object) {
      // `arguments` keeps BYOB `read(view, options)` intact.
      // eslint-disable-next-line prefer-rest-params
      const pending = baseRead.apply(this, arguments as unknown as []) as Promise<ReadableStreamReadResult<unknown>>;
      const observed = readers.get(this);
      return observed === undefined || observed.finished ? pending : pending.then(observed.onResult, observed.onError);
    }),
    cancel: method(function cancel(this: object, reason?: unknown) {
      readers.get(this)?.cancel();
      return baseCancel.call(this, reason);
    }),
    releaseLock: method(function releaseLock(this: object) {
      // Releasing the lock before the end means the consumer stopped reading (e.g. @google/genai after `break`).
      readers.get(this)?.cancel();
      return baseRelease.call(this);
    }),
  }) as object;
  readerProtos.set(base, proto);
  return proto;
}

// --- streams ------------------------------------------------------------------------------------------------------

const baseGetReader = ReadableStream.prototype.getReader;
const baseStreamCancel = ReadableStream.prototype.cancel;

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
function observedValues(this: ReadableStream, options?: { preventCancel?: boolean }) {
  const observed = streams.get(this);
  const reader = baseGetReader.call(this) as ReadableStreamDefaultReader<unknown>;
  const preventCancel = Boolean(options?.preventCancel);
  let done = false;
  const onResult = (result: ReadableStreamReadResult<unknown>) => {
    if (observed !== undefined) observed.report(result);
    if (result.done) {
      done = true;
      reader.releaseLock();
    }
    return result;
  };
  const onError = (error: unknown): never => {
    done = true;
    reader.releaseLock();
    observed?.fail(error);
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
  proto = Object.create(base, {
    getReader: method(function getReader(this: ReadableStream, options?: { mode?: 'byob' }) {
      const reader = baseGetReader.call(this, options as { mode: 'byob' });
      const observed = streams.get(this);
      if (observed !== undefined && !observed.finished) {
        readers.set(reader, observed);
        Object.setPrototypeOf(reader, observedReaderProto(Object.getPrototypeOf(reader) as object));
      }
      return reader;
    }),
    values: method(observedValues),
    [Symbol.asyncIterator]: method(observedValues),
    cancel: method(function cancel(this: ReadableStream, reason?: unknown) {
      if (!this.locked) streams.get(this)?.cancel();
      return baseStreamCancel.call(this, reason);
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

/** Starts watching a stream for `observed` (the first time the application touches `response.body`). */
function observeStream(stream: unknown, observed: ObservedBody): void {
  if (!(stream instanceof ReadableStream) || streams.has(stream) || observed.finished) return;
  try {
    streams.set(stream, observed);
    Object.setPrototypeOf(stream, observedStreamProto(Object.getPrototypeOf(stream) as object));
    // From now on the stream, not the response, must be collected for the body to count as abandoned: an
    // application may keep reading `response.body` after dropping the response.
    registry.unregister(observed);
    registry.register(stream, observed, observed);
  } catch (error) {
    errorOnce('body:observe-stream', 'could not watch a response stream; its usage may be missed', error);
  }
}

// --- responses ----------------------------------------------------------------------------------------------------

const responseProtos = new WeakMap<object, object>();

/** The getter of `name` on `object` or its prototype chain. */
function getterOf(object: object, name: string): (this: unknown) => unknown {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const getter = Object.getOwnPropertyDescriptor(o, name)?.get;
    if (getter !== undefined) return getter;
  }
  return () => undefined;
}

function observedResponseProto(base: object): object {
  let proto = responseProtos.get(base);
  if (proto !== undefined) return proto;
  const r = base as Response;
  const baseBody = getterOf(base, 'body');
  const baseJson = r.json;
  const baseClone = r.clone;

  /** Wraps a whole-body read so its result feeds the sink. */
  const wholeRead = (name: 'text' | 'arrayBuffer' | 'bytes' | 'blob' | 'formData') => {
    const baseRead = (r as unknown as Record<string, (() => Promise<unknown>) | undefined>)[name];
    if (typeof baseRead !== 'function') return undefined;
    return method(function read(this: Response) {
      const pending = baseRead.call(this);
      const observed = responses.get(this);
      if (observed === undefined || observed.finished) return pending;
      return pending.then(
        (value) => {
          if (!observed.finished) {
            observed.finish();
            if (typeof value === 'string' || value instanceof Uint8Array) {
              observed.sink.whole(value);
            } else if (value instanceof ArrayBuffer) {
              observed.sink.whole(new Uint8Array(value));
            } else if (value instanceof Blob) {
              value.arrayBuffer().then(
                (buffer) => observed.sink.whole(new Uint8Array(buffer)),
                () => observed.sink.whole(''),
              );
            } else {
              observed.sink.whole('');
            }
          }
          return value;
        },
        (error: unknown) => {
          observed.fail(error);
          throw error;
        },
      );
    });
  };

  const descriptors: PropertyDescriptorMap = {
    body: {
      configurable: true,
      get(this: Response) {
        const stream: unknown = baseBody.call(this);
        const observed = responses.get(this);
        if (observed !== undefined && stream !== null) observeStream(stream, observed);
        return stream;
      },
    },
    json: method(function json(this: Response) {
      const pending = baseJson.call(this) as Promise<unknown>;
      const observed = responses.get(this);
      if (observed === undefined || observed.finished) return pending;
      return pending.then(
        (value) => {
          if (!observed.finished) {
            observed.finish();
            observed.sink.json(value);
          }
          return value;
        },
        (error: unknown) => {
          observed.fail(error);
          throw error;
        },
      );
    }),
    clone: method(function clone(this: Response) {
      const copy = baseClone.call(this);
      const observed = responses.get(this);
      // Whichever copy is read first completes the call.
      if (observed !== undefined && !observed.finished) {
        responses.set(copy, observed);
        Object.setPrototypeOf(copy, observedResponseProto(Object.getPrototypeOf(copy) as object));
      }
      return copy;
    }),
  };
  for (const name of ['text', 'arrayBuffer', 'bytes', 'blob', 'formData'] as const) {
    const descriptor = wholeRead(name);
    if (descriptor !== undefined) descriptors[name] = descriptor;
  }
  proto = Object.create(base, descriptors) as object;
  responseProtos.set(base, proto);
  return proto;
}

/**
 * Starts watching a response body for `sink`. Returns false when it cannot be watched (no body, already used);
 * the caller then ends the span itself.
 */
export function observeBody(response: Response, sink: BodySink): boolean {
  if (responses.has(response)) return false;
  const observed = new ObservedBody(sink);
  try {
    responses.set(response, observed);
    Object.setPrototypeOf(response, observedResponseProto(Object.getPrototypeOf(response) as object));
  } catch (error) {
    responses.delete(response);
    errorOnce('body:observe', 'could not watch a response body; its usage is not recorded', error);
    return false;
  }
  registry.register(response, observed, observed);
  return true;
}
