/**
 * `llm-cost prices check|sync`: the `llm-cost` binary (in `@llm-cost/collector`) hands the arguments after
 * `prices` to `runPricesCli`. Exit codes: 0 success (no drift / snapshot written), 1 drift or a failed validation,
 * 2 bad usage or an unreadable source.
 */
import { ENV_PRICES_FILE } from './default-pricer.js';
import { PriceConfigError, PriceDataError, PriceSourceError } from './errors.js';
import type { ModelDiff } from './price-diff.js';
import { checkPriceSnapshot } from './price-check.js';
import { DEFAULT_PRICES_URL } from './price-source.js';
import { syncPriceSnapshot } from './price-sync.js';

/** Where the CLI writes; defaults to the process streams. */
export interface CliIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

const USAGE = `Usage:
  llm-cost prices check [--from URL|FILE] [--against FILE]
      Compare the prices in use (--against, else $${ENV_PRICES_FILE}, else the bundled data) with newer data
      and print the differences per model. Exit 1 on drift.
  llm-cost prices sync [--from URL|FILE] [--to FILE] [--allow-large-moves]
      Validate newer price data and write it to --to (default $${ENV_PRICES_FILE}). Fails on unknown price
      fields, on a reference model that no longer prices, and (unless --allow-large-moves) on prices that moved
      more than 3x.
  --from defaults to ${DEFAULT_PRICES_URL}
`;

interface ParsedArgs {
  command: string | undefined;
  flags: Map<string, string | true>;
}

const VALUE_FLAGS = new Set(['from', 'to', 'against']);
const BOOLEAN_FLAGS = new Set(['allow-large-moves', 'help']);

function parseArgs(argv: readonly string[]): ParsedArgs {
  const args = argv[0] === 'prices' ? argv.slice(1) : [...argv];
  const flags = new Map<string, string | true>();
  let command: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '-h') {
      flags.set('help', true);
      continue;
    }
    if (!arg.startsWith('--')) {
      if (command !== undefined) throw new PriceConfigError(`unexpected argument "${arg}"`);
      command = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (BOOLEAN_FLAGS.has(name)) {
      flags.set(name, true);
    } else if (VALUE_FLAGS.has(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : args[++i];
      if (value === undefined || value === '') throw new PriceConfigError(`--${name} needs a value`);
      flags.set(name, value);
    } else {
      throw new PriceConfigError(`unknown option --${name}`);
    }
  }
  return { command, flags };
}

function formatDiffs(changes: readonly ModelDiff[]): string {
  const lines: string[] = [];
  for (const diff of changes) {
    if (diff.change === 'added') lines.push(`+ ${diff.model} (added)`);
    else if (diff.change === 'removed') lines.push(`- ${diff.model} (removed)`);
    else {
      lines.push(`~ ${diff.model}`);
      for (const p of diff.prices) {
        lines.push(`    ${p.price}: ${p.from ?? '(none)'} -> ${p.to ?? '(none)'}${p.large ? '  [moved more than 3x]' : ''}`);
      }
    }
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

function summary(changes: readonly ModelDiff[]): string {
  const count = (kind: ModelDiff['change']): number => changes.filter((d) => d.change === kind).length;
  return `${changes.length} model(s) differ: ${count('added')} added, ${count('removed')} removed, ${count('changed')} changed`;
}

/** Run `llm-cost prices ...`; resolves to the process exit code. Never throws. */
export async function runPricesCli(argv: readonly string[], io: CliIo = { stdout: process.stdout, stderr: process.stderr }): Promise<number> {
  try {
    const { command, flags } = parseArgs(argv);
    if (flags.has('help') || command === undefined || command === 'help') {
      (command === undefined && !flags.has('help') ? io.stderr : io.stdout).write(USAGE);
      return command === undefined && !flags.has('help') ? 2 : 0;
    }
    const from = (flags.get('from') as string | undefined) ?? DEFAULT_PRICES_URL;
    if (command === 'check') {
      const against = flags.get('against') as string | undefined;
      const result = await checkPriceSnapshot(against === undefined ? { from } : { from, against });
      io.stdout.write(`Prices in use: ${result.againstVersion}; newer data: ${result.fromVersion} (${from})\n`);
      io.stdout.write(formatDiffs(result.changes));
      if (!result.drift) {
        io.stdout.write(`No drift: ${result.modelCount} model(s) compared.\n`);
        return 0;
      }
      io.stdout.write(`Drift: ${summary(result.changes)}.\n`);
      return 1;
    }
    if (command === 'sync') {
      const to = (flags.get('to') as string | undefined) ?? process.env[ENV_PRICES_FILE]?.trim();
      if (!to) throw new PriceConfigError(`sync needs --to FILE (or ${ENV_PRICES_FILE} set)`);
      const result = await syncPriceSnapshot({ from, to, allowLargeMoves: flags.get('allow-large-moves') === true });
      for (const problem of result.problems) io.stderr.write(`invalid: ${problem}\n`);
      for (const failure of result.referenceFailures) io.stderr.write(`reference price broken: ${failure}\n`);
      for (const move of result.largeMoves) {
        io.stderr.write(`moved more than 3x: ${move.model} ${move.price}: ${move.from} -> ${move.to}\n`);
      }
      if (!result.ok) {
        const why =
          result.problems.length > 0
            ? `${result.problems.length} validation problem(s)`
            : result.referenceFailures.length > 0
              ? `${result.referenceFailures.length} reference price(s) broken`
              : `${result.largeMoves.length} price(s) moved more than 3x; review them and re-run with --allow-large-moves`;
        io.stderr.write(`Not synced (${why}); ${result.to} is unchanged.\n`);
        return 1;
      }
      io.stdout.write(formatDiffs(result.changes));
      io.stdout.write(`Synced ${result.priceVersion} to ${result.to} (${summary(result.changes)}).\n`);
      return 0;
    }
    throw new PriceConfigError(`unknown command "${command}" (expected check or sync)`);
  } catch (error) {
    if (error instanceof PriceConfigError) {
      io.stderr.write(`llm-cost prices: ${error.message}\n${USAGE}`);
      return 2;
    }
    if (error instanceof PriceDataError) {
      io.stderr.write(`llm-cost prices: ${error.message}\n`);
      for (const problem of error.problems) io.stderr.write(`invalid: ${problem}\n`);
      return 1;
    }
    const message = error instanceof PriceSourceError ? error.message : `unexpected error: ${(error as Error)?.stack ?? String(error)}`;
    io.stderr.write(`llm-cost prices: ${message}\n`);
    return 2;
  }
}
