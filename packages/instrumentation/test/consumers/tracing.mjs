// How the consumer application sets up OpenTelemetry:
// - own:      no OpenTelemetry of its own; our provider exports to an in-memory exporter (spanProcessors option);
// - sdk-node: @opentelemetry/sdk-node started first (OpenTelemetry JS 2.x); we must use its provider;
// - otel3:    the OpenTelemetry JS 3.x SDK registered first (Node >= 22.15); we must use its provider.
// In the two last set-ups the calls run inside an application span, which must become our spans' parent.
import { context, trace } from '@opentelemetry/api';

export async function setupTracing(kind) {
  if (kind === 'own') {
    const { InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    return {
      options: { spanProcessors: [new SimpleSpanProcessor(exporter)] },
      withAppSpan: (fn) => fn(),
      spans: () => exporter.getFinishedSpans(),
      flush: async () => undefined,
      shutdown: async () => undefined,
    };
  }
  if (kind === 'sdk-node') {
    const { NodeSDK } = await import('@opentelemetry/sdk-node');
    const { InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace-base');
    const exporter = new InMemorySpanExporter();
    const sdk = new NodeSDK({ spanProcessors: [new SimpleSpanProcessor(exporter)], instrumentations: [] });
    sdk.start();
    return appTracing(exporter, () => sdk.shutdown());
  }
  if (kind === 'otel3') {
    const { TracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = await import('otel-sdk-trace-3');
    const { AsyncLocalStorageContextManager } = await import('otel-context-async-hooks-3');
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const exporter = new InMemorySpanExporter();
    // The 3.x SimpleSpanProcessor takes an options object.
    const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
    trace.setGlobalTracerProvider(provider);
    return appTracing(exporter, () => provider.shutdown());
  }
  throw new Error(`unknown OTEL_SETUP ${kind}`);
}

function appTracing(exporter, shutdown) {
  return {
    // No tracerProvider / exporter option: spans must go to the application's registered provider.
    options: {},
    withAppSpan: (fn) =>
      trace.getTracer('consumer-app').startActiveSpan('handle request', async (span) => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      }),
    spans: () => exporter.getFinishedSpans(),
    flush: async () => undefined,
    shutdown,
  };
}
