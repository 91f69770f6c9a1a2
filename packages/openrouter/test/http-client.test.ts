/**
 * The OpenRouter client against a loopback OpenRouter: the documented shapes of /key, /credits and /generation,
 * Bearer auth, 401 (not retried), 429 honouring Retry-After, 5xx retried with backoff, network failures, 404 as
 * "not found yet", bounded concurrency, and the pure decisions behind them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { checkOpenRouterCredits } from '../src/credits/check-credits.js';
import {
  OpenRouterApiError,
  OpenRouterAuthError,
  OpenRouterConfigError,
  OpenRouterRateLimitedError,
  OpenRouterResponseError,
} from '../src/errors.js';
import { createLimiter } from '../src/http/limiter.js';
import { usdText } from '../src/money/usd.js';
import { createOpenRouterClient } from '../src/openrouter-client.js';
import type { RetryEvent } from '../src/types.js';
import { ChunkGate, startProviderServer } from '../../../test/support/index.js';
import { keyBody, projectBody, startFakeOpenRouter, type FakeOpenRouter } from './support/openrouter-server.js';
import { waitFor } from './support/wait.js';

const KEY = 'sk-or-v1-0123456789abcdef0123456789abcdef0123456789abcdef01234567ab12';
let fake: FakeOpenRouter;

beforeAll(async () => {
  fake = await startFakeOpenRouter();
  fake.setKey(KEY, projectBody('key-current.json'));
  fake.setCredits(KEY, projectBody('credits.json'));
  fake.setGeneration('gen-fixture-0008', projectBody('generation-paid.json'));
});
afterAll(() => fake.close());

/** A client whose waits are recorded instead of slept (the clock is the boundary we fake). */
function client(options: { maxRetries?: number; maxRetryAfterMs?: number; concurrency?: number; apiKey?: string } = {}) {
  const waits: number[] = [];
  const retries: RetryEvent[] = [];
  const api = createOpenRouterClient({
    apiKey: options.apiKey ?? KEY,
    baseUrl: fake.baseUrl,
    sleep: async (ms) => {
      waits.push(ms);
    },
    onRetry: (event) => retries.push(event),
    retryBaseMs: 100,
    retryMaxMs: 1000,
    ...options,
  });
  return { api, waits, retries };
}

