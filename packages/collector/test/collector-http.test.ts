import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { createOtlpExporter, exportSpans } from './helpers/otel-spans.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';

const DAY = 86_400_000;

async function post(url: string, body: Buffer | string, headers: Record<string, string>): Promise<Response> {
  return fetch(`${url}/v1/traces`, { method: 'POST', body, headers });
}

describe('collector over OTLP/HTTP', () => {
  let fx: CollectorFixture;
  beforeAll(async () => {
    fx = await startTestCollector({ maxBodyBytes: 256 * 1024 });
  });
  afterAll(() => fx.close());

  const window = () => ({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });

  async function rowsWritten(n: number): Promise<void> {
    await waitFor(async () => (await fx.metric('llm_cost_pipeline_calls_written_total')) >= n, `${n} rows written`);
  }

  it('prices spans from the protobuf and the JSON exporter, gzip or not, billed to the token tenant', async () => {
    let expected = 0;
    for (const kind of ['protobuf', 'json'] as const) {
      for (const compression of ['none', 'gzip'] as const) {
        const exporter = createOtlpExporter(kind, fx.collector.url, {
          compression,
          headers: { Authorization: `Bearer ${TOKENS.acme}` },
        });
        const spans = sdkGenAiSpans(`svc-${kind}-${compression}`, [
          { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100, tags: { user_id: 'alice' } },
          { model: 'gpt-4o-mini', inputTokens: 2000, outputTokens: 200, tags: { user_id: 'bob' } },
        ]);
        expect((await exportSpans(exporter, spans)).code).toBe(0);
        await exporter.shutdown();
        expected += spans.length;
      }
    }
    await rowsWritten(expected);
    const acme = await fx.queries.usageInPeriod({ ...window(), tenantId: 'acme' });
    expect(acme.calls).toBe(expected);
    expect(acme.inputTokens).toBe(4 * 3000);
    expect(acme.outputTokens).toBe(4 * 300);
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output
    expect(acme.cost).toBe('0.002520000');
    const byService = await fx.queries.costBreakdown({ ...window(), by: 'service' });
    expect(byService.map((e) => e.key).sort()).toEqual([
      'svc-json-gzip',
      'svc-json-none',
      'svc-protobuf-gzip',
      'svc-protobuf-none',
    ]);
  });

  it("replaces a span's claimed tenant with its token's tenant", async () => {
    const before = await fx.queries.usageInPeriod({ ...window(), tenantId: 'globex' });
    const exporter = createOtlpExporter('protobuf', fx.collector.url, { headers: { Authorization: `Bearer ${TOKENS.acme}` } });
    const spans = sdkGenAiSpans('spoofer', [
      { model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 1, tags: { tenant_id: 'globex', user_id: 'mallory' } },
    ]);
    expect((await exportSpans(exporter, spans)).code).toBe(0);
    await exporter.shutdown();
    await waitFor(
      async () => (await fx.queries.usageInPeriod({ ...window(), userId: 'mallory' })).calls === 1,
      'the spoofing span to be written',
    );
    expect(await fx.queries.usageInPeriod({ ...window(), tenantId: 'globex' })).toEqual(before);
    const mallory = await fx.queries.costBreakdown({ ...window(), by: 'tenant' });
    expect(mallory.find((e) => e.key === 'globex')).toBeUndefined();
    const rows = await fx.queries.store.client.query({
      query: `SELECT tenant_id, tags['tenant_id'] AS tag FROM ${fx.queries.store.database}.llm_calls WHERE user_id = 'mallory'`,
      format: 'JSONEachRow',
    });
    expect(await rows.json()).toEqual([{ tenant_id: 'acme', tag: 'acme' }]);
  });

  describe('refused requests write nothing and the collector keeps serving', () => {
    const validJson = () => JSON.stringify({ resourceSpans: [] });

    async function expectRefused(response: Response, status: number, contentType = 'application/json'): Promise<void> {
      expect(response.status).toBe(status);
      expect(response.headers.get('content-type')).toBe(contentType);
      const body = contentType === 'application/json' ? ((await response.json()) as { message?: string }) : undefined;
      if (body) expect(typeof body.message).toBe('string');
    }

    it('401 without a token, with a wrong token, and with a read token', async () => {
      const received = await fx.metric('llm_cost_collector_spans_received_total');
      await expectRefused(await post(fx.collector.url, validJson(), { 'content-type': 'application/json' }), 401);
      await expectRefused(
        await post(fx.collector.url, validJson(), { 'content-type': 'application/json', authorization: 'Bearer nope-nope-nope-nope-nope' }),
        401,
      );
      await expectRefused(
        await post(fx.collector.url, validJson(), { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.reader}` }),
        401,
      );
      expect(await fx.metric('llm_cost_collector_spans_received_total')).toBe(received);
    });

    it('415 for other media types and encodings', async () => {
      const auth = { authorization: `Bearer ${TOKENS.acme}` };
      await expectRefused(await post(fx.collector.url, 'x', { ...auth, 'content-type': 'text/plain' }), 415);
      await expectRefused(
        await post(fx.collector.url, validJson(), { ...auth, 'content-type': 'application/json', 'content-encoding': 'br' }),
        415,
      );
    });

    it('400 for undecodable protobuf, JSON and gzip, answered in the request encoding', async () => {
      const auth = { authorization: `Bearer ${TOKENS.acme}` };
      await expectRefused(
        await post(fx.collector.url, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f]), { ...auth, 'content-type': 'application/x-protobuf' }),
        400,
        'application/x-protobuf',
      );
      await expectRefused(await post(fx.collector.url, '{"resourceSpans": [', { ...auth, 'content-type': 'application/json' }), 400);
      await expectRefused(
        await post(fx.collector.url, Buffer.from('not gzip'), { ...auth, 'content-type': 'application/json', 'content-encoding': 'gzip' }),
        400,
      );
    });

    it('413 over the size limit, before and after decompression (gzip bomb)', async () => {
      const auth = { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/json' };
      await expectRefused(await post(fx.collector.url, 'x'.repeat(300 * 1024), auth), 413);
      const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024, 0x20));
      expect(bomb.length).toBeLessThan(256 * 1024);
      await expectRefused(await post(fx.collector.url, bomb, { ...auth, 'content-encoding': 'gzip' }), 413);
    });

    it('answers partial success for spans with invalid ids and writes the valid ones', async () => {
      const good = sdkGenAiSpans('partial', [{ model: 'gpt-4o-mini', inputTokens: 5, outputTokens: 5, tags: { user_id: 'partial-user' } }]);
      const span = good[0]!;
      const body = {
        resourceSpans: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: 'partial' } }] },
            scopeSpans: [
              {
                scope: { name: span.instrumentationScope.name },
                spans: [
                  {
                    traceId: span.spanContext().traceId,
                    spanId: span.spanContext().spanId,
                    name: span.name,
                    kind: 3,
                    startTimeUnixNano: `${span.startTime[0]}${String(span.startTime[1]).padStart(9, '0')}`,
                    endTimeUnixNano: `${span.endTime[0]}${String(span.endTime[1]).padStart(9, '0')}`,
                    attributes: Object.entries(span.attributes).map(([key, value]) => ({
                      key,
                      value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: String(value) },
                    })),
                  },
                  { traceId: '00000000000000000000000000000000', spanId: 'abcdefabcdefabcd', name: 'bad' },
                ],
              },
            ],
          },
        ],
      };
      const response = await post(fx.collector.url, JSON.stringify(body), {
        authorization: `Bearer ${TOKENS.acme}`,
        'content-type': 'application/json',
      });
      expect(response.status).toBe(200);
      const answer = (await response.json()) as { partialSuccess: { rejectedSpans: string; errorMessage: string } };
      expect(answer.partialSuccess.rejectedSpans).toBe('1');
      expect(answer.partialSuccess.errorMessage).toMatch(/invalid trace id/);
      await waitFor(
        async () => (await fx.queries.usageInPeriod({ ...window(), userId: 'partial-user' })).calls === 1,
        'the valid span of the partial request',
      );
    });

    it('still serves a normal export after all of the above', async () => {
      const response = await post(fx.collector.url, JSON.stringify({ resourceSpans: [] }), {
        authorization: `Bearer ${TOKENS.globex}`,
        'content-type': 'application/json',
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({});
      expect((await fetch(`${fx.collector.url}/healthz`)).status).toBe(200);
    });
  });

  it('reports readiness, metrics and answers usage queries to a read token only', async () => {
    const ready = await fetch(`${fx.collector.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ ok: true });
    const metrics = await (await fetch(`${fx.collector.url}/metrics`)).text();
    for (const name of [
      'llm_cost_collector_spans_received_total',
      'llm_cost_pipeline_calls_priced_total',
      'llm_cost_pipeline_calls_unpriced_total',
      'llm_cost_pipeline_calls_written_total',
      'llm_cost_collector_spans_rejected_total',
      'llm_cost_pipeline_queue_depth',
      'llm_cost_pipeline_write_duration_seconds_sum',
    ]) {
      expect(metrics).toMatch(new RegExp(`^# TYPE ${name} `, 'm'));
    }
    const query = (token: string | undefined, body: unknown) =>
      fetch(`${fx.collector.url}/v1/query`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    const params = { by: 'tenant', from: window().from.toISOString(), to: window().to.toISOString() };
    expect((await query(undefined, { query: 'costBreakdown', params })).status).toBe(401);
    expect((await query(TOKENS.acme, { query: 'costBreakdown', params })).status).toBe(401);
    const ok = await query(TOKENS.reader, { query: 'costBreakdown', params });
    expect(ok.status).toBe(200);
    const { result } = (await ok.json()) as { result: Array<{ key: string; calls: number }> };
    expect(result.map((e) => e.key)).toEqual(['acme']);
    expect((await query(TOKENS.reader, { query: 'dropTable', params: {} })).status).toBe(400);
    expect((await query(TOKENS.reader, { query: 'costBreakdown', params: { ...params, sql: '1' } })).status).toBe(400);
    expect((await query(TOKENS.reader, { query: 'costBreakdown', params: { ...params, by: "model'; DROP" } })).status).toBe(400);
    // Let through by the parameter schema (a ratio in [0, 1]), refused by the query itself: still the caller's error.
    const refused = await query(TOKENS.reader, {
      query: 'dataQuality',
      params: { from: params.from, to: params.to, coverageThreshold: 0 },
    });
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: string }).error).toMatch(/coverageThreshold/);
  });
});
