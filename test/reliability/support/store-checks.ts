/**
 * What the reliability suites check in ClickHouse, over any `@clickhouse/client` client (a server by URL, the test
 * HTTP endpoint, or the embedded engine): every table of a database, counted, compared with the raw table, or read in
 * full and searched for strings that must never be stored.
 */
import type { ClickHouseClient } from '@clickhouse/client';
import { expect } from 'vitest';

async function rows<T>(client: ClickHouseClient, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

/** Tables of `database` that hold rows (materialized views excluded: they write to their `TO` tables). */
export async function dataTables(client: ClickHouseClient, database: string): Promise<string[]> {
  const tables = await rows<{ name: string }>(
    client,
    "SELECT name FROM system.tables WHERE database = {db:String} AND engine NOT LIKE '%View' ORDER BY name",
    { db: database },
  );
  return tables.map((t) => t.name);
}

/** Every table and view of `database`, with its engine (to prove nothing was created or dropped). */
export async function schemaObjects(client: ClickHouseClient, database: string): Promise<string[]> {
  const tables = await rows<{ name: string; engine: string }>(
    client,
    'SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name',
    { db: database },
  );
  return tables.map((t) => `${t.name}:${t.engine}`);
}

/** Row count of every data table of `database`. */
export async function rowCounts(client: ClickHouseClient, database: string): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const table of await dataTables(client, database)) {
    const [row] = await rows<{ n: string }>(client, `SELECT toString(count()) AS n FROM \`${database}\`.\`${table}\``);
    counts[table] = Number(row?.n);
  }
  return counts;
}

/** Rows of the llm-cost data tables (the migrations bookkeeping table excluded). */
export async function callRowCounts(client: ClickHouseClient, database: string): Promise<Record<string, number>> {
  const counts = await rowCounts(client, database);
  delete counts.llm_cost_schema_migrations;
  return counts;
}

/**
 * Reads every row of every table of every given database as JSON text and returns where any of `needles` appears
 * (a full-text scan of every String column, keys and values of maps included).
 */
export async function findInTables(
  client: ClickHouseClient,
  databases: readonly string[],
  needles: readonly string[],
): Promise<{ hits: string[]; tables: number; rows: number; bytes: number }> {
  const hits: string[] = [];
  let tables = 0;
  let rowCount = 0;
  let bytes = 0;
  for (const database of databases) {
    for (const table of await dataTables(client, database)) {
      tables++;
      const result = await client.query({ query: `SELECT * FROM \`${database}\`.\`${table}\``, format: 'JSONEachRow' });
      const text = await result.text();
      bytes += text.length;
      rowCount += text === '' ? 0 : text.trimEnd().split('\n').length;
      for (const needle of needles) if (text.includes(needle)) hits.push(`${database}.${table} contains ${needle}`);
    }
  }
  return { hits, tables, rows: rowCount, bytes };
}

const MEASURES = [
  ['calls', 'count()', 'sum(calls)'],
  ['unpriced_calls', "countIf(pricing_status = 'unknown_model')", 'sum(unpriced_calls)'],
  ['unknown_usage_calls', "countIf(usage_source = 'unknown')", 'sum(unknown_usage_calls)'],
  ['error_calls', "countIf(error_type != '')", 'sum(error_calls)'],
  ['input_tokens', 'sum(input_tokens)', 'sum(input_tokens)'],
  ['cache_read_tokens', 'sum(cache_read_tokens)', 'sum(cache_read_tokens)'],
  ['cache_write_tokens', 'sum(cache_write_tokens)', 'sum(cache_write_tokens)'],
  ['output_tokens', 'sum(output_tokens)', 'sum(output_tokens)'],
  ['reasoning_tokens', 'sum(reasoning_tokens)', 'sum(reasoning_tokens)'],
  ['total_cost', 'sum(ifNull(total_cost, 0))', 'sum(total_cost)'],
  ['billed_cost', 'sum(ifNull(billed_cost, 0))', 'sum(billed_cost)'],
] as const;

function measureList(side: 1 | 2): string {
  return MEASURES.map(([name, raw, rollup]) => {
    const expression = side === 1 ? raw : rollup;
    return name.endsWith('_cost') ? `toDecimalString(${expression}, 9) AS ${name}` : `toString(${expression}) AS ${name}`;
  }).join(', ');
}

/**
 * Asserts that every daily rollup holds exactly what the raw table holds, day by day and measure by measure (and,
 * for the tag rollup, tag key by tag key), and that no call appears twice in the raw table: nothing counted twice,
 * nothing missing. Returns the raw totals.
 */
export async function expectRollupsMatchRaw(client: ClickHouseClient, database: string): Promise<Record<string, string>> {
  const db = `\`${database}\``;
  const [unique] = await rows<{ calls: string; distinct: string }>(
    client,
    `SELECT toString(count()) AS calls, toString(uniqExact(trace_id, span_id)) AS distinct FROM ${db}.llm_calls`,
  );
  expect(unique!.distinct, `${database}: a call appears twice in llm_calls`).toBe(unique!.calls);

  const raw = await rows<Record<string, string>>(
    client,
    `SELECT toString(toDate(timestamp)) AS day, ${measureList(1)} FROM ${db}.llm_calls GROUP BY day ORDER BY day`,
  );
  const rollups = (await dataTables(client, database)).filter((t) => t.startsWith('llm_daily_'));
  expect(rollups.length, 'rollup tables').toBeGreaterThanOrEqual(4);
  for (const table of rollups) {
    if (table === 'llm_daily_by_tag') continue;
    const rolled = await rows<Record<string, string>>(
      client,
      `SELECT toString(day) AS day, ${measureList(2)} FROM ${db}.${table} GROUP BY day ORDER BY day`,
    );
    expect(rolled, `${database}.${table} equals llm_calls day by day`).toEqual(raw);
  }
  const tagMeasures = 'toString(count()) AS calls, toString(sum(input_tokens)) AS input, toDecimalString(sum(ifNull(total_cost, 0)), 9) AS cost';
  const rawTags = await rows(
    client,
    `SELECT tag_key, ${tagMeasures} FROM ${db}.llm_calls ARRAY JOIN mapKeys(tags) AS tag_key GROUP BY tag_key ORDER BY tag_key`,
  );
  const rolledTags = await rows(
    client,
    `SELECT tag_key, toString(sum(calls)) AS calls, toString(sum(input_tokens)) AS input, toDecimalString(sum(total_cost), 9) AS cost ` +
      `FROM ${db}.llm_daily_by_tag GROUP BY tag_key ORDER BY tag_key`,
  );
  expect(rolledTags, `${database}.llm_daily_by_tag equals llm_calls tag by tag`).toEqual(rawTags);

  const [totals] = await rows<Record<string, string>>(client, `SELECT ${measureList(1)} FROM ${db}.llm_calls`);
  return totals!;
}
