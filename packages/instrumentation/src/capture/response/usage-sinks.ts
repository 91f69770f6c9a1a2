/**
 * Usage from the bytes of a response, whatever carried them: every transport (fetch, `node:http`, `node:http2`) feeds
 * the same sinks with the chunks the application receives, in order, and says how the body ended. A sink ends the
 * call's span when the body ends (completed, cancelled, failed, abandoned), reading usage from what it saw.
 *
 * The sink is chosen by the response's content type (`sinkFor`): a JSON body is kept (references only) and parsed
 * once on the turn after it ended; a stream is read by the decoder of its format, which keeps only what usage can be
 * read from (for server-sent events: the first and last events, see sse-tail.ts). New stream formats (AWS
 * eventstream) are added to `STREAM_FORMATS`. Response headers reach a sink as a lookup function, so that a provider
 * whose usage sits in headers (Bedrock's `x-amzn-bedrock-*-token-count`) can read them when the call ends.
 */
import { StringDecoder } from 'node:string_decoder';
import { END_REASON, USAGE_SOURCE } from '@llm-cost/semconv';
import type { LlmSpan } from '../../llm-span.js';
import type { Endpoint, ProviderModule } from '../../providers/types.js';
import { SseTail } from './sse-tail.js';
import { errorOnce } from '../../diag-once.js';
import { errorTypeOf, isAbortError } from '../../error-type.js';

/** A response header by lower-case name (several values joined with `, `), or undefined. */
export type HeaderLookup = (name: string) => string | undefined;

/** JSON bodies larger than this are passed through without reading their usage. */
export const MAX_JSON_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder();
const encoder = new TextEncoder();

