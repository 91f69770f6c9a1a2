import { CONNECTION_HELP, errorMessage, parseCommand, parseDuration, type CliIo } from '@llm-cost/clickhouse';

import { reconcileOpenRouter } from '../reconcile/reconcile-openrouter.js';
import type { ReconcileResult } from '../types.js';
import { OPENROUTER_FLAGS, OPENROUTER_HELP, openRouterSetup } from './openrouter-flags.js';

const USAGE = `Usage: llm-cost reconcile openrouter [options]

Looks up what OpenRouter charged for each OpenRouter call of the window (GET /api/v1/generation?id=...) and appends
adjustment rows where the stored cost differs, so every total equals what OpenRouter billed. Calls already
reconciled are skipped: running it twice changes nothing.

Options:
  --since DURATION     calls of the last DURATION (default 24h)
  --delay DURATION     only calls that ended at least this long ago (OpenRouter's record lags; default 60s)
  --concurrency N      lookups in flight at once (default 4)
  --max-calls N        most calls looked up in this run (default 10000)
  --dry-run            look up and report, write nothing
  --json               print the result as JSON
  -h, --help

${OPENROUTER_HELP}
${CONNECTION_HELP}`;

function summary(result: ReconcileResult): string {
  const lines = [
    `${result.dryRun ? 'dry run: ' : ''}${result.calls} OpenRouter call(s) to reconcile: ${result.reconciled} reconciled, ` +
      `${result.adjusted} ${result.dryRun ? 'would be ' : ''}adjusted (${result.costDelta} USD), ${result.pending} not found yet, ` +
      `${result.failed} failed`,
    ...result.errors.map((error) => `  ${error}`),
  ];
  if (result.stoppedEarly) lines.push(`stopped early: ${result.stoppedEarly}`);
  return `${lines.join('\n')}\n`;
}

/** `llm-cost reconcile openrouter`: exit 0 when every lookup worked (records not found yet included), else 1. */
export async function runReconcileCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [target, ...rest] = argv;
  if (target === '--help' || target === '-h' || target === 'help') {
    io.stdout.write(USAGE);
    return 0;
  }
  if (target !== 'openrouter') {
    io.stderr.write(`llm-cost reconcile: ${target === undefined ? 'which provider?' : `unknown provider "${target.slice(0, 40)}"`} (openrouter)\n\n${USAGE}`);
    return 2;
  }
  const parsed = parseCommand(
    rest,
    io,
    {
      ...OPENROUTER_FLAGS,
      since: { type: 'string', default: '24h' },
      delay: { type: 'string' },
      concurrency: { type: 'string' },
      'max-calls': { type: 'string' },
      'dry-run': { type: 'boolean' },
      json: { type: 'boolean' },
    },
    USAGE,
  );
  if ('exit' in parsed) return parsed.exit;
  const { values, connection } = parsed.parsed;
  try {
    const setup = openRouterSetup(values);
    const reconcile = setup.config?.reconcile ?? {};
    const whole = (flag: string, fallback: number | undefined) => {
      const value = values[flag];
      if (typeof value !== 'string') return fallback;
      const number = Number(value);
      if (!Number.isInteger(number) || number < 1) throw new Error(`--${flag} must be a whole number >= 1, got ${value}`);
      return number;
    };
    const concurrency = whole('concurrency', reconcile.concurrency);
    const maxCalls = whole('max-calls', undefined);
    const result = await reconcileOpenRouter({
      keys: setup.keys,
      ...(setup.baseUrl ? { baseUrl: setup.baseUrl } : {}),
      clickhouse: connection,
      lookbackMs: parseDuration(String(values.since), '--since'),
      delayMs: typeof values.delay === 'string' ? parseDuration(values.delay, '--delay') : (reconcile.delayMs ?? 60_000),
      ...(concurrency !== undefined ? { concurrency } : {}),
      ...(maxCalls !== undefined ? { maxCalls } : {}),
      dryRun: values['dry-run'] === true,
    });
    io.stdout.write(values.json ? `${JSON.stringify(result, null, 2)}\n` : summary(result));
    return result.failed > 0 || result.stoppedEarly !== undefined ? 1 : 0;
  } catch (error) {
    io.stderr.write(`llm-cost reconcile openrouter: ${errorMessage(error)}\n`);
    return 1;
  }
}
