/**
 * Calls that never touch the global fetch: real clients at real versions sending through `node:http` / `node:https`
 * (openai 4.x and @anthropic-ai/sdk 0.41 on node-fetch 2, node-fetch 2 and 3, axios, got, superagent, raw
 * `http.request` / `https.request`), against loopback provider servers replaying the project fixtures. Each call
 * gives exactly one span with the fixture's exact attributes (tokens, models, ids, usage source), streamed and not,
 * plain and compressed; a fetch layer on top of node:http (`wrapFetch(nodeFetch)`) still gives one span.
 */
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import Anthropic0 from 'anthropic-sdk-v0';
import axios from 'axios';
import got from 'got';
import fetch3 from 'node-fetch';
import OpenAI4 from 'openai-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkGate,
  TEST_TLS,
  createSpanCollector,
  expectLlmSpan,
  fixtureReply,
  projectFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, withTags, wrapFetch, type LlmCostInstrumentation } from '../src/index.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_HTTP_RESPONSE_STATUS_CODE, ATTR_LLM_COST_END_REASON, ATTR_LLM_COST_USAGE_SOURCE } from '@llm-cost/semconv';
import { fixtureAttributes, startServers } from './helpers.js';

const require = createRequire(import.meta.url);
/** node-fetch 2 (no bundled types; its API is the fetch API with a Node stream as the body). */
const fetch2 = require('node-fetch-v2') as (url: string, init?: object) => Promise<{ json(): Promise<unknown>; body: NodeJS.ReadableStream }>;
/** superagent (no bundled types): only `post(url).send(body)` is used. */
const superagent = require('superagent') as { post(url: string): { send(body: object): Promise<{ body: unknown }> } };

const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;
let tlsServer: ProviderServer;
let handle: LlmCostInstrumentation;
/** A mapped LLM host whose port refuses connections. */
let refusedPort: number;

/** Serves the fixture the request asks for (stream or not, chat or embeddings), gzipped when the test says so. */
function route(server: ProviderServer, provider: 'openai' | 'anthropic', gzip = () => false): void {
  server.route((request) => {
    const body = (request.json ?? {}) as { stream?: boolean };
    const id =
      provider === 'anthropic'
        ? body.stream
          ? 'anthropic/messages-stream'
          : 'anthropic/messages'
        : request.url.startsWith('/v1/embeddings')
          ? 'openai/embeddings'
          : body.stream
            ? 'openai/chat-completions-stream'
            : 'openai/chat-completions';
    return fixtureReply(projectFixture(id), gzip() ? { gzip: true } : {});
  });
}

let gzipNext = false;

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic']);
  tlsServer = await startProviderServer(undefined, 'https');
  route(env.servers.openai!, 'openai', () => gzipNext);
  route(env.servers.anthropic!, 'anthropic');
  route(tlsServer, 'openai');
  const closed = await startProviderServer();
  refusedPort = closed.port;
  await closed.close();
  handle = registerLlmCostInstrumentation({
    tracerProvider: collector.provider,
    hosts: { ...env.hosts, [tlsServer.host]: 'openai', [`127.0.0.1:${refusedPort}`]: 'openai' },
  });
});
afterAll(async () => {
  await env.close();
  await tlsServer.close();
});

const chatBody = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };
const streamBody = { ...chatBody, stream: true as const, stream_options: { include_usage: true } };

/** Runs one call and returns its one span (waits for it, then checks that no second span follows). */
async function oneSpan(call: () => Promise<unknown>): Promise<ReturnType<typeof collector.llmSpans>[number]> {
  collector.clear();
  await call();
  const [span] = await collector.waitForLlmSpans(1);
  await handle.forceFlush();
  expect(collector.llmSpans(), 'exactly one span for the call').toHaveLength(1);
  return span!;
}

/** The fixture's full attribute map (its chat answers carry `service_tier: default`). */
const openaiAttrs = (id: string, server = env.servers.openai!) => ({
  ...fixtureAttributes(projectFixture(id), server, id === 'openai/embeddings' ? 'embeddings' : 'chat'),
  ...(id.startsWith('openai/chat') ? { [ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER]: 'default' } : {}),
});

async function drain(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.isBuffer(part) ? part : Buffer.from(part as string));
  return Buffer.concat(parts);
}

