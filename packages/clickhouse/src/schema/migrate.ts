import { openStore, type Store } from '../connection/connect.js';
import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import { MigrationError } from '../errors.js';
import { DATA_TABLES, MIGRATIONS_TABLE } from './definitions.js';
import { qualified, stringLiteral } from './identifiers.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';
import {
  createDatabaseSql,
  createMigrationsTableSql,
  retentionDaysFor,
  storageTableName,
  ttlExpression,
  type DdlTarget,
  type RetentionDays,
} from './render-ddl.js';

export interface RetentionOptions {
  /**
   * Days raw rows (`llm_calls`) are kept; `0` removes the TTL; undefined leaves the table as it is.
   * Env: `LLM_COST_RETENTION_DAYS`. @default undefined (keep forever)
   */
  retentionDays?: number;
  /**
   * Days rollup rows are kept; `0` removes the TTL; undefined leaves the tables as they are.
   * Env: `LLM_COST_ROLLUP_RETENTION_DAYS`. @default undefined (keep forever)
   */
  rollupRetentionDays?: number;
}

export interface MigrateOptions extends ClickHouseConnectionOptions, RetentionOptions {}

export interface MigrateResult {
  database: string;
  /** Versions applied by this call (empty when the schema was current). */
  applied: number[];
  /** Schema version after the call. */
  version: number;
  /** Tables whose retention TTL this call changed. */
  retentionChanged: string[];
}

/** Applies pending migrations and the retention settings. Safe to run any number of times, also concurrently. */
export async function migrate(options: MigrateOptions = {}): Promise<MigrateResult> {
  const store = openStore(options);
  try {
    return await migrateStore(store, options);
  } finally {
    await store.close();
  }
}

function envDays(name: string): number | undefined {
  const value = process.env[name];
  return value === undefined || value === '' ? undefined : Number(value);
}

export async function migrateStore(store: Store, options: RetentionOptions = {}): Promise<MigrateResult> {
  const target: DdlTarget = { database: store.database, cluster: store.cluster };
  const retention: RetentionDays = {
    raw: options.retentionDays ?? envDays('LLM_COST_RETENTION_DAYS'),
    rollup: options.rollupRetentionDays ?? envDays('LLM_COST_ROLLUP_RETENTION_DAYS'),
  };
  await store.client.command({ query: createDatabaseSql(target) });
  await store.client.command({ query: createMigrationsTableSql(target) });
  const current = await readSchemaVersion(store);
  const applied: number[] = [];
  for (const step of migrationSteps(target, retention, current)) {
    try {
      for (const statement of step.statements) await store.client.command({ query: statement });
    } catch (error) {
      throw new MigrationError(step.version, step.name, error);
    }
    applied.push(step.version);
  }
  const retentionChanged = await applyRetention(store, target, retention);
  return { database: store.database, applied, version: Math.max(current, SCHEMA_VERSION), retentionChanged };
}

/** One pending migration: its statements, the last of which records it in the history table. */
export interface MigrationStep {
  version: number;
  name: string;
  statements: string[];
}

/**
 * What brings a store at schema version `current` up to date, in order. Shared by {@link migrateStore} and the
 * synchronous exit path (`exit/write-at-exit.ts`), so the two cannot apply different schemas.
 */
export function migrationSteps(target: DdlTarget, retention: RetentionDays | undefined, current: number): MigrationStep[] {
  return MIGRATIONS.filter((migration) => migration.version > current).map((migration) => ({
    version: migration.version,
    name: migration.name,
    statements: [
      ...migration.statements(target, retention),
      `INSERT INTO ${qualified(target.database, MIGRATIONS_TABLE)} (version, name, applied_at) ` +
        `SELECT ${migration.version}, ${stringLiteral(migration.name)}, now()`,
    ],
  }));
}

/** `SELECT` of the highest applied migration (0 on an empty history). */
export function schemaVersionSql(database: string): string {
  return `SELECT toUInt32(max(version)) AS version FROM ${qualified(database, MIGRATIONS_TABLE)}`;
}

/** Highest applied migration; 0 when the store has never been migrated. */
export async function readSchemaVersion(store: Store): Promise<number> {
  try {
    const result = await store.client.query({ query: schemaVersionSql(store.database), format: 'JSONEachRow' });
    const rows = await result.json<{ version: number | string }>();
    return Number(rows[0]?.version ?? 0);
  } catch (error) {
    if (isMissingObject(error)) return 0;
    throw error;
  }
}

/** UNKNOWN_TABLE (60) or UNKNOWN_DATABASE (81). */
export function isMissingObject(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '60' || code === '81' || code === 60 || code === 81;
}

const TTL_DAYS = /\bTTL\b[^\n]*?toIntervalDay\((\d+)\)/;

async function applyRetention(store: Store, target: DdlTarget, retention: RetentionDays): Promise<string[]> {
  const changed: string[] = [];
  for (const table of DATA_TABLES) {
    const wanted = table.retention === 'raw' ? retention.raw : retention.rollup;
    if (wanted === undefined || !Number.isFinite(wanted) || wanted < 0) continue;
    const name = storageTableName(target, table.name);
    const result = await store.client.query({
      query: 'SELECT create_table_query AS ddl FROM system.tables WHERE database = {db:String} AND name = {name:String}',
      query_params: { db: store.database, name },
      format: 'JSONEachRow',
    });
    const ddl = (await result.json<{ ddl: string }>())[0]?.ddl ?? '';
    const match = TTL_DAYS.exec(ddl);
    const currentDays = match ? Number(match[1]) : undefined;
    const days = retentionDaysFor(table, retention);
    if (currentDays === days) continue;
    const cluster = target.cluster ? ` ON CLUSTER \`${target.cluster}\`` : '';
    const action = days === undefined ? 'REMOVE TTL' : `MODIFY TTL ${ttlExpression(table, days)}`;
    await store.client.command({ query: `ALTER TABLE ${qualified(store.database, name)}${cluster} ${action}` });
    changed.push(table.name);
  }
  return changed;
}
