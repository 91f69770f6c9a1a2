/**
 * One LLM call made through a Node stream transport (`node:http` ClientRequest + IncomingMessage, `node:http2`
 * client stream), as those transports see it: the body chunks the application writes (references only, up to a
 * bound, read once when the request ends), then the response head, its body chunks as they arrive, and how it ended.
 * The transport adapters (http/, http2/) report to it; it feeds the shared request path (call-start.ts) and the
 * shared usage sinks (response/usage-sinks.ts).
 */
import { END_REASON, USAGE_SOURCE } from '@llm-cost/semconv';
import type { Runtime } from '../runtime.js';
import type { UrlTarget } from '../url-targets.js';
import type { LlmSpan } from '../llm-span.js';
import { readRequestFields } from '../request-body.js';
import { askBudget, requestAttributes, type CallRequest, type CallTags } from './call-start.js';
import { endWithRequestError, endWithStatus, sinkFor, type ChunkSink, type HeaderLookup } from './response/usage-sinks.js';
import { DecodingSink, isEncoded } from './response/content-decoding.js';
import { errorOnce } from '../diag-once.js';
import { isAbortError } from '../error-type.js';

/** Request bodies larger than this are not read (the model then comes from the response). */
const MAX_SCANNED_BODY = 8 * 1024 * 1024;

/** Any byte outside ASCII (a latin1-decoded model name that must be decoded as UTF-8 instead). */
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The body's text. Bytes are decoded as latin1 (a copy at memory speed, no UTF-8 validation: the scanner only looks
 * at ASCII structure); the one value we keep, the model name, is re-decoded as UTF-8 when it is not ASCII.
 */
function bodyText(parts: readonly (string | Uint8Array)[]): { text: string; latin1: boolean } {
  let strings = true;
  for (const part of parts) if (typeof part !== 'string') strings = false;
  if (strings) return { text: parts.length === 1 ? (parts[0] as string) : parts.join(''), latin1: false };
  let anyString = false;
  for (const part of parts) if (typeof part === 'string') anyString = true;
  const encoding = anyString ? 'utf8' : 'latin1';
  let text = '';
  for (const part of parts) {
    text += typeof part === 'string' ? part : Buffer.from(part.buffer, part.byteOffset, part.byteLength).toString(encoding);
  }
  return { text, latin1: !anyString };
}

function utf8Model(model: string | undefined, latin1: boolean): string | undefined {
  if (model === undefined || !latin1 || !NON_ASCII.test(model)) return model;
  for (let i = 0; i < model.length; i++) if (model.charCodeAt(i) > 0xff) return model;
  return Buffer.from(model, 'latin1').toString('utf8');
}

export class OutgoingCall {
  /** The body as written so far; undefined once it is not to be read (handed-down call, too large, unreadable). */
  private body: (string | Uint8Array)[] | undefined;
  private bodyBytes = 0;
  private requestEnded = false;
  /** The application aborted the request (`abort()`, `destroy()`, an abort signal): not an error. */
  aborted = false;
  /** Set when the response head arrived (2xx with a body to read). */
  private sink: ChunkSink | undefined;
  private responded = false;
  /** The response body ended (or the call ended before it). */
  finished = false;
  /**
   * With a budget guard, the body is held (the request corked) until the guard has answered at `end()`, so that an
   * asynchronous block still keeps it from leaving. Released early when the application waits for `drain` (a body
   * larger than the stream's buffer written in several turns): then only what is written after can still be held.
   */
  holding: boolean;

  constructor(
    /** Undefined for a call handed down by the layer above (nothing to read or ask here). */
    private readonly runtime: Runtime | undefined,
    readonly target: UrlTarget,
    readonly call: LlmSpan,
    private readonly tags: CallTags | undefined,
  ) {
    // A call handed down by the layer above (tags undefined) was read and admitted there.
    this.body = tags === undefined ? undefined : [];
    this.holding = tags !== undefined && runtime?.sinks.budgetGuard !== undefined;
  }

  /** Holds the request body until the guard answers (see `holding`); call once, when the request is observed. */
  hold(stream: { cork(): void; writableEnded: boolean }): void {
    if (this.holding && !stream.writableEnded) stream.cork();
  }

  /**
   * A write filled the stream's buffer (`write()` returned false): if the request is not ended within this turn, the
   * application is waiting for `drain`, which a held body would never give: let it go.
   */
  writeBlocked(stream: { uncork(): void; writableCorked: number }): void {
    if (!this.holding) return;
    setImmediate(() => {
      if (!this.holding || this.requestEnded) return;
      this.holding = false;
      while (stream.writableCorked > 0) stream.uncork();
    });
  }

