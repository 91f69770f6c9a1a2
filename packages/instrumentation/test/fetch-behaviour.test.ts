/**
 * The patched fetch from the application's side: other requests pass through untouched, errors are the same errors,
 * nothing private lands on a span, and the opt-in request rewrite does exactly what it says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpanCollector,
  expectLlmSpan,
  expectNoSecrets,
  fixturePath,
  fixtureReply,
  projectFixture,
  projectFixtures,
  readSse,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation } from '../src/index.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LLM_COST_END_REASON,
  ATTR_LLM_COST_USAGE_SOURCE,
} from '@llm-cost/semconv';
import { startServers, usageAttributes } from './helpers.js';

const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;
let other: ProviderServer;
let closedPort: number;
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic', 'gemini', 'openrouter']);
  other = await startProviderServer(() => ({ body: { ok: true, usage: { prompt_tokens: 1 } } }));
  const closed = await startProviderServer();
  closedPort = closed.port;
  await closed.close();
  registerLlmCostInstrumentation({
    tracerProvider: collector.provider,
    hosts: { ...env.hosts, [`127.0.0.1:${closedPort}`]: 'openai' },
  });
});
afterAll(async () => {
  await env.close();
  await other.close();
});

describe('requests that are not LLM calls', () => {
  it('a request to another host gives no span and the very response fetch returned', async () => {
    expect(globalThis.fetch).not.toBe(originalFetch);
    collector.clear();
    const patched = await fetch(`${other.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"x"}' });
    const direct = await originalFetch(`${other.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"x"}' });
    expect(Object.getPrototypeOf(patched.body)).toBe(ReadableStream.prototype);
    expect(Object.getOwnPropertyNames(patched)).toEqual(Object.getOwnPropertyNames(direct));
    expect(patched.status).toBe(direct.status);
    expect(await patched.text()).toBe(await direct.text());
    expect(collector.spans()).toEqual([]);
  });

  it('GETs and other paths on a provider host give no span', async () => {
    const server = env.servers.openai!;
    server.route(() => ({ body: { data: [] } }));
    collector.clear();
    await (await fetch(`${server.url}/v1/models`)).text();
    await (await fetch(`${server.url}/v1/files`, { method: 'POST', body: 'x' })).text();
    await (await fetch(`${server.url}/v1/responses/resp_123`)).text();
    expect(collector.spans()).toEqual([]);
  });
});

describe('errors', () => {
  it('a non-2xx answer ends the span with error status and error.type; the app gets the same response', async () => {
    const server = env.servers.anthropic!;
    const body = '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}';
    server.route(() => ({ status: 529, body }));
    collector.clear();
    const response = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{"model":"claude-x"}' });
    expect(response.status).toBe(529);
    expect(await response.text()).toBe(body);
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, {
      name: 'chat claude-x',
      status: 'error',
      attributes: {
        [ATTR_ERROR_TYPE]: '529',
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: 529,
        [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown',
        [ATTR_GEN_AI_REQUEST_MODEL]: 'claude-x',
      },
    });
  });

  it('a network error ends the span with error.type and rejects with the error fetch itself gives', async () => {
    const url = `http://127.0.0.1:${closedPort}/v1/chat/completions`;
    collector.clear();
    const ours = await fetch(url, { method: 'POST', body: '{"model":"gpt-x"}' }).then(() => new Error('resolved'), (e: unknown) => e as Error);
    const theirs = await originalFetch(url, { method: 'POST', body: '{"model":"gpt-x"}' }).then(() => new Error('resolved'), (e: unknown) => e as Error);
    expect(ours).toBeInstanceOf(TypeError);
    expect(ours.constructor).toBe(theirs.constructor);
    expect(ours.message).toBe(theirs.message);
    expect((ours.cause as { code?: string }).code).toBe('ECONNREFUSED');
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, {
      status: 'error',
      attributes: {
        [ATTR_ERROR_TYPE]: 'ECONNREFUSED',
        [ATTR_LLM_COST_END_REASON]: 'error',
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: undefined,
      },
    });
  });

  it('a synchronous throw of fetch (bad init) reaches the app unchanged', async () => {
    const server = env.servers.openai!;
    collector.clear();
    const bad = { method: 'POST', body: '{"model":"m"}', headers: { 'bad header\n': 'x' } };
    const ours = await fetch(`${server.url}/v1/chat/completions`, bad).then(() => new Error('resolved'), (e: unknown) => e as Error);
    const theirs = await originalFetch(`${server.url}/v1/chat/completions`, bad).then(() => new Error('resolved'), (e: unknown) => e as Error);
    expect(ours).toBeInstanceOf(Error);
    expect(ours.name).toBe(theirs.name);
    expect(ours.message).toBe(theirs.message);
  });
});

describe('privacy', () => {
  it('no prompt, completion, header, API key or query string appears on any span', async () => {
    const secretKey = 'sk-proj-SECRETKEY0123456789';
    const secretPrompt = 'my very private prompt 7f3a9c';
    const secretQuery = 'AIzaSECRETQUERYKEY';
    collector.clear();
    let calls = 0;
    for (const fixture of projectFixtures()) {
      const server = env.servers[fixture.provider]!;
      server.route(() => fixtureReply(fixture));
      const body = JSON.stringify({
        model: fixture.meta.request?.model,
        messages: [{ role: 'user', content: secretPrompt }],
        contents: [{ parts: [{ text: secretPrompt }] }],
        input: secretPrompt,
        stream: fixture.meta.stream || undefined,
      });
      const separator = fixturePath(fixture).includes('?') ? '&' : '?';
      const response = await fetch(`${server.url}${fixturePath(fixture)}${separator}key=${secretQuery}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secretKey}`, 'x-api-key': secretKey, 'x-goog-api-key': secretKey },
        body,
      });
      await readSse(response.body);
      calls++;
    }
    const spans = await collector.waitForLlmSpans(calls);
    expect(spans).toHaveLength(calls);
    // Completion text of the fixtures, too.
    expectNoSecrets(spans, [secretKey, secretPrompt, secretQuery, 'key=', 'Bearer', 'A fixture answer', 'déjà vu']);
  });
});

describe('captureStreamUsage off (default)', () => {
  it('sends the request body byte for byte and records a stream without usage as unknown', async () => {
    const fixture = projectFixture('openai/chat-completions-stream-no-usage');
    const server = env.servers.openai!;
    server.route(() => fixtureReply(fixture));
    collector.clear();
    const body = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}],"stream":true}';
    const index = server.requests.length;
    await readSse((await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body })).body);
    expect(server.requests[index]!.body).toBe(body);
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, {
      attributes: {
        ...usageAttributes(undefined),
        [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown',
        [ATTR_GEN_AI_REQUEST_STREAM]: true,
        [ATTR_LLM_COST_END_REASON]: 'completed',
      },
    });
  });

  it('takes the model from the top level only, never from a message or a tool schema', async () => {
    const fixture = projectFixture('openai/chat-completions');
    const server = env.servers.openai!;
    server.route(() => fixtureReply(fixture));
    collector.clear();
    const body = JSON.stringify({
      messages: [{ role: 'user', content: 'use "model": "fake" please {' }],
      tools: [{ type: 'function', function: { name: 'f', parameters: { properties: { model: { type: 'string' } } } } }],
      metadata: { model: 'nested-model' },
      model: 'gpt-4o-mini',
    });
    await (await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body })).json();
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, { name: 'chat gpt-4o-mini', attributes: { [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini' } });
  });
});
