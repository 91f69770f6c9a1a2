import {
  createUsageQueries,
  runDoctorCli,
  runForgetCli,
  runMigrateCli,
  runReportCli,
  type ClickHouseConnectionOptions,
  type EmbeddedStoreLockedError,
} from '@llm-cost/clickhouse';

import { createCollectorQueries, type CollectorQueries } from '../query-client.js';
import { readDiscoveryFile } from '../server/discovery-file.js';
import type { CliIo } from './io.js';

/*
 * The store commands are implemented by `@llm-cost/clickhouse`; the binary lives here, and `report` learns one thing
 * on the way: reading through a running collector, which holds an embedded store exclusively while it runs.
 */

export const runMigrateCommand = (argv: readonly string[], io: CliIo): Promise<number> => runMigrateCli(argv, io);
export const runDoctorCommand = (argv: readonly string[], io: CliIo): Promise<number> => runDoctorCli(argv, io);
export const runForgetCommand = (argv: readonly string[], io: CliIo): Promise<number> => runForgetCli(argv, io);

const COLLECTOR_URL_FLAG = '--collector-url';

export const REPORT_COLLECTOR_HELP = `Through a running collector:
  --collector-url URL  answer from that collector's query endpoint     env LLM_COST_COLLECTOR_URL
                       (read token from env LLM_COST_COLLECTOR_TOKEN)
  Without it, when the embedded store is held by a running collector, the report goes through that collector.
`;

/** Queries of `createUsageQueries()`, or the same answered by a running collector. */
export type ReadQueries = CollectorQueries & { close(): Promise<void> };

/**
 * How a reading command opens its queries: with `--collector-url <url>` (removed from `args`; or
 * `LLM_COST_COLLECTOR_URL`) through that collector's query endpoint (read token from `LLM_COST_COLLECTOR_TOKEN`);
 * otherwise the store directly, and when the embedded store turns out to be held by a running collector, through
 * that collector (found by the file a collector leaves beside the store it holds).
 */
export function readQueriesOpener(
  args: string[],
  io: CliIo,
  command: string,
): { open: (connection: ClickHouseConnectionOptions) => ReadQueries } | { exit: number } {
  const explicit = takeFlag(args, COLLECTOR_URL_FLAG);
  if (explicit === '') {
    io.stderr.write(`llm-cost ${command}: ${COLLECTOR_URL_FLAG} needs a URL\n`);
    return { exit: 2 };
  }
  const collectorUrl = explicit ?? (process.env.LLM_COST_COLLECTOR_URL || undefined);
  const token = process.env.LLM_COST_COLLECTOR_TOKEN || undefined;
  const remote = (url: string): ReadQueries => ({ ...createCollectorQueries({ url, token }), close: async () => {} });
  return {
    open: (connection) => {
      if (collectorUrl !== undefined) return remote(collectorUrl);
      try {
        return createUsageQueries(connection);
      } catch (error) {
        const url = collectorHolding(error);
        if (url === undefined) throw error;
        io.stderr.write(`The embedded store is held by the collector at ${url}; reading through it.\n`);
        return remote(url);
      }
    },
  };
}

/** `llm-cost report`, answered directly or through a running collector (see {@link readQueriesOpener}). */
export async function runReportCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = [...argv];
  if (args.includes('--help') || args.includes('-h')) {
    const code = await runReportCli(args, io);
    io.stdout.write(`\n${REPORT_COLLECTOR_HELP}`);
    return code;
  }
  const opener = readQueriesOpener(args, io, 'report');
  if ('exit' in opener) return opener.exit;
  return runReportCli(args, io, { openQueries: opener.open });
}

/** The URL of the running collector that holds the embedded store a lock error is about, if it is one. */
export function collectorHolding(error: unknown): string | undefined {
  const locked = error as Partial<EmbeddedStoreLockedError>;
  if (locked?.code !== 'LLM_COST_EMBEDDED_STORE_LOCKED' || typeof locked.path !== 'string') return undefined;
  const record = readDiscoveryFile(locked.path);
  if (record === undefined || (locked.pid !== undefined && record.pid !== locked.pid)) return undefined;
  return record.url;
}

/** Removes `--flag value` / `--flag=value` from args; '' when the flag has no value, undefined when absent. */
function takeFlag(args: string[], flag: string): string | undefined {
  const at = args.findIndex((arg) => arg === flag || arg.startsWith(`${flag}=`));
  if (at < 0) return undefined;
  const arg = args[at]!;
  if (arg.includes('=')) {
    args.splice(at, 1);
    return arg.slice(arg.indexOf('=') + 1);
  }
  const value = args[at + 1];
  args.splice(at, value === undefined ? 1 : 2);
  return value ?? '';
}
