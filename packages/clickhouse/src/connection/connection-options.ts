import type { ClickHouseClient } from '@clickhouse/client';

/**
 * How to reach the store. Every entry point (`ClickHouseCostExporter`, `createUsageQueries`, `migrate`, the CLI)
 * accepts these. Resolution order: `client`, then `url`, then `path`, then the environment
 * (`LLM_COST_CLICKHOUSE_URL`, `LLM_COST_CLICKHOUSE_PATH`), then the embedded default `./.llm-cost/clickhouse`.
 */
export interface ClickHouseConnectionOptions {
  /** A `@clickhouse/client` client you created (server, cluster or embedded). Never closed by llm-cost. */
  client?: ClickHouseClient;
  /** ClickHouse HTTP(S) endpoint, e.g. `http://localhost:8123`. Env: `LLM_COST_CLICKHOUSE_URL`. */
  url?: string;
  /** Env: `LLM_COST_CLICKHOUSE_USER`. @default 'default' */
  username?: string;
  /** Env: `LLM_COST_CLICKHOUSE_PASSWORD`. @default '' */
  password?: string;
  /**
   * Directory of the embedded store (chdb). One process at a time can open it; two handles in one process are fine.
   * Env: `LLM_COST_CLICKHOUSE_PATH`. @default './.llm-cost/clickhouse'
   */
  path?: string;
  /**
   * Database holding the llm-cost tables (created by `migrate`). Env: `LLM_COST_CLICKHOUSE_DATABASE`.
   * @default 'llm_cost'
   */
  database?: string;
  /**
   * Name of a cluster in the server's `remote_servers`: DDL runs `ON CLUSTER` with replicated and distributed
   * tables. Env: `LLM_COST_CLICKHOUSE_CLUSTER`. @default undefined (single node)
   */
  cluster?: string;
  /** Request timeout for a server connection, in milliseconds. @default 30000 */
  requestTimeoutMs?: number;
}

/** Where a resolved connection points. */
export type StoreKind = 'embedded' | 'server' | 'client';

/** Embedded store location when nothing else is configured. */
export const DEFAULT_EMBEDDED_PATH = './.llm-cost/clickhouse';
export const DEFAULT_DATABASE = 'llm_cost';
