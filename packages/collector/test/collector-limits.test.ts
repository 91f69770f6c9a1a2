import { request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import { createServer, type AddressInfo, type Server } from 'node:net';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { createJsonLogger } from '../src/log.js';
import { TOKENS, readMetric, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';
import { createOtlpExporter, exportSpans } from './helpers/otel-spans.js';

// The serializer of @opentelemetry/exporter-trace-otlp-proto, resolved through it (not a direct dependency).
const requireFromExporter = createRequire(createRequire(import.meta.url).resolve('@opentelemetry/exporter-trace-otlp-proto'));
const { ProtobufTraceSerializer } = requireFromExporter('@opentelemetry/otlp-transformer') as {
  ProtobufTraceSerializer: { serializeRequest(spans: unknown[]): Uint8Array };
};

const auth = { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/json' };

/** One OTLP JSON request with the given spans (attributes as key -> string value). */
function jsonRequest(spans: Array<{ spanId: string; name?: string; attributes: Array<[string, unknown]> }>): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'hostile' } }] },
        scopeSpans: [
          {
            scope: { name: 'hostile-sdk' },
            spans: spans.map((s) => ({
              traceId: 'a'.repeat(32),
              spanId: s.spanId,
              name: s.name ?? 'chat',
              kind: 3,
              startTimeUnixNano: String(BigInt(Date.now() - 1000) * 1_000_000n),
              endTimeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              attributes: s.attributes.map(([key, value]) => ({ key, value })),
            })),
          },
        ],
      },
    ],
  });
}