export function parseJson(text: string): unknown {
  const first = text.trimStart().charCodeAt(0);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** What every transport tells a sink. Implementations never throw. */
export interface ChunkSink {
  /** A chunk of the body, as delivered (never modified or kept beyond what usage needs). */
  chunk(value: unknown): void;
  /** The body ended normally. */
  completed(): void;
  /** The application stopped reading (cancel, early break, destroy without an error). */
  cancelled(): void;
  /** The body failed (network error, abort). */
  failed(error: unknown): void;
  /** Dropped by the application before its end (garbage-collected). */
  abandoned(): void;
}

/** What the span-ending sinks share: how an early end is recorded. */
export abstract class UsageSink implements ChunkSink {
  constructor(
    protected readonly call: LlmSpan,
    protected readonly module: ProviderModule,
    protected readonly endpoint: Endpoint,
    protected readonly status: number,
    /** The response's headers (for providers that report usage in them). */
    protected readonly header: HeaderLookup,
  ) {}

  protected abstract readonly streamed: boolean;
  abstract chunk(value: unknown): void;
  abstract completed(): void;
  /** `response.json()` resolved with `value` (fetch only: the application's own parse, reused). */
  abstract json(value: unknown): void;
  /** The whole body at once (fetch's `text()` / `arrayBuffer()` / `bytes()` / `blob()`). */
  abstract whole(body: string | Uint8Array): void;
  /** Reads whatever usage the body showed so far (partial results for a stream). */
  protected abstract readSoFar(): void;

  cancelled(): void {
    this.endEarly(END_REASON.cancelled, undefined);
  }

  failed(error: unknown): void {
    if (isAbortError(error)) {
      this.endEarly(END_REASON.aborted, undefined);
    } else {
      this.endEarly(END_REASON.error, errorTypeOf(error));
    }
  }

  abandoned(): void {
    this.endEarly(END_REASON.abandoned, undefined);
  }

  protected endEarly(endReason: (typeof END_REASON)[keyof typeof END_REASON], errorType: string | undefined): void {
    if (this.call.ended) return;
    try {
      this.readSoFar();
    } catch (error) {
      errorOnce('body:read', 'could not read usage from a response', error);
    }
    if (this.call.result.streamComplete === true && errorType === undefined) {
      // Stopped reading after the terminal event (SDKs do, on `[DONE]`): the answer was read whole.
      this.call.end({
        usageSource: USAGE_SOURCE.streamFinal,
        endReason: END_REASON.completed,
        recordEndReason: true,
        status: this.status,
      });
      return;
    }
    this.call.end({
      usageSource: this.streamed ? USAGE_SOURCE.streamPartial : USAGE_SOURCE.response,
      endReason,
      recordEndReason: this.streamed,
      status: this.status,
      ...(errorType !== undefined ? { errorType } : {}),
    });
  }
}

/** The chunks' text, or '' when a chunk was detached by the consumer (transferred elsewhere). */
function joinedText(chunks: Uint8Array[], bytes: number): string {
  let total = 0;
  for (const chunk of chunks) total += chunk.byteLength;
  if (total !== bytes) return '';
  if (chunks.length === 1) return decoder.decode(chunks[0]);
  // Decoded chunk by chunk (StringDecoder joins split characters): no joined byte array to allocate.
  const utf8 = new StringDecoder('utf8');
  let text = '';
  for (const chunk of chunks) text += utf8.write(chunk);
  return text + utf8.end();
}

/** A non-streamed JSON body: usage from the application's own `json()` result, else from the bytes it read. */
export class JsonSink extends UsageSink {
  protected readonly streamed = false;
  /** Made when the body is seen as chunks (a fetch body read with `json()` needs none of this). */
  private chunks: Uint8Array[] | undefined;
  private bytes = 0;
  private overflow = false;

  chunk(value: unknown): void {
    if (this.overflow) return;
    if (!(value instanceof Uint8Array) || this.bytes + value.byteLength > MAX_JSON_BYTES) {
      this.overflow = true;
      this.chunks = undefined;
      return;
    }
    (this.chunks ??= []).push(value);
    this.bytes += value.byteLength;
  }

  json(value: unknown): void {
    if (this.call.ended) return;
    try {
      this.module.readBody(value, this.endpoint, this.call.result);
    } catch (error) {
      errorOnce('body:json', 'could not read usage from a JSON response', error);
    }
    this.call.end({ usageSource: USAGE_SOURCE.response, status: this.status });
  }

  whole(body: string | Uint8Array): void {
    this.parseLater(() => (typeof body === 'string' ? body : body.byteLength > MAX_JSON_BYTES ? '' : decoder.decode(body)));
  }

  completed(): void {
    this.parseLater(this.takeText());
  }

  /** Parses the chunks seen now (for a caller that already deferred, e.g. after decompressing). */
  completedNow(): void {
    this.parse(this.takeText());
  }

  private takeText(): () => string {
    const chunks = this.chunks ?? [];
    const bytes = this.bytes;
    const overflow = this.overflow;
    this.chunks = undefined;
    return () => (overflow ? '' : joinedText(chunks, bytes));
  }

  /** Parses after the application got its bytes, not before. */
  private parseLater(text: () => string): void {
    if (this.call.ended) return;
    setImmediate(() => this.parse(text));
  }

  private parse(text: () => string): void {
    if (this.call.ended) return;
    try {
      const body = parseJson(text());
      if (body !== undefined) this.module.readBody(body, this.endpoint, this.call.result);
    } catch (error) {
      errorOnce('body:parse', 'could not read usage from a JSON response', error);
    }
    this.call.end({ usageSource: USAGE_SOURCE.response, status: this.status });
  }

  protected readSoFar(): void {
    // A partial JSON body has no usable usage.
  }
}

/** A server-sent-events stream: usage from its first and last events. */
export class SseSink extends UsageSink {
  protected readonly streamed = true;
  private readonly tail: SseTail;

  constructor(call: LlmSpan, module: ProviderModule, endpoint: Endpoint, status: number, header: HeaderLookup) {
    super(call, module, endpoint, status, header);
    this.tail = new SseTail(module.readsFirstStreamEvent);
  }

  chunk(value: unknown): void {
    if (this.call.firstChunkPerfMs === undefined) this.call.firstChunkPerfMs = performance.now();
    if (value instanceof Uint8Array) this.tail.push(value);
  }

  json(): void {
    // An event stream is not JSON: json() resolving means the body was something else.
    this.call.end({ usageSource: USAGE_SOURCE.unknown, status: this.status });
  }

  whole(body: string | Uint8Array): void {
    this.tail.push(typeof body === 'string' ? encoder.encode(body) : body);
    this.completed();
  }

  completed(): void {
    if (this.call.ended) return;
    try {
      this.readSoFar();
    } catch (error) {
      errorOnce('sse:read', 'could not read usage from a stream', error);
    }
    this.call.end({
      usageSource: USAGE_SOURCE.streamFinal,
      endReason: END_REASON.completed,
      recordEndReason: true,
      status: this.status,
    });
  }

  completedNow(): void {
    this.completed();
  }

  protected readSoFar(): void {
    const result = this.call.result;
    for (const event of this.tail.events()) {
      if (event.data === '[DONE]') {
        result.streamComplete = true;
        continue;
      }
      if (!this.module.streamEventMatters(event.data)) continue;
      const data = parseJson(event.data);
      if (data !== undefined) this.module.readStreamEvent(event.event, data, this.endpoint, result);
    }
  }
}

/** A body sink the transports can finish at once (after their own deferral). */
export type ResponseSink = JsonSink | SseSink;

/** A stream format: which content types it reads, and its sink. */
interface StreamFormat {
  matches(contentType: string): boolean;
  create(call: LlmSpan, module: ProviderModule, endpoint: Endpoint, status: number, header: HeaderLookup): ResponseSink;
}

/**
 * Stream formats by content type, tried in order; any other body is read as JSON. A binary stream format (AWS
 * `application/vnd.amazon.eventstream`) goes here with a sink of its own that decodes frames from the chunks.
 */
const STREAM_FORMATS: readonly StreamFormat[] = [
  {
    matches: (contentType) => contentType.includes('text/event-stream'),
    create: (call, module, endpoint, status, header) => new SseSink(call, module, endpoint, status, header),
  },
];

/** The sink that reads a 2xx response of `contentType` (lower case or not: compared as given, then lower-cased). */
export function sinkFor(
  call: LlmSpan,
  module: ProviderModule,
  endpoint: Endpoint,
  status: number,
  contentType: string,
  header: HeaderLookup,
): ResponseSink {
  const type = contentType.toLowerCase();
  for (const format of STREAM_FORMATS) {
    if (format.matches(type)) return format.create(call, module, endpoint, status, header);
  }
  return new JsonSink(call, module, endpoint, status, header);
}

/** Ends the span of a response with an error status, at once (its body is not read). */
export function endWithStatus(call: LlmSpan, status: number): void {
  call.end({ usageSource: USAGE_SOURCE.unknown, status, errorType: String(status) });
}

/** Ends the span of a request that failed before any response (network error, abort). */
export function endWithRequestError(call: LlmSpan, error: unknown): void {
  if (isAbortError(error)) {
    call.end({ usageSource: USAGE_SOURCE.unknown, endReason: END_REASON.aborted });
  } else {
    call.end({ usageSource: USAGE_SOURCE.unknown, endReason: END_REASON.error, errorType: errorTypeOf(error) });
  }
}
