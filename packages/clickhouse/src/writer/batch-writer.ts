import type { Store } from '../connection/connect.js';
import { processExiting } from '../exit/exit-listener.js';
import type { CostPipelineStats } from '../pipeline/pipeline-stats.js';
import { batchToken, insertBatch, splitBatch, type Batch } from './insert-batch.js';
import { backoffDelayMs, classifyInsertFailure } from './insert-outcome.js';

/**
 * Rows per piece of a queued batch: about 200 KB of encoded rows, enough for V8 to allocate the joined string in its
 * large-object space (over 128 KB), which scavenges never copy.
 */
const PIECE_ROWS = 512;

export interface BatchWriterOptions {
  maxBatchSize: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Makes sure the schema exists before the first insert and after a "table missing" failure. */
  ensureSchema: (() => Promise<void>) | undefined;
  /** Called once per failure incident (the first failure after a success), not per retry. */
  onIncident: (message: string) => void;
  /** Called when the store refused single rows as bad data and they were dropped. */
  onBadRow: (error: unknown) => void;
}

/**
 * The write side of the pipeline: encoded rows are grouped into batches of at most `maxBatchSize`, each frozen with
 * its deduplication token before the first attempt and retried unchanged (jittered exponential backoff) until it
 * lands, so a retry after an ambiguous failure can never count twice. One insert runs at a time.
 */
export class BatchWriter {
  /** Encoded rows not yet joined into a piece (fewer than {@link PIECE_ROWS}). */
  private pendingLines: string[] = [];
  /** Queued rows joined into pieces, each under the next batch's size. */
  private pieces: string[] = [];
  /** Rows in `pieces`. */
  private pieceRows = 0;
  private queuedIds: string[] = [];
  private readonly batches: Batch[] = [];
  private inFlight: Batch | undefined;
  private pumping = false;
  private abandoned = false;
  private schemaReady: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  /** Rows ever enqueued, and rows settled (written, or dropped as bad data / abandoned): settled is always a prefix. */
  private enqueuedRows = 0;
  private settledRows = 0;
  /** Waiters of {@link waitSettled}, in the order of their targets (targets only grow). */
  private readonly settleWaiters: Array<{ target: number; resolve: () => void }> = [];
  private inIncident = false;

  constructor(
    private readonly store: Store,
    private readonly options: BatchWriterOptions,
    private readonly stats: CostPipelineStats,
  ) {}

  /** Rows accepted and not yet written. */
  get depth(): number {
    if (this.abandoned) return 0;
    let depth = this.queuedIds.length + (this.inFlight?.rows ?? 0);
    for (const batch of this.batches) depth += batch.rows;
    return depth;
  }

  /**
   * Queues one encoded row. Rows are joined into pieces of a few hundred as they arrive: a piece is one large string
   * (kept outside the young generation), where thousands of queued lines would be copied by every scavenge until the
   * batch is written (~1 µs per row of garbage collection at 10,000-row batches, measured).
   */
  enqueue(line: string, identity: string): void {
    this.enqueuedRows += 1;
    this.pendingLines.push(line);
    this.queuedIds.push(identity);
    if (this.pendingLines.length >= PIECE_ROWS || this.queuedIds.length >= this.options.maxBatchSize) this.joinPending();
    if (this.queuedIds.length >= this.options.maxBatchSize) this.cutBatches(false);
  }

  private joinPending(): void {
    if (this.pendingLines.length === 0) return;
    this.pieces.push(this.pendingLines.join('\n'));
    this.pieceRows += this.pendingLines.length;
    this.pendingLines = [];
  }

  /** Turns every queued row into batches and starts writing them. */
  flushQueued(): void {
    this.cutBatches(true);
  }

