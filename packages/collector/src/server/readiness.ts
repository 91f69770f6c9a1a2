import { SCHEMA_VERSION, type UsageQueries } from '@llm-cost/clickhouse';

export interface Readiness {
  ok: boolean;
  /** Schema version the collector migrated the store to at start (undefined with migrations disabled). */
  schemaVersion?: number;
  /** Schema version this build writes. */
  expectedSchemaVersion: number;
  error?: string;
}

/**
 * `GET /readyz`: the store answers a usage query over the rollups (so it is reachable and the tables exist) and its
 * schema is the one this build writes. A health check returns `{ ok: false, error }` rather than throwing.
 */
export async function checkReadiness(
  queries: Pick<UsageQueries, 'usageInLast24Hours'>,
  schemaVersion: number | undefined,
  draining: boolean,
): Promise<Readiness> {
  const expectedSchemaVersion = SCHEMA_VERSION;
  const base = { expectedSchemaVersion, ...(schemaVersion === undefined ? {} : { schemaVersion }) };
  if (draining) return { ok: false, ...base, error: 'shutting down' };
  if (schemaVersion !== undefined && schemaVersion < expectedSchemaVersion) {
    return { ok: false, ...base, error: `schema version ${schemaVersion} is behind ${expectedSchemaVersion}: run llm-cost migrate` };
  }
  try {
    await queries.usageInLast24Hours();
    return { ok: true, ...base };
  } catch (error) {
    return { ok: false, ...base, error: `store not ready: ${(error as Error).message.slice(0, 300)}` };
  }
}