describe('openai 4.x (node-fetch 2 underneath)', () => {
  const client = () => new OpenAI4({ apiKey: 'sk-test', baseURL: `${env.servers.openai!.url}/v1`, maxRetries: 0 });

  it('a chat completion is one span with the fixture usage and the withTags tags', async () => {
    const span = await oneSpan(() => withTags({ user_id: 'u-4', feature: 'chat' }, () => client().chat.completions.create(chatBody)));
    expectLlmSpan(span, {
      name: 'chat gpt-4o-mini',
      attributes: { ...openaiAttrs('openai/chat-completions'), 'llm_cost.tag.user_id': 'u-4', 'llm_cost.tag.feature': 'chat' },
      exact: true,
    });
  });

  it('a streamed chat completion is one span with the final usage', async () => {
    const span = await oneSpan(async () => {
      const stream = await client().chat.completions.create(streamBody);
      for await (const chunk of stream) void chunk;
    });
    expectLlmSpan(span, {
      name: 'chat gpt-4o-mini',
      attributes: { ...openaiAttrs('openai/chat-completions-stream'), [ATTR_LLM_COST_END_REASON]: 'completed' },
      exact: true,
    });
  });

  it('an embeddings call is one span', async () => {
    const span = await oneSpan(() => client().embeddings.create({ model: 'text-embedding-3-small', input: 'hello' }));
    expectLlmSpan(span, { name: 'embeddings text-embedding-3-small', attributes: openaiAttrs('openai/embeddings'), exact: true });
  });

  it('a gzip-compressed answer (node-fetch asks for it) still gives its usage', async () => {
    gzipNext = true;
    try {
      const span = await oneSpan(() => client().chat.completions.create(chatBody));
      expectLlmSpan(span, { attributes: openaiAttrs('openai/chat-completions'), exact: true });
    } finally {
      gzipNext = false;
    }
  });

  it('an early break from a stream (the SDK aborts the request) ends the span as aborted, once', async () => {
    const gate = new ChunkGate();
    env.servers.openai!.route(() => fixtureReply(projectFixture('openai/chat-completions-stream'), { gate }));
    try {
      const span = await oneSpan(async () => {
        const stream = await client().chat.completions.create(streamBody);
        for await (const chunk of stream) {
          void chunk;
          break;
        }
      });
      expectLlmSpan(span, {
        attributes: {
          [ATTR_LLM_COST_END_REASON]: 'aborted',
          [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown',
          [ATTR_ERROR_TYPE]: undefined,
          [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
        },
      });
    } finally {
      gate.open();
      route(env.servers.openai!, 'openai', () => gzipNext);
    }
  });
});

describe('@anthropic-ai/sdk 0.41 (node-fetch 2 underneath)', () => {
  const client = () => new Anthropic0({ apiKey: 'sk-ant-test', baseURL: env.servers.anthropic!.url, maxRetries: 0 });

  it('a message is one span with Anthropic usage (cache reads and writes)', async () => {
    const span = await oneSpan(() =>
      client().messages.create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] }),
    );
    expectLlmSpan(span, {
      name: 'chat claude-sonnet-4-5',
      attributes: fixtureAttributes(projectFixture('anthropic/messages'), env.servers.anthropic!, 'chat'),
      exact: true,
    });
  });

  it('a streamed message is one span with the first and last events read', async () => {
    const span = await oneSpan(async () => {
      const stream = await client().messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 64,
        stream: true,
        messages: [{ role: 'user', content: 'hello' }],
      });
      for await (const event of stream) void event;
    });
    expectLlmSpan(span, {
      attributes: {
        ...fixtureAttributes(projectFixture('anthropic/messages-stream'), env.servers.anthropic!, 'chat'),
        [ATTR_LLM_COST_END_REASON]: 'completed',
      },
      exact: true,
    });
  });
});

