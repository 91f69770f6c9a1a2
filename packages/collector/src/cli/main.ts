import { runCreditsCli, runReconcileCli } from '@llm-cost/openrouter';
import { runPricesCli } from '@llm-cost/pricing';

import { runBillsCommand } from './bills-command.js';
import { runCollectorCli } from './collector-command.js';
import { runDashboardCli } from './dashboard-command.js';
import type { CliCommand, CliIo } from './io.js';
import { runDoctorCommand, runForgetCommand, runMigrateCommand, runReportCommand } from './store-commands.js';

interface CommandEntry {
  run: CliCommand;
  summary: string;
}

/** Every `llm-cost` subcommand; adding one is adding a line here. */
export const COMMANDS: Record<string, CommandEntry> = {
  collector: { run: runCollectorCli, summary: 'run the OTLP/HTTP collector (prices spans from any service)' },
  dashboard: { run: runDashboardCli, summary: 'serve the web dashboard over the store (the collector serves it too)' },
  migrate: { run: runMigrateCommand, summary: 'create or upgrade the ClickHouse schema' },
  report: { run: runReportCommand, summary: 'print spend by day, model, provider, user, tenant, service or tag' },
  doctor: { run: runDoctorCommand, summary: 'check the store, schema, prices and recent data' },
  forget: { run: runForgetCommand, summary: "delete a user's rows everywhere (data-protection requests)" },
  prices: { run: runPricesCli, summary: 'check or sync the price snapshot' },
  credits: { run: runCreditsCli, summary: 'OpenRouter credits: check, monitor with alerts, history' },
  reconcile: { run: runReconcileCli, summary: 'make stored costs what the provider charged (reconcile openrouter)' },
  bills: { run: runBillsCommand, summary: "OpenAI's and Anthropic's own daily bills: sync them, compare them with the calls (drift)" },
};

function usage(version: string): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length)) + 2;
  return [
    `llm-cost ${version}: know and control what your LLM calls cost`,
    '',
    'Usage: llm-cost <command> [options]     (llm-cost <command> --help for its options)',
    '',
    ...Object.entries(COMMANDS).map(([name, entry]) => `  ${name.padEnd(width)}${entry.summary}`),
    '',
  ].join('\n');
}

/** Runs `llm-cost <command> ...`; resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo, version: string): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    (name === undefined ? io.stderr : io.stdout).write(usage(version));
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${version}\n`);
    return 0;
  }
  const command = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (command === undefined) {
    io.stderr.write(`llm-cost: unknown command "${name.slice(0, 40)}"\n\n${usage(version)}`);
    return 2;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    // Commands promise not to throw; if one does, say so instead of printing a stack at the user.
    io.stderr.write(`llm-cost ${name}: ${(error as Error).message}\n`);
    return 1;
  }
}
