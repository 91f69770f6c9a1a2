import { IS_CALL, RAW_TABLE, rollupByTagTable } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { planQuery } from './query-plan.js';
import type { UsageFilter } from './query-types.js';
import { dateTimeParam, dayString, type SplitRange } from './time-range.js';
import type { SqlWithParams } from './usage-sql.js';

type Rows = <T>(sql: SqlWithParams) => Promise<T[]>;

/** Raw rows read at most when a filter (a tenant, a user) keeps the tag rollup from answering. */
const MAX_SCANNED_CALLS = 200_000;

/**
 * The tag keys seen in a range, for the breakdown picker. Without a filter, from the tag rollup (every day the range
 * touches); with one, from the calls it selects in the range, reading at most {@link MAX_SCANNED_CALLS} rows: the
 * keys a tenant uses show up in any sizeable sample of its calls, and the list must come back fast.
 */
export async function readTagKeys(rows: Rows, database: string, filter: UsageFilter, range: SplitRange): Promise<string[]> {
  const plan = planQuery(filter);
  if (plan.rawWhere.length === 0) {
    const result = await rows<{ tag_key: string }>({
      query:
        `SELECT DISTINCT tag_key FROM ${qualified(database, rollupByTagTable.name)} ` +
        'WHERE day >= {first:Date} AND day <= {last:Date} ORDER BY tag_key LIMIT 1000',
      params: { first: dayString(range.from), last: dayString(Math.max(range.from, range.to - 1)) },
    });
    return result.map((row) => row.tag_key);
  }
  const result = await rows<{ tag_key: string }>({
    query:
      'SELECT DISTINCT arrayJoin(mapKeys(tags)) AS tag_key FROM (SELECT tags FROM ' +
      `${qualified(database, RAW_TABLE)} WHERE timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')} ` +
      `AND ${[IS_CALL, ...plan.rawWhere].join(' AND ')} LIMIT ${MAX_SCANNED_CALLS}) ORDER BY tag_key LIMIT 1000`,
    params: { ...plan.params, from: dateTimeParam(range.from), to: dateTimeParam(range.to) },
  });
  return result.map((row) => row.tag_key);
}
