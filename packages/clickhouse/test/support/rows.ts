import type { ClickHouseClient } from '@clickhouse/client';

/** Runs a query and returns its rows. */
export async function queryRows<T = Record<string, unknown>>(
  client: ClickHouseClient,
  query: string,
  params: Record<string, unknown> = {},
): Promise<T[]> {
  const result = await client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

/**
 * Sums every rollup table and the raw table the same way, as exact strings, so a test can assert that each view
 * holds exactly what the raw table holds (no double counting anywhere).
 */
export async function totalsPerTable(
  client: ClickHouseClient,
  database: string,
  // Adjustment rows of llm_calls add cost, not calls, as in the rollups (a version 1 store has no row_kind: count()).
  rawCalls = "countIf(row_kind = 'call')",
): Promise<Record<string, { calls: number; cost: string; input: number }>> {
  const tables = ['llm_calls', 'llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant'];
  const totals: Record<string, { calls: number; cost: string; input: number }> = {};
  for (const table of tables) {
    const calls = table === 'llm_calls' ? rawCalls : 'sum(calls)';
    const cost = table === 'llm_calls' ? 'sum(ifNull(total_cost, 0))' : 'sum(total_cost)';
    const [row] = await queryRows<{ calls: string | number; cost: string; input: string | number }>(
      client,
      `SELECT toString(${calls}) AS calls, toDecimalString(${cost}, 9) AS cost, toString(sum(input_tokens)) AS input FROM \`${database}\`.${table}`,
    );
    totals[table] = { calls: Number(row?.calls), cost: row?.cost ?? '', input: Number(row?.input) };
  }
  return totals;
}
