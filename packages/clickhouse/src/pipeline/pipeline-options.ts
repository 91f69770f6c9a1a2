import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import type { CostPricer } from '../pricing/pricer.js';
import type { RetentionOptions } from '../schema/migrate.js';

/** Options of {@link CostPipeline} and of `ClickHouseCostExporter` (which wraps one). */
export interface CostPipelineOptions extends ClickHouseConnectionOptions, RetentionOptions {
  /**
   * Prices calls. A pricer from `@llm-cost/pricing`'s `createPricer()` (price snapshot, overrides, tenant markups).
   * @default the process-default pricer of `@llm-cost/pricing` (env `LLM_COST_PRICES_FILE`, ...)
   */
  pricer?: CostPricer;
  /** Apply pending schema migrations before the first write. @default true */
  autoMigrate?: boolean;
  /**
   * Most calls accepted but not yet written (held for deduplication, queued, or being inserted). Beyond it, new
   * calls are refused and counted (`rejected`), never dropped silently. @default 100000
   */
  maxQueueSize?: number;
  /** Most rows per INSERT. Larger batches mean fewer parts for ClickHouse to merge. @default 10000 */
  maxBatchSize?: number;
  /** Queued rows are written at least this often, in milliseconds. @default 1000 */
  flushIntervalMs?: number;
  /**
   * How long a GenAI span whose parent has not arrived yet waits for it (another instrumentation's span of the same
   * call may still come in a later export batch). @default 10000
   */
  dedupHoldMs?: number;
  /**
   * How long a call described only by other instrumentations waits for our fetch-level span, which can end (and be
   * exported) after the SDK span around it; our span carries the tags. @default 2000
   */
  dedupSettleMs?: number;
  /** Most spans held for deduplication at once; beyond it the oldest are released early. @default 20000 */
  maxHeldSpans?: number;
  /** Keys remembered about charged calls to drop late layers and replays (about three per call). @default 300000 */
  dedupMemorySize?: number;
  /** First retry delay after a failed insert, in milliseconds; doubles per attempt, with jitter. @default 250 */
  retryBaseMs?: number;
  /** Longest retry delay, in milliseconds. @default 30000 */
  retryMaxMs?: number;
  /**
   * How long `shutdown()` keeps retrying to write what was accepted before it gives up and counts the rest as lost.
   * @default 30000
   */
  shutdownTimeoutMs?: number;
}

export interface ResolvedPipelineOptions {
  autoMigrate: boolean;
  maxQueueSize: number;
  maxBatchSize: number;
  flushIntervalMs: number;
  dedupHoldMs: number;
  dedupSettleMs: number;
  maxHeldSpans: number;
  dedupMemorySize: number;
  retryBaseMs: number;
  retryMaxMs: number;
  shutdownTimeoutMs: number;
}

function clamp(name: string, value: number | undefined, fallback: number, min: number, max: number, warn: (message: string) => void): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value)) {
    warn(`${name} must be a finite number; using ${fallback}`);
    return fallback;
  }
  if (value < min || value > max) {
    const clamped = Math.min(max, Math.max(min, value));
    warn(`${name}=${value} is out of range [${min}, ${max}]; using ${clamped}`);
    return clamped;
  }
  return value;
}

/** Impossible values are clamped with a warning rather than thrown (house style). */
export function resolvePipelineOptions(options: CostPipelineOptions, warn: (message: string) => void): ResolvedPipelineOptions {
  const maxQueueSize = clamp('maxQueueSize', options.maxQueueSize, 100_000, 1, 10_000_000, warn);
  return {
    autoMigrate: options.autoMigrate ?? true,
    maxQueueSize,
    maxBatchSize: clamp('maxBatchSize', options.maxBatchSize, 10_000, 1, 1_000_000, warn),
    flushIntervalMs: clamp('flushIntervalMs', options.flushIntervalMs, 1000, 10, 3_600_000, warn),
    dedupHoldMs: clamp('dedupHoldMs', options.dedupHoldMs, 10_000, 0, 3_600_000, warn),
    dedupSettleMs: clamp('dedupSettleMs', options.dedupSettleMs, 2000, 0, 3_600_000, warn),
    maxHeldSpans: clamp('maxHeldSpans', options.maxHeldSpans, Math.min(20_000, maxQueueSize), 0, maxQueueSize, warn),
    dedupMemorySize: clamp('dedupMemorySize', options.dedupMemorySize, 300_000, 0, 100_000_000, warn),
    retryBaseMs: clamp('retryBaseMs', options.retryBaseMs, 250, 1, 3_600_000, warn),
    retryMaxMs: clamp('retryMaxMs', options.retryMaxMs, 30_000, 1, 3_600_000, warn),
    shutdownTimeoutMs: clamp('shutdownTimeoutMs', options.shutdownTimeoutMs, 30_000, 0, 3_600_000, warn),
  };
}
