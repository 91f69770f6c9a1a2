import {
  CONNECTION_HELP,
  createUsageQueries,
  errorMessage,
  formatRows,
  isOutputFormat,
  openStore,
  parseCommand,
  parseDuration,
  readCreditSnapshots,
  type CliIo,
  type ClickHouseConnectionOptions,
  type CreditSnapshot,
  type Store,
} from '@llm-cost/clickhouse';

import { mergeThresholds } from '../alerts/thresholds.js';
import { resolveKeys } from '../config/resolve-keys.js';
import { assessCredits } from '../credits/assess-credits.js';
import { readCredits } from '../credits/check-credits.js';
import { startCreditMonitor } from '../credits/credit-monitor.js';
import type { ForecastSources } from '../forecast/credit-forecast.js';
import { createOpenRouterClient } from '../openrouter-client.js';
import type { CreditCheck, WebhookTarget } from '../types.js';
import { formatCheck, formatCheckLine } from './format-credits.js';
import { OPENROUTER_FLAGS, OPENROUTER_HELP, THRESHOLD_FLAGS, THRESHOLD_HELP, openRouterSetup, type FlagValues } from './openrouter-flags.js';

const USAGE = `Usage: llm-cost credits <check|monitor|history> [options]

  check     the state of each OpenRouter key and its account, the level and the forecast
  monitor   check on an interval: alerts (stdout, webhooks), snapshots stored for history and Grafana
  history   the stored snapshots

llm-cost credits <command> --help for its options.
`;

const CHECK_USAGE = `Usage: llm-cost credits check [options]

Reads each key (GET /api/v1/key) and its account (GET /api/v1/credits), and says when the credits run out at the
current burn rate (from the store's OpenRouter spend and the stored snapshots).

Options:
  --json               print JSON
  --window DURATION    how far back the burn rate looks (default 24h)
  --no-store           do not read the store (no forecast)
  --fail-on LEVEL      exit 1 when a key is at this level or worse: warning | critical
  -h, --help

${OPENROUTER_HELP}
${THRESHOLD_HELP}
${CONNECTION_HELP}`;

const MONITOR_USAGE = `Usage: llm-cost credits monitor [options]

Checks every key on an interval until stopped (Ctrl-C) or --checks are done. One alert per incident (warning,
critical, recovered; reminders after the cooldown) to stdout and the webhooks; every reading stored in
llm_credit_snapshots.

Options:
  --interval DURATION      time between checks (default 5m, or monitor.interval of the config)
  --checks N               stop after N checks
  --webhook URL            POST alerts as JSON (repeatable)
  --slack-webhook URL      POST alerts as Slack { text } (repeatable)
  --cooldown DURATION      repeat an alert of a lasting incident at most this often (default 24h)
  --no-recovery            no alert when the balance recovers
  --window DURATION        how far back the burn rate looks (default 24h)
  -h, --help

${OPENROUTER_HELP}
${THRESHOLD_HELP}
${CONNECTION_HELP}`;

const HISTORY_USAGE = `Usage: llm-cost credits history [options]

Prints the stored balance snapshots, oldest first.

Options:
  --hours N          the last N hours (default 48)
  --key FINGERPRINT  one key, e.g. …abcd
  --tenant NAME      one tenant's key
  --format FORMAT    table | csv | json (default table)
  -h, --help

${CONNECTION_HELP}`;

function durationFlag(values: FlagValues, flag: string, fallback: number): number {
  const value = values[flag];
  return typeof value === 'string' ? parseDuration(value, `--${flag}`) : fallback;
}

/** Opens the store for reading spend, or says why not (the forecast is then left out, the check goes on). */
function openForecastSources(connection: ClickHouseConnectionOptions, io: CliIo): { sources: ForecastSources; store?: Store } {
  try {
    const store = openStore(connection);
    const queries = createUsageQueries({ client: store.client, database: store.database });
    return { sources: { store, queries }, store };
  } catch (error) {
    io.stderr.write(`llm-cost credits: no forecast, the store cannot be opened: ${errorMessage(error)}\n`);
    return { sources: {} };
  }
}

