import type { DecodedTraceRequest, OtlpSpan, OtlpSpanKind } from '../span.js';

const ZERO_TRACE_ID = '0'.repeat(32);
const ZERO_SPAN_ID = '0'.repeat(16);
const HEX = /^[0-9a-f]*$/;

/**
 * Per the OTLP schema a trace id is 16 bytes and a span id 8 bytes, all-zero ids being invalid. A span without valid
 * ids cannot be deduplicated or joined to its trace, so it is rejected (and counted in the partial-success answer)
 * rather than guessed at.
 */
export function spanIdProblem(span: Pick<OtlpSpan, 'traceId' | 'spanId'>): string | undefined {
  if (span.traceId.length !== 32 || span.traceId === ZERO_TRACE_ID || !HEX.test(span.traceId)) {
    return 'invalid trace id (must be 16 bytes, not all zero)';
  }
  if (span.spanId.length !== 16 || span.spanId === ZERO_SPAN_ID || !HEX.test(span.spanId)) {
    return 'invalid span id (must be 8 bytes, not all zero)';
  }
  return undefined;
}

/** A parent id that is not 8 bytes is treated as absent (the span becomes a root), as the SDKs do. */
export function normaliseParentSpanId(id: string | undefined): string | undefined {
  return id !== undefined && id.length === 16 && id !== ZERO_SPAN_ID && HEX.test(id) ? id : undefined;
}

/** OTLP `SpanKind` (1 internal ... 5 consumer; 0 unspecified) to OpenTelemetry JS `SpanKind` (0 internal ...). */
export function normaliseKind(otlpKind: number): OtlpSpanKind {
  return Number.isInteger(otlpKind) && otlpKind >= 2 && otlpKind <= 5 ? ((otlpKind - 1) as OtlpSpanKind) : 0;
}

export function normaliseStatusCode(code: number): 0 | 1 | 2 {
  return code === 1 || code === 2 ? code : 0;
}

/** Adds a decoded span to the result, or counts it as rejected with its reason. */
export function acceptSpan(result: DecodedTraceRequest, span: OtlpSpan): void {
  const problem = spanIdProblem(span);
  if (problem === undefined) {
    result.spans.push(span);
    return;
  }
  result.rejectedSpans++;
  if (!result.rejectReasons.includes(problem)) result.rejectReasons.push(problem);
}

export function emptyResult(): DecodedTraceRequest {
  return { spans: [], rejectedSpans: 0, rejectReasons: [], droppedAttributes: 0 };
}
