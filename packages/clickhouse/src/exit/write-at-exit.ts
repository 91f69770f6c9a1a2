import { Session } from 'chdb';

import type { Store } from '../connection/connect.js';
import { createDatabaseSql, createMigrationsTableSql, type RetentionDays } from '../schema/render-ddl.js';
import { migrationSteps, schemaVersionSql } from '../schema/migrate.js';
import { insertStatement, splitBatch, type Batch } from '../writer/insert-batch.js';
import { classifyInsertFailure } from '../writer/insert-outcome.js';

/** What became of the rows handed to {@link writeAtExit}. */
export interface ExitWriteResult {
  written: number;
  /** Rows not written: the store cannot be reached synchronously, or refused them. */
  lost: number;
  /** Why rows were lost (the first failure), for the message. */
  reason: string | undefined;
}

export interface ExitWriteOptions {
  /** Create or update the schema when the tables are missing (the pipeline's `autoMigrate`). */
  migrate: boolean;
  retention: RetentionDays;
}

/**
 * Writes batches synchronously, for a process that is exiting. Only the embedded store can: chdb runs a query
 * synchronously on a session of its own (a second session on the same directory shares the engine), with the same
 * statement, settings and deduplication token as the asynchronous writer, so a batch whose insert was in flight
 * when the process exited counts once, in `llm_calls` and in every rollup. A server (URL) or a client the
 * application passed cannot be written to without the event loop: those rows are reported lost.
 */
export function writeAtExit(store: Store, batches: readonly Batch[], options: ExitWriteOptions): ExitWriteResult {
  const rows = batches.reduce((sum, batch) => sum + batch.rows, 0);
  if (rows === 0) return { written: 0, lost: 0, reason: undefined };
  if (store.kind !== 'embedded' || store.path === undefined) {
    const where = store.kind === 'server' ? `a ClickHouse server (${store.url ?? 'by URL'})` : 'a client the application passed';
    return { written: 0, lost: rows, reason: `the store is ${where}, which cannot be written to synchronously` };
  }
  let session: Session;
  try {
    session = new Session(store.path);
  } catch (error) {
    return { written: 0, lost: rows, reason: `the embedded store could not be opened: ${messageOf(error)}` };
  }
  const result: ExitWriteResult = { written: 0, lost: 0, reason: undefined };
  let migrated = false;
  const insert = (batch: Batch): void => {
    try {
      session.query(`${insertStatement(store.database, batch.token)}\n${batch.body}`);
      result.written += batch.rows;
    } catch (error) {
      const kind = classifyInsertFailure({ code: clickHouseCode(error) });
      if (kind === 'missing_schema' && options.migrate && !migrated) {
        migrated = true;
        try {
          migrateSync(session, store.database, options.retention);
        } catch (migrationError) {
          fail(batch, migrationError);
          return;
        }
        insert(batch);
      } else if (kind === 'bad_data' && batch.rows > 1) {
        for (const half of splitBatch(batch)) insert(half);
      } else {
        fail(batch, error);
      }
    }
  };
  const fail = (batch: Batch, error: unknown): void => {
    result.lost += batch.rows;
    result.reason ??= messageOf(error);
  };
  try {
    for (const batch of batches) insert(batch);
  } finally {
    session.close();
  }
  return result;
}

/** The schema, created or brought up to date synchronously: the same steps as `migrateStore` (retention aside). */
function migrateSync(session: Session, database: string, retention: RetentionDays): void {
  const target = { database };
  session.query(createDatabaseSql(target));
  session.query(createMigrationsTableSql(target));
  const current = Number(session.query(schemaVersionSql(database), 'CSV').trim() || 0);
  for (const step of migrationSteps(target, retention, current)) {
    for (const statement of step.statements) session.query(statement);
  }
}

/** chdb's synchronous errors carry the engine's message (`Code: 81. DB::Exception: ...`) but no code field. */
function clickHouseCode(error: unknown): string | undefined {
  const own = (error as { clickhouseCode?: unknown } | null)?.clickhouseCode;
  if (own !== undefined && own !== null) return String(own);
  return /\bCode: (\d+)\./.exec(messageOf(error))?.[1];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
