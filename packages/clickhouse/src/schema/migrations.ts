import { renderSchemaDdl, type DdlTarget, type RetentionDays } from './render-ddl.js';

/**
 * Versioned schema migrations. Each one is a list of statements that are safe to run again (`IF NOT EXISTS`,
 * `IF EXISTS`), so a migration interrupted halfway is finished by the next `migrate`. A new schema change is a new
 * entry at the end; an applied entry is never edited.
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
];

/** The schema version this build of the package writes and reads. */
export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
