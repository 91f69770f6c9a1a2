import {
  CONNECTION_HELP,
  createUsageQueries,
  errorMessage,
  parseCommand,
  type BillDriftEntry,
  type BillDriftInput,
  type CliIo,
  type ClickHouseConnectionOptions,
} from '@llm-cost/clickhouse';

import { loadBillsConfig } from '../config/config-file.js';
import { BillsConfigError } from '../errors.js';
import { providerReports, syncProviderBills } from '../sync/sync-provider-bills.js';
import type { BillProvider, BillSyncTarget, SyncProviderBillsResult } from '../types.js';
import { formatDrift } from './format-drift.js';

const USAGE = `Usage: llm-cost bills <sync|drift> [options]

  sync openai|anthropic   read the provider's own daily cost and usage reports (admin key) into the store
  drift                   the bill beside our estimate, per day and model, with coverage and flags

llm-cost bills <command> --help for its options.
`;

const SYNC_USAGE = `Usage: llm-cost bills sync openai|anthropic [options]

Reads the provider's daily cost report and usage report for whole UTC days and stores each day as a snapshot in
llm_provider_bills: an unchanged day is not written again, a revised day replaces the old figures.

Options:
  --since DURATION|DATE   first day to read: 30d back (default) or a date (2026-03-01)
  --until DATE            end, exclusive (default now: today included)
  --account NAME          organization name when several are synced into one store
  --admin-key-env NAME    environment variable holding the admin key
                          (default OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY; keys are never read from a flag)
  --config FILE           the organizations of this provider from a config file    env LLM_COST_BILLS_CONFIG
  --base-url URL          admin API base URL (default https://api.openai.com/v1 / https://api.anthropic.com/v1)
  --dry-run               read the reports, write nothing
  --json                  print the result as JSON
  -h, --help

${CONNECTION_HELP}`;

const DRIFT_USAGE = `Usage: llm-cost bills drift [options]

Compares each synced day of the providers' bills with the instrumented calls: one line per model, per line item
that maps to no model, and per day (TOTAL), with coverage = estimated / billed. A day is flagged with its likely
cause when coverage is under --min-coverage (or as far above 100%) or the token counts differ by more than
--token-tolerance.

Options:
  --days N               the last N UTC days, today included (default 30)
  --provider NAME        openai | anthropic (default both)
  --min-coverage X       coverage threshold (default 0.95)
  --token-tolerance X    relative token difference allowed (default 0.02)
  --json | --csv         print JSON or CSV instead of a table
  --fail-on-drift        exit 1 when a day is flagged
  -h, --help

${CONNECTION_HELP}`;

/** The queries `bills drift` needs; the collector passes its own (answered over its query endpoint). */
export interface BillDriftQueries {
  billDrift(input: BillDriftInput): Promise<BillDriftEntry[]>;
  close(): Promise<void>;
}

export interface BillsCliDependencies {
  /** Opens the queries for the parsed connection flags. @default createUsageQueries */
  openQueries?: (connection: ClickHouseConnectionOptions) => BillDriftQueries;
  env?: NodeJS.ProcessEnv;
}

function syncSummary(result: SyncProviderBillsResult): string {
  const who = `${result.provider}${result.account ? ` (${result.account})` : ''} with admin key ${result.keyFingerprint}`;
  const lines = [
    `${result.dryRun ? 'dry run: ' : ''}${who}: ${result.days} day(s) read, ${result.rows} report line(s), ${result.billedCost} USD billed; ` +
      (result.dryRun ? 'nothing written' : `${result.changedDays.length} day(s) new or revised, ${result.unchangedDays.length} unchanged, ${result.written} row(s) written`),
  ];
  if (result.missingDays.length > 0) lines.push(`  not in the reports yet: ${result.missingDays.join(', ')}`);
  if (result.unmappedLineItems.length > 0) lines.push(`  line items without a model (their own rows): ${result.unmappedLineItems.join('; ')}`);
  return `${lines.join('\n')}\n`;
}

/** The organizations to sync: the config file's of this provider, else one key from the environment. */
function syncTargets(provider: BillProvider, values: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): BillSyncTarget[] {
  const file = typeof values.config === 'string' ? values.config : env.LLM_COST_BILLS_CONFIG || undefined;
  if (file !== undefined && values['admin-key-env'] === undefined) {
    const targets = loadBillsConfig(file, env).targets.filter((target) => target.provider === provider);
    if (targets.length === 0) throw new BillsConfigError(`${file} lists no ${provider} organization`);
    const account = typeof values.account === 'string' ? values.account : undefined;
    const chosen = account === undefined ? targets : targets.filter((target) => (target.account ?? '') === account);
    if (chosen.length === 0) throw new BillsConfigError(`${file} has no ${provider} organization named ${account}`);
    return chosen.map((target) => (typeof values['base-url'] === 'string' ? { ...target, baseUrl: values['base-url'] } : target));
  }
  const reports = providerReports(provider);
  const variable = typeof values['admin-key-env'] === 'string' ? values['admin-key-env'] : reports.keyEnv;
  const adminKey = env[variable];
  if (!adminKey) throw new BillsConfigError(`No ${reports.api.label} admin key: set ${variable} (or list organizations in a config file with --config). ${reports.api.keyNeeded}.`);
  return [
    {
      provider,
      adminKey,
      ...(typeof values.account === 'string' ? { account: values.account } : {}),
      ...(typeof values['base-url'] === 'string' ? { baseUrl: values['base-url'] } : {}),
    },
  ];
}

