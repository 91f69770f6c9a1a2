/**
 * A fetch `Response` feeding the shared usage sinks: the span ends at once for an error status or an empty body,
 * otherwise when the application has read the body (JSON) or the stream to its end, cancelled it, failed reading it,
 * or dropped it (see body-observer.ts for how the reads are seen).
 */
import { USAGE_SOURCE } from '@llm-cost/semconv';
import { observeBody } from './body-observer.js';
import type { LlmSpan } from '../../llm-span.js';
import type { Endpoint, ProviderModule } from '../../providers/types.js';
import { endWithStatus, sinkFor, type HeaderLookup } from '../response/usage-sinks.js';
import { errorOnce } from '../../diag-once.js';

function headerLookup(headers: Headers): HeaderLookup {
  return (name) => headers.get(name) ?? undefined;
}

/** Starts watching a response for its span. Never throws; returns the response unchanged. */
export function captureResponse(
  call: LlmSpan,
  module: ProviderModule,
  endpoint: Endpoint,
  response: Response,
): Response {
  try {
    const status = response.status;
    if (status < 200 || status >= 300) {
      endWithStatus(call, status);
      return response;
    }
    const headers = response.headers;
    const sink = sinkFor(call, module, endpoint, status, headers.get('content-type') ?? '', headerLookup(headers));
    if (response.body === null || !observeBody(response, sink)) {
      call.end({ usageSource: USAGE_SOURCE.unknown, status });
    }
  } catch (error) {
    errorOnce('response:capture', 'could not watch an LLM response; its span ends without usage', error);
    call.end({ usageSource: USAGE_SOURCE.unknown });
  }
  return response;
}
