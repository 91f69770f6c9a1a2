import type { IncomingMessage } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

import { OtlpDecodeError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * Reads a request body under a byte limit that holds before and after decompression (OTLP/HTTP: "The server MUST
 * limit the size of the request body when parsing it, including after decompression"). A `Content-Length` over the
 * limit is refused before reading; a gzip bomb stops at the limit because zlib is given `maxOutputLength`.
 */
export async function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    throw new PayloadTooLargeError(maxBytes, 'compressed');
  }
  const encoding = contentEncoding(request);
  const raw = await collect(request, maxBytes);
  return decompress(raw, encoding, maxBytes);
}

type Encoding = 'identity' | 'gzip' | 'deflate';

/**
 * Reads and drops a body the collector will not use (refused requests), so the connection can be answered cleanly
 * and reused.
 */
export function discardBody(request: IncomingMessage): void {
  request.resume();
}

/**
 * Reads and drops the rest of a body that was refused as too large, so the answer reaches the client: closing the
 * connection while the client is still sending resets it, and a client that has not read the 413 yet then sees
 * EPIPE or ECONNRESET instead (and retries a body that can never fit). At most `maxBytes` more are read; a client
 * that keeps sending beyond that is disconnected.
 */
export function discardRest(request: IncomingMessage, maxBytes: number): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > maxBytes) request.destroy();
  });
  request.resume();
}

function contentEncoding(request: IncomingMessage): Encoding {
  const header = request.headers['content-encoding'];
  const value = (Array.isArray(header) ? header.join(',') : header ?? '').trim().toLowerCase();
  if (value === '' || value === 'identity') return 'identity';
  if (value === 'gzip' || value === 'x-gzip') return 'gzip';
  if (value === 'deflate') return 'deflate';
  request.resume();
  throw new UnsupportedMediaTypeError(`unsupported Content-Encoding "${value.slice(0, 40)}" (use gzip or none)`);
}

function collect(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined): void => {
      if (done) return;
      done = true;
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
      request.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBytes) {
        // Stop buffering. The rest is read and discarded (an unread body would make the socket close with a reset,
        // which can lose the 413 answer); the caller answers with `Connection: close`.
        finish(new PayloadTooLargeError(maxBytes, 'compressed'));
        request.resume();
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined);
    const onError = (error: Error): void => finish(error);
    const onAborted = (): void => finish(new Error('request aborted by the client'));
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
    request.on('aborted', onAborted);
  });
}

async function decompress(raw: Buffer, encoding: Encoding, maxBytes: number): Promise<Buffer> {
  if (encoding === 'identity') return raw;
  try {
    const options = { maxOutputLength: maxBytes };
    return encoding === 'gzip' ? await gunzipAsync(raw, options) : await inflateAsync(raw, options);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || error instanceof RangeError) {
      throw new PayloadTooLargeError(maxBytes, 'decompressed');
    }
    throw new OtlpDecodeError(`body is not valid ${encoding} data`);
  }
}