async function runCheck(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(
    argv,
    io,
    {
      ...OPENROUTER_FLAGS,
      ...THRESHOLD_FLAGS,
      json: { type: 'boolean' },
      window: { type: 'string' },
      'no-store': { type: 'boolean' },
      'fail-on': { type: 'string' },
    },
    CHECK_USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values, connection } = parsed.parsed;
  let store: Store | undefined;
  try {
    const failOn = values['fail-on'];
    if (failOn !== undefined && failOn !== 'warning' && failOn !== 'critical') {
      io.stderr.write(`llm-cost credits check: --fail-on must be warning or critical\n`);
      return 2;
    }
    const setup = openRouterSetup(values);
    const keys = resolveKeys({ keys: setup.keys });
    const windowMs = durationFlag(values, 'window', setup.config?.forecastWindowMs ?? 86_400_000);
    const opened = values['no-store'] ? { sources: {} } : openForecastSources(connection, io);
    store = opened.store;
    const checks: CreditCheck[] = [];
    for (const key of keys) {
      const client = createOpenRouterClient({ apiKey: key.apiKey, ...(setup.baseUrl ? { baseUrl: setup.baseUrl } : {}) });
      const nowMs = Date.now();
      try {
        const credits = await readCredits(client, nowMs);
        const thresholds = mergeThresholds(setup.thresholds, key.thresholds);
        const assessment = await assessCredits(credits, { tenant: key.tenant, thresholds, sources: opened.sources, windowMs, nowMs });
        if (assessment.forecastError) io.stderr.write(`llm-cost credits: no forecast: ${assessment.forecastError.message}\n`);
        const { level, reason, forecast } = assessment;
        checks.push({ keyFingerprint: key.fingerprint, tenant: key.tenant, credits, level, reason, forecast, alert: null });
      } catch (error) {
        checks.push({ keyFingerprint: key.fingerprint, tenant: key.tenant, level: 'unknown', reason: 'check failed', forecast: null, alert: null, error: error as Error });
      }
    }
    if (values.json) {
      const printable = checks.map(({ error, alert: _alert, ...rest }) => (error ? { ...rest, error: { name: error.name, message: error.message } } : rest));
      io.stdout.write(`${JSON.stringify({ keys: printable }, null, 2)}\n`);
    } else {
      io.stdout.write(checks.map(formatCheck).join('\n'));
    }
    if (checks.some((check) => check.error)) return 1;
    const worst = (level: string) => (failOn === 'warning' ? level === 'warning' || level === 'critical' : level === 'critical');
    return failOn !== undefined && checks.some((check) => worst(check.level)) ? 1 : 0;
  } catch (error) {
    io.stderr.write(`llm-cost credits check: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

async function runMonitor(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(
    argv,
    io,
    {
      ...OPENROUTER_FLAGS,
      ...THRESHOLD_FLAGS,
      interval: { type: 'string' },
      checks: { type: 'string' },
      webhook: { type: 'string', multiple: true },
      'slack-webhook': { type: 'string', multiple: true },
      cooldown: { type: 'string' },
      'no-recovery': { type: 'boolean' },
      window: { type: 'string' },
    },
    MONITOR_USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const values = parsed.parsed.values as FlagValues;
  const { connection } = parsed.parsed;
  try {
    const setup = openRouterSetup(values);
    const checks = values.checks === undefined ? undefined : Number(values.checks);
    if (checks !== undefined && (!Number.isInteger(checks) || checks < 1)) {
      io.stderr.write('llm-cost credits monitor: --checks must be a whole number >= 1\n');
      return 2;
    }
    const webhooks: WebhookTarget[] = [
      ...(setup.config?.webhooks ?? []),
      ...((values.webhook as string[] | undefined) ?? []).map((url) => ({ url, format: 'json' as const })),
      ...((values['slack-webhook'] as string[] | undefined) ?? []).map((url) => ({ url, format: 'slack' as const })),
    ];
    const monitor = startCreditMonitor({
      keys: setup.keys,
      ...(setup.baseUrl ? { baseUrl: setup.baseUrl } : {}),
      ...(setup.thresholds ? { thresholds: setup.thresholds } : {}),
      intervalMs: durationFlag(values, 'interval', setup.config?.intervalMs ?? 300_000),
      cooldownMs: durationFlag(values, 'cooldown', setup.config?.cooldownMs ?? 86_400_000),
      forecastWindowMs: durationFlag(values, 'window', setup.config?.forecastWindowMs ?? 86_400_000),
      notifyRecovery: values['no-recovery'] ? false : (setup.config?.notifyRecovery ?? true),
      webhooks,
      ...(checks !== undefined ? { maxChecks: checks } : {}),
      clickhouse: connection,
      stdout: io.stdout,
      stderr: io.stderr,
      onCheck: (check) => io.stdout.write(formatCheckLine(check, Date.now())),
    });
    const stop = () => void monitor.stop();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    try {
      await monitor.done;
    } finally {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    }
    const stats = monitor.stats();
    io.stdout.write(`credits monitor stopped: ${stats.checks} check(s), ${stats.alerts} alert(s), ${stats.failures} failed check(s)\n`);
    return stats.failures > 0 && stats.failures >= stats.checks * setup.keys.length ? 1 : 0;
  } catch (error) {
    io.stderr.write(`llm-cost credits monitor: ${errorMessage(error)}\n`);
    return 1;
  }
}

const money = (value: string | null) => (value === null ? '' : value);

async function runHistory(argv: readonly string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(
    argv,
    io,
    { hours: { type: 'string', default: '48' }, key: { type: 'string' }, tenant: { type: 'string' }, format: { type: 'string', default: 'table' } },
    HISTORY_USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values, connection } = parsed.parsed;
  const hours = Number(values.hours);
  if (!(hours > 0) || !isOutputFormat(values.format)) {
    io.stderr.write(`llm-cost credits history: invalid --hours or --format\n\n${HISTORY_USAGE}`);
    return 2;
  }
  let store: Store | undefined;
  try {
    store = openStore(connection);
    const to = Date.now() + 1;
    const snapshots = await readCreditSnapshots(store, {
      from: to - hours * 3_600_000,
      to,
      ...(typeof values.key === 'string' ? { keyFingerprint: values.key } : {}),
      ...(typeof values.tenant === 'string' ? { tenantId: values.tenant } : {}),
    });
    if (values.format === 'json') {
      io.stdout.write(`${JSON.stringify(snapshots.map((s) => ({ ...s, timestamp: new Date(s.timestampMs).toISOString() })), null, 2)}\n`);
      return 0;
    }
    if (snapshots.length === 0 && values.format === 'table') {
      io.stdout.write(`no credit snapshots in the last ${hours} hours (run llm-cost credits monitor)\n`);
      return 0;
    }
    io.stdout.write(
      formatRows<CreditSnapshot>(
        snapshots,
        [
          { header: 'time', value: (s) => new Date(s.timestampMs).toISOString().replace(/\.\d{3}Z$/, 'Z') },
          { header: 'key', value: (s) => s.keyFingerprint },
          { header: 'tenant', value: (s) => s.tenantId ?? '' },
          { header: 'remaining_usd', value: (s) => money(s.remaining), numeric: true },
          { header: 'key_usage_usd', value: (s) => s.keyUsage, numeric: true },
          { header: 'usage_daily_usd', value: (s) => money(s.usageDaily), numeric: true },
          { header: 'level', value: (s) => s.level },
          { header: 'burn_rate_usd_per_h', value: (s) => money(s.burnRatePerHour), numeric: true },
          { header: 'runs_out_at', value: (s) => (s.runsOutAtMs === null ? '' : new Date(s.runsOutAtMs).toISOString()) },
        ],
        values.format,
      ),
    );
    return 0;
  } catch (error) {
    io.stderr.write(`llm-cost credits history: ${errorMessage(error)}\n`);
    return 1;
  } finally {
    await store?.close().catch(() => undefined);
  }
}

const SUBCOMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  check: runCheck,
  monitor: runMonitor,
  history: runHistory,
};

/** `llm-cost credits <check|monitor|history>`: exit code out (0 ok, 1 problem, 2 usage error); never throws. */
export async function runCreditsCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = Object.prototype.hasOwnProperty.call(SUBCOMMANDS, name) ? SUBCOMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`llm-cost credits: unknown command "${name.slice(0, 40)}"\n\n${USAGE}`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    io.stderr.write(`llm-cost credits ${name}: ${errorMessage(error)}\n`);
    return 1;
  }
}
