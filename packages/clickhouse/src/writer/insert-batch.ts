import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type { Store } from '../connection/connect.js';
import { RAW_TABLE } from '../schema/definitions.js';
import { withoutTracing } from '../tracing/without-tracing.js';
import { qualified } from '../schema/identifiers.js';
import { ROW_COLUMNS } from './llm-call-row.js';

/** A batch of encoded rows, frozen at its first attempt: every retry sends the same bytes with the same token. */
export interface Batch {
  /** The encoded rows, one per line (`JSONCompactEachRow`). */
  body: string;
  rows: number;
  /** Deterministic from the rows' identities, see {@link batchToken}. */
  token: string;
  attempts: number;
  /** The rows' identities while the batch has never been sent: until then it may still grow (see `BatchWriter`). */
  ids?: string[];
}

/**
 * The deduplication token of a batch: a hash of its rows' span ids in order (64 random bits each). The same rows always give
 * the same token, so ClickHouse drops a retried batch whose first attempt landed, in `llm_calls` and (with
 * `deduplicate_blocks_in_dependent_materialized_views`) in every rollup.
 */
export function batchToken(identities: readonly string[]): string {
  // One update of the joined ids (the same bytes as one update per id and newline, without 2 native calls a row).
  const hash = createHash('sha256').update(identities.length === 0 ? '' : `${identities.join('\n')}\n`);
  return `llm-cost-v1-${hash.digest('hex').slice(0, 40)}`;
}

/**
 * The two halves of a batch the store refused as bad data. Nothing of a refused block was written, so each half is a
 * new batch with a token of its own (derived from the parent's, so a retried half still deduplicates); halving again
 * isolates the offending rows. Encoded rows never contain a raw newline (JSON escapes it), so the body splits back
 * into its rows exactly.
 */
export function splitBatch(batch: Batch): [Batch, Batch] {
  const lines = batch.body.split('\n');
  const middle = Math.ceil(lines.length / 2);
  const half = (part: string[], suffix: string): Batch => ({
    body: part.join('\n'),
    rows: part.length,
    token: `${batch.token}-${suffix}`,
    attempts: 0,
  });
  return [half(lines.slice(0, middle), 'a'), half(lines.slice(middle), 'b')];
}

/**
 * The settings travel in the statement's own SETTINGS clause rather than as client settings: the embedded
 * connection turns client settings into session-wide `SET`s that would leak the token into the next insert.
 * async_insert is off because asynchronous inserts deduplicate differently. optimize_on_insert is off because the
 * views already aggregate each block (it would merge them again on insert: 15% of the engine's insert CPU, measured).
 */
export function insertStatement(database: string, token: string, cluster = false): string {
  // On a cluster the insert goes through the Distributed table; sending to the shards in the foreground passes the
  // token on to each shard's replicated table (insert_distributed_sync: the older name servers still accept).
  const distributed = cluster ? 'insert_distributed_sync = 1, ' : '';
  return (
    `INSERT INTO ${qualified(database, RAW_TABLE)} (${ROW_COLUMNS.join(', ')}) ` +
    `SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${token}', ${distributed}` +
    'deduplicate_blocks_in_dependent_materialized_views = 1, async_insert = 0, optimize_on_insert = 0 ' +
    'FORMAT JSONCompactEachRow'
  );
}

/** Sends one batch. Runs with tracing suppressed so an HTTP instrumentation does not trace our own writes. */
export function insertBatch(store: Store, batch: Batch): Promise<void> {
  return withoutTracing(async () => {
    const result = await store.client.exec({
      query: insertStatement(store.database, batch.token, store.cluster !== undefined),
      values: Readable.from([batch.body]),
    });
    // exec leaves the response stream open; drain it so the socket returns to the pool.
    result.stream.resume();
    await new Promise<void>((resolve, reject) => {
      result.stream.once('end', resolve).once('close', resolve).once('error', reject);
    });
  });
}
