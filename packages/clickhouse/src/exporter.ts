import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';

import { CostPipeline } from './pipeline/cost-pipeline.js';
import type { CostPipelineOptions } from './pipeline/pipeline-options.js';
import type { CostPipelineStats } from './pipeline/pipeline-stats.js';
import type { ReadableSpanLike } from './spans/span-like.js';
import { checkOptionShapes, PIPELINE_OPTION_SHAPES } from './options/option-shapes.js';

/** Options of {@link ClickHouseCostExporter}: the connection, pricing and queue options of the pipeline. */
export type ClickHouseCostExporterOptions = CostPipelineOptions;

/**
 * OpenTelemetry `SpanExporter` that prices GenAI spans and writes them to ClickHouse (`llm_calls` and, through
 * materialized views, the daily rollups). Non-GenAI spans are skipped after a few property reads.
 *
 * `export()` hands the spans to a bounded in-memory queue and answers at once; rows are written in batches in the
 * background, retried with backoff while ClickHouse is unreachable, and deduplicated on retry. When the queue is
 * full, new calls are counted as rejected (see {@link stats}) and a warning is logged once per incident.
 * `forceFlush()` writes everything exported so far; `shutdown()` does the same, then closes the store.
 *
 * Works with the OpenTelemetry JS SDK 1.x, 2.x and 3.x (spans are read duck-typed).
 */
export class ClickHouseCostExporter {
  /** The pipeline behind the exporter; the collector and tests use it directly. */
  readonly pipeline: CostPipeline;
  private shutdownStarted = false;

  /**
   * Opens the store right away, so a held embedded directory fails here with `EmbeddedStoreLockedError`.
   * Schema migrations (unless `autoMigrate: false`) run before the first write.
   */
  constructor(options: ClickHouseCostExporterOptions = {}) {
    checkOptionShapes('ClickHouseCostExporter', options, PIPELINE_OPTION_SHAPES);
    this.pipeline = new CostPipeline(options);
  }

  export(spans: ReadableSpanLike[], resultCallback: (result: ExportResult) => void): void {
    let result: ExportResult;
    try {
      if (this.shutdownStarted) {
        result = { code: ExportResultCode.FAILED, error: new Error('ClickHouseCostExporter is shut down') };
      } else {
        // Overflow is counted and reported by the pipeline; the SDK cannot retry a failed export, so the batch is
        // reported as exported either way.
        this.pipeline.submitReadableSpans(spans, { allOrNothing: false });
        result = { code: ExportResultCode.SUCCESS };
      }
    } catch (error) {
      diag.error('@llm-cost/clickhouse: export failed', error);
      result = { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) };
    }
    resultCallback(result);
  }

  /** Writes everything exported so far to ClickHouse (waits up to `shutdownTimeoutMs`). */
  async forceFlush(): Promise<void> {
    await this.pipeline.flush();
  }

  /** Flushes, then closes the store if the exporter opened it. Safe to call twice. */
  async shutdown(): Promise<void> {
    this.shutdownStarted = true;
    await this.pipeline.shutdown();
  }

  /** Counters: received, priced, unpriced, written, rejected, lost, queue depth, write latency, ... */
  stats(): CostPipelineStats {
    return this.pipeline.stats();
  }
}
