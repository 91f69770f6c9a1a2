/**
 * A loopback stand-in for LLM providers (127.0.0.1, port 0): answers each request with a reply the test chooses,
 * sending bodies chunk by chunk (SSE event by event, or split at any byte offset), optionally gzipped, held back by a
 * gate the test opens, or cut off mid-stream. Records every request and the exact bytes sent back.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureServer as createHttp2SecureServer, createServer as createHttp2Server, constants as h2 } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export interface ProviderReply {
  /** @default 200 */
  status?: number;
  /** @default content-type application/json (or text/event-stream when `chunks` is given) */
  headers?: Record<string, string>;
  /** Whole body: a string, bytes, or a value sent as JSON. */
  body?: string | Uint8Array | object;
  /** Body sent one chunk per write (see {@link sseChunks}, {@link splitEvery}). */
  chunks?: (string | Uint8Array)[];
  /** After this many chunks, destroy the connection (an upstream failure mid-stream). */
  failAfterChunks?: number;
  /** Each chunk after the first waits for the gate (the test decides when the next chunk leaves). */
  gate?: ChunkGate;
  /** gzip the body (sent with content-encoding: gzip; fetch decompresses). */
  gzip?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path and query. */
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export type ProviderRoute = (request: RecordedRequest) => ProviderReply | undefined | Promise<ProviderReply | undefined>;

/**
 * How the server speaks: HTTP/1.1 (default), HTTPS, HTTP/2 in clear text (`h2c`, as `http2.connect('http://…')`
 * expects) or HTTP/2 over TLS (`h2`). TLS uses the test certificate in test/fixtures/tls ({@link TEST_TLS}).
 */
export type ProviderTransport = 'http1' | 'https' | 'h2c' | 'h2';

const tlsDir = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/tls');

/** The loopback test certificate (self-signed for 127.0.0.1 / localhost): give `ca` to clients. */
export const TEST_TLS = {
  get key(): Buffer {
    return readFileSync(join(tlsDir, 'localhost-key.pem'));
  },
  get cert(): Buffer {
    return readFileSync(join(tlsDir, 'localhost-cert.pem'));
  },
  get ca(): Buffer {
    return readFileSync(join(tlsDir, 'localhost-cert.pem'));
  },
};

export interface ProviderServer {
  /** `http://127.0.0.1:<port>` (`https://` for the TLS transports) */
  readonly url: string;
  /** `127.0.0.1:<port>`: the key for the instrumentation's `hosts` option. */
  readonly host: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** The bytes of each response body as sent (before gzip), in request order. */
  readonly sentBodies: Buffer[];
  /**
   * Whether the response to request `index` is held back by the client: a chunk write is waiting for the socket
   * to drain because nobody reads (backpressure reached the server).
   */
  writeBlocked(index: number): boolean;
  /** Chunks of the response to request `index` the socket accepted so far. */
  chunksWritten(index: number): number;
  /** Replaces the route. */
  route(route: ProviderRoute): void;
  /** Resolves when the response to request `index` has been fully written (or its connection was cut). */
  responseDone(index: number): Promise<void>;
  close(): Promise<void>;
}

/** Lets a test release a held-back stream one chunk at a time. */
export class ChunkGate {
  private permits = 0;
  private waiters: (() => void)[] = [];

  /** Lets `count` more chunks leave. */
  release(count = 1): void {
    this.permits += count;
    while (this.permits > 0 && this.waiters.length > 0) {
      this.permits--;
      this.waiters.shift()!();
    }
  }

  /** Lets every remaining chunk leave. */
  open(): void {
    this.release(Number.MAX_SAFE_INTEGER / 2);
  }

