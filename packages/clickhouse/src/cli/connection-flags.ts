import { parseArgs, type ParseArgsConfig } from 'node:util';

import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import type { CliIo } from './cli-io.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Flags every command accepts; absent flags fall back to the environment (see ClickHouseConnectionOptions). */
export const CONNECTION_FLAGS = {
  url: { type: 'string' },
  user: { type: 'string' },
  password: { type: 'string' },
  path: { type: 'string' },
  database: { type: 'string' },
  cluster: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export const CONNECTION_HELP = `Connection (flags win over the environment):
  --url URL          ClickHouse HTTP endpoint              env LLM_COST_CLICKHOUSE_URL
  --user NAME        user (default "default")              env LLM_COST_CLICKHOUSE_USER
  --password SECRET  password                              env LLM_COST_CLICKHOUSE_PASSWORD
  --path DIR         embedded store directory              env LLM_COST_CLICKHOUSE_PATH (default ./.llm-cost/clickhouse)
  --database NAME    database (default llm_cost)           env LLM_COST_CLICKHOUSE_DATABASE
  --cluster NAME     run DDL ON CLUSTER                    env LLM_COST_CLICKHOUSE_CLUSTER
`;

export interface ParsedCommand<T> {
  values: T;
  connection: ClickHouseConnectionOptions;
}

/**
 * Parses `argv` strictly (unknown flags are usage errors). Returns undefined after printing help or a usage error,
 * with the exit code in `exit`.
 */
export function parseCommand<O extends Options>(
  argv: readonly string[],
  io: CliIo,
  options: O,
  usage: string,
): { parsed: ParsedCommand<Record<string, string | boolean | undefined>> } | { exit: number } {
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: [...argv], options: { ...CONNECTION_FLAGS, ...options }, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (error) {
    io.stderr.write(`${(error as Error).message}\n\n${usage}`);
    return { exit: 2 };
  }
  if (values.help) {
    io.stdout.write(usage);
    return { exit: 0 };
  }
  const connection: ClickHouseConnectionOptions = {};
  if (typeof values.url === 'string') connection.url = values.url;
  if (typeof values.user === 'string') connection.username = values.user;
  if (typeof values.password === 'string') connection.password = values.password;
  if (typeof values.path === 'string') connection.path = values.path;
  if (typeof values.database === 'string') connection.database = values.database;
  if (typeof values.cluster === 'string') connection.cluster = values.cluster;
  return { parsed: { values, connection } };
}

/** The message of any error, for one line on stderr. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
