import { OTLPTraceExporter as OTLPHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-base';

export type ExporterKind = 'protobuf' | 'json';

/** A real OTLP/HTTP exporter of the OpenTelemetry JS SDK, pointed at `url` (`/v1/traces` appended). */
export function createOtlpExporter(
  kind: ExporterKind,
  url: string,
  options: { headers?: Record<string, string>; compression?: 'gzip' | 'none' } = {},
): SpanExporter {
  const config = {
    url: `${url}/v1/traces`,
    headers: options.headers ?? {},
    compression: options.compression === 'gzip' ? ('gzip' as never) : ('none' as never),
  };
  return kind === 'protobuf' ? new OTLPProtoExporter(config) : new OTLPHttpJsonExporter(config);
}

/** Exports finished spans with a real exporter and resolves with the export result code (0 = success). */
export function exportSpans(exporter: SpanExporter, spans: ReadableSpan[]): Promise<{ code: number; error?: Error }> {
  return new Promise((resolve) => exporter.export(spans, resolve));
}

/** A tracer provider that keeps finished spans in memory, with a service name on its resource. */
export function memoryProvider(serviceName: string): { provider: BasicTracerProvider; memory: InMemorySpanExporter } {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  return { provider, memory };
}
