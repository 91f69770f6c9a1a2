import { diag } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';

import { exitHandOvers } from './exit/exit-listener.js';
import { CostPipeline } from './pipeline/cost-pipeline.js';
import type { CostPipelineOptions } from './pipeline/pipeline-options.js';
import type { CostPipelineStats } from './pipeline/pipeline-stats.js';
import { FeedingProcessors, nextTurn } from './spans/feeding-processors.js';
import type { ReadableSpanLike } from './spans/span-like.js';
import { checkOptionShapes, PIPELINE_OPTION_SHAPES } from './options/option-shapes.js';

/** Options of {@link ClickHouseCostExporter}: the connection, pricing and queue options of the pipeline. */
export type ClickHouseCostExporterOptions = CostPipelineOptions;

/** How often the exporter looks for the globally registered provider's processors until it finds them. */
const DISCOVERY_INTERVAL_MS = 1000;

/**
 * OpenTelemetry `SpanExporter` that prices GenAI spans and writes them to ClickHouse (`llm_calls` and, through
 * materialized views, the daily rollups). Non-GenAI spans are skipped after a few property reads.
 *
 * What the caller can rely on:
 * - `export()` answers at once: the calls are accepted into a bounded queue (or held a moment to be counted once
 *   across instrumentation layers) and written in batches in the background, retried with backoff while ClickHouse
 *   is unreachable, deduplicated on retry. When the queue is full, new calls are counted as rejected (`stats()`) and a
 *   warning is logged once per incident.
 * - `forceFlush()` resolves when every call accepted before it is a row a query returns (or, refused by the store
 *   as bad data, counted in `stats().lost`); after `shutdownTimeoutMs` with the store unreachable it resolves anyway,
 *   logs how many calls are still queued, and keeps retrying them.
 * - The provider's `forceFlush()` (and `shutdown()`, as `NodeSDK.shutdown()` calls it) gives the same guarantee with
 *   the SDK's `BatchSpanProcessor` or `SimpleSpanProcessor` around this exporter (see `spans/feeding-processors.ts`).
 * - A process that exits without flushing (`process.exit()`, an uncaught exception) writes what was accepted to the
 *   embedded store before it ends; with a server it cannot, and says on stderr how many calls were lost.
 * - `shutdown()` flushes, then closes the store if the exporter opened it.
 *
 * Works with the OpenTelemetry JS SDK 1.x, 2.x and 3.x (spans are read duck-typed).
 */
export class ClickHouseCostExporter {
  /** The pipeline behind the exporter; the collector and tests use it directly. */
  readonly pipeline: CostPipeline;
  private shutdownStarted = false;
  private readonly processors: FeedingProcessors;
  private readonly handOver = (): void => this.processors.handOverAtExit();
  private discovery: NodeJS.Timeout | undefined;

  /**
   * Opens the store right away, so a held embedded directory fails here with `EmbeddedStoreLockedError`.
   * Schema migrations (unless `autoMigrate: false`) run before the first write.
   */
  constructor(options: ClickHouseCostExporterOptions = {}) {
    checkOptionShapes('ClickHouseCostExporter', options, PIPELINE_OPTION_SHAPES);
    this.pipeline = new CostPipeline(options);
    this.processors = new FeedingProcessors(this, () => this.forceFlush());
    exitHandOvers.add(this.handOver);
    // The provider is built around the exporter, so it exists (and is registered) only after this constructor: look
    // on the next turn, then every second until found, so the first flush already goes through to the store.
    setImmediate(() => this.discover()).unref();
  }

  private discover(): void {
    if (this.shutdownStarted) return;
    this.processors.observeGlobalProvider();
    if (this.processors.count > 0) {
      clearInterval(this.discovery);
      this.discovery = undefined;
    } else {
      this.discovery ??= setInterval(() => this.discover(), DISCOVERY_INTERVAL_MS).unref();
    }
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
        const flushing = this.processors.observeExport(spans);
        if (flushing !== undefined) {
          // The first flush of a processor found only now: it waits for this callback, so answer once the processor
          // has been flushed through to the store (what ended meanwhile included).
          this.answerAfterFlush(flushing, resultCallback);
          return;
        }
        result = { code: ExportResultCode.SUCCESS };
      }
    } catch (error) {
      diag.error('@llm-cost/clickhouse: export failed', error);
      result = { code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) };
    }
    resultCallback(result);
  }

  private answerAfterFlush(processor: { forceFlush(): Promise<void> }, resultCallback: (result: ExportResult) => void): void {
    void (async () => {
      await nextTurn();
      await processor.forceFlush();
    })()
      .catch((error: unknown) => diag.error('@llm-cost/clickhouse: flushing the span processor failed', error))
      .finally(() => resultCallback({ code: ExportResultCode.SUCCESS }));
  }

  /**
   * Resolves when every call exported before it is written (waits up to `shutdownTimeoutMs`). The span of a call
   * whose body the application has just read as text or bytes ends on the next turn of the event loop (the
   * instrumentation reads the usage then): that turn is waited for first.
   */
  async forceFlush(): Promise<void> {
    await nextTurn();
    const { drained, pending } = await this.pipeline.flush();
    if (!drained) {
      const { lastError } = this.pipeline.stats();
      diag.warn(
        `@llm-cost/clickhouse: forceFlush() gave up with ${pending} calls not yet written (ClickHouse unreachable; ` +
          `last error: ${lastError ?? 'none'}); they stay queued and are retried`,
      );
    }
  }

  /** Flushes, then closes the store if the exporter opened it. Safe to call twice. */
  async shutdown(): Promise<void> {
    this.shutdownStarted = true;
    clearInterval(this.discovery);
    await this.pipeline.shutdown();
    exitHandOvers.delete(this.handOver);
  }

  /** Counters: received, priced, unpriced, written, rejected, lost, queue depth, write latency, ... */
  stats(): CostPipelineStats {
    return this.pipeline.stats();
  }
}
