/**
 * The span shape the OTLP decoders produce: one object per span, in the form OpenTelemetry JS uses for finished
 * spans (hex ids, `[seconds, nanoseconds]` times, flat attribute maps), so the ClickHouse package maps it with the
 * same code it uses for spans exported in process.
 */

/** `[seconds, nanoseconds]` since the Unix epoch, as in `@opentelemetry/api`. */
export type HrTime = [number, number];

/** Attribute values as OpenTelemetry JS allows them: scalars and homogeneous arrays of scalars. */
export type AttributeValue = string | number | boolean | Array<string | number | boolean | null>;

export type Attributes = Record<string, AttributeValue>;

/**
 * Span kind as OpenTelemetry JS numbers it (`SpanKind`: 0 internal, 1 server, 2 client, 3 producer, 4 consumer), so a
 * decoded span reads like one exported in process. OTLP numbers kinds one higher (0 being "unspecified", read as
 * internal, as the specification allows).
 */
export type OtlpSpanKind = 0 | 1 | 2 | 3 | 4;

/** The resource of a batch of spans; one object shared by every span of its `ResourceSpans`. */
export interface OtlpResource {
  attributes: Attributes;
}

/** Instrumentation scope of a span (`@llm-cost/instrumentation`, `@opentelemetry/instrumentation-openai`, ...). */
export interface OtlpScope {
  name: string;
  version: string | undefined;
}

export interface OtlpSpan {
  /** 32 lowercase hex digits. */
  traceId: string;
  /** 16 lowercase hex digits. */
  spanId: string;
  /** 16 lowercase hex digits, or undefined for a root span. */
  parentSpanId: string | undefined;
  name: string;
  kind: OtlpSpanKind;
  startTime: HrTime;
  endTime: HrTime;
  attributes: Attributes;
  /** OTLP `Status.StatusCode`: 0 unset, 1 ok, 2 error. */
  status: { code: 0 | 1 | 2; message: string | undefined };
  resource: OtlpResource;
  scope: OtlpScope;
}

/** What a decoder returns for one `ExportTraceServiceRequest`. */
export interface DecodedTraceRequest {
  spans: OtlpSpan[];
  /** Spans that were present but invalid (for example a trace id that is not 16 bytes); reported as partial success. */
  rejectedSpans: number;
  /** Why spans were rejected, first reason of each kind; empty when none were. */
  rejectReasons: string[];
  /** Attributes dropped by the decoder's limits (too many, too long, too deeply nested). */
  droppedAttributes: number;
}

/** Bounds on what one request can make the decoder allocate. */
export interface DecodeLimits {
  /** Attributes kept per span, resource or scope; the rest are dropped and counted. @default 256 */
  maxAttributes: number;
  /** String and bytes attribute values longer than this (in bytes) are dropped, never truncated. @default 16384 */
  maxAttributeValueBytes: number;
  /** Nesting of array and key-value-list attribute values; deeper values are dropped. @default 4 */
  maxValueDepth: number;
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxAttributes: 256,
  maxAttributeValueBytes: 16_384,
  maxValueDepth: 4,
};
