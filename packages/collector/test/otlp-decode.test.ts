import { gunzipSync } from 'node:zlib';

import { SpanKind, SpanStatusCode, context, trace } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs/minimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { OtlpDecodeError } from '../src/errors.js';
import { decodeTraceRequestJson } from '../src/otlp/decode-json.js';
import { decodeTraceRequestProtobuf } from '../src/otlp/decode-protobuf.js';
import type { DecodedTraceRequest } from '../src/span.js';
import { startCaptureServer, type CapturedRequest } from './helpers/capture-server.js';
import { createOtlpExporter, exportSpans, memoryProvider, type ExporterKind } from './helpers/otel-spans.js';

/** Spans with every attribute type the SDK can produce, made by a real tracer. */
function makeSpans(): ReadableSpan[] {
  const { provider, memory } = memoryProvider('decode-test');
  const tracer = provider.getTracer('@llm-cost/instrumentation', '0.1.0');
  const parent = tracer.startSpan('parent', { kind: SpanKind.SERVER });
  parent.end();
  const child = tracer.startSpan(
    'chat gpt-4o-mini',
    {
      kind: SpanKind.CLIENT,
      attributes: {
        'gen_ai.request.model': 'gpt-4o-mini',
        'gen_ai.usage.input_tokens': 1234,
        big: 2 ** 40,
        negative: -17,
        ratio: 0.25,
        stream: true,
        finish: ['stop', 'length'],
        unicode: 'naïve ☃ 𝄞',
      },
    },
    trace.setSpan(context.active(), parent),
  );
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'rate limited' });
  child.end();
  return memory.getFinishedSpans();
}

function expectSameSpans(decoded: DecodedTraceRequest, spans: ReadableSpan[]): void {
  expect(decoded.rejectedSpans).toBe(0);
  expect(decoded.spans).toHaveLength(spans.length);
  for (const original of spans) {
    const span = decoded.spans.find((s) => s.spanId === original.spanContext().spanId);
    expect(span, original.name).toBeDefined();
    expect(span).toMatchObject({
      traceId: original.spanContext().traceId,
      parentSpanId: original.parentSpanContext?.spanId,
      name: original.name,
      kind: original.kind,
      startTime: original.startTime,
      endTime: original.endTime,
      attributes: original.attributes,
      status: { code: original.status.code, message: original.status.message },
      scope: { name: '@llm-cost/instrumentation', version: '0.1.0' },
    });
    expect(span!.resource.attributes['service.name']).toBe('decode-test');
  }
}

describe('decoding what the OpenTelemetry JS exporters send', () => {
  let capture: Awaited<ReturnType<typeof startCaptureServer>>;
  const spans = makeSpans();
  beforeAll(async () => {
    capture = await startCaptureServer();
  });
  afterAll(() => capture.close());

  async function captured(kind: ExporterKind, compression: 'gzip' | 'none'): Promise<CapturedRequest> {
    const before = capture.requests.length;
    const exporter = createOtlpExporter(kind, capture.url, { compression });
    const result = await exportSpans(exporter, spans);
    expect(result.code).toBe(0);
    await exporter.shutdown();
    const request = capture.requests[before]!;
    if (compression === 'gzip') {
      expect(request.headers['content-encoding']).toBe('gzip');
      return { ...request, body: gunzipSync(request.body) };
    }
    return request;
  }

  for (const compression of ['none', 'gzip'] as const) {
    it(`decodes the protobuf exporter's body exactly (${compression})`, async () => {
      const request = await captured('protobuf', compression);
      expect(request.headers['content-type']).toBe('application/x-protobuf');
      expectSameSpans(decodeTraceRequestProtobuf(request.body), spans);
    });

    it(`decodes the JSON exporter's body exactly (${compression})`, async () => {
      const request = await captured('json', compression);
      expect(request.headers['content-type']).toBe('application/json');
      expectSameSpans(decodeTraceRequestJson(request.body), spans);
    });
  }
});

/** Hand-built protobuf messages for the cases no well-behaved exporter produces. */
function spanMessage(fields: { traceId?: Buffer; spanId?: Buffer; attributes?: Array<[string, (w: protobuf.Writer) => void]> }): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32(10).fork(); // resource_spans
  w.uint32(18).fork(); // scope_spans
  w.uint32(18).fork(); // span
  w.uint32(10).bytes(fields.traceId ?? Buffer.alloc(16, 1));
  w.uint32(18).bytes(fields.spanId ?? Buffer.alloc(8, 2));
  w.uint32(42).string('chat');
  for (const [key, writeValue] of fields.attributes ?? []) {
    w.uint32(74).fork();
    w.uint32(10).string(key);
    w.uint32(18).fork();
    writeValue(w);
    w.ldelim();
    w.ldelim();
  }
  w.ldelim().ldelim().ldelim();
  return w.finish();
}