describe('checkOpenRouterCredits', () => {
  it('reads the key and the account in the shape the issue names, with the key fingerprint', async () => {
    const before = fake.requests.length;
    const credits = await checkOpenRouterCredits({ apiKey: KEY, baseUrl: fake.baseUrl });
    expect(credits).toEqual({
      limit: 100,
      usage: 25.5,
      remaining: 74.5,
      usageDaily: 1.25,
      usageWeekly: 8.75,
      usageMonthly: 25.5,
      totalCredits: 100.5,
      totalUsage: 25.75,
      isFreeTier: false,
      accountRemaining: 74.75,
      keyFingerprint: '…ab12',
      limitReset: 'monthly',
      rateLimit: { requests: 1000, interval: '1h' },
      checkedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
    const sent = fake.requests.slice(before);
    expect(sent.map((request) => request.url).sort()).toEqual(['/api/v1/credits', '/api/v1/key']);
    for (const request of sent) expect(request.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('says null where OpenRouter says there is no limit, and when /credits needs a management key', async () => {
    const key = 'sk-or-v1-nolimit-0000000000000000000000000000000000000000000000000000cd34';
    fake.setKey(key, keyBody({ limit: null, usage: 3.2 }));
    const credits = await checkOpenRouterCredits({ apiKey: key, baseUrl: fake.baseUrl });
    expect(credits).toMatchObject({ limit: null, remaining: null, usage: 3.2, totalCredits: null, totalUsage: null, accountRemaining: null });
    expect(credits.creditsUnavailable).toMatch(/^HTTP 403: .*management keys/);
    expect(JSON.stringify(credits)).not.toContain(key);
  });

  it('refuses a wrong key with OpenRouterAuthError naming only its fingerprint, without retrying', async () => {
    const wrong = 'sk-or-v1-wrong-000000000000000000000000000000000000000000000000000000ef56';
    const { api, retries } = client({ apiKey: wrong });
    const before = fake.requests.length;
    const error = await api.getKey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenRouterAuthError);
    expect(error).toMatchObject({ name: 'OpenRouterAuthError', code: 'LLM_COST_OPENROUTER_AUTH', status: 401, keyFingerprint: '…ef56' });
    expect((error as Error).message).toBe('OpenRouter refused the API key …ef56 (HTTP 401) for /key: User not found.');
    expect(fake.requests.length - before).toBe(1);
    expect(retries).toEqual([]);
  });

  it('refuses to start without a key or with a base URL that is not http(s)', () => {
    expect(() => createOpenRouterClient({ apiKey: '' })).toThrow(OpenRouterConfigError);
    expect(() => createOpenRouterClient({ apiKey: KEY, baseUrl: 'ftp://x' })).toThrow(/baseUrl must be an http\(s\) URL/);
  });
});

describe('retries', () => {
  it('waits what Retry-After asks after a 429, then succeeds', async () => {
    fake.enqueue('/api/v1/key', { status: 429, headers: { 'retry-after': '2' }, body: { error: { code: 429, message: 'Rate limit exceeded' } } });
    const { api, waits, retries } = client();
    expect(await api.getKey()).toMatchObject({ limit: 100, remaining: 74.5 });
    expect(waits).toEqual([2000]);
    expect(retries).toEqual([{ path: '/key', attempt: 1, delayMs: 2000, reason: 'rate_limited', status: 429 }]);
  });

  it('gives up at once when Retry-After is longer than it may wait', async () => {
    fake.enqueue('/api/v1/key', { status: 429, headers: { 'retry-after': '3600' }, body: {} });
    const { api, waits } = client({ maxRetryAfterMs: 60_000 });
    const error = await api.getKey().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenRouterRateLimitedError);
    expect(error).toMatchObject({ code: 'LLM_COST_OPENROUTER_RATE_LIMITED', retryAfterMs: 3_600_000 });
    expect(waits).toEqual([]);
  });

  it('retries 5xx with growing jittered backoff and succeeds', async () => {
    fake.enqueue('/api/v1/generation', { status: 500, body: 'Internal Server Error' }, { status: 502, body: { error: { code: 502, message: 'Bad gateway' } } });
    const { api, waits, retries } = client();
    const before = fake.requestsTo('/api/v1/generation').length;
    const record = await api.getGeneration('gen-fixture-0008');
    expect(record).toMatchObject({ id: 'gen-fixture-0008', totalCost: '0.001500000', providerName: 'Anthropic' });
    expect(fake.requestsTo('/api/v1/generation').length - before).toBe(3);
    expect(retries.map((r) => [r.attempt, r.reason, r.status])).toEqual([
      [1, 'server_error', 500],
      [2, 'server_error', 502],
    ]);
    expect(waits[0]).toBeLessThanOrEqual(100);
    expect(waits[1]).toBeLessThanOrEqual(200);
  });

  it('fails with OpenRouterApiError after the last retry of a lasting 5xx', async () => {
    fake.enqueue('/api/v1/credits', ...Array.from({ length: 3 }, () => ({ status: 503, body: { error: { message: 'down' } } })));
    const { api, retries } = client({ maxRetries: 2 });
    const error = await api.getCredits().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenRouterApiError);
    expect((error as Error).message).toBe('OpenRouter answered HTTP 503 for /credits after 3 attempt(s): down');
    expect(retries).toHaveLength(2);
  });

  it('retries a network failure and reports status 0 when the server stays away', async () => {
    const gone = await startFakeOpenRouter();
    const baseUrl = gone.baseUrl;
    await gone.close();
    const api = createOpenRouterClient({ apiKey: KEY, baseUrl, maxRetries: 1, sleep: async () => {} });
    const error = await api.getKey().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'OpenRouterApiError', status: 0 });
    expect((error as Error).message).toMatch(/^OpenRouter could not be reached for \/key after 2 attempt\(s\)/);
  });

  it('answers null for a generation OpenRouter has no record of yet (404), without retrying', async () => {
    const { api, retries } = client();
    expect(await api.getGeneration('gen-not-there-yet')).toBeNull();
    expect(retries).toEqual([]);
  });

  it('never has more requests in flight than its concurrency', async () => {
    const gate = new ChunkGate();
    let inFlight = 0;
    let most = 0;
    const held = await startProviderServer(async () => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await gate.wait();
      inFlight -= 1;
      return { body: projectBody('generation-paid.json') };
    });
    const api = createOpenRouterClient({ apiKey: KEY, baseUrl: `${held.url}/api/v1`, concurrency: 3 });
    const all = Promise.all(Array.from({ length: 10 }, () => api.getGeneration('gen-fixture-0008')));
    await waitFor('3 requests in flight', () => inFlight === 3);
    expect(held.requests.length).toBe(3);
    gate.open();
    expect(await all).toHaveLength(10);
    expect(held.requests.length).toBe(10);
    expect(most).toBe(3);
    await held.close();
  });
});

