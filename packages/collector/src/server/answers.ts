import type { ServerResponse } from 'node:http';

import { CONTENT_TYPE, encodeStatus, type OtlpEncoding } from '../otlp/responses.js';

/** Sends a body with a content type; `close` asks the client to drop the connection (unread body left behind). */
export function send(
  response: ServerResponse,
  status: number,
  contentType: string,
  body: Buffer | string,
  headers: Record<string, string> = {},
  close = false,
): void {
  if (response.headersSent) return;
  const payload = typeof body === 'string' ? Buffer.from(body) : body;
  response.writeHead(status, {
    'content-type': contentType,
    'content-length': String(payload.length),
    ...(close ? { connection: 'close' } : {}),
    ...headers,
  });
  response.end(payload);
}

/** An OTLP/HTTP failure answer: `google.rpc.Status` in the request's encoding (JSON when it was unreadable). */
export function sendStatus(
  response: ServerResponse,
  encoding: OtlpEncoding | undefined,
  httpStatus: number,
  grpcCode: number,
  message: string,
  headers: Record<string, string> = {},
  close = false,
): void {
  const format = encoding ?? 'json';
  send(response, httpStatus, CONTENT_TYPE[format], encodeStatus(format, grpcCode, message), headers, close);
}

export function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(response, status, 'application/json', JSON.stringify(value), headers);
}
