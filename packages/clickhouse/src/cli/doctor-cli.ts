import { runDoctor } from '../maintenance/doctor.js';
import type { CliIo } from './cli-io.js';
import { CONNECTION_HELP, parseCommand } from './connection-flags.js';

const USAGE = `Usage: llm-cost doctor [options]

Checks the store: reachable, schema version, tables and views, price data age, recent rows, share of unpriced
calls. Exits 1 when a check fails.

Options:
  --max-unpriced-share X   fail above this share of unpriced calls in the last 24 hours (default 0.05)
  --format FORMAT          text | json (default text)
  -h, --help

${CONNECTION_HELP}`;

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' } as const;

/** `llm-cost doctor`: prints each check; exit code 1 when any failed. */
export async function runDoctorCli(argv: readonly string[], io: CliIo): Promise<number> {
  const result = parseCommand(
    argv,
    io,
    { 'max-unpriced-share': { type: 'string', default: '0.05' }, format: { type: 'string', default: 'text' } },
    USAGE,
  );
  if ('exit' in result) return result.exit;
  const { values, connection } = result.parsed;
  const maxUnpricedShare = Number(values['max-unpriced-share']);
  if (!(maxUnpricedShare >= 0 && maxUnpricedShare <= 1) || (values.format !== 'text' && values.format !== 'json')) {
    io.stderr.write(`llm-cost doctor: invalid --max-unpriced-share or --format\n\n${USAGE}`);
    return 2;
  }
  const report = await runDoctor(connection, { maxUnpricedShare });
  if (values.format === 'json') io.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else for (const check of report.checks) io.stdout.write(`[${MARK[check.status]}] ${check.name}: ${check.detail}\n`);
  return report.ok ? 0 : 1;
}
