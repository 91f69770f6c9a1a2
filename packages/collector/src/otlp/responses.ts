import protobuf from 'protobufjs/minimal.js';

/** The two OTLP/HTTP payload encodings; a response always uses the request's (OTLP/HTTP Response section). */
export type OtlpEncoding = 'protobuf' | 'json';

export const CONTENT_TYPE: Record<OtlpEncoding, string> = {
  protobuf: 'application/x-protobuf',
  json: 'application/json',
};

/** gRPC status codes used in `google.rpc.Status.code`; informational only for OTLP/HTTP clients. */
export const GRPC_CODE = {
  invalidArgument: 3,
  notFound: 5,
  resourceExhausted: 8,
  unimplemented: 12,
  internal: 13,
  unavailable: 14,
  unauthenticated: 16,
} as const;

/**
 * `ExportTraceServiceResponse`. Full success leaves `partial_success` unset (an empty message); when spans were
 * rejected, or when there is a warning, it carries `rejected_spans` (field 1, int64) and `error_message` (field 2).
 */
export function encodeExportResponse(
  encoding: OtlpEncoding,
  rejectedSpans: number,
  errorMessage: string,
): Buffer {
  const partial = rejectedSpans > 0 || errorMessage !== '';
  if (encoding === 'json') {
    // proto3 JSON writes int64 as a decimal string.
    const body = partial ? { partialSuccess: { rejectedSpans: String(rejectedSpans), errorMessage } } : {};
    return Buffer.from(JSON.stringify(body));
  }
  if (!partial) return Buffer.alloc(0);
  const writer = protobuf.Writer.create();
  writer.uint32((1 << 3) | 2).fork(); // partial_success = 1
  if (rejectedSpans > 0) writer.uint32((1 << 3) | 0).int64(rejectedSpans); // rejected_spans = 1
  if (errorMessage !== '') writer.uint32((2 << 3) | 2).string(errorMessage); // error_message = 2
  writer.ldelim();
  return Buffer.from(writer.finish());
}

/** `google.rpc.Status` (code = 1, message = 2), the body of every OTLP/HTTP 4xx and 5xx answer. */
export function encodeStatus(encoding: OtlpEncoding, code: number, message: string): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  const writer = protobuf.Writer.create();
  writer.uint32((1 << 3) | 0).int32(code);
  writer.uint32((2 << 3) | 2).string(message);
  return Buffer.from(writer.finish());
}

/**
 * `google.rpc.Status` with one `google.rpc.RetryInfo` detail (`retry_delay`), the binary value of the
 * `grpc-status-details-bin` trailer. OTLP/gRPC signals a recoverable refusal this way: UNAVAILABLE, or
 * RESOURCE_EXHAUSTED, which a client may retry only when RetryInfo is present
 * (https://opentelemetry.io/docs/specs/otlp/#failures, #otlpgrpc-throttling).
 */
export function encodeStatusWithRetryInfo(code: number, message: string, retryDelaySeconds: number): Buffer {
  const writer = protobuf.Writer.create();
  writer.uint32((1 << 3) | 0).int32(code); // code = 1
  writer.uint32((2 << 3) | 2).string(message); // message = 2
  writer.uint32((3 << 3) | 2).fork(); // details = 3 (google.protobuf.Any)
  writer.uint32((1 << 3) | 2).string(RETRY_INFO_TYPE_URL); // type_url = 1
  writer.uint32((2 << 3) | 2).fork(); // value = 2: RetryInfo
  writer.uint32((1 << 3) | 2).fork(); // retry_delay = 1 (google.protobuf.Duration)
  writer.uint32((1 << 3) | 0).int64(Math.max(0, Math.trunc(retryDelaySeconds))); // seconds = 1
  writer.ldelim().ldelim().ldelim();
  return Buffer.from(writer.finish());
}

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
