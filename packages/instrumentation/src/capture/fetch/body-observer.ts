/**
 * Watches a response body as the application reads it, without copying it, buffering it or changing its timing.
 *
 * The `Response` and its `body` stream stay the very objects fetch returned. The response gets a prototype that sits
 * between it and `Response.prototype` and wraps the ways a body is read: `json()` (the application's own parse feeds
 * us: no second parse), `text()`, `arrayBuffer()`, `bytes()`, `blob()`, `formData()`, `clone()` and the `body` getter.
 * Only when the application touches `body` does the stream get such a prototype too, wrapping `getReader()` (and so
 * `Readable.fromWeb`), async iteration, `tee()` / `pipeTo()` / `pipeThrough()` (through a pull-based copy, so
 * backpressure is kept) and `cancel()`. Each chunk is shown to a sink after the underlying read resolves (no copy;
 * our iterator makes as many promises per chunk as the native one it replaces). The watched response and stream carry
 * their state under a symbol, set together with the prototype: one more map transition of an object that changes map
 * anyway, cheaper than a WeakMap entry per object.
 *
 * A body dropped without being read to the end ends its span when it is garbage-collected (FinalizationRegistry),
 * marked `abandoned`. Registering costs a few microseconds per call in place (measured in docs/benchmarks.md), and
 * most bodies are read to the end within the turn they arrive in (the SDKs call `json()` at once), so a body is
 * registered on the next turn of the event loop, and only if it is still being read then.
 */
import type { ReadableStreamReadResult, ReadableWritablePair, StreamPipeOptions } from 'node:stream/web';
import { Readable } from 'node:stream';
import { errorOnce } from '../../diag-once.js';

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
  /** What the registry must watch (the response, or its stream once read), held until registered on the next turn. */
  target: object | undefined;
  registered = false;

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
    this.target = undefined;
    if (this.registered) registry.unregister(this);
  }

  /** Watches `target` for garbage collection from the next turn on (or at once when a watch already runs). */
  watch(target: object): void {
    if (this.registered) {
      registry.unregister(this);
      registry.register(target, this, this);
    } else {
      if (this.target === undefined) watchLater(this);
      this.target = target;
    }
  }
}

const registry = new FinalizationRegistry<ObservedBody>((observed) => {
  if (observed.finished) return;
  observed.finished = true;
  observed.sink.abandoned();
});

/** Bodies to register on the next turn; a body finished before then has dropped its target and is skipped. */
let unwatched: ObservedBody[] = [];
let registering = false;

function watchLater(observed: ObservedBody): void {
  unwatched.push(observed);
  if (registering) return;
  registering = true;
  // unref: the registry only reports bodies the application dropped; it never needs to keep the process alive.
  setImmediate(registerUnwatched).unref();
}

function registerUnwatched(): void {
  registering = false;
  const bodies = unwatched;
  unwatched = [];
  for (const observed of bodies) {
    const target = observed.target;
    if (target === undefined || observed.finished) continue;
    observed.target = undefined;
    observed.registered = true;
    registry.register(target, observed, observed);
  }
}

/** Where a watched response, stream or reader keeps its ObservedBody (shared by the ESM and CommonJS builds). */
const kObserved = Symbol.for('@llm-cost/instrumentation.observed-body');
type Watched = { [kObserved]?: ObservedBody };

function observedOf(object: object): ObservedBody | undefined {
  return (object as Watched)[kObserved];
}

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
      const observed = observedOf(this);
      return observed === undefined || observed.finished ? pending : pending.then(observed.onResult, observed.onError);
    }),
    cancel: method(function cancel(this: object, reason?: unknown) {
      observedOf(this)?.cancel();
      return baseCancel.call(this, reason);
    }),
    releaseLock: method(function releaseLock(this: object) {
      // Releasing the lock before the end means the consumer stopped reading (e.g. @google/genai after `break`).
      observedOf(this)?.cancel();
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
  const observed = observedOf(this);
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
      const observed = observedOf(this);
      if (observed !== undefined && !observed.finished) {
        Object.setPrototypeOf(reader, observedReaderProto(Object.getPrototypeOf(reader) as object));
        (reader as Watched)[kObserved] = observed;
      }
      return reader;
    }),
    values: method(observedValues),
    [Symbol.asyncIterator]: method(observedValues),
    cancel: method(function cancel(this: ReadableStream, reason?: unknown) {
      if (!this.locked) observedOf(this)?.cancel();
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
  if (!(stream instanceof ReadableStream) || observedOf(stream) !== undefined || observed.finished) return;
  try {
    Object.setPrototypeOf(stream, observedStreamProto(Object.getPrototypeOf(stream) as object));
    (stream as Watched)[kObserved] = observed;
    // From now on the stream, not the response, must be collected for the body to count as abandoned: an
    // application may keep reading `response.body` after dropping the response.
    observed.watch(stream);
  } catch (error) {
    errorOnce('body:observe-stream', 'could not watch a response stream; its usage may be missed', error);
  }
}

// --- Readable.fromWeb ----------------------------------------------------------------------------------------------

/**
 * Node 24's `Readable.fromWeb()` takes a reader with `getReader()` and then reads through the stream internals, never
 * calling the reader's `read()`: an observed stream handed to it would be read without our seeing a chunk or the end.
 * While the instrumentation is enabled, `fromWeb` is given the pull-based observed copy of such a stream instead (the
 * same bytes, the same backpressure); any other stream goes through untouched. Returns the undo.
 */
export function patchReadableFromWeb(): () => void {
  const base = Readable.fromWeb;
  if (typeof base !== 'function') return () => undefined;
  const patched = function fromWeb(this: unknown, stream: unknown, options?: unknown) {
    const observed = stream instanceof ReadableStream && !stream.locked ? observedOf(stream) : undefined;
    const source = observed !== undefined && !observed.finished ? observedCopy(stream as ReadableStream) : stream;
    return (base as (s: unknown, o?: unknown) => Readable).call(this, source, options);
  } as typeof Readable.fromWeb;
  Readable.fromWeb = patched;
  return () => {
    if (Readable.fromWeb === patched) Readable.fromWeb = base;
  };
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
      const observed = observedOf(this);
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
        const observed = observedOf(this);
        if (observed !== undefined && stream !== null) observeStream(stream, observed);
        return stream;
      },
    },
    json: method(function json(this: Response) {
      const pending = baseJson.call(this) as Promise<unknown>;
      const observed = observedOf(this);
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
      const observed = observedOf(this);
      // Whichever copy is read first completes the call.
      if (observed !== undefined && !observed.finished) {
        Object.setPrototypeOf(copy, observedResponseProto(Object.getPrototypeOf(copy) as object));
        (copy as Watched)[kObserved] = observed;
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
  if (observedOf(response) !== undefined) return false;
  const observed = new ObservedBody(sink);
  const base = Object.getPrototypeOf(response) as object;
  try {
    Object.setPrototypeOf(response, observedResponseProto(base));
    (response as Watched)[kObserved] = observed;
  } catch (error) {
    try {
      // A frozen or exotic response: leave it exactly as it was.
      if (Object.getPrototypeOf(response) !== base) Object.setPrototypeOf(response, base);
    } catch {
      // Nothing more to undo.
    }
    errorOnce('body:observe', 'could not watch a response body; its usage is not recorded', error);
    return false;
  }
  observed.watch(response);
  return true;
}
