/** `[seconds, nanoseconds]` since the Unix epoch, as in `@opentelemetry/api`. */
export type HrTime = readonly [number, number];

/**
 * The span shape the cost pipeline reads: plain data in the form OpenTelemetry JS uses for finished spans, so the
 * in-process exporter (SDK `ReadableSpan`s, converted by {@link spanLikeFromReadableSpan}) and the collector (spans
 * decoded from OTLP) feed the same mapping. Documented in the package README.
 */
export interface SpanLike {
  name: string;
  /** Span kind number; informational. */
  kind?: number;
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** Parent span id (hex); undefined or empty for a root span. */
  parentSpanId?: string;
  startTime: HrTime;
  endTime: HrTime;
  /** Span attributes: strings, numbers, booleans or arrays of them. */
  attributes: Readonly<Record<string, unknown>>;
  /** Status code: 0 unset, 1 ok, 2 error. */
  status?: { code: number; message?: string };
  /** Resource (`service.name`, ...). */
  resource?: { attributes?: Readonly<Record<string, unknown>> };
  /** Instrumentation scope, e.g. `@llm-cost/instrumentation`, `@opentelemetry/instrumentation-openai`. */
  scope?: { name: string };
}

/**
 * What the exporter needs from an OpenTelemetry `ReadableSpan`, read duck-typed so spans of the SDK 1.x, 2.x and
 * 3.x lines all work: 1.x has `parentSpanId` and `instrumentationLibrary`, 2.x and 3.x `parentSpanContext` and
 * `instrumentationScope`.
 */
export interface ReadableSpanLike {
  readonly name: string;
  readonly kind?: number;
  spanContext(): { traceId: string; spanId: string };
  readonly parentSpanContext?: { spanId: string } | undefined;
  readonly parentSpanId?: string | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly status?: { code: number; message?: string };
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly resource?: { attributes?: Readonly<Record<string, unknown>> };
  readonly instrumentationScope?: { name: string };
  readonly instrumentationLibrary?: { name: string };
}

/** Converts an OpenTelemetry `ReadableSpan` (SDK 1.x, 2.x or 3.x) to the pipeline's plain {@link SpanLike}. */
export function spanLikeFromReadableSpan(span: ReadableSpanLike): SpanLike {
  const context = span.spanContext();
  return {
    name: span.name,
    kind: span.kind,
    traceId: context.traceId,
    spanId: context.spanId,
    parentSpanId: span.parentSpanContext?.spanId ?? span.parentSpanId,
    startTime: span.startTime,
    endTime: span.endTime,
    attributes: span.attributes,
    status: span.status,
    resource: span.resource,
    scope: span.instrumentationScope ?? span.instrumentationLibrary,
  };
}

export function hrTimeToMs(time: HrTime): number {
  return time[0] * 1e3 + time[1] / 1e6;
}
