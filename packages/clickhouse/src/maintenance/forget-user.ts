import { openStore, type Store } from '../connection/connect.js';
import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import { InvalidOptionError } from '../errors.js';
import { RAW_TABLE, rollupByTagTable, rollupByUserTable } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { storageTableName } from '../schema/render-ddl.js';
import { withoutTracing } from '../tracing/without-tracing.js';

export interface ForgetUserResult {
  userId: string;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
}

/** Every place a user id is stored as an identifier, and the condition that selects that user's rows there. */
const USER_ROWS: ReadonlyArray<{ table: string; where: string }> = [
  { table: RAW_TABLE, where: "user_id = {user_id:String} OR tags['user_id'] = {user_id:String}" },
  { table: rollupByUserTable.name, where: 'user_id = {user_id:String}' },
  { table: rollupByTagTable.name, where: "tag_key = 'user_id' AND tag_value = {user_id:String}" },
];

/**
 * Deletes every row that identifies the user: their calls in `llm_calls`, their rows in the by-user rollup and
 * their `user_id` rows in the by-tag rollup. Rollups keyed without the user (by model, by tenant, other tags) hold
 * sums that do not name anyone and keep them, so spend reports stay right. Waits until the deletions are done
 * (`mutations_sync = 2`: on every replica).
 */
export async function forgetUser(connection: ClickHouseConnectionOptions | Store, userId: string): Promise<ForgetUserResult> {
  if (typeof userId !== 'string' || userId === '') throw new InvalidOptionError('userId must be a non-empty string');
  const owned = !('client' in connection && 'kind' in connection);
  const store = owned ? openStore(connection as ClickHouseConnectionOptions) : (connection as Store);
  try {
    return await withoutTracing(async () => {
      const deleted: Record<string, number> = {};
      const cluster = store.cluster ? ` ON CLUSTER \`${store.cluster}\`` : '';
      for (const { table, where } of USER_ROWS) {
        const name = qualified(store.database, table);
        const counted = await store.client.query({
          query: `SELECT toString(count()) AS n FROM ${name} WHERE ${where}`,
          query_params: { user_id: userId },
          format: 'JSONEachRow',
        });
        deleted[table] = Number((await counted.json<{ n: string }>())[0]?.n ?? 0);
        if (deleted[table] === 0) continue;
        const storage = qualified(store.database, storageTableName({ database: store.database, cluster: store.cluster }, table));
        await store.client.command({
          query: `ALTER TABLE ${storage}${cluster} DELETE WHERE ${where} SETTINGS mutations_sync = 2`,
          query_params: { user_id: userId },
        });
      }
      return { userId, deleted };
    });
  } finally {
    if (owned) await store.close();
  }
}
