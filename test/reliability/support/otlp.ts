/**
 * OTLP/HTTP requests as real senders make them: SDK spans (GenAI attributes as `@llm-cost/instrumentation` writes
 * them) serialised by the OpenTelemetry SDK's own protobuf serializer (what `@opentelemetry/exporter-trace-otlp-proto`
 * sends), posted to a collector.
 */
import { createRequire } from 'node:module';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { sdkGenAiSpans, type SdkCall } from '../../../packages/collector/test/helpers/sdk-genai-spans.js';

const requireFromExporter = createRequire(createRequire(import.meta.url).resolve('@opentelemetry/exporter-trace-otlp-proto'));
const { ProtobufTraceSerializer } = requireFromExporter('@opentelemetry/otlp-transformer') as {
  ProtobufTraceSerializer: { serializeRequest(spans: unknown[]): Uint8Array };
};

export { sdkGenAiSpans, type SdkCall };

/** The protobuf body `@opentelemetry/exporter-trace-otlp-proto` sends for these spans. */
export function protobufBody(spans: readonly ReadableSpan[]): Buffer {
  return Buffer.from(ProtobufTraceSerializer.serializeRequest([...spans]));
}

/** `count` gpt-4o-mini calls of 1000 input and 100 output tokens ($0.00021 each), tagged with `user`. */
export function plainSdkCalls(service: string, count: number, user = 'u1'): ReadableSpan[] {
  return sdkGenAiSpans(
    service,
    Array.from({ length: count }, () => ({ model: 'gpt-4o-mini', inputTokens: 1000, outputTokens: 100, tags: { user_id: user } })),
  );
}

export interface PostResult {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: Buffer;
}

/** Posts an OTLP request; a connection failure is status 0. */
export async function postTraces(
  url: string,
  body: Buffer | string,
  headers: Record<string, string>,
  path = '/v1/traces',
): Promise<PostResult> {
  try {
    const response = await fetch(`${url}${path}`, { method: 'POST', body, headers });
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      contentType: response.headers.get('content-type'),
      body: Buffer.from(await response.arrayBuffer()),
    };
  } catch {
    return { status: 0, retryAfter: null, contentType: null, body: Buffer.alloc(0) };
  }
}

/** Headers of a protobuf export with a bearer token. */
export function protobufHeaders(token: string): Record<string, string> {
  return { 'content-type': 'application/x-protobuf', authorization: `Bearer ${token}` };
}

/** One series of a collector's Prometheus text (0 when absent). */
export async function collectorMetric(url: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const series = labels === '' ? name : `${name}{${labels}}`;
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
