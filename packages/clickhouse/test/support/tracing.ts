import { SpanKind, type Attributes, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';

import { ATTR_SERVICE_NAME, INSTRUMENTATION_SCOPE_NAME } from '@llm-cost/semconv';

export interface TestTracing {
  provider: BasicTracerProvider;
  /** A tracer with our instrumentation's scope name, so spans look like `@llm-cost/instrumentation`'s. */
  ours: Tracer;
  /** A tracer with another scope name. */
  tracer(scope: string): Tracer;
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

/** A real OpenTelemetry SDK provider exporting to `exporter` through a BatchSpanProcessor. */
export function createTestTracing(exporter: SpanExporter, serviceName = 'test-service'): TestTracing {
  const processor: SpanProcessor = new BatchSpanProcessor(exporter, { maxExportBatchSize: 512, scheduledDelayMillis: 60_000 });
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    spanProcessors: [processor],
  });
  return {
    provider,
    ours: provider.getTracer(INSTRUMENTATION_SCOPE_NAME),
    tracer: (scope) => provider.getTracer(scope),
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}

/** Ends a CLIENT span with the given attributes at a fixed time (so rows land on a known day). */
export function recordSpan(tracer: Tracer, name: string, attributes: Attributes, startMs: number, durationMs = 250): void {
  const span = tracer.startSpan(name, { kind: SpanKind.CLIENT, attributes, startTime: startMs });
  span.end(startMs + durationMs);
}