describe('fetch polyfills and HTTP clients', () => {
  const url = () => `${env.servers.openai!.url}/v1/chat/completions`;
  const post = (body: object) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('node-fetch 2: json() and a stream read from the Node body', async () => {
    expectLlmSpan(await oneSpan(async () => (await fetch2(url(), post(chatBody))).json()), {
      attributes: openaiAttrs('openai/chat-completions'),
      exact: true,
    });
    const sent = projectFixture('openai/chat-completions-stream').body;
    let received: Buffer | undefined;
    const span = await oneSpan(async () => {
      received = await drain((await fetch2(url(), post(streamBody))).body as NodeJS.ReadableStream);
    });
    expect(received!.equals(sent)).toBe(true);
    expectLlmSpan(span, { attributes: { ...openaiAttrs('openai/chat-completions-stream'), [ATTR_LLM_COST_END_REASON]: 'completed' }, exact: true });
  });

  it('node-fetch 3: json() and a stream', async () => {
    expectLlmSpan(await oneSpan(async () => (await fetch3(url(), post(chatBody))).json()), {
      attributes: openaiAttrs('openai/chat-completions'),
      exact: true,
    });
    const span = await oneSpan(async () => drain((await fetch3(url(), post(streamBody))).body!));
    expectLlmSpan(span, { attributes: { ...openaiAttrs('openai/chat-completions-stream'), [ATTR_LLM_COST_END_REASON]: 'completed' }, exact: true });
  });

  it('axios: a JSON answer and a stream (responseType: stream), through follow-redirects', async () => {
    expectLlmSpan(await oneSpan(() => axios.post(url(), chatBody)), { attributes: openaiAttrs('openai/chat-completions'), exact: true });
    const span = await oneSpan(async () => drain((await axios.post(url(), streamBody, { responseType: 'stream' })).data as Readable));
    expectLlmSpan(span, { attributes: { ...openaiAttrs('openai/chat-completions-stream'), [ATTR_LLM_COST_END_REASON]: 'completed' }, exact: true });
  });

  it('got: json() and a stream', async () => {
    expectLlmSpan(await oneSpan(() => got.post(url(), { json: chatBody }).json()), { attributes: openaiAttrs('openai/chat-completions'), exact: true });
    const span = await oneSpan(() => drain(got.stream.post(url(), { json: streamBody })));
    expectLlmSpan(span, { attributes: { ...openaiAttrs('openai/chat-completions-stream'), [ATTR_LLM_COST_END_REASON]: 'completed' }, exact: true });
  });

  it('superagent: a JSON answer', async () => {
    expectLlmSpan(await oneSpan(() => superagent.post(url()).send(chatBody)), { attributes: openaiAttrs('openai/chat-completions'), exact: true });
  });

  it('https.request over TLS, body written in pieces, the response read in paused mode', async () => {
    const span = await oneSpan(
      () =>
        new Promise<void>((resolve, reject) => {
          const req = https.request(`${tlsServer.url}/v1/chat/completions`, { method: 'POST', ca: TEST_TLS.ca }, (res) => {
            res.on('readable', () => {
              while (res.read() !== null);
            });
            res.on('end', resolve);
          });
          req.on('error', reject);
          const text = JSON.stringify(chatBody);
          req.write(text.slice(0, 7));
          req.write(Buffer.from(text.slice(7, 20)));
          req.end(text.slice(20));
        }),
    );
    expectLlmSpan(span, { name: 'chat gpt-4o-mini', attributes: openaiAttrs('openai/chat-completions', tlsServer), exact: true });
  });
});

