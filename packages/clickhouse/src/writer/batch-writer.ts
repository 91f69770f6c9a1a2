import type { Store } from '../connection/connect.js';
import type { CostPipelineStats } from '../pipeline/pipeline-stats.js';
import { batchToken, insertBatch, type Batch } from './insert-batch.js';
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
    return lost;
  }

  /**
   * Turns the queued rows into one batch when a batch is full (or, with `all`, whatever is queued). Pieces never
   * straddle a batch boundary: `enqueue` joins the pending rows as soon as they fill a batch.
   */
  private cutBatches(all: boolean): void {
    if (this.queuedIds.length >= this.options.maxBatchSize || (all && this.queuedIds.length > 0)) {
      this.joinPending();
      const ids = this.queuedIds;
      const body = this.pieces.length === 1 ? this.pieces[0]! : this.pieces.join('\n');
      this.batches.push({ body, rows: this.pieceRows, token: batchToken(ids), attempts: 0 });
      this.pieces = [];
      this.pieceRows = 0;
      this.queuedIds = [];
    }
    if (this.batches.length > 0) this.pump();
  }

  private pump(): void {
    if (this.pumping || this.abandoned) return;
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
        batch.attempts += 1;
        await insertBatch(this.store, batch);
        const latency = performance.now() - started;
        // An insert in flight when the writer was abandoned was counted as lost; it landed after all.
        if (this.abandoned) this.stats.lost -= batch.rows;
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

  /**
   * The store refused the rows themselves. Nothing of a refused block was written, so halves of it can be sent as
   * new batches (with their own tokens) until the offending rows are isolated; those are dropped and counted.
   */
  private splitBadBatch(batch: Batch, error: unknown): void {
    if (batch.rows === 1) {
      this.stats.lost += 1;
      this.options.onBadRow(error);
      return;
    }
    // Encoded rows never contain a raw newline (JSON escapes it), so the body splits back into its rows exactly.
    const lines = batch.body.split('\n');
    const middle = Math.ceil(lines.length / 2);
    const halves = [lines.slice(0, middle), lines.slice(middle)];
    this.batches.unshift(
      ...halves.map((half, index) => ({
        body: half.join('\n'),
        rows: half.length,
        token: `${batch.token}-${index === 0 ? 'a' : 'b'}`,
        attempts: 0,
      })),
    );
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
