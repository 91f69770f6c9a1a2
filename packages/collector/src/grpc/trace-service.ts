import type { Metadata, ServerErrorResponse, ServiceDefinition, sendUnaryData, ServerUnaryCall } from '@grpc/grpc-js';

import { OtlpDecodeError } from '../errors.js';
import { decodeTraceRequestProtobuf } from '../otlp/decode-protobuf.js';
import { GRPC_CODE, encodeExportResponse, encodeStatusWithRetryInfo } from '../otlp/responses.js';
import type { DecodedTraceRequest } from '../span.js';
import { METRIC } from '../server/collector-metrics.js';
import type { IngestContext } from '../server/ingest-context.js';
import { ingestDecoded } from '../server/ingest-spans.js';

/** Full method path of OTLP/gRPC trace export (opentelemetry/proto/collector/trace/v1/trace_service.proto). */
export const TRACE_EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

const identity = (buffer: Buffer): Buffer => buffer;

/**
 * `TraceService` with raw bytes in and out: grpc-js frames, decompresses (gzip, deflate) and size-limits the message,
 * and the collector's own protobuf decoder (the one OTLP/HTTP uses) reads it into spans. No second decoder, no
 * generated code.
 */
export const TRACE_SERVICE: ServiceDefinition = {
  Export: {
    path: TRACE_EXPORT_PATH,
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};

/**
 * `Export` per OTLP/gRPC (https://opentelemetry.io/docs/specs/otlp/#otlpgrpc): the same bearer tokens, tenants,
 * memory budget, pipeline and metrics as `POST /v1/traces`. Refusals the client may retry (queue full, store down,
 * shutting down, memory budget) carry `google.rpc.RetryInfo` with `retryAfterSeconds`: UNAVAILABLE when the
 * collector cannot write, RESOURCE_EXHAUSTED when it is only busy (the spec lets a client retry that code only with
 * RetryInfo). Bad data is INVALID_ARGUMENT, which a client must not retry.
 */
export function createExportHandler(ctx: IngestContext, MetadataClass: typeof Metadata) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const retryable = (code: number, message: string) => {
      const trailer = new MetadataClass();
      trailer.set('grpc-status-details-bin', encodeStatusWithRetryInfo(code, message, ctx.retryAfterSeconds));
      callback({ code, details: message, metadata: trailer } as ServerErrorResponse);
    };
    if (ctx.isDraining()) return retryable(GRPC_CODE.unavailable, 'collector is shutting down');

    const auth = ctx.tokens.authenticateIngest(firstValue(call.metadata, 'authorization'));
    if (!auth.ok) {
      ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'unauthenticated' });
      ctx.logger.warn('export refused: bad or missing bearer token', { reason: auth.reason, remote: call.getPeer() });
      const message = auth.reason === 'missing' ? 'missing bearer token' : 'invalid bearer token';
      return callback({ code: GRPC_CODE.unauthenticated, details: message });
    }

    const body = call.request;
    // grpc-js has already read (and decompressed) the message within maxBodyBytes; the budget bounds how many
    // decoded copies exist at once, as for OTLP/HTTP bodies.
    if (!ctx.bodyBudget.tryReserve(body.length)) {
      ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'memory_budget' });
      return retryable(GRPC_CODE.resourceExhausted, 'too many request bytes in flight: retry later');
    }
    let decoded: DecodedTraceRequest;
    try {
      ctx.metrics.add(METRIC.requestBytes, body.length);
      decoded = decodeTraceRequestProtobuf(body, ctx.decodeLimits);
    } catch (error) {
      if (!(error instanceof OtlpDecodeError)) throw error;
      ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'undecodable' });
      return callback({ code: GRPC_CODE.invalidArgument, details: `undecodable OTLP request: ${error.message}` });
    } finally {
      ctx.bodyBudget.release(body.length);
    }

    const result = ingestDecoded(decoded, auth.tenant, ctx);
    if (!result.accepted) {
      const code = result.reason === 'overloaded' ? GRPC_CODE.resourceExhausted : GRPC_CODE.unavailable;
      return retryable(code, result.message);
    }
    callback(null, encodeExportResponse('protobuf', result.rejectedSpans, result.message));
  };
}

function firstValue(metadata: Metadata, key: string): string | undefined {
  const value = metadata.get(key)[0];
  return typeof value === 'string' ? value : undefined;
}