async function runSync(argv: readonly string[], io: CliIo, deps: BillsCliDependencies): Promise<number> {
  const [provider, ...rest] = argv;
  if (provider === '--help' || provider === '-h') {
    io.stdout.write(SYNC_USAGE);
    return 0;
  }
  if (provider !== 'openai' && provider !== 'anthropic') {
    io.stderr.write(`llm-cost bills sync: ${provider === undefined ? 'which provider?' : `unknown provider "${provider.slice(0, 40)}"`} (openai | anthropic)\n\n${SYNC_USAGE}`);
    return 2;
  }
  const parsed = parseCommand(
    rest,
    io,
    {
      since: { type: 'string', default: '30d' },
      until: { type: 'string' },
      account: { type: 'string' },
      'admin-key-env': { type: 'string' },
      config: { type: 'string' },
      'base-url': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    SYNC_USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values, connection } = parsed.parsed;
  const env = deps.env ?? process.env;
  let failed = false;
  try {
    const results: SyncProviderBillsResult[] = [];
    for (const target of syncTargets(provider, values, env)) {
      try {
        const result = await syncProviderBills({
          ...target,
          since: String(values.since),
          ...(typeof values.until === 'string' ? { until: values.until } : {}),
          clickhouse: connection,
          dryRun: values['dry-run'] === true,
        });
        results.push(result);
        if (!values.json) io.stdout.write(syncSummary(result));
      } catch (error) {
        failed = true;
        io.stderr.write(`llm-cost bills sync ${provider}${target.account ? ` (${target.account})` : ''}: ${errorMessage(error)}\n`);
      }
    }
    if (values.json) io.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
    return failed ? 1 : 0;
  } catch (error) {
    io.stderr.write(`llm-cost bills sync ${provider}: ${errorMessage(error)}\n`);
    return 1;
  }
}

function ratioFlag(values: Record<string, string | boolean | undefined>, flag: string, zero: boolean): number | undefined {
  const value = values[flag];
  if (typeof value !== 'string') return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number > 1 || (zero ? number < 0 : number <= 0)) {
    throw new BillsConfigError(`--${flag} must be a number ${zero ? 'from 0' : 'above 0'}, at most 1, got ${value}`);
  }
  return number;
}

async function runDrift(argv: readonly string[], io: CliIo, deps: BillsCliDependencies): Promise<number> {
  const parsed = parseCommand(
    argv,
    io,
    {
      days: { type: 'string', default: '30' },
      provider: { type: 'string' },
      'min-coverage': { type: 'string' },
      'token-tolerance': { type: 'string' },
      json: { type: 'boolean' },
      csv: { type: 'boolean' },
      'fail-on-drift': { type: 'boolean' },
    },
    DRIFT_USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values, connection } = parsed.parsed;
  const days = Number(values.days);
  if (!Number.isInteger(days) || days < 1 || days > 3660 || (values.json && values.csv)) {
    io.stderr.write(`llm-cost bills drift: --days must be a whole number from 1 to 3660, and only one of --json, --csv\n\n${DRIFT_USAGE}`);
    return 2;
  }
  let queries: BillDriftQueries | undefined;
  try {
    const coverageThreshold = ratioFlag(values, 'min-coverage', false);
    const tokenTolerance = ratioFlag(values, 'token-tolerance', true);
    const nowMs = Date.now();
    const today = Math.floor(nowMs / 86_400_000) * 86_400_000;
    queries = (deps.openQueries ?? createUsageQueries)(connection);
    const entries = await queries.billDrift({
      from: today - (days - 1) * 86_400_000,
      to: nowMs,
      ...(typeof values.provider === 'string' ? { provider: values.provider } : {}),
      ...(coverageThreshold === undefined ? {} : { coverageThreshold }),
      ...(tokenTolerance === undefined ? {} : { tokenTolerance }),
    });
    const format = values.json ? 'json' : values.csv ? 'csv' : 'table';
    if (entries.length === 0 && format === 'table') {
      io.stdout.write(`no synced provider bills in the last ${days} day(s) (llm-cost bills sync openai|anthropic)\n`);
      return 0;
    }
    io.stdout.write(formatDrift(entries, format));
    return values['fail-on-drift'] && entries.some((entry) => entry.kind === 'total' && entry.flagged) ? 1 : 0;
  } catch (error) {
    io.stderr.write(`llm-cost bills drift: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await queries?.close().catch(() => undefined);
  }
}

/** `llm-cost bills <sync|drift>`: exit code out (0 ok, 1 problem, 2 usage error); never throws. */
export async function runBillsCli(argv: readonly string[], io: CliIo, deps: BillsCliDependencies = {}): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  try {
    if (name === 'sync') return await runSync(rest, io, deps);
    if (name === 'drift') return await runDrift(rest, io, deps);
  } catch (error) {
    io.stderr.write(`llm-cost bills ${name}: ${errorMessage(error)}\n`);
    return 1;
  }
  io.stderr.write(`llm-cost bills: unknown command "${name.slice(0, 40)}"\n\n${USAGE}`);
  return 2;
}