describe('one call, one span', () => {
  it('wrapFetch(node-fetch) is recorded once, by the layer that sees the bytes', async () => {
    const wrapped = wrapFetch(fetch2 as unknown as typeof fetch);
    const url = `${env.servers.openai!.url}/v1/chat/completions`;
    const span = await oneSpan(async () => {
      const response = await wrapped(url, { method: 'POST', body: JSON.stringify(streamBody) });
      await drain(response.body as unknown as NodeJS.ReadableStream);
    });
    expectLlmSpan(span, { attributes: { ...openaiAttrs('openai/chat-completions-stream'), [ATTR_LLM_COST_END_REASON]: 'completed' }, exact: true });
  });

  it('a global fetch replaced by node-fetch 3 (a polyfill) is recorded once', async () => {
    const saved = globalThis.fetch;
    // What a polyfilled application has: node-fetch as the global fetch, which our wrapper then wraps.
    globalThis.fetch = wrapFetch(fetch3 as unknown as typeof fetch);
    try {
      const span = await oneSpan(async () => (await fetch(`${env.servers.openai!.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(chatBody) })).json());
      expectLlmSpan(span, { attributes: openaiAttrs('openai/chat-completions'), exact: true });
    } finally {
      globalThis.fetch = saved;
    }
  });
});

describe('what is not an LLM call, or not a whole one', () => {
  it('GETs, other hosts and other paths give no span and the same bytes', async () => {
    const other = await startProviderServer(() => ({ body: { ok: true, usage: { prompt_tokens: 1 } } }));
    try {
      collector.clear();
      const a = await axios.post(`${other.url}/v1/chat/completions`, chatBody);
      const b = await axios.get(`${env.servers.openai!.url}/v1/models`).catch((error: { response: unknown }) => error.response);
      const c = await got.post(`${env.servers.openai!.url}/v1/files`, { json: {}, throwHttpErrors: false });
      expect(a.data).toEqual({ ok: true, usage: { prompt_tokens: 1 } });
      expect(b).toBeDefined();
      expect(c.statusCode).toBeGreaterThan(0);
      await handle.forceFlush();
      expect(collector.llmSpans()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('an error status ends the span at once with its status as error.type', async () => {
    env.servers.openai!.route(() => ({ status: 429, body: { error: { message: 'slow down' } } }));
    try {
      const span = await oneSpan(() => axios.post(`${env.servers.openai!.url}/v1/chat/completions`, chatBody).catch(() => undefined));
      expectLlmSpan(span, {
        attributes: { [ATTR_HTTP_RESPONSE_STATUS_CODE]: 429, [ATTR_ERROR_TYPE]: '429', [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown' },
      });
    } finally {
      route(env.servers.openai!, 'openai', () => gzipNext);
    }
  });

  it('req.destroy() during the stream ends the span as aborted, not as an error', async () => {
    // The rest of the stream is held back until the client has aborted.
    const gate = new ChunkGate();
    env.servers.openai!.route(() => fixtureReply(projectFixture('openai/chat-completions-stream'), { gate }));
    const span = await oneSpan(
      () =>
        new Promise<void>((resolve) => {
          const req = http.request(`${env.servers.openai!.url}/v1/chat/completions`, { method: 'POST' }, (res) => {
            res.once('data', () => req.destroy());
            res.on('close', resolve);
          });
          req.on('error', () => undefined);
          req.end(JSON.stringify(streamBody));
        }),
    );
    gate.open();
    route(env.servers.openai!, 'openai', () => gzipNext);
    expect(span.attributes[ATTR_LLM_COST_END_REASON]).toBe('aborted');
    expect(span.attributes[ATTR_LLM_COST_USAGE_SOURCE]).toBe('unknown');
    expect(span.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
  });

  it('a connection refused ends the span with the error code, and the application gets the same error', async () => {
    let error: Error | undefined;
    const span = await oneSpan(
      () =>
        new Promise<void>((resolve) => {
          const req = http.request({ host: '127.0.0.1', port: refusedPort, path: '/v1/chat/completions', method: 'POST' });
          req.on('error', (e) => {
            error = e;
            resolve();
          });
          req.end(JSON.stringify(chatBody));
        }),
    );
    expect((error as { code?: string }).code).toBe('ECONNREFUSED');
    expectLlmSpan(span, {
      name: 'chat gpt-4o-mini',
      attributes: { [ATTR_ERROR_TYPE]: 'ECONNREFUSED', [ATTR_LLM_COST_END_REASON]: 'error', [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown' },
    });
  });
});

describe('compressed bodies', () => {
  it('a gzip JSON body read by a raw http.request client is read for usage on our side', async () => {
    env.servers.openai!.route(() => ({ headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: gzipSync(projectFixture('openai/chat-completions').body) }));
    try {
      const span = await oneSpan(
        () =>
          new Promise<void>((resolve, reject) => {
            const req = http.request(`${env.servers.openai!.url}/v1/chat/completions`, { method: 'POST' }, (res) => {
              res.resume();
              res.on('end', resolve);
            });
            req.on('error', reject);
            req.end(JSON.stringify(chatBody));
          }),
      );
      expectLlmSpan(span, { attributes: openaiAttrs('openai/chat-completions'), exact: true });
    } finally {
      route(env.servers.openai!, 'openai', () => gzipNext);
    }
  });
});
