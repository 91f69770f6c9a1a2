/**
 * Compressed bodies on the `node:http` / `node:http2` paths. There the application's client decompresses (node-fetch,
 * axios and got ask for gzip / deflate / br by default, and providers do compress JSON), while we see the bytes as
 * they arrive. So a compressed body's chunks are kept (references, bounded) and inflated once when the body ends, on
 * the turn after, off the application's path; the inflated text then feeds the usual sink. A stream is inflated the
 * same way at its end (with a sync flush, so a cut stream still yields what arrived): usage sits in its last events.
 */
import zlib from 'node:zlib';
import type { ChunkSink, ResponseSink } from './usage-sinks.js';
import { diag } from '@opentelemetry/api';

/** Compressed bodies larger than this are passed through without reading their usage. */
const MAX_COMPRESSED_BYTES = 16 * 1024 * 1024;
/** Inflated output beyond this is not read (a decompression bomb costs us nothing more). */
const MAX_INFLATED_BYTES = 64 * 1024 * 1024;

type Inflate = (data: Buffer) => Buffer;

const FLUSH = {
  finishFlush: zlib.constants.Z_SYNC_FLUSH,
  maxOutputLength: MAX_INFLATED_BYTES,
};

/** Raw deflate or zlib-wrapped deflate, told apart by the first byte (as node-fetch and browsers do). */
function inflateAny(data: Buffer): Buffer {
  return (data[0]! & 0x0f) === 0x08 ? zlib.inflateSync(data, FLUSH) : zlib.inflateRawSync(data, FLUSH);
}

const DECODERS: Readonly<Record<string, Inflate>> = {
  gzip: (data) => zlib.gunzipSync(data, FLUSH),
  'x-gzip': (data) => zlib.gunzipSync(data, FLUSH),
  deflate: inflateAny,
  br: (data) =>
    zlib.brotliDecompressSync(data, {
      finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH,
      maxOutputLength: MAX_INFLATED_BYTES,
    }),
};

/** Whether a `content-encoding` value needs decoding before usage can be read (undefined / identity: no). */
export function isEncoded(encoding: string | undefined): boolean {
  return encoding !== undefined && encoding !== '' && encoding !== 'identity';
}

/**
 * Keeps a compressed body's chunks and hands the inflated text to `inner` when the body ends. An encoding we cannot
 * decode (zstd, a chain of encodings) gives the inner sink nothing: the span ends without usage, never with wrong usage.
 */
export class DecodingSink implements ChunkSink {
  private chunks: Buffer[] = [];
  private bytes = 0;
  private overflow = false;
  private readonly inflate: Inflate | undefined;

  constructor(
    private readonly inner: ResponseSink,
    encoding: string,
  ) {
    this.inflate = DECODERS[encoding.trim().toLowerCase()];
  }

  chunk(value: unknown): void {
    if (this.overflow || this.inflate === undefined || !(value instanceof Uint8Array)) return;
    if (this.bytes + value.byteLength > MAX_COMPRESSED_BYTES) {
      this.overflow = true;
      this.chunks = [];
      return;
    }
    this.chunks.push(Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    this.bytes += value.byteLength;
  }

  completed(): void {
    this.later((inner) => inner.completedNow());
  }

  cancelled(): void {
    this.later((inner) => inner.cancelled());
  }

  failed(error: unknown): void {
    this.later((inner) => inner.failed(error));
  }

  abandoned(): void {
    this.later((inner) => inner.abandoned());
  }

  /** On the next turn: inflates what arrived, feeds it to the inner sink, then ends it with `end`. */
  private later(end: (inner: ResponseSink) => void): void {
    const chunks = this.chunks;
    this.chunks = [];
    setImmediate(() => {
      try {
        if (!this.overflow && this.inflate !== undefined && chunks.length > 0) {
          const inflated = this.inflate(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, this.bytes));
          this.inner.chunk(inflated);
        }
      } catch (error) {
        // Not what it said it was: the provider's fault, not ours; usage cannot be read from it.
        diag.debug('@llm-cost/instrumentation: could not decompress an LLM response; its usage is not read', error);
      }
      end(this.inner);
    });
  }
}
