import type { Server, ServerInterceptor } from '@grpc/grpc-js';

import type { IngestContext } from '../server/ingest-context.js';
import { METRIC } from '../server/collector-metrics.js';
import { TRACE_SERVICE, createExportHandler } from './trace-service.js';

/** An OTLP/gRPC listener of the collector. */
export interface GrpcListener {
  /** `host:port` as an OTLP/gRPC exporter's endpoint takes it (with `http://` for an insecure channel). */
  address: string;
  port: number;
  /** Stops taking calls, lets those in flight finish (up to `graceMs`), then closes every connection. */
  close(graceMs: number): Promise<void>;
}

const STATUS_NAMES = [
  'OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS',
  'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED',
  'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED',
];

/**
 * Serves OTLP/gRPC `TraceService/Export` on `host:port` with `@grpc/grpc-js` (loaded only when gRPC is enabled, so
 * the CLI's other commands do not pay for it). Messages larger than `ctx.maxBodyBytes`, before or after gzip /
 * deflate decompression, are refused by grpc-js with RESOURCE_EXHAUSTED and no RetryInfo: a client must not retry
 * them (OTLP/gRPC Request).
 */
export async function startGrpcServer(host: string, port: number, ctx: IngestContext): Promise<GrpcListener> {
  const grpc = await import('@grpc/grpc-js');
  const server: Server = new grpc.Server({
    'grpc.max_receive_message_length': ctx.maxBodyBytes,
    interceptors: [metricsInterceptor(grpc, ctx)],
  });
  server.addService(TRACE_SERVICE, { Export: createExportHandler(ctx, grpc.Metadata) });
  const bindHost = host.includes(':') ? `[${host}]` : host;
  const boundPort = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${bindHost}:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return {
    address: `${bindHost}:${boundPort}`,
    port: boundPort,
    close: (graceMs) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        timer.unref();
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

/**
 * Counts every call the service answers by status code, and times it. grpc-js ends some calls itself before the
 * handler sees a message (over `maxBodyBytes` after decompression, a body that does not decompress, an unknown
 * `grpc-encoding`, a client that gave up): it then sends the status without passing through interceptors, so such
 * a call is recognised by ending with no status from the chain and no message delivered, and counted as a
 * `grpc_transport` refusal.
 */
function metricsInterceptor(grpc: typeof import('@grpc/grpc-js'), ctx: IngestContext): ServerInterceptor {
  return (methodDefinition, call) => {
    const method = methodDefinition.path.slice(methodDefinition.path.lastIndexOf('/') + 1);
    const started = process.hrtime.bigint();
    let receivedMessage = false;
    let answered = false;
    return new grpc.ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMessage: (message, nextMessage) => {
            receivedMessage = true;
            nextMessage(message);
          },
          onCancel: () => {
            if (!answered && !receivedMessage) ctx.metrics.add(METRIC.requestsRefused, 1, { reason: 'grpc_transport' });
          },
        }),
      sendStatus: (status, next) => {
        answered = true;
        ctx.metrics.add(METRIC.grpcRequests, 1, { method, code: STATUS_NAMES[status.code] ?? String(status.code) });
        ctx.metrics.observe(METRIC.grpcRequestDuration, Number(process.hrtime.bigint() - started) / 1e9, { method });
        next(status);
      },
    });
  };
}
