import { createRequire } from 'node:module';
import { createServer, type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TOKENS, readMetric, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import {
  createGrpcExporter,
  exportRaw,
  grpcFrame,
  rejectedSpansOf,
  sendHandBuiltStream,
} from './helpers/grpc-client.js';
import { exportSpans } from './helpers/otel-spans.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';

// The SDK's own protobuf serializer (what the gRPC exporter sends), resolved through the exporter.
const requireFromExporter = createRequire(createRequire(import.meta.url).resolve('@opentelemetry/exporter-trace-otlp-proto'));
const { ProtobufTraceSerializer } = requireFromExporter('@opentelemetry/otlp-transformer') as {
  ProtobufTraceSerializer: { serializeRequest(spans: unknown[]): Uint8Array };
};
const protobufOf = (spans: unknown[]) => Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));

const DAY = 86_400_000;
const window = () => ({ from: new Date(Date.now() - DAY), to: new Date(Date.now() + DAY) });
const GRPC = { OK: 0, INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNIMPLEMENTED: 12, UNAVAILABLE: 14, UNAUTHENTICATED: 16 };
const one = (service: string, n = 1) =>
  sdkGenAiSpans(service, Array.from({ length: n }, () => ({ model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100 })));

describe('collector over OTLP/gRPC', () => {
  let fx: CollectorFixture;
  let grpcUrl: string;
  beforeAll(async () => {
    fx = await startTestCollector({ grpcPort: 0, maxBodyBytes: 64 * 1024 });
    grpcUrl = fx.collector.grpcUrl!;
  });
  afterAll(() => fx.close());

  it('listens next to OTLP/HTTP, on the same loopback host', () => {
    expect(grpcUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(fx.collector.grpcPort).not.toBe(fx.collector.port);
  });

  it('prices spans from the real OTLP/gRPC exporter, gzip or not, billed to the token tenant', async () => {
    for (const compression of ['none', 'gzip'] as const) {
      const exporter = createGrpcExporter(grpcUrl, { token: TOKENS.globex, compression });
      const spans = sdkGenAiSpans(`grpc-${compression}`, [
        { model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100, tags: { user_id: 'grpc-user', tenant_id: 'acme' } },
        { model: 'gpt-4o-mini', inputTokens: 2000, outputTokens: 200, tags: { user_id: 'grpc-user' } },
      ]);
      expect(await exportSpans(exporter, spans)).toEqual({ code: 0 });
      await exporter.shutdown();
    }
    await waitFor(async () => (await fx.queries.usageInPeriod({ ...window(), userId: 'grpc-user' })).calls === 4, 'four rows');
    const globex = await fx.queries.usageInPeriod({ ...window(), tenantId: 'globex' });
    expect(globex).toMatchObject({ calls: 4, inputTokens: 6000, outputTokens: 600 });
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output; the span's claimed tenant (acme) is replaced by the token's.
    expect(globex.cost).toBe('0.001260000');
    expect((await fx.queries.usageInPeriod({ ...window(), tenantId: 'acme' })).calls).toBe(0);
    expect(await fx.metric('llm_cost_collector_grpc_requests_total', 'method="Export",code="OK"')).toBe(2);
  });

  it('refuses a missing, a wrong and a read token with UNAUTHENTICATED, writing nothing', async () => {
    const body = protobufOf(one('unauthenticated'));
    for (const token of [undefined, 'not-a-configured-token-at-all', TOKENS.reader]) {
      const answer = await exportRaw(grpcUrl, body, { token });
      expect(answer.code).toBe(GRPC.UNAUTHENTICATED);
      expect(answer.retryDelaySeconds).toBeUndefined();
    }
    expect(await fx.metric('llm_cost_collector_requests_refused_total', 'reason="unauthenticated"')).toBe(3);
    expect(await fx.metric('llm_cost_collector_grpc_requests_total', 'method="Export",code="UNAUTHENTICATED"')).toBe(3);
  });

  it('answers INVALID_ARGUMENT, not retryable, to a message that is not an ExportTraceServiceRequest', async () => {
    const answer = await exportRaw(grpcUrl, Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { token: TOKENS.acme });
    expect(answer.code).toBe(GRPC.INVALID_ARGUMENT);
    expect(answer.details).toMatch(/undecodable OTLP request/);
    expect(answer.retryDelaySeconds).toBeUndefined();
    expect(await fx.metric('llm_cost_collector_requests_refused_total', 'reason="undecodable"')).toBe(1);
  });

  it('answers RESOURCE_EXHAUSTED without RetryInfo over the size limit, also after decompression', async () => {
    const big = protobufOf(one('too-large', 400));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const plain = await exportRaw(grpcUrl, big, { token: TOKENS.acme });
    expect(plain.code).toBe(GRPC.RESOURCE_EXHAUSTED);
    expect(plain.retryDelaySeconds).toBeUndefined();
    // Compressed it fits the limit on the wire; decompressed it does not.
    expect(gzipSync(big).length).toBeLessThan(64 * 1024);
    const compressed = await exportRaw(grpcUrl, big, { token: TOKENS.acme, compression: 'gzip' });
    expect(compressed.code).toBe(GRPC.RESOURCE_EXHAUSTED);
    expect(compressed.retryDelaySeconds).toBeUndefined();
    // grpc-js refuses these before the service sees them; the collector still counts them.
    expect(await fx.metric('llm_cost_collector_requests_refused_total', 'reason="grpc_transport"')).toBe(2);
  });

  it('answers partial success for spans with invalid ids and writes the valid ones', async () => {
    const [valid, invalid] = sdkGenAiSpans('partial', [
      { model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 1, tags: { user_id: 'partial-user' } },
      { model: 'gpt-4o-mini', inputTokens: 10, outputTokens: 1, tags: { user_id: 'partial-user' } },
    ]);
    const zeroTrace = { ...invalid!.spanContext(), traceId: '0'.repeat(32) };
    const broken = Object.assign(Object.create(Object.getPrototypeOf(invalid)), invalid, { spanContext: () => zeroTrace });
    const answer = await exportRaw(grpcUrl, protobufOf([valid, broken]), { token: TOKENS.acme });
    expect(answer.code).toBe(GRPC.OK);
    expect(rejectedSpansOf(answer.response!)).toBe(1);
    await waitFor(async () => (await fx.queries.usageInPeriod({ ...window(), userId: 'partial-user' })).calls === 1, 'the valid span');
  });

  describe('a hand-built malformed stream is refused and the collector keeps serving', () => {
    const headers = () => ({ authorization: `Bearer ${TOKENS.acme}` });

    it('a length prefix longer than the message that follows', async () => {
      const body = protobufOf(one('cut-short'));
      const answer = await sendHandBuiltStream(grpcUrl, grpcFrame(body.subarray(0, 10), { declaredLength: body.length }), headers());
      expect(answer.grpcStatus).not.toBe(GRPC.OK);
    });

    it('an encoding the server does not know', async () => {
      const answer = await sendHandBuiltStream(grpcUrl, grpcFrame(protobufOf(one('zstd')), { compressed: true }), {
        ...headers(),
        'grpc-encoding': 'zstd',
      });
      expect(answer.grpcStatus).toBe(GRPC.UNIMPLEMENTED);
    });

    it('a gzip flag over bytes that are not gzip', async () => {
      const answer = await sendHandBuiltStream(grpcUrl, grpcFrame(Buffer.from('not gzip at all'), { compressed: true }), {
        ...headers(),
        'grpc-encoding': 'gzip',
      });
      expect(answer.grpcStatus).not.toBe(GRPC.OK);
    });

    it('a well-framed message whose protobuf lies about a length', async () => {
      const answer = await sendHandBuiltStream(grpcUrl, grpcFrame(Buffer.from([0x0a, 0x64, 0x01, 0x02])), headers());
      expect(answer).toEqual({ grpcStatus: GRPC.INVALID_ARGUMENT, grpcMessage: expect.stringMatching(/undecodable/) });
    });

    it('and still serves a normal hand-built request after all of them', async () => {
      const answer = await sendHandBuiltStream(grpcUrl, grpcFrame(protobufOf(one('after-malformed'))), headers());
      expect(answer.grpcStatus).toBe(GRPC.OK);
      await waitFor(
        async () => (await fx.queries.costBreakdown({ ...window(), by: 'service' })).some((e) => e.key === 'after-malformed'),
        'the request after the malformed ones to be written',
      );
    });
  });
});

describe('OTLP/gRPC backpressure', () => {
  it('answers RESOURCE_EXHAUSTED with RetryInfo when the queue is full, and writes nothing of that request', async () => {
    const fx = await startTestCollector({ grpcPort: 0, maxQueueSize: 5, flushIntervalMs: 3_600_000, retryAfterSeconds: 7 });
    try {
      const url = fx.collector.grpcUrl!;
      expect((await exportRaw(url, protobufOf(one('fits', 4)), { token: TOKENS.acme })).code).toBe(GRPC.OK);
      const refused = await exportRaw(url, protobufOf(one('overflows', 4)), { token: TOKENS.acme });
      expect(refused).toMatchObject({ code: GRPC.RESOURCE_EXHAUSTED, retryDelaySeconds: 7 });
      expect(await readMetric(fx.collector.url, 'llm_cost_pipeline_queue_depth')).toBe(4);
      expect(await readMetric(fx.collector.url, 'llm_cost_collector_spans_rejected_total', 'reason="overloaded"')).toBe(4);
      expect(await readMetric(fx.collector.url, 'llm_cost_collector_requests_refused_total', 'reason="grpc_transport"')).toBe(0);
    } finally {
      await fx.close();
    }
  });

  it('refuses with RESOURCE_EXHAUSTED and RetryInfo while the memory budget is in use', async () => {
    const fx = await startTestCollector({ grpcPort: 0, maxInFlightBytes: 1_000 });
    try {
      // An HTTP body held half-sent keeps 800 bytes of the budget reserved; the gRPC message needs more.
      const { request } = await import('node:http');
      const body = JSON.stringify({ resourceSpans: [] }).padEnd(800, ' ');
      const slow = request(`${fx.collector.url}/v1/traces`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.acme}`, 'content-type': 'application/json', 'content-length': String(body.length) },
      });
      const slowAnswer = new Promise<number>((resolve) => slow.on('response', (res) => (res.resume(), resolve(res.statusCode!))));
      slow.write(body.slice(0, 400));
      await waitFor(async () => (await fx.metric('llm_cost_collector_body_bytes_in_flight')) === 800, 'the slow body to be reserved');
      const refused = await exportRaw(fx.collector.grpcUrl!, protobufOf(one('budget', 3)), { token: TOKENS.acme });
      expect(refused).toMatchObject({ code: GRPC.RESOURCE_EXHAUSTED, retryDelaySeconds: 2 });
      slow.end(body.slice(400));
      expect(await slowAnswer).toBe(200);
      expect((await exportRaw(fx.collector.grpcUrl!, protobufOf(one('budget', 3)), { token: TOKENS.acme })).code).toBe(GRPC.OK);
    } finally {
      await fx.close();
    }
  });

  it('answers UNAVAILABLE with RetryInfo once the queue is full because ClickHouse is down', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const fx = await startTestCollector({
      grpcPort: 0,
      path: undefined,
      url: `http://127.0.0.1:${port}`,
      migrate: false,
      maxQueueSize: 3,
      flushIntervalMs: 20,
      requestTimeoutMs: 1_000,
      shutdownTimeoutMs: 200,
    });
    try {
      const url = fx.collector.grpcUrl!;
      expect((await exportRaw(url, protobufOf(one('down', 3)), { token: TOKENS.acme })).code).toBe(GRPC.OK);
      await waitFor(async () => (await readMetric(fx.collector.url, 'llm_cost_pipeline_insert_failures_total')) > 0, 'a failed insert');
      const refused = await exportRaw(url, protobufOf(one('down-2')), { token: TOKENS.acme });
      expect(refused).toMatchObject({ code: GRPC.UNAVAILABLE, retryDelaySeconds: 2 });
      expect(await readMetric(fx.collector.url, 'llm_cost_collector_grpc_requests_total', 'method="Export",code="UNAVAILABLE"')).toBe(1);
    } finally {
      await fx.close();
    }
  });
});
