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
