import {
  DATA_TABLES,
  DEDUPLICATION_WINDOW,
  MIGRATIONS_TABLE,
  PLAIN_VIEWS,
  ROLLUP_VIEWS,
  type ColumnDefinition,
  type MaterializedViewDefinition,
  type PlainViewDefinition,
  type TableDefinition,
} from './definitions.js';
import { qualified, stringLiteral } from './identifiers.js';

/** Where the DDL goes: one database, optionally a cluster (then `ON CLUSTER`, replicated and distributed tables). */
export interface DdlTarget {
  database: string;
  /** Cluster name from the server's `remote_servers`; undefined for a single node or the embedded store. */
  cluster?: string;
}

/** Retention in days; undefined = keep forever. */
export interface RetentionDays {
  raw?: number;
  rollup?: number;
}

/**
 * On a cluster the data lives in `<name>_local` (replicated, one per shard) and `<name>` is the `Distributed`
 * table over them, so every query and insert uses the same names on a single node and on a cluster.
 */
export function storageTableName(target: DdlTarget, table: string): string {
  return target.cluster ? `${table}_local` : table;
}

function onCluster(target: DdlTarget): string {
  return target.cluster ? ` ON CLUSTER \`${target.cluster}\`` : '';
}

/** One column as it appears in `CREATE TABLE` and `ADD COLUMN`. */
export function columnSql(column: ColumnDefinition): string {
  const defaultSql = column.default === undefined ? '' : ` DEFAULT ${column.default}`;
  return `\`${column.name}\` ${column.type}${defaultSql} COMMENT ${stringLiteral(column.comment)}`;
}

function columnsSql(table: TableDefinition): string {
  return table.columns.map((column) => `  ${columnSql(column)}`).join(',\n');
}

export function ttlExpression(table: TableDefinition, days: number): string {
  // TTL must evaluate to Date or DateTime; DateTime64 is converted explicitly so older servers accept it too.
  const column = table.ttlColumn === 'timestamp' ? `toDateTime(${table.ttlColumn})` : table.ttlColumn;
  return `${column} + toIntervalDay(${days})`;
}

function engineSql(target: DdlTarget, table: TableDefinition): string {
  if (!target.cluster) return table.engine;
  const storage = storageTableName(target, table.name);
  return `Replicated${table.engine}('/clickhouse/tables/{shard}/{database}/${storage}', '{replica}')`;
}

function settingsSql(target: DdlTarget): string {
  // Replicated tables deduplicate inserts by default (window of 1000 blocks on recent servers); the window is set
  // explicitly on both engines so a batch retried after a long outage is still recognised.
  return target.cluster
    ? `replicated_deduplication_window = ${DEDUPLICATION_WINDOW}`
    : `non_replicated_deduplication_window = ${DEDUPLICATION_WINDOW}`;
}

export function retentionDaysFor(table: TableDefinition, retention: RetentionDays | undefined): number | undefined {
  const days = table.retention === 'raw' ? retention?.raw : retention?.rollup;
  return days && days > 0 ? days : undefined;
}

/** `CREATE TABLE` for one data table (on a cluster: the replicated `_local` table). */
export function createTableSql(target: DdlTarget, table: TableDefinition, retention?: RetentionDays): string {
  const days = retentionDaysFor(table, retention);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(target.database, storageTableName(target, table.name))}${onCluster(target)}`,
    `(\n${columnsSql(table)}\n)`,
    `ENGINE = ${engineSql(target, table)}`,
    `PARTITION BY ${table.partitionBy}`,
    `ORDER BY (${table.orderBy.join(', ')})`,
    ...(days ? [`TTL ${ttlExpression(table, days)}`] : []),
    `SETTINGS ${settingsSql(target)}`,
    `COMMENT ${stringLiteral(table.comment)}`,
  ].join('\n');
}

/** On a cluster: the `Distributed` table with the plain name over the `_local` tables. */
export function createDistributedTableSql(target: DdlTarget & { cluster: string }, table: TableDefinition): string {
  // Raw rows are sharded by trace so a retried batch goes to the same shards in the same order and each shard's
  // replicated deduplication recognises its part of it (an adjustment lands on the shard of its call). Rollups are
  // written by views on each shard, never through this table, so their sharding key only matters for manual inserts.
  const shardingKey = table.shardingKey ?? 'rand()';
  const local = storageTableName(target, table.name);
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(target.database, table.name)}${onCluster(target)}`,
    `AS ${qualified(target.database, local)}`,
    `ENGINE = Distributed(\`${target.cluster}\`, \`${target.database}\`, \`${local}\`, ${shardingKey})`,
  ].join('\n');
}

function viewSelectSql(target: DdlTarget, view: MaterializedViewDefinition): string {
  return view.select.replace('{from}', qualified(target.database, storageTableName(target, view.from)));
}

/** `CREATE MATERIALIZED VIEW ... TO <rollup>`; on a cluster it runs on each shard over the local tables. */
export function createViewSql(target: DdlTarget, view: MaterializedViewDefinition): string {
  return [
    `CREATE MATERIALIZED VIEW IF NOT EXISTS ${qualified(target.database, view.name)}${onCluster(target)}`,
    `TO ${qualified(target.database, storageTableName(target, view.to))}`,
    `AS ${viewSelectSql(target, view)}`,
  ].join('\n');
}

