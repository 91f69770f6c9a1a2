import type { CostPipelineStats } from '@llm-cost/clickhouse';

import { MetricsRegistry } from '../metrics.js';

/** Metric names of the collector (Prometheus conventions: `_total` counters, base units). */
export const METRIC = {
  httpRequests: 'llm_cost_collector_http_requests_total',
  requestDuration: 'llm_cost_collector_http_request_duration_seconds',
  grpcRequests: 'llm_cost_collector_grpc_requests_total',
  grpcRequestDuration: 'llm_cost_collector_grpc_request_duration_seconds',
  requestBytes: 'llm_cost_collector_request_bytes_total',
  requestsRefused: 'llm_cost_collector_requests_refused_total',
  bodyBytesInFlight: 'llm_cost_collector_body_bytes_in_flight',
  spansReceived: 'llm_cost_collector_spans_received_total',
  spansRejected: 'llm_cost_collector_spans_rejected_total',
  attributesDropped: 'llm_cost_collector_attributes_dropped_total',
  pipelineReceived: 'llm_cost_pipeline_spans_received_total',
  pipelineAccepted: 'llm_cost_pipeline_calls_accepted_total',
  pipelineDuplicates: 'llm_cost_pipeline_spans_duplicate_total',
  pipelinePriced: 'llm_cost_pipeline_calls_priced_total',
  pipelineUnpriced: 'llm_cost_pipeline_calls_unpriced_total',
  pipelineWritten: 'llm_cost_pipeline_calls_written_total',
  pipelineRejected: 'llm_cost_pipeline_calls_rejected_total',
  pipelineLost: 'llm_cost_pipeline_calls_lost_total',
  pipelineInsertFailures: 'llm_cost_pipeline_insert_failures_total',
  queueDepth: 'llm_cost_pipeline_queue_depth',
  writeLatencySum: 'llm_cost_pipeline_write_duration_seconds_sum',
  writeLatencyCount: 'llm_cost_pipeline_write_duration_seconds_count',
  writeLatencyLast: 'llm_cost_pipeline_last_write_duration_seconds',
} as const;

export function createCollectorMetrics(): MetricsRegistry {
  const m = new MetricsRegistry();
  m.define(METRIC.httpRequests, 'counter', 'HTTP requests by route and status code.');
  m.define(METRIC.requestDuration, 'histogram', 'HTTP request handling time by route.');
  m.define(METRIC.grpcRequests, 'counter', 'OTLP/gRPC calls by method and status code.');
  m.define(METRIC.grpcRequestDuration, 'histogram', 'OTLP/gRPC call handling time by method.');
  m.define(METRIC.requestBytes, 'counter', 'Decompressed OTLP request body bytes read (HTTP bodies and gRPC messages).');
  m.define(METRIC.requestsRefused, 'counter', 'Export requests refused before decoding, by reason.');
  m.define(METRIC.bodyBytesInFlight, 'gauge', 'Request body bytes reserved by exports being read and decoded.');
  m.define(METRIC.spansReceived, 'counter', 'Spans received in decodable export requests.');
  m.define(METRIC.spansRejected, 'counter', 'Spans refused: invalid ids (partial success) or queue full / store down.');
  m.define(METRIC.attributesDropped, 'counter', 'Attributes dropped by the decoder limits (count, size, depth).');
  m.define(METRIC.pipelineReceived, 'counter', 'Spans handed to the cost pipeline (GenAI and other).');
  m.define(METRIC.pipelineAccepted, 'counter', 'GenAI spans accepted into the queue.');
  m.define(METRIC.pipelineDuplicates, 'counter', 'GenAI spans folded into a call already counted (other layer, replay).');
  m.define(METRIC.pipelinePriced, 'counter', 'LLM calls priced (price table or provider-reported cost).');
  m.define(METRIC.pipelineUnpriced, 'counter', 'LLM calls without a price (unknown model or no usage).');
  m.define(METRIC.pipelineWritten, 'counter', 'LLM call rows written to ClickHouse.');
  m.define(METRIC.pipelineRejected, 'counter', 'GenAI spans refused because the queue was full (answered 429/503).');
  m.define(METRIC.pipelineLost, 'counter', 'Accepted calls never written (store refused the row, or down at shutdown).');
  m.define(METRIC.pipelineInsertFailures, 'counter', 'Failed ClickHouse insert attempts (each retry counts).');
  m.define(METRIC.queueDepth, 'gauge', 'LLM calls accepted and not yet written.');
  m.define(METRIC.writeLatencySum, 'counter', 'Total time of successful ClickHouse inserts.');
  m.define(METRIC.writeLatencyCount, 'counter', 'Successful ClickHouse inserts.');
  m.define(METRIC.writeLatencyLast, 'gauge', 'Duration of the last successful ClickHouse insert.');
  return m;
}

/** Copies the pipeline's counters into the registry just before a scrape. */
export function refreshPipelineMetrics(m: MetricsRegistry, stats: CostPipelineStats): void {
  m.set(METRIC.pipelineReceived, stats.received);
  m.set(METRIC.pipelineAccepted, stats.accepted);
  m.set(METRIC.pipelineDuplicates, stats.duplicates);
  m.set(METRIC.pipelinePriced, stats.priced);
  m.set(METRIC.pipelineUnpriced, stats.unpriced);
  m.set(METRIC.pipelineWritten, stats.written);
  m.set(METRIC.pipelineRejected, stats.rejected);
  m.set(METRIC.pipelineLost, stats.lost);
  m.set(METRIC.pipelineInsertFailures, stats.insertFailures);
  m.set(METRIC.queueDepth, stats.queueDepth);
  m.set(METRIC.writeLatencySum, stats.writeLatencyMsSum / 1000);
  m.set(METRIC.writeLatencyCount, stats.inserts);
  m.set(METRIC.writeLatencyLast, stats.lastWriteLatencyMs / 1000);
}
