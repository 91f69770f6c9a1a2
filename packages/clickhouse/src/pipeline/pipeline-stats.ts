/** Counters of a {@link CostPipeline}; cumulative since it started unless said otherwise. */
export interface CostPipelineStats {
  /** Spans submitted (GenAI or not). */
  received: number;
  /** Spans recognised as GenAI model calls and accepted. */
  accepted: number;
  /** GenAI spans dropped as another instrumentation layer (or a replay) of a call already counted. */
  duplicates: number;
  /** GenAI spans enclosing several calls (agents, chains), not charged themselves. */
  aggregates: number;
  /** Calls priced (from the price table or the provider's own figure). */
  priced: number;
  /** Calls without a price: unknown model, or no usage reported. Written with NULL costs. */
  unpriced: number;
  /** Rows confirmed written to `llm_calls`. */
  written: number;
  /** GenAI calls refused because the queue was full (overflow). */
  rejected: number;
  /** Accepted calls that were never written: still queued when `shutdown()` gave up, or rows the store refused. */
  lost: number;
  /** Calls accepted and not yet written (held + queued + being inserted). Current value. */
  queueDepth: number;
  /** Calls held for cross-layer deduplication. Current value. */
  held: number;
  /** Insert attempts that failed (each retry counts). */
  insertFailures: number;
  /** Successful inserts. */
  inserts: number;
  /** Duration of the last successful insert, in milliseconds. */
  lastWriteLatencyMs: number;
  /** Sum of successful insert durations, in milliseconds (with `inserts`, gives the mean). */
  writeLatencyMsSum: number;
  /** Message of the last insert failure, until the next success. */
  lastError: string | undefined;
}

export function emptyStats(): CostPipelineStats {
  return {
    received: 0,
    accepted: 0,
    duplicates: 0,
    aggregates: 0,
    priced: 0,
    unpriced: 0,
    written: 0,
    rejected: 0,
    lost: 0,
    queueDepth: 0,
    held: 0,
    insertFailures: 0,
    inserts: 0,
    lastWriteLatencyMs: 0,
    writeLatencyMsSum: 0,
    lastError: undefined,
  };
}
