export { decodeTraceRequestProtobuf } from './otlp/decode-protobuf.js';
export { decodeTraceRequestJson } from './otlp/decode-json.js';
export { encodeExportResponse, encodeStatus } from './otlp/responses.js';
export type { OtlpEncoding } from './otlp/responses.js';
export type {
  Attributes,
  AttributeValue,
  DecodeLimits,
  DecodedTraceRequest,
  HrTime,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  OtlpSpanKind,
} from './span.js';
export { DEFAULT_DECODE_LIMITS } from './span.js';
export {
  CollectorConfigError,
  CollectorQueryError,
  OtlpDecodeError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors.js';