  wait(): Promise<void> {
    if (this.permits > 0) {
      this.permits--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/** SSE text split into one chunk per event (as providers flush them). */
export function sseChunks(text: string): string[] {
  return text.split(/(?<=\r\n\r\n|\n\n|\r\r)/).filter((part) => part.length > 0);
}

/** Bytes split every `size` bytes: events then straddle chunk boundaries, even inside UTF-8 characters. */
export function splitEvery(data: string | Uint8Array, size: number): Uint8Array[] {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  const parts: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.length; offset += size) parts.push(bytes.subarray(offset, offset + size));
  return parts;
}

/** Bytes split at the given offsets. */
export function splitAt(data: string | Uint8Array, offsets: number[]): Uint8Array[] {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
  const cuts = [...new Set(offsets.filter((o) => o > 0 && o < bytes.length))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let start = 0;
  for (const cut of cuts) {
    parts.push(bytes.subarray(start, cut));
    start = cut;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

function toBuffer(part: string | Uint8Array | object): Buffer {
  if (typeof part === 'string') return Buffer.from(part, 'utf8');
  if (part instanceof Uint8Array) return Buffer.from(part);
  return Buffer.from(JSON.stringify(part), 'utf8');
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function write(res: ServerResponse, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    res.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

export async function startProviderServer(
  initialRoute?: ProviderRoute,
  transport: ProviderTransport = 'http1',
): Promise<ProviderServer> {
  let route: ProviderRoute = initialRoute ?? (() => undefined);
  const requests: RecordedRequest[] = [];
  const sentBodies: Buffer[] = [];
  const finished = new Set<number>();
  const finishWaiters = new Map<number, (() => void)[]>();
  const sockets = new Set<Socket>();
  const responses: ServerResponse[] = [];
  const written: number[] = [];

  const markFinished = (index: number) => {
    if (finished.has(index)) return;
    finished.add(index);
    for (const resolve of finishWaiters.get(index) ?? []) resolve();
    finishWaiters.delete(index);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = await readBody(req);
    let json: unknown;
    try {
      json = body === '' ? undefined : (JSON.parse(body) as unknown);
    } catch {
      json = undefined;
    }
    const recorded: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body, json };
    requests.push(recorded);
    const index = sentBodies.length;
    sentBodies.push(Buffer.alloc(0));
    responses[index] = res;
    written[index] = 0;
    const reply: ProviderReply = (await route(recorded)) ?? {
      status: 404,
      body: { error: { message: `no reply for ${recorded.method} ${recorded.url}` } },
    };
    const chunks = reply.chunks ?? (reply.body === undefined ? [] : [reply.body]);
    const buffers = chunks.map(toBuffer);
    sentBodies[index] = Buffer.concat(buffers);
    const headers: Record<string, string> = {
      'content-type': reply.chunks !== undefined ? 'text/event-stream' : 'application/json',
      ...reply.headers,
    };
    if (reply.gzip === true) {
      headers['content-encoding'] = 'gzip';
      res.writeHead(reply.status ?? 200, headers);
      res.end(gzipSync(sentBodies[index]!));
      res.on('finish', () => markFinished(index));
      return;
    }
    res.on('close', () => markFinished(index));
    res.writeHead(reply.status ?? 200, headers);
    res.flushHeaders();
    for (let i = 0; i < buffers.length; i++) {
      if (reply.failAfterChunks !== undefined && i >= reply.failAfterChunks) {
        // Cut the connection without finishing the body: the client sees a network error mid-stream (HTTP/2: the
        // stream is reset, the session stays).
        const stream = (res as unknown as { stream?: { close(code: number): void } }).stream;
        if (stream !== undefined) stream.close(h2.NGHTTP2_INTERNAL_ERROR);
        else res.socket?.destroy();
        markFinished(index);
        return;
      }
      if (i > 0 && reply.gate !== undefined) await reply.gate.wait();
      if (res.destroyed) {
        markFinished(index);
        return;
      }
      await write(res, buffers[i]!).catch(() => undefined);
      written[index] = i + 1;
    }
    res.end(() => markFinished(index));
  };

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(error));
    });
  };
  // The HTTP/2 compatibility API gives handlers the same request / response interface.
  const tls = { key: TEST_TLS.key, cert: TEST_TLS.cert };
  const server = (
    transport === 'https'
      ? createHttpsServer(tls, onRequest)
      : transport === 'h2c'
        ? createHttp2Server(onRequest as never)
        : transport === 'h2'
          ? createHttp2SecureServer(tls, onRequest as never)
          : createServer(onRequest)
  ) as Server;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `${transport === 'https' || transport === 'h2' ? 'https' : 'http'}://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    requests,
    sentBodies,
    writeBlocked(index) {
      const res = responses[index];
      return res !== undefined && !res.writableEnded && res.writableNeedDrain;
    },
    chunksWritten(index) {
      return written[index] ?? 0;
    },
    route(next) {
      route = next;
    },
    responseDone(index) {
      if (finished.has(index)) return Promise.resolve();
      return new Promise((resolve) => {
        const waiters = finishWaiters.get(index) ?? [];
        waiters.push(resolve);
        finishWaiters.set(index, waiters);
      });
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
