/**
 * Errors users of `@llm-cost/clickhouse` see. One class per kind, each with a stable `name` and `code` so callers can
 * branch on them without parsing messages.
 */

/** An option has an impossible value (a database name with spaces, a per-call budget that blocks, ...). */
export class InvalidOptionError extends Error {
  override readonly name = 'InvalidOptionError';
  readonly code = 'LLM_COST_INVALID_OPTION';
}

/**
 * The embedded store's directory is held by another process. The embedded engine (chdb) takes an exclusive lock on
 * its data directory, so only one process at a time can open it.
 */
export class EmbeddedStoreLockedError extends Error {
  override readonly name = 'EmbeddedStoreLockedError';
  readonly code = 'LLM_COST_EMBEDDED_STORE_LOCKED';
  /** Absolute path of the data directory. */
  readonly path: string;
  /** Process id of the holder, when the engine recorded it and that process is still alive. */
  readonly pid: number | undefined;

  constructor(path: string, pid: number | undefined, options?: { cause?: unknown }) {
    const holder = pid === undefined ? 'another process' : `process ${pid}`;
    super(
      `The embedded ClickHouse store at ${path} is held by ${holder}. Only one process can open it at a time. ` +
        `Stop that process, or reach its data through the process that holds it (for example the llm-cost ` +
        `collector's query endpoint: --collector-url http://<collector>/), or use another directory (--path / ` +
        `LLM_COST_CLICKHOUSE_PATH).`,
      options,
    );
    this.path = path;
    this.pid = pid;
  }
}

/**
 * The embedded engine is bound to one data directory per process; this process already opened a different one.
 */
export class EmbeddedStorePathConflictError extends Error {
  override readonly name = 'EmbeddedStorePathConflictError';
  readonly code = 'LLM_COST_EMBEDDED_PATH_CONFLICT';
  readonly path: string;
  readonly openPath: string;

  constructor(path: string, openPath: string) {
    super(
      `This process already opened the embedded ClickHouse store at ${openPath}; the embedded engine can bind ` +
        `only one directory per process, so ${path} cannot be opened too. Use the same path everywhere in this ` +
        `process (or close every handle on ${openPath} first).`,
    );
    this.path = path;
    this.openPath = openPath;
  }
}

/** A schema migration failed; the version says which one, the cause says why. */
export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  readonly code = 'LLM_COST_MIGRATION_FAILED';
  readonly version: number;

  constructor(version: number, migrationName: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Schema migration ${version} (${migrationName}) failed: ${reason}`, { cause });
    this.version = version;
  }
}

/** The llm-cost tables are not in the database the queries point to. */
export class SchemaNotFoundError extends Error {
  override readonly name = 'SchemaNotFoundError';
  readonly code = 'LLM_COST_SCHEMA_NOT_FOUND';
  readonly database: string;

  constructor(database: string, cause: unknown) {
    super(
      `The llm-cost tables were not found in database '${database}'. Run \`llm-cost migrate\` (or start an exporter, ` +
        `which migrates on start), or point --database / LLM_COST_CLICKHOUSE_DATABASE at the right database.`,
      { cause },
    );
    this.database = database;
  }
}

/**
 * A `block` budget is used up: the instrumented call is rejected before the request leaves, so no money is spent.
 * Message example: `Budget exceeded for user_id=42: daily cost 10.02 USD > 10.00 USD`.
 */
export class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
  readonly code = 'LLM_COST_BUDGET_EXCEEDED';
  /** Name of the budget. */
  readonly budget: string;
  /** `global`, `user_id=42`, `tenant_id=acme`, `feature=search`. */
  readonly scope: string;
  readonly period: 'day' | 'month';
  readonly kind: 'cost' | 'tokens';
  /** Spent so far: USD decimal string (9 decimals) or tokens, as a string. */
  readonly spent: string;
  readonly limit: string;

  constructor(details: {
    budget: string;
    scope: string;
    period: 'day' | 'month';
    kind: 'cost' | 'tokens';
    spent: string;
    limit: string;
    message: string;
  }) {
    super(details.message);
    this.budget = details.budget;
    this.scope = details.scope;
    this.period = details.period;
    this.kind = details.kind;
    this.spent = details.spent;
    this.limit = details.limit;
  }
}