  /**
   * Resolves true once nothing is queued or in flight, or false at `deadline` (ms since epoch).
   * The deadline timer is not `unref()`'d, unlike the background timers: someone awaits this (flush, shutdown), so
   * the process must stay alive for it. Otherwise, while a failed batch waits out its (unref'd) backoff, an
   * application awaiting `shutdown()` at the end of its script would exit mid-shutdown: nothing written, nothing
   * counted as lost.
   */
  async waitIdle(deadline: number): Promise<boolean> {
    this.flushQueued();
    if (this.depth === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => this.idleWaiters.push(() => resolve(true)));
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([idle, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Rows enqueued so far: a mark to pass to {@link waitSettled}. */
  get enqueuedMark(): number {
    return this.enqueuedRows;
  }

  /** Rows of those enqueued before `mark` that are not settled yet. */
  unsettledBefore(mark: number): number {
    return Math.max(0, mark - this.settledRows);
  }

  /**
   * Resolves true once every row enqueued before `mark` is settled (written, or dropped and counted as lost), or
   * false at `deadline`. Rows enqueued later do not delay it: under steady traffic a flush ends when what was there
   * at its start is written, not when the queue happens to be empty. Batches are written strictly in order (one
   * insert at a time; the halves of a refused batch go back to the front), so the settled rows are always a prefix.
   * The deadline timer is not `unref()`'d, for the reason given at {@link waitIdle}.
   */
  async waitSettled(mark: number, deadline: number): Promise<boolean> {
    this.flushQueued();
    if (this.settledRows >= mark) return true;
    let timer: NodeJS.Timeout | undefined;
    const settled = new Promise<boolean>((resolve) => {
      const waiter = { target: mark, resolve: () => resolve(true) };
      let index = this.settleWaiters.length;
      while (index > 0 && this.settleWaiters[index - 1]!.target > mark) index -= 1;
      this.settleWaiters.splice(index, 0, waiter);
    });
    const timeout = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
    });
    try {
      return await Promise.race([settled, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(rows: number): void {
    this.settledRows += rows;
    while (this.settleWaiters.length > 0 && this.settleWaiters[0]!.target <= this.settledRows) this.settleWaiters.shift()!.resolve();
  }

  /** Stops writing; returns how many accepted rows were not written. */
  abandon(): number {
    const lost = this.depth;
    this.abandoned = true;
    this.pendingLines = [];
    this.pieces = [];
    this.pieceRows = 0;
    this.queuedIds = [];
    this.batches.length = 0;
    this.stopWaiting();
    this.settle(this.enqueuedRows - this.settledRows);
    return lost;
  }

  /**
   * For a process that is exiting: stops writing and hands back every batch not known to be written, in order (the
   * one in flight first: it may land or not, and its token makes a second copy count once), with the queued rows cut
   * into a last batch. Nothing asynchronous can run any more, so the caller writes them synchronously or counts them.
   */
  takeForExit(): Batch[] {
    // Abandoned first, so cutting the last batch starts no insert.
    this.abandoned = true;
    this.cutBatches(true);
    const batches = [...(this.inFlight ? [this.inFlight] : []), ...this.batches];
    this.batches.length = 0;
    this.stopWaiting();
    return batches;
  }

  /**
   * Turns the queued rows into one batch when a batch is full (or, with `all`, whatever is queued). Pieces never
   * straddle a batch boundary: `enqueue` joins the pending rows as soon as they fill a batch.
   *
   * While an insert is retried (a store outage) or slow, the batches behind it wait, and each tick would add one of
   * its own rows: after a 30 s outage, one small insert per tick of the outage (the outage suite's exporter: 89
   * inserts for 310 rows, 16 s to recover on a loaded machine; with this, 9 inserts, written before the test asked).
   * So queued rows join the last waiting batch instead, as long as it was never sent (its token has not been used,
   * so it may still change) and stays within `maxBatchSize`.
   */
  private cutBatches(all: boolean): void {
    if (this.queuedIds.length >= this.options.maxBatchSize || (all && this.queuedIds.length > 0)) {
      this.joinPending();
      const ids = this.queuedIds;
      const body = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('\n');
      const last = this.batches[this.batches.length - 1];
      if (last?.ids !== undefined && last.rows + this.pieceRows <= this.options.maxBatchSize) {
        last.body = `${last.body}\n${body}`;
        last.rows += this.pieceRows;
        for (const id of ids) last.ids.push(id);
        last.token = batchToken(last.ids);
      } else {
        this.batches.push({ body, rows: this.pieceRows, token: batchToken(ids), attempts: 0, ids });
      }
      this.pieces = [];
      this.pieceRows = 0;
      this.queuedIds = [];
    }
    if (this.batches.length > 0) this.pump();
  }

  private pump(): void {
    // While the process exits, nothing asynchronous may start: the exit path writes the batches itself.
    if (this.pumping || this.abandoned || processExiting()) return;
    this.pumping = true;
    void this.run().finally(() => {
      this.pumping = false;
      if (this.depth === 0) for (const resolve of this.idleWaiters.splice(0)) resolve();
    });
  }

  private async run(): Promise<void> {
    while (!this.abandoned) {
      const batch = this.batches.shift();
      if (!batch) return;
      this.inFlight = batch;
      try {
        await this.write(batch);
      } finally {
        this.inFlight = undefined;
      }
    }
  }

  /** Writes one batch, retrying until it lands, is refused as bad data, or the writer is abandoned. */
  private async write(batch: Batch): Promise<void> {
    while (!this.abandoned) {
      const started = performance.now();
      try {
        await this.ensureSchema();
        // Frozen from its first attempt on: every retry sends the same rows with the same token.
        batch.ids = undefined;
        batch.attempts += 1;
        await insertBatch(this.store, batch);
        const latency = performance.now() - started;
        // An insert in flight when the writer was abandoned was counted as lost; it landed after all. (Its rows were
        // settled when it was abandoned.)
        if (this.abandoned) this.stats.lost -= batch.rows;
        else this.settle(batch.rows);
        this.stats.written += batch.rows;
        this.stats.inserts += 1;
        this.stats.lastWriteLatencyMs = latency;
        this.stats.writeLatencyMsSum += latency;
        this.stats.lastError = undefined;
        this.inIncident = false;
        return;
      } catch (error) {
        this.stats.insertFailures += 1;
        this.stats.lastError = error instanceof Error ? error.message : String(error);
        if (!this.inIncident) {
          this.inIncident = true;
          this.options.onIncident(this.stats.lastError);
        }
        const kind = classifyInsertFailure(error);
        if (kind === 'missing_schema') this.schemaReady = undefined;
        if (kind === 'bad_data') {
          this.splitBadBatch(batch, error);
          return;
        }
        await this.sleep(backoffDelayMs(batch.attempts, this.options.retryBaseMs, this.options.retryMaxMs));
      }
    }
  }

  private ensureSchema(): Promise<void> {
    const ensure = this.options.ensureSchema;
    if (!ensure) return Promise.resolve();
    // A failed migration is forgotten so the next attempt migrates again.
    this.schemaReady ??= ensure().catch((error: unknown) => {
      this.schemaReady = undefined;
      throw error;
    });
    return this.schemaReady;
  }

  /** The store refused the rows themselves: their halves are written as new batches until the bad rows are alone. */
  private splitBadBatch(batch: Batch, error: unknown): void {
    if (batch.rows === 1) {
      this.stats.lost += 1;
      this.settle(1);
      this.options.onBadRow(error);
      return;
    }
    this.batches.unshift(...splitBatch(batch));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.wakeTimer = setTimeout(resolve, ms);
      this.wakeTimer.unref();
    });
  }

  private stopWaiting(): void {
    clearTimeout(this.wakeTimer);
    this.wake?.();
    this.wake = undefined;
  }
}