describe('hostile input', () => {
  let fx: CollectorFixture;
  const lines: string[] = [];
  beforeAll(async () => {
    fx = await startTestCollector({ logger: createJsonLogger({ level: 'debug', write: (line) => void lines.push(line) }) });
  });
  afterAll(() => fx.close());

  it('bounds a span with a hundred thousand attributes and counts what it dropped', async () => {
    const attributes: Array<[string, unknown]> = Array.from({ length: 100_000 }, (_, i) => [`k${i}`, { stringValue: 'v' }]);
    const response = await fetch(`${fx.collector.url}/v1/traces`, {
      method: 'POST',
      headers: auth,
      body: jsonRequest([{ spanId: '1'.repeat(16), attributes }]),
    });
    expect(response.status).toBe(200);
    expect(await fx.metric('llm_cost_collector_attributes_dropped_total')).toBe(100_000 - 256);
  });

  it('answers 400 to JSON nested ten thousand levels deep, and keeps serving', async () => {
    const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const response = await fetch(`${fx.collector.url}/v1/traces`, {
      method: 'POST',
      headers: auth,
      body: `{"resourceSpans": ${deep}}`,
    });
    expect(response.status).toBe(400);
    expect((await fetch(`${fx.collector.url}/healthz`)).status).toBe(200);
  });

  it('stores SQL and unicode in model names and tags as plain data', async () => {
    const { ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_REQUEST_MODEL, ATTR_GEN_AI_USAGE_INPUT_TOKENS, ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, LLM_COST_TAG_PREFIX } =
      await import('@llm-cost/instrumentation');
    const model = "gpt-4o'); DROP TABLE llm_calls; --";
    const user = "ユーザー\"; SELECT 1 --'";
    const response = await fetch(`${fx.collector.url}/v1/traces`, {
      method: 'POST',
      headers: auth,
      body: jsonRequest([
        {
          spanId: '2'.repeat(16),
          attributes: [
            [ATTR_GEN_AI_PROVIDER_NAME, { stringValue: 'openai' }],
            [ATTR_GEN_AI_REQUEST_MODEL, { stringValue: model }],
            [ATTR_GEN_AI_USAGE_INPUT_TOKENS, { intValue: '10' }],
            [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS, { intValue: '1' }],
            [`${LLM_COST_TAG_PREFIX}user_id`, { stringValue: user }],
          ],
        },
      ]),
    });
    expect(response.status).toBe(200);
    const window = { from: Date.now() - 86_400_000, to: Date.now() + 86_400_000 };
    await waitFor(async () => (await fx.queries.usageInPeriod({ ...window, userId: user })).calls === 1, 'the hostile row');
    // The user rollup can show the row while the insert is still filling the other views: read the model rollup
    // once it is there too (the model name must come back literally, not as SQL).
    await waitFor(
      async () => (await fx.queries.costBreakdown({ ...window, by: 'model' })).some((e) => e.key === model),
      'the hostile model name in the model rollup',
    );
  });

  it('never writes a token to the log', async () => {
    await fetch(`${fx.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { ...auth, authorization: 'Bearer forged-token-forged-token-forged' },
      body: '{}',
    });
    await fetch(`${fx.collector.url}/v1/traces`, { method: 'POST', headers: auth, body: '{}' });
    expect(lines.some((l) => l.includes('bad or missing bearer token'))).toBe(true);
    const all = lines.join('');
    for (const secret of [TOKENS.acme, TOKENS.globex, TOKENS.reader, 'forged-token-forged-token-forged']) {
      expect(all).not.toContain(secret);
    }
  });
});

describe('backpressure', () => {
  it('refuses new exports with 429 while request bodies in flight use the memory budget', async () => {
    const fx = await startTestCollector({ maxInFlightBytes: 1_000 });
    try {
      const body = JSON.stringify({ resourceSpans: [] }).padEnd(800, ' ');
      // A slow sender: headers and half the body, then nothing until the test lets it finish.
      const slow = httpRequest(`${fx.collector.url}/v1/traces`, {
        method: 'POST',
        headers: { ...auth, 'content-length': String(body.length) },
      });
      const slowAnswer = new Promise<number>((resolve) => slow.on('response', (res) => (res.resume(), resolve(res.statusCode!))));
      slow.write(body.slice(0, 400));
      await waitFor(async () => (await fx.metric('llm_cost_collector_body_bytes_in_flight')) === 800, 'the slow body to be reserved');
      const refused = await fetch(`${fx.collector.url}/v1/traces`, { method: 'POST', headers: auth, body });
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('2');
      slow.end(body.slice(400));
      expect(await slowAnswer).toBe(200);
      expect(await fx.metric('llm_cost_collector_body_bytes_in_flight')).toBe(0);
      expect((await fetch(`${fx.collector.url}/v1/traces`, { method: 'POST', headers: auth, body })).status).toBe(200);
    } finally {
      await fx.close();
    }
  });

  it('answers 429 with Retry-After when the queue is full, and writes nothing of that request', async () => {
    const fx = await startTestCollector({ maxQueueSize: 5, flushIntervalMs: 3_600_000, retryAfterSeconds: 7 });
    try {
      const send = (n: number, service: string) =>
        fetch(`${fx.collector.url}/v1/traces`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/x-protobuf' },
          body: protobufOf(sdkGenAiSpans(service, Array.from({ length: n }, () => ({ model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1 })))),
        });
      expect((await send(4, 'fits')).status).toBe(200);
      const refused = await send(4, 'overflows');
      expect(refused.status).toBe(429);
      expect(refused.headers.get('retry-after')).toBe('7');
      expect(refused.headers.get('content-type')).toBe('application/x-protobuf');
      expect(await readMetric(fx.collector.url, 'llm_cost_pipeline_queue_depth')).toBe(4);
      expect(await readMetric(fx.collector.url, 'llm_cost_collector_spans_rejected_total', 'reason="overloaded"')).toBe(4);
    } finally {
      await fx.close();
    }
  });

  it('answers 503 once the queue is full because ClickHouse is down, and readyz says why', async () => {
    // A port that accepts nothing: every insert fails, so the queue cannot drain.
    const closed: Server = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const fx = await startTestCollector({
      path: undefined,
      url: `http://127.0.0.1:${port}`,
      migrate: false,
      maxQueueSize: 3,
      flushIntervalMs: 20,
      requestTimeoutMs: 1_000,
      // What is queued can never be written here; do not keep retrying on close.
      shutdownTimeoutMs: 200,
    });
    try {
      const exporter = createOtlpExporter('protobuf', fx.collector.url, { headers: { Authorization: `Bearer ${TOKENS.acme}` } });
      const three = sdkGenAiSpans('down', Array.from({ length: 3 }, () => ({ model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1 })));
      expect((await exportSpans(exporter, three)).code).toBe(0);
      await exporter.shutdown();
      await waitFor(async () => (await readMetric(fx.collector.url, 'llm_cost_pipeline_insert_failures_total')) > 0, 'a failed insert');
      const refused = await fetch(`${fx.collector.url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/x-protobuf' },
        body: protobufOf(sdkGenAiSpans('down-2', [{ model: 'gpt-4o-mini', inputTokens: 1, outputTokens: 1 }])),
      });
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('2');
      const ready = await fetch(`${fx.collector.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { error: string }).error).toMatch(/store not ready/);
    } finally {
      await fx.close();
    }
  });
});

/** The protobuf body the real exporter sends for these spans: the SDK's own serializer. */
function protobufOf(spans: ReturnType<typeof sdkGenAiSpans>): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
}
