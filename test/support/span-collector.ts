/**
 * Spans collected in memory through the real SDK pipeline (BasicTracerProvider → SimpleSpanProcessor →
 * InMemorySpanExporter), with a deadline-bounded wait instead of sleeps.
 */
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace-base';
import { INSTRUMENTATION_SCOPE_NAME } from '../../packages/semconv/src/index.js';

export interface SpanCollector {
  readonly exporter: InMemorySpanExporter;
  readonly processor: SimpleSpanProcessor;
  /** A provider that exports to this collector (pass as `tracerProvider`, or use `processor` in `spanProcessors`). */
  readonly provider: BasicTracerProvider;
  /** Every finished span. */
  spans(): ReadableSpan[];
  /** Finished spans of `@llm-cost/instrumentation`. */
  llmSpans(): ReadableSpan[];
  clear(): void;
  /** Resolves with the LLM spans once there are at least `count`; rejects after `timeoutMs`. */
  waitForLlmSpans(count: number, timeoutMs?: number): Promise<ReadableSpan[]>;
}

/** Polls `check` (every few milliseconds, bounded by a deadline) until it returns a value. */
export async function pollUntil<T>(
  check: () => T | undefined,
  what: string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

export function createSpanCollector(): SpanCollector {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor(exporter);
  const provider = new BasicTracerProvider({ spanProcessors: [processor] });
  const llmSpans = () =>
    exporter.getFinishedSpans().filter((span) => span.instrumentationScope.name === INSTRUMENTATION_SCOPE_NAME);
  return {
    exporter,
    processor,
    provider,
    spans: () => exporter.getFinishedSpans(),
    llmSpans,
    clear: () => exporter.reset(),
    waitForLlmSpans(count, timeoutMs = 5000) {
      return pollUntil(
        () => {
          const spans = llmSpans();
          return spans.length >= count ? spans : undefined;
        },
        `${count} LLM span(s) (have ${llmSpans().length})`,
        timeoutMs,
      );
    },
  };
}