  /** A chunk the application writes (`write()` / `end(chunk)`). Kept by reference, not copied. */
  wrote(chunk: unknown, encoding: unknown): void {
    const body = this.body;
    if (body === undefined || this.requestEnded || chunk === undefined || chunk === null) return;
    let size: number;
    if (typeof chunk === 'string') {
      // Another encoding means other bytes than the string's; `hex` or `base64` JSON is not worth decoding.
      if (typeof encoding === 'string' && encoding !== 'utf8' && encoding !== 'utf-8' && encoding !== 'latin1') {
        this.body = undefined;
        return;
      }
      size = chunk.length;
    } else if (chunk instanceof Uint8Array) {
      size = chunk.byteLength;
    } else {
      this.body = undefined;
      return;
    }
    this.bodyBytes += size;
    if (this.bodyBytes > MAX_SCANNED_BODY) {
      this.body = undefined;
      return;
    }
    body.push(chunk);
  }

  /**
   * The application ended the request: reads the model (and stream flag, service tier) from the body it wrote, and
   * asks the budget guard. Returns the guard's answer (see `askBudget`); undefined also when there is nothing to ask.
   */
  requestEnd(): Error | undefined | Promise<Error | undefined> {
    if (this.requestEnded) return undefined;
    this.requestEnded = true;
    this.holding = false;
    const tags = this.tags;
    const runtime = this.runtime;
    if (tags === undefined || runtime === undefined) return undefined;
    const parts = this.body;
    this.body = undefined;
    const target = this.target;
    const request: CallRequest = { model: target.endpoint.modelInPath, stream: target.endpoint.streamInPath === true, serviceTier: undefined };
    try {
      if (parts !== undefined && parts.length > 0) {
        const { text, latin1 } = bodyText(parts);
        const fields = readRequestFields(text);
        request.model ??= utf8Model(fields.model, latin1);
        request.stream ||= fields.stream === true;
        request.serviceTier = fields.serviceTier;
      }
      this.call.requestRead(
        request.model,
        request.stream ? target.streamAttributes : target.attributes,
        requestAttributes(target, request),
      );
    } catch (error) {
      errorOnce('request:read', 'could not read an LLM request body; the call is recorded without its model', error);
    }
    return askBudget(runtime, target, request, tags);
  }

  /** The response head: ends the call at once for an error status; otherwise picks the sink for its body. */
  response(status: number, header: HeaderLookup): void {
    if (this.responded || this.call.ended) return;
    this.responded = true;
    try {
      if (status < 200 || status >= 300) {
        this.finished = true;
        endWithStatus(this.call, status);
        return;
      }
      const target = this.target;
      const sink = sinkFor(this.call, target.module, target.endpoint, status, header('content-type') ?? '', header);
      const encoding = header('content-encoding');
      this.sink = isEncoded(encoding) ? new DecodingSink(sink, encoding!) : sink;
    } catch (error) {
      errorOnce('response:capture', 'could not watch an LLM response; its span ends without usage', error);
      this.finished = true;
      this.call.end({ usageSource: USAGE_SOURCE.unknown, status });
    }
  }

  /** A chunk of the response body as it arrives. */
  chunk(chunk: unknown): void {
    if (!this.finished) this.sink?.chunk(chunk);
  }

  /** The response body ended: whole (`complete`) or cut short by the network. */
  bodyEnd(complete: boolean): void {
    if (this.finished) return;
    if (!complete) {
      this.fail(new ConnectionCut());
      return;
    }
    this.finished = true;
    const sink = this.sink;
    if (sink === undefined) {
      this.call.end({ usageSource: USAGE_SOURCE.unknown });
    } else {
      sink.completed();
    }
  }

  /** The response (or the request, before any response) ended early: destroyed, errored, aborted. */
  fail(error: unknown): void {
    if (this.finished) return;
    this.finished = true;
    const sink = this.sink;
    if (sink === undefined) {
      if (this.aborted || error === undefined) {
        this.call.end({ usageSource: USAGE_SOURCE.unknown, endReason: END_REASON.aborted });
      } else {
        endWithRequestError(this.call, error);
      }
      return;
    }
    if (this.aborted || isAbortError(error)) {
      sink.failed(ABORTED);
    } else if (error === undefined) {
      sink.cancelled();
    } else {
      sink.failed(error);
    }
  }
}

/** A response whose connection closed before its end (Node reports it as `aborted`). */
class ConnectionCut extends Error {
  override readonly name = 'Error';
  readonly code = 'ECONNRESET';
}

/** What an abort is reported as (`error.type` is never set for it). */
const ABORTED = Object.freeze({ name: 'AbortError' });
