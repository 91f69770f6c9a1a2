/**
 * The ways applications read a `node:http` response or a `node:http2` client stream, each reduced to what the
 * application observed: the events it got, in order (runs of 'data' counted as one: how bytes are cut into chunks
 * depends on the network, not on us), the bytes or text, the stream's flow mode at the points an application can look
 * at it, the response's own keys, and the error it saw. The same request read the same way with capture on and with
 * capture off must give equal observations.
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { ClientHttp2Session, ClientHttp2Stream, IncomingHttpHeaders } from 'node:http2';
import { Writable } from 'node:stream';
import { createGunzip } from 'node:zlib';

export const NODE_READ_MODES = [
  'flowing',
  'paused',
  'encoding',
  'pipe',
  'iterator',
  'pause-resume',
  'late-listener',
  'gunzip-pipe',
  'no-read',
] as const;
export type NodeReadMode = (typeof NODE_READ_MODES)[number];

export interface Observation {
  /** Events in order, consecutive duplicates collapsed (`data` runs). */
  events: string[];
  status?: number;
  /** The body as the application received it (bytes; text modes are re-encoded). */
  bytes?: Buffer;
  /** `readableFlowing` right after the response arrived, and after the application's handler ran. */
  flowing: (boolean | null)[];
  keys?: string[];
  error?: string;
}

type Readable = IncomingMessage | ClientHttp2Stream;

/** The observation as it is now (later events, after the application was done, are not part of it). */
function snapshot(seen: Observation): Observation {
  return { ...seen, events: [...seen.events], flowing: [...seen.flowing], ...(seen.keys ? { keys: [...seen.keys] } : {}) };
}

function errorText(error: unknown): string {
  const e = error as { name?: unknown; code?: unknown; message?: unknown };
  return `${String(e?.name)}:${String(e?.code ?? '')}:${String(e?.message)}`;
}

/** Reads `body` the way `mode` says, recording into `seen`; resolves when the application is done with it. */
function read(body: Readable, mode: NodeReadMode, seen: Observation, done: () => void): void {
  const parts: Buffer[] = [];
  const push = (part: unknown) => parts.push(typeof part === 'string' ? Buffer.from(part, 'utf8') : (part as Buffer));
  const event = (name: string) => {
    if (seen.events[seen.events.length - 1] !== name) seen.events.push(name);
  };
  // Done when the stream closed and, for async iteration, the loop finished too (it may finish after 'close'); for a
  // pipe, when the destination has taken every chunk (a slow one still holds some when the source closes).
  let pending = mode === 'iterator' || mode === 'pipe' ? 2 : 1;
  const finish = () => {
    if (--pending > 0) return;
    seen.bytes = Buffer.concat(parts);
    done();
  };
  body.on('error', (error) => {
    event('error');
    seen.error = errorText(error);
  });
  body.on('close', () => {
    event('close');
    // Where the application itself toggles the flow (a pipe's backpressure, pause / resume), the mode at 'close'
    // depends on when the network delivered the last bytes, with or without us: not compared there.
    if (mode !== 'pipe' && mode !== 'pause-resume') seen.flowing.push(body.readableFlowing);
    finish();
  });
  body.on('end', () => event('end'));
  switch (mode) {
    case 'flowing':
      body.on('data', (part) => (event('data'), push(part)));
      break;
    case 'paused':
      body.on('readable', () => {
        event('readable');
        for (let part = body.read(); part !== null; part = body.read()) push(part);
      });
      break;
    case 'encoding':
      body.setEncoding('utf8');
      body.on('data', (part) => (event('data'), push(part)));
      break;
    case 'pipe': {
      const destination = new Writable({
        highWaterMark: 16,
        write(part, _encoding, callback) {
          push(part);
          setImmediate(callback);
        },
      });
      // 'finish' when the source ended; 'close' of the destination covers a source destroyed before its end.
      destination.on('close', finish);
      body.pipe(destination);
      body.on('close', () => {
        if (!body.readableEnded) destination.destroy();
      });
      break;
    }
    case 'iterator':
      void (async () => {
        try {
          for await (const part of body) push(part);
          event('iterated');
        } catch (error) {
          event('iterator-error');
          seen.error ??= errorText(error);
        } finally {
          finish();
        }
      })();
      break;
    case 'pause-resume':
      body.on('data', (part) => {
        event('data');
        push(part);
        body.pause();
        setImmediate(() => body.resume());
      });
      break;
    case 'late-listener':
      // Nothing reads for a turn: the stream must stay paused (null) until the listener comes.
      setImmediate(() => {
        seen.flowing.push(body.readableFlowing);
        body.on('data', (part) => (event('data'), push(part)));
      });
      break;
    case 'gunzip-pipe': {
      // What a client does with an encoded body; a plain one goes through unchanged.
      const encoded = (body as IncomingMessage).headers?.['content-encoding'] === 'gzip';
      if (!encoded) {
        body.on('data', (part) => (event('data'), push(part)));
        break;
      }
      const gunzip = createGunzip();
      gunzip.on('data', (part) => (event('data'), push(part)));
      gunzip.on('error', (error) => {
        event('gunzip-error');
        seen.error ??= errorText(error);
      });
      body.pipe(gunzip);
      break;
    }
    case 'no-read':
      // Never reads: the body stays paused; the application gives up on it.
      setImmediate(() => body.destroy());
      break;
  }
  seen.flowing.push(body.readableFlowing);
}

/** One `node:http` request through `send` (an `http.request`), read the way `mode` says. Never rejects. */
export function httpCall(
  send: (url: string, options: RequestOptions, callback?: (res: IncomingMessage) => void) => ClientRequest,
  url: string,
  body: string,
  mode: NodeReadMode,
  deadlineMs = 8000,
): Promise<Observation> {
  return new Promise((resolve) => {
    const seen: Observation = { events: [], flowing: [] };
    const timer = setTimeout(() => resolve({ ...seen, error: 'hung' }), deadlineMs);
    const done = () => {
      clearTimeout(timer);
      resolve(snapshot(seen));
    };
    let req: ClientRequest;
    try {
      req = send(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        seen.events.push('response');
        seen.status = res.statusCode;
        seen.keys = Object.keys(res).sort();
        seen.flowing.push(res.readableFlowing);
        read(res, mode, seen, done);
      });
    } catch (error) {
      clearTimeout(timer);
      resolve({ ...seen, error: errorText(error) });
      return;
    }
    req.on('error', (error) => {
      seen.events.push('request-error');
      seen.error ??= errorText(error);
      done();
    });
    req.end(body);
  });
}

/** One `node:http2` stream on `session` through `request` (the session's own method, or the original), read per `mode`. */
export function http2Call(
  session: ClientHttp2Session,
  request: (this: ClientHttp2Session, headers: Record<string, string>) => ClientHttp2Stream,
  path: string,
  body: string,
  mode: NodeReadMode,
  deadlineMs = 8000,
): Promise<Observation> {
  return new Promise((resolve) => {
    const seen: Observation = { events: [], flowing: [] };
    const timer = setTimeout(() => resolve({ ...seen, error: 'hung' }), deadlineMs);
    const done = () => {
      clearTimeout(timer);
      resolve(snapshot(seen));
    };
    const stream = request.call(session, { ':method': 'POST', ':path': path, 'content-type': 'application/json' });
    stream.on('response', (headers: IncomingHttpHeaders) => {
      seen.events.push('response');
      seen.status = Number(headers[':status']);
      seen.flowing.push(stream.readableFlowing);
    });
    seen.keys = Object.keys(stream).sort();
    read(stream, mode, seen, done);
    stream.end(body);
  });
}
