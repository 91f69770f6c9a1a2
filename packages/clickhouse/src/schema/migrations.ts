import {
  creditSnapshotsTable,
  latestBillsView,
  llmCallsTable,
  providerBillsTable,
  providerChargesTable,
  ROLLUP_TABLES,
  ROLLUP_VIEWS,
} from './definitions.js';
import {
  addColumnSql,
  addSortingKeyColumnSql,
  createDataTableSql,
  createPlainViewSql,
  modifyViewQuerySql,
  renderSchemaDdl,
  type DdlTarget,
  type RetentionDays,
} from './render-ddl.js';

/**
 * Versioned schema migrations. Each one is a list of statements that are safe to run again (`IF NOT EXISTS`,
 * `IF EXISTS`, `MODIFY QUERY` to the same query), so a migration interrupted halfway is finished by the next
 * `migrate`. A new schema change is a new entry at the end; an applied entry is never edited.
 *
 * Migration 1 renders the schema from the current definitions, so a fresh store gets the current schema at once;
 * every later migration brings a store created by an older version up to date and changes nothing on a store that
 * already has its change (its statements are generated from the same definitions, so the two paths cannot drift).
 */
export interface Migration {
  version: number;
  name: string;
  statements(target: DdlTarget, retention: RetentionDays | undefined): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'llm_calls, daily rollups by model, user, tenant and tag, and their materialized views',
    // The database and the migrations table are created by `migrate` before it reads the history.
    statements: (target, retention) => renderSchemaDdl(target, retention).slice(2),
  },
  {
    version: 2,
    name: 'cost adjustment rows (row_kind, adjusted_at), llm_provider_charges, llm_credit_snapshots; rollups count calls only',
    statements: (target, retention) => [
      // Existing rows read the default 'call'; writers that do not know the column keep writing calls.
      ...addColumnSql(target, llmCallsTable, 'row_kind'),
      ...addColumnSql(target, llmCallsTable, 'adjusted_at'),
      ...createDataTableSql(target, providerChargesTable, retention),
      ...createDataTableSql(target, creditSnapshotsTable, retention),
      // Only the view queries change: the rollup tables keep every row they hold (see modifyViewQuerySql).
      ...ROLLUP_VIEWS.map((view) => modifyViewQuerySql(target, view)),
    ],
  },
  {
    version: 3,
    name: 'llm_provider_bills (daily OpenAI and Anthropic bills, one snapshot per sync and day) and llm_provider_bills_latest',
    statements: (target, retention) => [
      ...createDataTableSql(target, providerBillsTable, retention),
      createPlainViewSql(target, latestBillsView),
    ],
  },
  {
    version: 4,
    name: 'rollups keyed by request_model too, so a query for the requested model finds calls answered by a dated one',
    statements: (target) => [
      // Tables first, then the views that fill the column: rows arriving in between get '' (as older rows have).
      ...ROLLUP_TABLES.flatMap((table) => addSortingKeyColumnSql(target, table, 'request_model')),
      ...ROLLUP_VIEWS.map((view) => modifyViewQuerySql(target, view)),
    ],
  },
];

/** The schema version this build of the package writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
