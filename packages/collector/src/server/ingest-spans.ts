import type { DecodedTraceRequest } from '../span.js';
import { METRIC } from './collector-metrics.js';
import type { IngestContext } from './ingest-context.js';
import { submitOutcome } from './pipeline.js';

/** What one decoded export request came to, whichever transport (OTLP/HTTP or OTLP/gRPC) carried it. */
export type IngestResult =
  | {
      accepted: true;
      /** Spans dropped for invalid ids: answered as partial success (`rejected_spans`, `error_message`). */
      rejectedSpans: number;
      message: string;
    }
  | {
      accepted: false;
      /** `overloaded` → HTTP 429 / gRPC RESOURCE_EXHAUSTED; `unavailable` → 503 / UNAVAILABLE (both retryable). */
      reason: 'overloaded' | 'unavailable';
      message: string;
    };

/**
 * The transport-neutral half of an export: counts what the decoder saw, hands the spans to the pipeline with the
 * token's tenant (all or nothing, so a refused request can be retried whole), and says how to answer. The OTLP/HTTP
 * route and the OTLP/gRPC service both call it after their own authentication and decoding.
 */
export function ingestDecoded(decoded: DecodedTraceRequest, tenant: string | undefined, ctx: IngestContext): IngestResult {
  const received = decoded.spans.length + decoded.rejectedSpans;
  ctx.metrics.add(METRIC.spansReceived, received);
  if (decoded.rejectedSpans > 0) ctx.metrics.add(METRIC.spansRejected, decoded.rejectedSpans, { reason: 'invalid' });
  if (decoded.droppedAttributes > 0) ctx.metrics.add(METRIC.attributesDropped, decoded.droppedAttributes);

  if (decoded.spans.length > 0) {
    const result = ctx.pipeline.submit(decoded.spans, { tenantId: tenant, allOrNothing: true });
    const outcome = submitOutcome(result, () => ctx.pipeline.stats());
    if (!outcome.accepted) {
      ctx.metrics.add(METRIC.spansRejected, decoded.spans.length, { reason: outcome.reason });
      return outcome;
    }
  }
  const message =
    decoded.rejectedSpans > 0 ? `${decoded.rejectedSpans} span(s) rejected: ${decoded.rejectReasons.join('; ')}` : '';
  return { accepted: true, rejectedSpans: decoded.rejectedSpans, message };
}
