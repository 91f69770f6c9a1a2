import type { IncomingMessage } from 'node:http';

import type { OtlpEncoding } from '../otlp/responses.js';

/**
 * The OTLP encoding a request's `Content-Type` names, or undefined for any other media type (answered with 415).
 * Parameters such as `; charset=utf-8` are ignored.
 */
export function otlpEncodingOf(request: IncomingMessage): OtlpEncoding | undefined {
  const header = request.headers['content-type'];
  if (header === undefined) return undefined;
  const mediaType = header.split(';', 1)[0]!.trim().toLowerCase();
  if (mediaType === 'application/x-protobuf' || mediaType === 'application/protobuf') return 'protobuf';
  if (mediaType === 'application/json') return 'json';
  return undefined;
}