describe('protobuf decoder limits and bad input', () => {
  it('rejects a truncated body with an OtlpDecodeError', () => {
    const body = Buffer.from(spanMessage({}));
    expect(() => decodeTraceRequestProtobuf(body.subarray(0, body.length - 3))).toThrow(OtlpDecodeError);
  });

  it('rejects group wire types instead of recursing into them', () => {
    expect(() => decodeTraceRequestProtobuf(Buffer.from([0x0b, 0x0b, 0x0b, 0x0b]))).toThrow(OtlpDecodeError);
  });

  it('rejects a length prefix that points past its parent message', () => {
    // resource_spans of length 2 containing a scope_spans field that claims 100 bytes
    expect(() => decodeTraceRequestProtobuf(Buffer.from([0x0a, 0x02, 0x12, 0x64]))).toThrow(OtlpDecodeError);
  });

  it('counts spans with invalid ids as rejected, with the reason', () => {
    const decoded = decodeTraceRequestProtobuf(Buffer.from(spanMessage({ traceId: Buffer.alloc(16) })));
    expect(decoded.spans).toHaveLength(0);
    expect(decoded.rejectedSpans).toBe(1);
    expect(decoded.rejectReasons[0]).toMatch(/trace id/);
  });

  it('drops oversized and __proto__ attributes without touching the map prototype', () => {
    const decoded = decodeTraceRequestProtobuf(
      Buffer.from(
        spanMessage({
          attributes: [
            ['huge', (w) => w.uint32(10).string('x'.repeat(100_000))],
            ['__proto__', (w) => w.uint32(10).string('polluted')],
            ['ok', (w) => w.uint32(24).int64(-5)],
          ],
        }),
      ),
    );
    const attributes = decoded.spans[0]!.attributes;
    expect(attributes).toEqual({ ok: -5 });
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(decoded.droppedAttributes).toBe(1);
  });

  it('drops values nested deeper than the limit', () => {
    const nest = (w: protobuf.Writer, depth: number): void => {
      if (depth === 0) {
        w.uint32(10).string('leaf');
        return;
      }
      w.uint32(42).fork(); // array_value
      w.uint32(10).fork(); // values[0]
      nest(w, depth - 1);
      w.ldelim().ldelim();
    };
    const decoded = decodeTraceRequestProtobuf(
      Buffer.from(spanMessage({ attributes: [['deep', (w) => nest(w, 20)], ['shallow', (w) => nest(w, 1)]] })),
    );
    expect(decoded.spans[0]!.attributes).toEqual({ shallow: ['leaf'] });
  });
});

describe('JSON decoder', () => {
  it('answers invalid JSON and non-OTLP shapes with OtlpDecodeError', () => {
    expect(() => decodeTraceRequestJson('{"resourceSpans": [')).toThrow(OtlpDecodeError);
    expect(() => decodeTraceRequestJson('[1,2]')).toThrow(OtlpDecodeError);
    expect(() => decodeTraceRequestJson('{"resourceSpans": {"a": 1}}')).toThrow(OtlpDecodeError);
  });

  it('reads uppercase hex ids, string int64 values and exact nanosecond times', () => {
    const decoded = decodeTraceRequestJson(
      JSON.stringify({
        resourceSpans: [
          {
            scopeSpans: [
              {
                spans: [
                  {
                    traceId: '5B8EFFF798038103D269B633813FC60C',
                    spanId: 'EEE19B7EC3C1B174',
                    name: 'chat',
                    kind: 3,
                    startTimeUnixNano: '1700000000123456789',
                    endTimeUnixNano: '1700000001000000001',
                    attributes: [{ key: 'n', value: { intValue: '9007199254740991' } }],
                  },
                ],
              },
            ],
          },
        ],
      }),
    );
    expect(decoded.spans[0]).toMatchObject({
      traceId: '5b8efff798038103d269b633813fc60c',
      spanId: 'eee19b7ec3c1b174',
      kind: SpanKind.CLIENT,
      startTime: [1700000000, 123456789],
      endTime: [1700000001, 1],
      attributes: { n: 9007199254740991 },
    });
  });
});

describe('string cache of the protobuf reader', () => {
  it('returns exactly the decoded text under collisions, and declines long or non-ASCII input', async () => {
    const { StringCache } = await import('../src/otlp/string-cache.js');
    const cache = new StringCache((buf, start, end) => Buffer.from(buf.subarray(start, end)).toString('latin1'));
    const words = Array.from({ length: 20_000 }, (_, i) => `key.${i.toString(36)}.${'x'.repeat(i % 30)}`);
    for (let round = 0; round < 2; round++) {
      for (const word of words) {
        const bytes = Buffer.from(`##${word}##`);
        expect(cache.get(bytes, 2, bytes.length - 2)).toBe(word);
      }
    }
    const long = Buffer.from('y'.repeat(100));
    expect(cache.get(long, 0, long.length)).toBeUndefined();
    const accented = Buffer.from('naïve');
    expect(cache.get(accented, 0, accented.length)).toBeUndefined();
  });
});