/**
 * `CREATE VIEW` for a plain view. It reads the plain table names, which on a cluster are the `Distributed` tables, so
 * the view sees every shard from any node.
 */
export function createPlainViewSql(target: DdlTarget, view: PlainViewDefinition): string {
  return [
    `CREATE VIEW IF NOT EXISTS ${qualified(target.database, view.name)}${onCluster(target)}`,
    `AS ${view.select.replaceAll('{table}', qualified(target.database, view.from))}`,
    `COMMENT ${stringLiteral(view.comment)}`,
  ].join('\n');
}

/**
 * Replaces a view's query in place (`ALTER TABLE ... MODIFY QUERY`, ClickHouse >= 23.11 without settings). The view
 * writes to its `TO` table, which keeps every row it has: nothing is re-read (no double counting) and, unlike
 * dropping and re-creating the view, no insert can slip through while the view is missing. Running it twice is
 * harmless.
 */
export function modifyViewQuerySql(target: DdlTarget, view: MaterializedViewDefinition): string {
  return `ALTER TABLE ${qualified(target.database, view.name)}${onCluster(target)} MODIFY QUERY\n${viewSelectSql(target, view)}`;
}

/**
 * `ADD COLUMN IF NOT EXISTS` for a column of a table's definition (placed after the column before it), on the storage
 * table and, on a cluster, on the `Distributed` table too (it does not follow its local tables by itself).
 */
export function addColumnSql(target: DdlTarget, table: TableDefinition, columnName: string): string[] {
  const index = table.columns.findIndex((column) => column.name === columnName);
  const column = table.columns[index];
  if (column === undefined) throw new Error(`${table.name} defines no column ${columnName}`);
  const after = index > 0 ? ` AFTER \`${table.columns[index - 1]!.name}\`` : ' FIRST';
  const alter = (name: string) =>
    `ALTER TABLE ${qualified(target.database, name)}${onCluster(target)} ADD COLUMN IF NOT EXISTS ${columnSql(column)}${after}`;
  const names = target.cluster ? [storageTableName(target, table.name), table.name] : [table.name];
  return names.map(alter);
}

/**
 * Adds a column that the table's definition has as its last sorting key: `ADD COLUMN` and `MODIFY ORDER BY` in one
 * `ALTER` (ClickHouse accepts a new key column only in the statement that adds it, only at the end of the key, and
 * only without a default expression). Existing parts keep their order: the new column is '' in them, the smallest
 * value, so they stay sorted. Running it again is harmless (the column exists, the key is unchanged). On a cluster the
 * `Distributed` table gets the column only.
 */
export function addSortingKeyColumnSql(target: DdlTarget, table: TableDefinition, columnName: string): string[] {
  if (table.orderBy[table.orderBy.length - 1] !== columnName) {
    throw new Error(`${columnName} is not the last sorting key of ${table.name}`);
  }
  const [storage, distributed] = addColumnSql(target, table, columnName);
  const withKey = `${storage}, MODIFY ORDER BY (${table.orderBy.join(', ')})`;
  return distributed === undefined ? [withKey] : [withKey, distributed];
}

/** `CREATE TABLE` for a data table, plus its `Distributed` table on a cluster. */
export function createDataTableSql(target: DdlTarget, table: TableDefinition, retention?: RetentionDays): string[] {
  const statements = [createTableSql(target, table, retention)];
  if (target.cluster) statements.push(createDistributedTableSql({ ...target, cluster: target.cluster }, table));
  return statements;
}

export function createDatabaseSql(target: DdlTarget): string {
  return `CREATE DATABASE IF NOT EXISTS \`${target.database}\`${onCluster(target)}`;
}

export function createMigrationsTableSql(target: DdlTarget): string {
  const engine = target.cluster
    ? // One history for the whole cluster: the path has no {shard}, so every replica of every shard shares it.
      `ReplicatedMergeTree('/clickhouse/tables/{database}/${MIGRATIONS_TABLE}', '{replica}')`
    : 'MergeTree';
  return [
    `CREATE TABLE IF NOT EXISTS ${qualified(target.database, MIGRATIONS_TABLE)}${onCluster(target)}`,
    `(\n  \`version\` UInt32,\n  \`name\` String,\n  \`applied_at\` DateTime('UTC')\n)`,
    `ENGINE = ${engine}`,
    'ORDER BY version',
  ].join('\n');
}

/**
 * The whole schema at its current version, in execution order: what migration 1 creates. Used by the docs, by
 * `llm-cost migrate --print` and by the test that parses the cluster variant with `EXPLAIN AST`.
 */
export function renderSchemaDdl(target: DdlTarget, retention?: RetentionDays): string[] {
  const statements = [createDatabaseSql(target), createMigrationsTableSql(target)];
  for (const table of DATA_TABLES) statements.push(...createDataTableSql(target, table, retention));
  for (const view of ROLLUP_VIEWS) statements.push(createViewSql(target, view));
  for (const view of PLAIN_VIEWS) statements.push(createPlainViewSql(target, view));
  return statements;
}
