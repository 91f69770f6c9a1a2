/**
 * Errors of `@llm-cost/collector`. One class per kind, each with a stable `name` and `code`.
 */

/** An OTLP request body could not be decoded (answered with HTTP 400). The message never quotes the body. */
export class OtlpDecodeError extends Error {
  override readonly name = 'OtlpDecodeError';
  readonly code = 'LLM_COST_OTLP_DECODE';
}

/** A request body is larger than the configured limit, before or after decompression (HTTP 413). */
export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
  readonly code = 'LLM_COST_PAYLOAD_TOO_LARGE';
  readonly limitBytes: number;

  constructor(limitBytes: number, stage: 'compressed' | 'decompressed') {
    super(`request body exceeds the ${limitBytes}-byte limit (${stage})`);
    this.limitBytes = limitBytes;
  }
}

/** A request's media type or content encoding is not one the collector reads (HTTP 415). */
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
  readonly code = 'LLM_COST_UNSUPPORTED_MEDIA_TYPE';
}

/** Collector configuration (flags, environment, options) is invalid; the message names the setting. */
export class CollectorConfigError extends Error {
  override readonly name = 'CollectorConfigError';
  readonly code = 'LLM_COST_COLLECTOR_CONFIG';
}

/** A query sent to the collector's read-only query endpoint was refused or failed; carries the HTTP status. */
export class CollectorQueryError extends Error {
  override readonly name = 'CollectorQueryError';
  readonly code = 'LLM_COST_COLLECTOR_QUERY';
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.status = status;
  }
}
