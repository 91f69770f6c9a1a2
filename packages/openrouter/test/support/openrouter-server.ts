/**
 * A loopback OpenRouter (127.0.0.1, port 0) on the shared provider server: `/api/v1/key`, `/credits` and
 * `/generation` answer per API key from state the test sets, `/chat/completions` from a handler; queued replies
 * (401, 429 with Retry-After, 500, ...) are served first, per path. Unknown keys get OpenRouter's 401.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  sharedFixturesDir,
  startProviderServer,
  type ProviderReply,
  type ProviderServer,
  type RecordedRequest,
} from '../../../../test/support/index.js';

export const FIXTURES = new URL('../fixtures/', import.meta.url);

/** A hand-written fixture of this package (test/fixtures). */
export function projectBody(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8')) as Record<string, unknown>;
}

/** A real recording from ../shared/fixtures/providers/openrouter, read in place. */
export function sharedBody(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(sharedFixturesDir(), 'openrouter', name), 'utf8')) as Record<string, unknown>;
}

const UNAUTHORIZED: ProviderReply = { status: 401, body: { error: { code: 401, message: 'User not found.' } } };

export interface FakeOpenRouter {
  readonly server: ProviderServer;
  /** `http://127.0.0.1:<port>/api/v1` */
  readonly baseUrl: string;
  readonly requests: RecordedRequest[];
  /** What `/key` answers for this key (a body, or a function of how many times it was asked). */
  setKey(apiKey: string, body: object | ((call: number) => object)): void;
  setCredits(apiKey: string, body: object | ProviderReply): void;
  /** A generation record; `null`: 404 (not found yet). */
  setGeneration(id: string, body: object | null): void;
  /** Replies served before anything else to requests whose path starts with `path` (e.g. `/api/v1/generation`). */
  enqueue(path: string, ...replies: ProviderReply[]): void;
  onChat(handler: (request: RecordedRequest) => ProviderReply): void;
  /** Requests to a path (prefix). */
  requestsTo(path: string): RecordedRequest[];
  close(): Promise<void>;
}

export async function startFakeOpenRouter(): Promise<FakeOpenRouter> {
  const keys = new Map<string, { body: object | ((call: number) => object); calls: number }>();
  const credits = new Map<string, object | ProviderReply>();
  const generations = new Map<string, object | null>();
  const queued: Array<{ path: string; reply: ProviderReply }> = [];
  let chat: ((request: RecordedRequest) => ProviderReply) | undefined;

  const server = await startProviderServer((request) => {
    const path = request.url.split('?')[0]!;
    const at = queued.findIndex((entry) => path.startsWith(entry.path));
    if (at >= 0) return queued.splice(at, 1)[0]!.reply;
    if (path === '/api/v1/chat/completions') return chat?.(request);
    const auth = String(request.headers.authorization ?? '');
    const apiKey = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const key = keys.get(apiKey);
    if (key === undefined) return UNAUTHORIZED;
    if (path === '/api/v1/key') {
      key.calls += 1;
      return { body: typeof key.body === 'function' ? key.body(key.calls) : key.body };
    }
    if (path === '/api/v1/credits') {
      const answer = credits.get(apiKey);
      if (answer === undefined) return { status: 403, body: { error: { code: 403, message: 'Only management keys can fetch credits' } } };
      return 'status' in answer || 'body' in answer ? (answer as ProviderReply) : { body: answer };
    }
    if (path === '/api/v1/generation') {
      const id = new URL(request.url, 'http://x').searchParams.get('id') ?? '';
      const record = generations.get(id);
      if (record === undefined || record === null) {
        return { status: 404, body: { error: { code: 404, message: `Generation ${id} not found` } } };
      }
      return { body: record };
    }
    return undefined;
  });

  return {
    server,
    baseUrl: `${server.url}/api/v1`,
    requests: server.requests,
    setKey: (apiKey, body) => keys.set(apiKey, { body, calls: 0 }),
    setCredits: (apiKey, body) => credits.set(apiKey, body),
    setGeneration: (id, body) => generations.set(id, body),
    enqueue: (path, ...replies) => queued.push(...replies.map((reply) => ({ path, reply }))),
    onChat: (handler) => (chat = handler),
    requestsTo: (path) => server.requests.filter((request) => request.url.startsWith(path)),
    close: () => server.close(),
  };
}

/** A current-shape `/key` body with the given figures (USD). */
export function keyBody(figures: { limit: number | null; usage: number; remaining?: number | null; daily?: number }): object {
  const base = projectBody('key-current.json').data as Record<string, unknown>;
  return {
    data: {
      ...base,
      limit: figures.limit,
      usage: figures.usage,
      usage_daily: figures.daily ?? base.usage_daily,
      // OpenRouter reports the difference as a clean decimal, not a float remainder.
      limit_remaining:
        figures.remaining !== undefined ? figures.remaining : figures.limit === null ? null : Math.round((figures.limit - figures.usage) * 1e9) / 1e9,
    },
  };
}
