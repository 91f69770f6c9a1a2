/**
 * What the instrumentation reads from an outgoing LLM request: the requested model and whether it streams (from the
 * URL or the JSON body), and, with `captureStreamUsage`, the body rewritten to ask for a usage chunk.
 * Headers, prompt text and query strings are never read into a span.
 */
import type { Endpoint, ProviderModule } from '../../providers/types.js';
import { readRequestFields, withIncludeUsage, type RequestFields } from '../../request-body.js';
import type { CallRequest } from '../call-start.js';

export interface RequestInfo extends CallRequest {
  /** The init to send (a copy with the rewritten body when usage capture added `include_usage`). */
  init: RequestInit | undefined;
}

/** Bodies larger than this are not scanned (the model then comes from the response). */
const MAX_SCANNED_BODY = 8 * 1024 * 1024;

const decoder = new TextDecoder();

function bodyText(body: unknown): string | undefined {
  if (typeof body === 'string') return body.length <= MAX_SCANNED_BODY ? body : undefined;
  if (ArrayBuffer.isView(body) && body.byteLength <= MAX_SCANNED_BODY) {
    return decoder.decode(body as Uint8Array);
  }
  if (body instanceof ArrayBuffer && body.byteLength <= MAX_SCANNED_BODY) return decoder.decode(body);
  return undefined;
}

/** Headers without `content-length` (the rewritten body has another length); undefined when there was none. */
function withoutContentLength(headers: RequestInit['headers']): RequestInit['headers'] | undefined {
  if (headers === undefined || headers === null) return undefined;
  if (headers instanceof Headers) {
    if (!headers.has('content-length')) return undefined;
    const copy = new Headers(headers);
    copy.delete('content-length');
    return copy;
  }
  if (Array.isArray(headers)) {
    const kept = headers.filter((pair) => String(pair[0]).toLowerCase() !== 'content-length');
    return kept.length === headers.length ? undefined : kept;
  }
  const record = headers as Record<string, string>;
  const key = Object.keys(record).find((name) => name.toLowerCase() === 'content-length');
  if (key === undefined) return undefined;
  const copy = { ...record };
  delete copy[key];
  return copy;
}

export function readRequestInfo(
  module: ProviderModule,
  endpoint: Endpoint,
  init: RequestInit | undefined,
  captureStreamUsage: boolean,
): RequestInfo {
  const text = init === undefined || init === null ? undefined : bodyText(init.body);
  const fields: RequestFields = text === undefined ? {} : readRequestFields(text);
  const stream = endpoint.streamInPath === true || fields.stream === true;
  let sendInit = init;
  if (
    captureStreamUsage &&
    stream &&
    module.openAiCompatible &&
    (endpoint.kind === 'chat_completions' || endpoint.kind === 'completions') &&
    typeof init?.body === 'string'
  ) {
    const rewritten = withIncludeUsage(init.body, fields);
    if (rewritten !== undefined) {
      const headers = withoutContentLength(init.headers);
      sendInit = { ...init, body: rewritten, ...(headers !== undefined ? { headers } : {}) };
    }
  }
  return {
    model: endpoint.modelInPath ?? fields.model,
    stream,
    serviceTier: fields.serviceTier,
    init: sendInit,
  };
}
