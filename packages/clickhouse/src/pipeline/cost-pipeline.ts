import { writeSync } from 'node:fs';

import { diag } from '@opentelemetry/api';

import { openStore, type Store } from '../connection/connect.js';
import { onProcessExit } from '../exit/exit-listener.js';
import { writeAtExit } from '../exit/write-at-exit.js';
import type { LlmCall } from '../mapping/llm-call.js';
import { isGenAiAttributes, mapSpan } from '../mapping/map-span.js';
import { OneChargeFilter } from '../one-charge/one-charge-filter.js';
import { NO_COSTS, priceCall } from '../pricing/price-call.js';
import { resolvePricer, type CostPricer } from '../pricing/pricer.js';
import { migrateStore } from '../schema/migrate.js';
import type { RetentionDays } from '../schema/render-ddl.js';
import { withoutTracing } from '../tracing/without-tracing.js';
import { spanLikeFromReadableSpan, type ReadableSpanLike, type SpanLike } from '../spans/span-like.js';
import { BatchWriter } from '../writer/batch-writer.js';
import { encodeCall, toRow, type LlmCallRow } from '../writer/llm-call-row.js';
import { resolvePipelineOptions, type CostPipelineOptions, type ResolvedPipelineOptions } from './pipeline-options.js';
import { emptyStats, type CostPipelineStats } from './pipeline-stats.js';
import { checkOptionShapes, PIPELINE_OPTION_SHAPES } from '../options/option-shapes.js';

export interface SubmitOptions {
  /** Tenant written for every call of this submission, overriding the spans' own `tenant_id` tag. */
  tenantId?: string;
  /**
   * `true` (the default): when the queue cannot take every GenAI span of the submission, take none and answer
   * `queue_full`, so the sender can retry the whole request (HTTP 429/503) without double counting.
   * `false`: take what fits and count the rest as rejected (the in-process exporter, which has no one to retry).
   */
  allOrNothing?: boolean;
}

export interface SubmitResult {
  /** `accepted`: everything accepted was queued; `queue_full`: some or all GenAI spans were refused. */
  status: 'accepted' | 'queue_full' | 'shut_down';
  /** GenAI spans accepted (each becomes a row, or folds into another span of the same call). */
  accepted: number;
  /** GenAI spans refused (queue full or shut down). */
  rejected: number;
  /** Spans that are not GenAI model calls, skipped. */
  ignored: number;
}

/** Result of {@link CostPipeline.flush}. */
export interface FlushResult {
  /** True when every call accepted before the flush was written (or, refused by the store as bad data, counted lost). */
  drained: boolean;
  /** Of those calls, how many are still waiting (the store was unreachable until the timeout); they stay queued. */
  pending: number;
}

/** Hook for rows as they are queued (the budget guard of the same process uses it to see spend early). */
export type RowListener = (row: LlmCallRow) => void;

/**
 * The whole way from spans to rows, shared by `ClickHouseCostExporter` (in process) and `@llm-cost/collector`
 * (OTLP): map spans of any known GenAI instrumentation to calls, count each call once across instrumentation
 * layers, price it, and write it to ClickHouse in deduplicated, retried batches through a bounded queue.
 *
 * `submit` answers synchronously (accepted / queue full) so a server can apply backpressure; `flush` and `shutdown`
 * drain everything accepted.
 */
export class CostPipeline {
  readonly store: Store;
  private readonly options: ResolvedPipelineOptions;
  private readonly pricer: CostPricer;
  private readonly counters: CostPipelineStats = emptyStats();
  private readonly filter: OneChargeFilter;
  private readonly writer: BatchWriter;
  private readonly rowListeners = new Set<RowListener>();
  private readonly ticker: NodeJS.Timeout;
  private overflowing = false;
  private shutdownPromise: Promise<void> | undefined;
  /** Retention for tables the exit path has to create (the next `migrate` applies the environment's too). */
  private readonly retention: RetentionDays;
  private readonly stopWatchingExit: () => void;
  private exited = false;