describe('unexpected bodies', () => {
  it('says which field is wrong instead of storing a guess', async () => {
    fake.enqueue('/api/v1/key', { body: { data: { limit: 10 } } });
    await expect(client().api.getKey()).rejects.toThrow(new OpenRouterResponseError('GET /key: "usage" must be a number, got nothing'));
    fake.enqueue('/api/v1/generation', { body: { data: { id: 'gen-x', total_cost: '0.1' } } });
    await expect(client().api.getGeneration('gen-x')).rejects.toThrow('GET /generation: "total_cost" must be a number, got "0.1"');
    fake.enqueue('/api/v1/generation', { body: { error: 'nope' } });
    await expect(client().api.getGeneration('gen-x')).rejects.toThrow('GET /generation: expected a JSON object with a "data" object');
    fake.enqueue('/api/v1/generation', { body: 'not json', headers: { 'content-type': 'text/plain' } });
    await expect(client().api.getGeneration('gen-x')).rejects.toMatchObject({ name: 'OpenRouterApiError', message: expect.stringContaining('the body is not JSON') });
  });
});

// The retry decisions and the exact amounts are tested with the shared helpers in @llm-cost/clickhouse
// (packages/clickhouse/test/provider-api.test.ts).
describe('pure decisions', () => {
  it('limits concurrency in order, handing each slot to the next waiter', async () => {
    const limiter = createLimiter(2);
    const order: number[] = [];
    const gates = [0, 1, 2, 3].map(() => new ChunkGate());
    const runs = gates.map((gate, index) => limiter.run(async () => {
      order.push(index);
      await gate.wait();
    }));
    await waitFor('2 tasks started', () => order.length === 2);
    expect(limiter.active).toBe(2);
    gates[0]!.open();
    await waitFor('the third task', () => order.length === 3);
    expect(order).toEqual([0, 1, 2]);
    gates.forEach((gate) => gate.open());
    await Promise.all(runs);
    expect(order).toEqual([0, 1, 2, 3]);
    expect(limiter.active).toBe(0);
  });

  it('turns OpenRouter numbers into exact nano-dollar decimals', () => {
    expect(usdText(0.0015)).toBe('0.001500000');
    expect(usdText(9.25e-6)).toBe('0.000009250');
    expect(usdText(4.8984355238)).toBe('4.898435524');
    expect(usdText(0.1015644762)).toBe('0.101564476');
    expect(usdText(1e-10)).toBe('0.000000000');
    expect(usdText(5e-10)).toBe('0.000000001');
    expect(usdText(100.5)).toBe('100.500000000');
    expect(usdText(-0.0002)).toBe('-0.000200000');
  });
});
