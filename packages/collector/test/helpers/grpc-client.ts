import { connect, constants as h2 } from 'node:http2';

import { Metadata, credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { OTLPTraceExporter as OTLPGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';
import protobuf from 'protobufjs/minimal.js';

const EXPORT_PATH = '/opentelemetry.proto.collector.trace.v1.TraceService/Export';

/** The real OTLP/gRPC exporter of the OpenTelemetry JS SDK, pointed at `url` (`http://host:port`, insecure). */
export function createGrpcExporter(
  url: string,
  options: { token?: string; compression?: 'gzip' | 'none' } = {},
): SpanExporter {
  const metadata = new Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  return new OTLPGrpcExporter({
    url,
    metadata,
    compression: (options.compression ?? 'none') as never,
  });
}

const identity = (b: Buffer) => b;
const RawClient = makeGenericClientConstructor(
  {
    Export: {
      path: EXPORT_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: identity,
      requestDeserialize: identity,
      responseSerialize: identity,
      responseDeserialize: identity,
    },
  },
  'TraceService',
);

export interface RawAnswer {
  /** gRPC status code (0 = OK). */
  code: number;
  details: string;
  /** `ExportTraceServiceResponse` bytes on success. */
  response?: Buffer;
  /** `google.rpc.RetryInfo.retry_delay` seconds from `grpc-status-details-bin`, when the server sent one. */
  retryDelaySeconds?: number;
}

/** One unary `Export` call with a body of our choosing, through a grpc-js client (not the SDK's exporter). */
export function exportRaw(
  url: string,
  body: Buffer,
  options: { token?: string; compression?: 'gzip' } = {},
): Promise<RawAnswer> {
  const client = new RawClient(url.replace(/^http:\/\//, ''), credentials.createInsecure(), {
    ...(options.compression ? { 'grpc.default_compression_algorithm': 2 } : {}),
  });
  const metadata = new Metadata();
  if (options.token !== undefined) metadata.set('authorization', `Bearer ${options.token}`);
  return new Promise((resolve) => {
    (client as unknown as { Export: Function }).Export(body, metadata, (error: ServiceError | null, response?: Buffer) => {
      client.close();
      if (error === null) return resolve({ code: 0, details: '', response });
      const details = error.metadata?.get('grpc-status-details-bin')[0];
      resolve({
        code: error.code,
        details: error.details,
        retryDelaySeconds: Buffer.isBuffer(details) ? retryDelayOf(details) : undefined,
      });
    });
  });
}

/** Reads `google.rpc.Status.details[*]` for a RetryInfo and returns its delay in seconds. */
function retryDelayOf(statusBytes: Buffer): number | undefined {
  const status = protobuf.Reader.create(statusBytes);
  while (status.pos < status.len) {
    const tag = status.uint32();
    if (tag !== ((3 << 3) | 2)) {
      status.skipType(tag & 7);
      continue;
    }
    const any = protobuf.Reader.create(status.bytes());
    let typeUrl = '';
    let value: Uint8Array | undefined;
    while (any.pos < any.len) {
      const t = any.uint32();
      if (t === ((1 << 3) | 2)) typeUrl = any.string();
      else if (t === ((2 << 3) | 2)) value = any.bytes();
      else any.skipType(t & 7);
    }
    if (typeUrl !== 'type.googleapis.com/google.rpc.RetryInfo' || value === undefined) continue;
    const info = protobuf.Reader.create(value);
    while (info.pos < info.len) {
      const t = info.uint32();
      if (t !== ((1 << 3) | 2)) {
        info.skipType(t & 7);
        continue;
      }
      const duration = protobuf.Reader.create(info.bytes());
      let seconds = 0;
      while (duration.pos < duration.len) {
        const d = duration.uint32();
        if (d === ((1 << 3) | 0)) seconds = Number(duration.int64());
        else duration.skipType(d & 7);
      }
      return seconds;
    }
  }
  return undefined;
}

/** `ExportTraceServiceResponse.partial_success.rejected_spans` (0 when unset). */
export function rejectedSpansOf(response: Buffer): number {
  const outer = protobuf.Reader.create(response);
  while (outer.pos < outer.len) {
    const tag = outer.uint32();
    if (tag !== ((1 << 3) | 2)) {
      outer.skipType(tag & 7);
      continue;
    }
    const partial = protobuf.Reader.create(outer.bytes());
    while (partial.pos < partial.len) {
      const t = partial.uint32();
      if (t === ((1 << 3) | 0)) return Number(partial.int64());
      partial.skipType(t & 7);
    }
  }
  return 0;
}

/**
 * Sends one hand-built gRPC request over a bare HTTP/2 stream (no gRPC library): `frames` is written as the request
 * body byte for byte, so a test can send a length prefix that lies, a compressed flag without an encoding, or a
 * message cut short. Resolves with the `grpc-status` the server answered (trailers, or headers for a trailers-only
 * answer).
 */
export function sendHandBuiltStream(
  url: string,
  frames: Buffer,
  headers: Record<string, string> = {},
): Promise<{ grpcStatus: number; grpcMessage: string }> {
  const session = connect(url);
  return new Promise((resolve, reject) => {
    session.on('error', reject);
    const stream = session.request({
      [h2.HTTP2_HEADER_METHOD]: 'POST',
      [h2.HTTP2_HEADER_PATH]: EXPORT_PATH,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let status: string | undefined;
    let message = '';
    const take = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) status = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) message = decodeURIComponent(String(h['grpc-message']));
    };
    stream.on('response', take);
    stream.on('trailers', take);
    stream.on('data', () => {});
    stream.on('error', reject);
    stream.on('close', () => {
      session.close();
      if (status === undefined) reject(new Error('no grpc-status in the answer'));
      else resolve({ grpcStatus: Number(status), grpcMessage: message });
    });
    stream.end(frames);
  });
}

/** A gRPC length-prefixed message frame: compressed flag, 4-byte big-endian length, then the bytes. */
export function grpcFrame(message: Buffer, options: { compressed?: boolean; declaredLength?: number } = {}): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt8(options.compressed ? 1 : 0, 0);
  header.writeUInt32BE(options.declaredLength ?? message.length, 1);
  return Buffer.concat([header, message]);
}
