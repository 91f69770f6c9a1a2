import type { CostPipeline, CostPipelineStats, SubmitResult } from '@llm-cost/clickhouse';

/** Outcome of handing one request's spans to the cost pipeline, as the HTTP answer needs it. */
export type SubmitOutcome =
  | { accepted: true }
  | {
      accepted: false;
      /** `overloaded`: the queue is full while writes succeed (429); `unavailable`: writes are failing, so the
       * queue cannot drain, or the pipeline is closing (503). Both answers carry `Retry-After`. */
      reason: 'overloaded' | 'unavailable';
      message: string;
    };

/**
 * Decides the answer for a submission. The pipeline takes all of a request's GenAI spans or none
 * (`allOrNothing`), so a refused request can be retried whole without counting anything twice.
 */
export function submitOutcome(result: SubmitResult, stats: () => Pick<CostPipelineStats, 'lastError'>): SubmitOutcome {
  if (result.status === 'accepted') return { accepted: true };
  if (result.status === 'shut_down') {
    return { accepted: false, reason: 'unavailable', message: 'collector is shutting down' };
  }
  if (stats().lastError !== undefined) {
    return { accepted: false, reason: 'unavailable', message: 'queue full: ClickHouse is not accepting writes' };
  }
  return { accepted: false, reason: 'overloaded', message: 'queue full: retry later' };
}

export type { CostPipeline };
