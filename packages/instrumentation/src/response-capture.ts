/**
 * Ends an LLM span from the response the application receives: at once for an error status or an empty body,
 * otherwise when the application has read the body (JSON) or the stream (SSE) to its end, cancelled it, failed
 * reading it, or dropped it.
 */
import { StringDecoder } from 'node:string_decoder';
import { END_REASON, USAGE_SOURCE } from '@llm-cost/semconv';
import { observeBody, type BodySink } from './body-observer.js';
import type { LlmSpan } from './llm-span.js';
import type { Endpoint, ProviderModule } from './providers/types.js';
import { SseTail } from './sse-tail.js';
import { errorOnce } from './diag-once.js';
import { errorTypeOf, isAbortError } from './error-type.js';

/** JSON bodies larger than this are passed through without reading their usage. */
const MAX_JSON_BYTES = 64 * 1024 * 1024;

const decoder = new TextDecoder();

function parseJson(text: string): unknown {
  const first = text.trimStart().charCodeAt(0);
  if (first !== 123 /* { */ && first !== 91 /* [ */) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

abstract class SpanBodySink implements BodySink {
  constructor(
    protected readonly call: LlmSpan,
    protected readonly module: ProviderModule,
    protected readonly endpoint: Endpoint,
    protected readonly status: number,
  ) {}

  abstract chunk(value: unknown): void;
  abstract completed(): void;
  abstract json(value: unknown): void;
  abstract whole(body: string | Uint8Array): void;
  protected abstract streamed: boolean;

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

/** A non-streamed JSON body: usage from the application's own `json()` result, else from the bytes it read. */
class JsonBodySink extends SpanBodySink {
  protected streamed = false;
  /** Made when the app reads the body as a stream (usually it calls `json()`, which needs none of this). */
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
    const chunks = this.chunks ?? [];
    const bytes = this.bytes;
    const overflow = this.overflow;
    this.chunks = undefined;
    this.parseLater(() => (overflow ? '' : joinedText(chunks, bytes)));
  }

  /** Parses after the application got its bytes, not before. */
  private parseLater(text: () => string): void {
    if (this.call.ended) return;
    setImmediate(() => {
      if (this.call.ended) return;
      try {
        const body = parseJson(text());
        if (body !== undefined) this.module.readBody(body, this.endpoint, this.call.result);
      } catch (error) {
        errorOnce('body:parse', 'could not read usage from a JSON response', error);
      }
      this.call.end({ usageSource: USAGE_SOURCE.response, status: this.status });
    });
  }

  protected readSoFar(): void {
    // A partial JSON body has no usable usage.
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

const encoder = new TextEncoder();

/** A server-sent-events stream: usage from its first and last events. */
class SseBodySink extends SpanBodySink {
  protected streamed = true;
  private readonly tail: SseTail;

  constructor(call: LlmSpan, module: ProviderModule, endpoint: Endpoint, status: number) {
    super(call, module, endpoint, status);
    this.tail = new SseTail(module.readsFirstStreamEvent);
  }

  chunk(value: unknown): void {
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

/** Starts watching a response for its span. Never throws; returns the response unchanged. */
export function captureResponse(
  call: LlmSpan,
  module: ProviderModule,
  endpoint: Endpoint,
  response: Response,
): Response {
  try {
    const status = response.status;
    if (status < 200 || status >= 300) {
      call.end({ usageSource: USAGE_SOURCE.unknown, status, errorType: String(status) });
      return response;
    }
    const contentType = response.headers.get('content-type') ?? '';
    const streamed = contentType.includes('text/event-stream');
    const sink = streamed
      ? new SseBodySink(call, module, endpoint, status)
      : new JsonBodySink(call, module, endpoint, status);
    if (response.body === null || !observeBody(response, sink)) {
      call.end({ usageSource: USAGE_SOURCE.unknown, status });
    }
  } catch (error) {
    errorOnce('response:capture', 'could not watch an LLM response; its span ends without usage', error);
    call.end({ usageSource: USAGE_SOURCE.unknown });
  }
  return response;
}

/** Ends the span of a request that failed before any response (network error, abort). */
export function captureFetchError(call: LlmSpan, error: unknown): void {
  if (isAbortError(error)) {
    call.end({ usageSource: USAGE_SOURCE.unknown, endReason: END_REASON.aborted });
  } else {
    call.end({ usageSource: USAGE_SOURCE.unknown, endReason: END_REASON.error, errorType: errorTypeOf(error) });
  }
}
