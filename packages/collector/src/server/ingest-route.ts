import type { IncomingMessage, ServerResponse } from 'node:http';

import { OtlpDecodeError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.js';
import { reservationFor } from '../http/byte-budget.js';
import { otlpEncodingOf } from '../http/content-type.js';
import { discardBody, discardRest, readBody } from '../http/read-body.js';
import { decodeTraceRequestJson } from '../otlp/decode-json.js';
import { decodeTraceRequestProtobuf } from '../otlp/decode-protobuf.js';
import { CONTENT_TYPE, GRPC_CODE, encodeExportResponse } from '../otlp/responses.js';
import type { DecodedTraceRequest } from '../span.js';
import { send, sendStatus } from './answers.js';
import { METRIC } from './collector-metrics.js';
import { ingestDecoded } from './ingest-spans.js';
import type { IngestContext } from './ingest-context.js';

/**
 * `POST /v1/traces` per OTLP/HTTP (https://opentelemetry.io/docs/specs/otlp/#otlphttp): authenticate, check the media
 * type, read the body under the size limit, decode, hand the spans to the pipeline, answer in the request's encoding.
 * Returns the HTTP status sent (for the request metrics).
 */
export async function handleTraces(
  request: IncomingMessage,
  response: ServerResponse,
  ctx: IngestContext,
): Promise<number> {
  const encoding = otlpEncodingOf(request);
  const retryAfter = { 'retry-after': String(ctx.retryAfterSeconds) };

  if (ctx.isDraining()) {
    discardBody(request);
    sendStatus(response, encoding, 503, GRPC_CODE.unavailable, 'collector is shutting down', retryAfter, true);
    return 503;
  }
  const auth = ctx.tokens.authenticateIngest(request.headers.authorization);
  if (!auth.ok) {
    discardBody(request);
    ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'unauthenticated' });
    ctx.logger.warn('export refused: bad or missing bearer token', { reason: auth.reason, remote: remoteOf(request) });
    sendStatus(
      response,
      encoding,
      401,
      GRPC_CODE.unauthenticated,
      auth.reason === 'missing' ? 'missing bearer token' : 'invalid bearer token',
      { 'www-authenticate': 'Bearer realm="llm-cost"' },
    );
    return 401;
  }
  if (encoding === undefined) {
    discardBody(request);
    ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'unsupported_media_type' });
    sendStatus(
      response,
      undefined,
      415,
      GRPC_CODE.invalidArgument,
      'Content-Type must be application/x-protobuf or application/json',
    );
    return 415;
  }

  const compressed = (request.headers['content-encoding'] ?? 'identity') !== 'identity';
  const reserved = reservationFor(request.headers['content-length'], compressed, ctx.maxBodyBytes);
  if (!ctx.bodyBudget.tryReserve(reserved)) {
    discardBody(request);
    ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'memory_budget' });
    sendStatus(response, encoding, 429, GRPC_CODE.resourceExhausted, 'too many request bytes in flight: retry later', retryAfter);
    return 429;
  }
  let decoded: DecodedTraceRequest;
  try {
    const body = await readBody(request, ctx.maxBodyBytes);
    ctx.metrics.add(METRIC.requestBytes, body.length);
    decoded =
      encoding === 'protobuf'
        ? decodeTraceRequestProtobuf(body, ctx.decodeLimits)
        : decodeTraceRequestJson(body, ctx.decodeLimits);
  } catch (error) {
    return answerBodyError(request, response, encoding, error, ctx);
  } finally {
    ctx.bodyBudget.release(reserved);
  }

  const result = ingestDecoded(decoded, auth.tenant, ctx);
  if (!result.accepted) {
    const overloaded = result.reason === 'overloaded';
    const grpc = overloaded ? GRPC_CODE.resourceExhausted : GRPC_CODE.unavailable;
    sendStatus(response, encoding, overloaded ? 429 : 503, grpc, result.message, retryAfter);
    return overloaded ? 429 : 503;
  }
  send(response, 200, CONTENT_TYPE[encoding], encodeExportResponse(encoding, result.rejectedSpans, result.message));
  return 200;
}

function answerBodyError(
  request: IncomingMessage,
  response: ServerResponse,
  encoding: 'protobuf' | 'json',
  error: unknown,
  ctx: IngestContext,
): number {
  if (error instanceof PayloadTooLargeError) {
    ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'too_large' });
    // Answer now, and let the client finish sending (read and dropped, up to a bound) rather than closing the
    // connection under it: a close while it still sends resets the connection and the 413 can be lost.
    discardRest(request, 4 * ctx.maxBodyBytes);
    sendStatus(response, encoding, 413, GRPC_CODE.invalidArgument, error.message);
    return 413;
  }
  if (error instanceof UnsupportedMediaTypeError) {
    ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'unsupported_media_type' });
    sendStatus(response, encoding, 415, GRPC_CODE.invalidArgument, error.message);
    return 415;
  }
  if (error instanceof OtlpDecodeError) {
    ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'undecodable' });
    sendStatus(response, encoding, 400, GRPC_CODE.invalidArgument, `undecodable OTLP request: ${error.message}`);
    return 400;
  }
  // The client went away mid-body: nothing to answer.
  ctx.logger.debug('export request aborted', { error: (error as Error).message });
  response.destroy();
  return 499;
}

function remoteOf(request: IncomingMessage): string | undefined {
  return request.socket.remoteAddress;
}
