/**
 * The building blocks every client of a provider API uses (OpenRouter's account endpoints, OpenAI's and Anthropic's
 * admin reports): the retry decisions, the retrying GET against a loopback server, the key fingerprint and the exact
 * money conversions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startProviderServer, type ProviderReply, type ProviderServer } from '../../../test/support/index.js';
import { fromNanoUsd } from '../src/budgets/nano-usd.js';
import { getWithRetries, retryPolicy, type ProviderRetryEvent } from '../src/provider-api/get-with-retries.js';
import { keyFingerprint, redactKey } from '../src/provider-api/key-fingerprint.js';
import { backoffDelay, classifyStatus, parseRetryAfter } from '../src/provider-api/response-outcome.js';
import { amountToNanoUsd, numberToNanoUsd } from '../src/provider-api/usd-amounts.js';

describe('retry decisions', () => {
  it('reads Retry-After as seconds or as an HTTP date', () => {
    const now = Date.UTC(2026, 0, 1, 12, 0, 0);
    expect(parseRetryAfter('2', now)).toBe(2000);
    expect(parseRetryAfter('0.5', now)).toBe(500);
    expect(parseRetryAfter('Thu, 01 Jan 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('classifies statuses: 2xx success, 429/408/5xx retryable, the rest failures', () => {
    expect(classifyStatus(200, null, 0)).toEqual({ kind: 'success' });
    expect(classifyStatus(429, '1', 0)).toEqual({ kind: 'retryable', reason: 'rate_limited', retryAfterMs: 1000 });
    expect(classifyStatus(503, null, 0)).toEqual({ kind: 'retryable', reason: 'server_error', retryAfterMs: undefined });
    expect(classifyStatus(408, null, 0)).toMatchObject({ kind: 'retryable' });
    expect(classifyStatus(401, null, 0)).toEqual({ kind: 'failure', reason: 'auth' });
    expect(classifyStatus(403, null, 0)).toEqual({ kind: 'failure', reason: 'auth' });
    expect(classifyStatus(404, null, 0)).toEqual({ kind: 'failure', reason: 'not_found' });
    expect(classifyStatus(400, null, 0)).toEqual({ kind: 'failure', reason: 'client_error' });
  });

  it('backs off exponentially with full jitter, capped', () => {
    expect([1, 2, 3, 4, 5].map((attempt) => backoffDelay(attempt, 100, 1000, () => 1))).toEqual([100, 200, 400, 800, 1000]);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(0);
    expect(backoffDelay(3, 100, 1000, () => 0.5)).toBe(200);
  });
});

describe('getWithRetries against a loopback server', () => {
  const SECRET = 'sk-admin-provider-api-test-000000000000000000000000000abcd';
  let server: ProviderServer;
  let replies: ProviderReply[] = [];
  const waits: number[] = [];
  const events: ProviderRetryEvent[] = [];
  const policy = retryPolicy({ maxRetries: 2, retryBaseMs: 40, retryMaxMs: 1000, maxRetryAfterMs: 5000, sleep: async (ms) => void waits.push(ms) });
  const get = () =>
    getWithRetries(`${server.url}/v1/report?day=1`, '/v1/report?day=1', {
      headers: { authorization: `Bearer ${SECRET}` },
      secret: SECRET,
      policy,
      onRetry: (event) => events.push(event),
    });

  beforeAll(async () => {
    server = await startProviderServer(() => replies.shift() ?? { body: { ok: true } });
  });
  afterAll(() => server.close());
  const reset = (...next: ProviderReply[]) => {
    replies = next;
    waits.length = 0;
    events.length = 0;
  };

  it('waits what Retry-After asks after a 429, backs off after a 5xx, then answers the body', async () => {
    reset({ status: 429, headers: { 'retry-after': '2' }, body: {} }, { status: 502, body: 'bad gateway' });
    const result = await get();
    expect(result).toEqual({ kind: 'success', status: 200, body: { ok: true }, attempts: 3 });
    expect(waits[0]).toBe(2000);
    expect(waits[1]).toBeLessThanOrEqual(80);
    expect(events.map((event) => [event.reason, event.status, event.attempt])).toEqual([
      ['rate_limited', 429, 1],
      ['server_error', 502, 2],
    ]);
  });

  it('gives up after the last retry of a lasting 5xx, with the redacted error message', async () => {
    const failing = { status: 500, body: { error: { message: `internal error for key ${SECRET}` } } };
    reset(failing, failing, failing);
    const result = await get();
    expect(result).toMatchObject({ kind: 'gave_up', reason: 'server_error', status: 500, attempts: 3 });
    expect(JSON.stringify(result)).not.toContain(SECRET);
    expect(result.kind === 'gave_up' && result.detail).toBe('internal error for key …abcd');
  });

  it('gives up at once when Retry-After is longer than it may wait', async () => {
    reset({ status: 429, headers: { 'retry-after': '60' }, body: {} });
    expect(await get()).toMatchObject({ kind: 'gave_up', reason: 'rate_limited', retryAfterMs: 60_000, attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('answers 401 at once, never retried', async () => {
    reset({ status: 401, body: { error: { message: 'invalid key' } } });
    expect(await get()).toEqual({ kind: 'failure', reason: 'auth', status: 401, detail: 'invalid key', attempts: 1 });
    expect(waits).toEqual([]);
  });

  it('says a 2xx body that is not JSON is a failure, not a retry', async () => {
    reset({ status: 200, body: '<html>', headers: { 'content-type': 'text/html' } });
    expect(await get()).toMatchObject({ kind: 'failure', reason: 'not_json', attempts: 1 });
  });
});

describe('key fingerprints', () => {
  it('show the last 4 characters of a key, none of a short string, and replace the key in texts', () => {
    expect(keyFingerprint('sk-admin-0000000000000000000000wxyz')).toBe('…wxyz');
    expect(keyFingerprint('short')).toBe('…????');
    expect(redactKey('key sk-admin-0000000000000000000000wxyz refused', 'sk-admin-0000000000000000000000wxyz')).toBe('key …wxyz refused');
  });
});

describe('exact amounts', () => {
  const usd = (value: number | string, unitsPerUsd?: number) => fromNanoUsd(amountToNanoUsd(value, unitsPerUsd));

  it('turns JSON numbers in USD into exact nano-dollar decimals (OpenRouter, OpenAI)', () => {
    expect(usd(0.0015)).toBe('0.001500000');
    expect(usd(9.25e-6)).toBe('0.000009250');
    expect(usd(4.8984355238)).toBe('4.898435524');
    expect(usd(0.1015644762)).toBe('0.101564476');
    expect(usd(1e-10)).toBe('0.000000000');
    expect(usd(5e-10)).toBe('0.000000001');
    expect(usd(100.5)).toBe('100.500000000');
    expect(usd(-0.0002)).toBe('-0.000200000');
    expect(fromNanoUsd(numberToNanoUsd(0.1) + numberToNanoUsd(0.2))).toBe('0.300000000');
  });

  it('turns decimal strings of cents into exact nano-dollars (Anthropic: "123.45" is $1.2345)', () => {
    expect(usd('123.45', 100)).toBe('1.234500000');
    expect(usd('0.0000001', 100)).toBe('0.000000001');
    expect(usd('0.00000004', 100)).toBe('0.000000000');
    expect(usd('0.00000005', 100)).toBe('0.000000001');
    expect(usd('-250', 100)).toBe('-2.500000000');
    expect(usd('1e2', 100)).toBe('1.000000000');
  });

  it('refuses what is not a finite decimal', () => {
    expect(() => amountToNanoUsd('twelve')).toThrow(RangeError);
    expect(() => amountToNanoUsd('')).toThrow(RangeError);
    expect(() => amountToNanoUsd(Number.NaN)).toThrow(RangeError);
    expect(() => amountToNanoUsd('1', 0)).toThrow(RangeError);
  });
});
