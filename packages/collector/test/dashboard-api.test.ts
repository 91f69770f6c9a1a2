import { insertCreditSnapshots } from '@llm-cost/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startDashboard } from '../src/dashboard/dashboard-server.js';
import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { createOtlpExporter, exportSpans } from './helpers/otel-spans.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';

/*
 * The dashboard's /api/ endpoints on a real collector: spans of two tenants sent over OTLP/HTTP, read back through the
 * API with a global read token, a tenant's read token, an ingest token and none. A tenant's token must not see, sum
 * or guess the other tenant's data through any endpoint or parameter.
 */

const ACME_READER = 'acme-reader-token-0123456789abcdef';
const DAY = 86_400_000;
const today = new Date(Math.floor(Date.now() / DAY) * DAY);
const day = (offset: number) => new Date(today.getTime() + offset * DAY).toISOString().slice(0, 10);
const RANGE = `from=${day(-6)}&to=${day(1)}`;

let fx: CollectorFixture;

async function send(token: string, service: string, calls: Parameters<typeof sdkGenAiSpans>[1]): Promise<void> {
  const exporter = createOtlpExporter('json', fx.collector.url, { headers: { Authorization: `Bearer ${token}` } });
  expect((await exportSpans(exporter, sdkGenAiSpans(service, calls))).code).toBe(0);
  await exporter.shutdown();
}

beforeAll(async () => {
  fx = await startTestCollector({
    readTokens: [TOKENS.reader, `acme=${ACME_READER}`],
    traceUrl: 'http://jaeger.example:16686/trace/{traceId}',
  });
  await send(TOKENS.acme, 'shop', [
    { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100, cacheReadTokens: 400, tags: { user_id: 'alice', feature: 'search' } },
    { model: 'gpt-4o-mini', inputTokens: 2000, outputTokens: 200, tags: { user_id: 'bob', feature: '=HYPERLINK("http://x")' } },
  ]);
  await send(TOKENS.globex, 'secret-svc', [
    { model: 'gpt-4o', inputTokens: 5000, outputTokens: 500, tags: { user_id: 'carol-of-globex', feature: 'globex-only-feature' } },
  ]);
  await waitFor(async () => (await fx.metric('llm_cost_pipeline_calls_written_total')) >= 3, '3 calls written');
  const snapshot = {
    keyLimit: null,
    keyUsage: '1',
    keyRemaining: null,
    usageDaily: null,
    usageWeekly: null,
    usageMonthly: null,
    totalCredits: '10',
    totalUsage: '1',
    isFreeTier: false,
    level: 'ok',
    burnRatePerHour: '0.01',
    runsOutAtMs: null,
  };
  await insertCreditSnapshots(fx.queries.store, [
    { ...snapshot, timestampMs: Date.now() - 3_600_000, tenantId: 'acme', keyFingerprint: '…acme', remaining: '9' },
    { ...snapshot, timestampMs: Date.now() - 3_600_000, tenantId: 'globex', keyFingerprint: '…glbx', remaining: '4' },
  ]);
});
afterAll(() => fx.close());