  constructor(pipelineOptions: CostPipelineOptions = {}) {
    checkOptionShapes('CostPipeline', pipelineOptions, PIPELINE_OPTION_SHAPES);
    const warn = (message: string) => diag.warn(`@llm-cost/clickhouse: ${message}`);
    this.options = resolvePipelineOptions(pipelineOptions, warn);
    this.pricer = resolvePricer(pipelineOptions.pricer);
    this.store = openStore(pipelineOptions);
    const retention = {
      retentionDays: pipelineOptions.retentionDays,
      rollupRetentionDays: pipelineOptions.rollupRetentionDays,
    };
    this.retention = { raw: retention.retentionDays, rollup: retention.rollupRetentionDays };
    this.filter = new OneChargeFilter({
      holdMs: this.options.dedupHoldMs,
      settleMs: this.options.dedupSettleMs,
      maxHeldSpans: this.options.maxHeldSpans,
      memorySize: this.options.dedupMemorySize,
      now: Date.now,
      release: (calls) => this.queueCalls(calls),
    });
    this.writer = new BatchWriter(
      this.store,
      {
        maxBatchSize: this.options.maxBatchSize,
        retryBaseMs: this.options.retryBaseMs,
        retryMaxMs: this.options.retryMaxMs,
        ensureSchema: this.options.autoMigrate
          ? () => withoutTracing(async () => void (await migrateStore(this.store, retention)))
          : undefined,
        onIncident: (message) =>
          diag.warn(`@llm-cost/clickhouse: writing to ClickHouse failed, retrying with backoff: ${message}`),
        onBadRow: (error) => diag.error('@llm-cost/clickhouse: ClickHouse refused a row; it was dropped', error),
      },
      this.counters,
    );
    this.ticker = setInterval(() => this.tick(), this.options.flushIntervalMs);
    this.ticker.unref();
    this.stopWatchingExit = onProcessExit(() => this.writeAtExit());
  }

  /** Current counters (a copy). */
  stats(): CostPipelineStats {
    return {
      ...this.counters,
      duplicates: this.filter.counters.duplicates,
      aggregates: this.filter.counters.aggregates,
      held: this.filter.heldSpans,
      queueDepth: this.depth(),
    };
  }

  /** Calls accepted and not yet written. */
  private depth(): number {
    return this.filter.heldSpans + this.writer.depth;
  }

  /** Adds a listener called with every row as it is queued; returns a function that removes it. */
  onRow(listener: RowListener): () => void {
    this.rowListeners.add(listener);
    return () => this.rowListeners.delete(listener);
  }

  /** Submits plain spans (the collector's decoded OTLP spans, see `SpanLike`). Synchronous. */
  submit(spans: readonly SpanLike[], submitOptions: SubmitOptions = {}): SubmitResult {
    const calls: LlmCall[] = [];
    const others: SpanLike[] = [];
    for (const span of spans) {
      const call = isGenAiAttributes(span.attributes) ? mapSpan(span, submitOptions) : undefined;
      if (call) calls.push(call);
      else others.push(span);
    }
    return this.accept(calls, spans.length, submitOptions, () => {
      if (!this.filter.hasWaiters) return;
      for (const span of others) this.filter.sawSpan(span.spanId);
    });
  }

  /** Submits OpenTelemetry SDK spans (`ReadableSpan`, any SDK line). Synchronous. */
  submitReadableSpans(spans: readonly ReadableSpanLike[], submitOptions: SubmitOptions = {}): SubmitResult {
    const calls: LlmCall[] = [];
    const others: ReadableSpanLike[] = [];
    for (const span of spans) {
      const call = isGenAiAttributes(span.attributes) ? mapSpan(spanLikeFromReadableSpan(span), submitOptions) : undefined;
      if (call) calls.push(call);
      else others.push(span);
    }
    return this.accept(calls, spans.length, submitOptions, () => {
      if (!this.filter.hasWaiters) return;
      for (const span of others) this.filter.sawSpan(span.spanContext().spanId);
    });
  }

  private accept(calls: LlmCall[], received: number, submitOptions: SubmitOptions, seeOthers: () => void): SubmitResult {
    this.counters.received += received;
    const ignored = received - calls.length;
    if (this.shutdownPromise) {
      this.counters.rejected += calls.length;
      return { status: 'shut_down', accepted: 0, rejected: calls.length, ignored };
    }
    const room = Math.max(0, this.options.maxQueueSize - this.depth());
    const allOrNothing = submitOptions.allOrNothing ?? true;
    const taken = calls.length <= room ? calls : allOrNothing ? [] : calls.slice(0, room);
    const rejected = calls.length - taken.length;
    for (const call of taken) this.filter.offer(call);
    // Non-GenAI spans of the batch complete groups waiting for them as their parent, and complete groups are released
    // only now: after every span of the batch, so the order of spans inside a batch does not matter.
    seeOthers();
    this.filter.endBatch();
    this.counters.accepted += taken.length;
    if (rejected > 0) this.reportOverflow(rejected);
    else if (this.overflowing && this.depth() < this.options.maxQueueSize / 2) this.overflowing = false;
    return { status: rejected > 0 ? 'queue_full' : 'accepted', accepted: taken.length, rejected, ignored };
  }

