import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';

import type { Store } from '../connection/connect.js';
import { qualified } from '../schema/identifiers.js';
import { withoutTracing } from '../tracing/without-tracing.js';

/** A deduplication token from the identities of what an insert writes: the same identities, the same token. */
export function identityToken(prefix: string, identities: readonly string[]): string {
  const hash = createHash('sha256');
  for (const identity of identities) hash.update(identity).update('\n');
  return `${prefix}-${hash.digest('hex').slice(0, 40)}`;
}

/** `seconds.millis`, the text form every server version reads exactly into `DateTime64(3)`. */
export function dateTime64Text(ms: number): string {
  const whole = Math.floor(ms);
  const seconds = Math.floor(whole / 1000);
  return `${seconds}.${String(whole - seconds * 1000).padStart(3, '0')}`;
}

/**
 * Inserts rows given as objects keyed by column name (`JSONEachRow`) with a deduplication token, the way the writer
 * inserts calls: the settings travel in the statement (the embedded connection would turn client settings into
 * session `SET`s that leak into the next insert), dependent views deduplicate too, on a cluster the Distributed table
 * sends in the foreground. A retried insert with the same token is dropped by the table and by every view it feeds.
 * Runs untraced.
 */
export function insertJsonRows(
  store: Store,
  table: string,
  columns: readonly string[],
  rows: readonly Record<string, unknown>[],
  token: string,
): Promise<void> {
  if (rows.length === 0) return Promise.resolve();
  const distributed = store.cluster !== undefined ? 'insert_distributed_sync = 1, ' : '';
  const query =
    `INSERT INTO ${qualified(store.database, table)} (${columns.join(', ')}) ` +
    `SETTINGS insert_deduplicate = 1, insert_deduplication_token = '${token}', ${distributed}` +
    'deduplicate_blocks_in_dependent_materialized_views = 1, async_insert = 0 FORMAT JSONEachRow';
  const body = rows.map((row) => JSON.stringify(row)).join('\n');
  return withoutTracing(async () => {
    const result = await store.client.exec({ query, values: Readable.from([body]) });
    result.stream.resume();
    await new Promise<void>((resolve, reject) => {
      result.stream.once('end', resolve).once('close', resolve).once('error', reject);
    });
  });
}