async function api(path: string, token?: string): Promise<Response> {
  return fetch(`${fx.collector.url}/api/${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
}

async function json<T = Record<string, unknown>>(path: string, token: string | undefined = TOKENS.reader): Promise<T> {
  const response = await api(path, token);
  expect(response.status, `${path}: ${await response.clone().text()}`).toBe(200);
  return (await response.json()) as T;
}

describe('dashboard API', () => {
  it('answers 401 with no data without a token, with a wrong one, and with an ingest token', async () => {
    for (const token of [undefined, 'not-a-token-0123456789abcdef', TOKENS.acme]) {
      const response = await api(`totals?${RANGE}`, token);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(await response.json()).toEqual({ error: 'a read token is required' });
      // The page's first question says only that a token is needed.
      expect(await (await api('session', token)).json()).toEqual({ authenticated: false });
    }
  });

  it("gives a global token every tenant's totals, equal to the query API's", async () => {
    const body = await json<{ totals: { calls: number; cost: string }; previous: { totals: { calls: number } } }>(`totals?${RANGE}`);
    const direct = await fx.queries.usageInPeriod({ from: `${day(-6)}`, to: `${day(1)}` });
    expect(body.totals).toEqual(direct);
    expect(body.totals.calls).toBe(3);
    expect(body.previous.totals.calls).toBe(0);
    const tenants = await json<{ rows: Array<{ key: string }> }>(`breakdown?by=tenant&${RANGE}`);
    expect(tenants.rows.map((r) => r.key).sort()).toEqual(['acme', 'globex']);
    expect(await json(`session`)).toEqual({ authenticated: true, tenant: null, tenants: ['acme', 'globex'], traceUrl: 'http://jaeger.example:16686/trace/{traceId}' });
    const switched = await json<{ totals: { calls: number } }>(`totals?${RANGE}&tenant=globex`);
    expect(switched.totals.calls).toBe(1);
  });

  it('scopes every endpoint to the tenant of a tenant read token, with its billed cost', async () => {
    const acme = await fx.queries.usageInPeriod({ from: day(-6), to: day(1), tenantId: 'acme' });
    expect((await json<{ totals: unknown }>(`totals?${RANGE}`, ACME_READER)).totals).toEqual(acme);
    expect(acme.calls).toBe(2);
    expect(await json(`session`, ACME_READER)).toMatchObject({ tenant: 'acme', tenants: ['acme'] });
    const users = await json<{ rows: Array<{ key: string; billedCost: string }> }>(`breakdown?by=user&${RANGE}`, ACME_READER);
    expect(users.rows.map((r) => r.key).sort()).toEqual(['alice', 'bob']);
    expect(users.rows.every((r) => typeof r.billedCost === 'string')).toBe(true);
    const calls = await json<{ calls: Array<{ tenantId: string }> }>(`calls?${RANGE}`, ACME_READER);
    expect(calls.calls.map((c) => c.tenantId)).toEqual(['acme', 'acme']);
    const credits = await json<{ keys: Array<{ keyFingerprint: string }> }>(`credits?${RANGE}`, ACME_READER);
    expect(credits.keys.map((k) => k.keyFingerprint)).toEqual(['…acme']);
  });

  it("never lets a tenant token see, sum or guess another tenant's data, through any endpoint or parameter", async () => {
    const secrets = ['globex', 'carol-of-globex', 'secret-svc', 'gpt-4o"', '…glbx'];
    const attempts = [
      'session',
      `totals?${RANGE}`,
      `totals?${RANGE}&user=carol-of-globex`,
      `totals?${RANGE}&tag.tenant_id=globex`,
      `totals?${RANGE}&service=secret-svc`,
      `daily?${RANGE}&stack=tenant`,
      `daily?${RANGE}&stack=model&top=20`,
      `savings?${RANGE}`,
      `tag-keys?${RANGE}`,
      `quality?${RANGE}`,
      `credits?${RANGE}`,
      `calls?${RANGE}&limit=500`,
      `calls?${RANGE}&user=carol-of-globex`,
      `calls.csv?${RANGE}`,
      ...['model', 'provider', 'user', 'tenant', 'service', 'feature', 'tag:tenant_id', 'tag:user_id'].flatMap((by) => [
        `breakdown?by=${by}&${RANGE}`,
        `breakdown.csv?by=${by}&${RANGE}`,
      ]),
    ];
    for (const path of attempts) {
      const response = await api(path, ACME_READER);
      const text = await response.text();
      expect(response.status, path).toBe(200);
      for (const secret of secrets) expect(text, `${path} reveals ${secret}`).not.toContain(secret);
    }
    // Asking for the other tenant outright is refused, on the dashboard API and on /v1/query.
    for (const path of [`totals?${RANGE}&tenant=globex`, `breakdown?by=model&${RANGE}&tenant=globex`, `credits?${RANGE}&tenant=globex`]) {
      const response = await api(path, ACME_READER);
      expect(response.status, path).toBe(403);
      expect(await response.json()).toEqual({ error: 'this read token reads its own tenant only' });
    }
    const query = (params: Record<string, unknown>) =>
      fetch(`${fx.collector.url}/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ACME_READER}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'costBreakdown', params: { by: 'tenant', from: day(-6), to: day(1), ...params } }),
      });
    const scoped = (await (await query({})).json()) as { result: Array<{ key: string }> };
    expect(scoped.result.map((r) => r.key)).toEqual(['acme']);
    expect((await query({ tenantId: 'globex' })).status).toBe(403);
    // The organisation's provider bills cover every tenant: not for a tenant's token.
    const bills = await fetch(`${fx.collector.url}/v1/query`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ACME_READER}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'billDrift', params: { from: day(-6), to: day(1) } }),
    });
    expect(bills.status).toBe(403);
    const everyone = (await (
      await fetch(`${fx.collector.url}/v1/query`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ACME_READER}`, 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'usageInPeriod', params: { from: day(-6), to: day(1) } }),
      })
    ).json()) as { result: { calls: number } };
    expect(everyone.result.calls).toBe(2);
  });

  it('validates every parameter and answers 400 with a message naming it', async () => {
    const cases: Array<[string, RegExp]> = [
      [`totals?${RANGE}&sql=1`, /unknown parameter "sql"/],
      [`totals?from=yesterday&to=${day(1)}`, /"from" must be YYYY-MM-DD/],
      [`totals?from=${day(1)}&to=${day(-1)}`, /"to" must be after "from"/],
      [`totals?from=2000-01-01&to=${day(1)}`, /at most 3660 days/],
      [`totals?to=${day(1)}`, /"from" is required/],
      [`breakdown?by=password&${RANGE}`, /"by" must be model, provider/],
      [`breakdown?by=model&limit=0&${RANGE}`, /"limit" must be an integer from 1 to 10000/],
      [`breakdown?by=model&${RANGE}&user=a&user=b`, /"user" is given more than once/],
      [`calls?from=${day(-200)}&to=${day(1)}`, /at most 92 days/],
      [`calls?${RANGE}&before=1'--`, /"before" must be the "next" cursor/],
      [`calls?${RANGE}&status=maybe`, /"status" must be one of ok, error/],
      [`daily?${RANGE}&top=99`, /"top" must be an integer from 1 to 20/],
      [`totals?${RANGE}&tag.=x`, /tag filter is tag.<key>=<value>/],
    ];
    for (const [path, message] of cases) {
      const response = await api(path, TOKENS.reader);
      expect(response.status, path).toBe(400);
      expect(((await response.json()) as { error: string }).error, path).toMatch(message);
    }
    expect((await api('drop-table', TOKENS.reader)).status).toBe(404);
    expect((await fetch(`${fx.collector.url}/api/totals?${RANGE}`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.reader}` } })).status).toBe(405);
  });

  it('pages the calls with a cursor and links nothing secret', async () => {
    const first = await json<{ calls: Array<{ spanId: string; traceId: string }>; next: string }>(`calls?${RANGE}&limit=2`);
    expect(first.calls).toHaveLength(2);
    const second = await json<{ calls: Array<{ spanId: string }>; next: string | null }>(`calls?${RANGE}&limit=2&before=${first.next}`);
    expect(second.calls).toHaveLength(1);
    expect(second.next).toBeNull();
    expect(new Set([...first.calls, ...second.calls].map((c) => c.spanId)).size).toBe(3);
  });

  it('downloads every breakdown as CSV, formulas defused, the same rows as the JSON', async () => {
    const response = await api(`breakdown.csv?by=feature&${RANGE}`, TOKENS.reader);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="llm-cost-by-tag_feature.csv"');
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe('feature,calls,input_tokens,cached_tokens,output_tokens,cost_usd,billed_usd,unpriced_calls,unknown_usage_calls,error_calls');
    const rows = (await json<{ rows: Array<{ key: string; cost: string }> }>(`breakdown?by=feature&${RANGE}`)).rows;
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines.some((line) => line.startsWith(`"'=HYPERLINK(""http://x"")"`))).toBe(true);
    for (const row of rows) expect(lines.some((line) => line.includes(`,${row.cost},`))).toBe(true);
  });

  it('sends the security headers on the page and the API, and no inline script', async () => {
    for (const path of ['/', '/calls', `/api/totals?${RANGE}`]) {
      const response = await fetch(`${fx.collector.url}${path}`, { headers: { authorization: `Bearer ${TOKENS.reader}` } });
      expect(response.status, path).toBe(200);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      const text = await response.text();
      for (const token of [TOKENS.reader, ACME_READER, TOKENS.acme]) expect(text).not.toContain(token);
      if (path !== `/api/totals?${RANGE}`) expect(text).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/);
    }
  });

  it('without read tokens, answers requests addressed to loopback only (no DNS rebinding)', async () => {
    const dashboard = await startDashboard({ path: fx.path, port: 0 });
    try {
      const ok = await fetch(`${dashboard.url}/api/totals?${RANGE}`);
      expect(ok.status).toBe(200);
      expect(((await ok.json()) as { totals: { calls: number } }).totals.calls).toBe(3);
      const { request } = await import('node:http');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${dashboard.url}/api/totals?${RANGE}`, { headers: { host: 'attacker.example:4319' } }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.once('error', reject);
        req.end();
      });
      expect(status).toBe(403);
    } finally {
      await dashboard.close();
    }
  });
});