  private reportOverflow(rejected: number): void {
    this.counters.rejected += rejected;
    if (this.overflowing) return;
    // Once per incident: the incident ends when the queue has drained to half its bound.
    this.overflowing = true;
    diag.warn(
      `@llm-cost/clickhouse: queue full (${this.options.maxQueueSize} calls waiting for ClickHouse); refusing new ` +
        `calls until it drains. Refused calls are counted in stats().rejected. Last write error: ` +
        `${this.counters.lastError ?? 'none'}`,
    );
  }

  private queueCalls(calls: LlmCall[]): void {
    for (const call of calls) {
      let priced;
      try {
        // With an overridden tenant, costs the span carries (computed for the tenant it claimed) are not trusted.
        priced = priceCall(call, this.pricer, call.tenantOverridden);
      } catch (error) {
        // The pricer promises not to throw; if it does, the call is still written, unpriced, and the bug logged.
        diag.error('@llm-cost/clickhouse: pricing failed; the call is written unpriced', error);
        priced = { status: 'unknown_model', priceVersion: this.pricer.priceVersion, pricedModel: '', costs: NO_COSTS };
      }
      if (priced.costs.totalCost === null) this.counters.unpriced += 1;
      else this.counters.priced += 1;
      if (this.rowListeners.size > 0) {
        const row = toRow(call, priced);
        for (const listener of this.rowListeners) {
          try {
            listener(row);
          } catch (error) {
            diag.error('@llm-cost/clickhouse: a row listener threw', error);
          }
        }
      }
      this.writer.enqueue(encodeCall(call, priced), call.spanId);
    }
  }

  private tick(): void {
    this.filter.releaseDue();
    this.writer.flushQueued();
  }

  /**
   * Writes every call accepted so far (held spans included: the one-charge filter releases them now; a layer of one
   * of those calls arriving later is then dropped as a duplicate, never charged twice) and resolves once those rows
   * are written, or after `timeoutMs` with how many are still pending (they stay queued and keep being retried).
   * Calls accepted after the flush began do not delay it.
   */
  async flush(timeoutMs = this.options.shutdownTimeoutMs): Promise<FlushResult> {
    this.filter.releaseAll();
    const mark = this.writer.enqueuedMark;
    const drained = await this.writer.waitSettled(mark, Date.now() + timeoutMs);
    return { drained, pending: drained ? 0 : this.writer.unsettledBefore(mark) };
  }

  /**
   * The process is exiting without a flush (see `exit/exit-listener.ts`): synchronously, release the held spans,
   * take every row not known to be written and write it to the embedded store, or count it lost and say so on
   * stderr (the one channel that is still synchronous; `diag` may go nowhere). Runs once.
   */
  private writeAtExit(): void {
    if (this.exited) return;
    this.exited = true;
    clearInterval(this.ticker);
    this.filter.releaseAll();
    const batches = this.writer.takeForExit();
    const { written, lost, reason } = writeAtExit(this.store, batches, { migrate: this.options.autoMigrate, retention: this.retention });
    this.counters.written += written;
    this.counters.lost += lost;
    if (lost === 0) return;
    const message =
      `@llm-cost/clickhouse: the process exited with ${lost} accepted LLM calls not written to ClickHouse` +
      `${written > 0 ? ` (${written} written at exit)` : ''}: they are lost (${reason}). Await the provider's ` +
      `forceFlush() or shutdown() (or the exporter's) before the process exits.`;
    diag.error(message);
    try {
      writeSync(2, `${message}\n`);
    } catch {
      // stderr is closed: diag above is all that can be done.
    }
  }

  /**
   * Stops accepting, writes everything accepted (retrying up to `shutdownTimeoutMs`), counts what could not be
   * written as lost, and closes the store if the pipeline opened it. Safe to call twice.
   */
  shutdown(): Promise<void> {
    this.shutdownPromise ??= (async () => {
      clearInterval(this.ticker);
      const { drained } = await this.flush(this.options.shutdownTimeoutMs);
      if (!drained) {
        const lost = this.writer.abandon();
        this.counters.lost += lost;
        diag.error(
          `@llm-cost/clickhouse: shut down with ${lost} calls not written (ClickHouse unreachable for ` +
            `${this.options.shutdownTimeoutMs} ms). Last error: ${this.counters.lastError ?? 'none'}`,
        );
      }
      await this.store.close();
      this.stopWatchingExit();
    })();
    return this.shutdownPromise;
  }
}
