import { spawn } from 'node:child_process';

import { CONNECTION_HELP, errorMessage, parseCommand } from '@llm-cost/clickhouse';

import { startDashboard } from '../dashboard/dashboard-server.js';
import { createJsonLogger } from '../log.js';
import type { SignalSource } from './collector-command.js';
import type { CliIo } from './io.js';
import { collectorHolding } from './store-commands.js';

const USAGE = `Usage: llm-cost dashboard [options]

Serves the dashboard (cost, breakdowns, calls, data quality, credits) over the store. A running collector serves the
same dashboard at its own URL; when it holds the embedded store, this command says where.

  --host HOST           interface (default 127.0.0.1; loopback only without read tokens)   env LLM_COST_DASHBOARD_HOST
  --port PORT           port, 0 picks a free one (default 4319)                             env LLM_COST_DASHBOARD_PORT
  --read-token ENTRY    <token> (all tenants) or <tenant>=<token> (repeatable)              env LLM_COST_COLLECTOR_READ_TOKENS
  --trace-url TEMPLATE  link to a trace, {traceId} replaced                                 env LLM_COST_TRACE_URL
  --open                open the dashboard in the default browser

${CONNECTION_HELP}`;

/** Opens a URL with the desktop's opener; failure is reported, never fatal. */
function openBrowser(url: string, io: CliIo): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.once('error', () => io.stderr.write(`could not open a browser (${command}); open ${url}\n`));
    child.unref();
  } catch {
    io.stderr.write(`could not open a browser; open ${url}\n`);
  }
}

/** `llm-cost dashboard`: serves until SIGTERM / SIGINT. Exit 2 on bad flags, 1 when it cannot start. */
export async function runDashboardCli(argv: readonly string[], io: CliIo, signals: SignalSource = process): Promise<number> {
  const result = parseCommand(
    argv,
    io,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      'read-token': { type: 'string', multiple: true },
      'trace-url': { type: 'string' },
      open: { type: 'boolean' },
    },
    USAGE,
  );
  if ('exit' in result) return result.exit;
  const { values, connection } = result.parsed;
  const env = process.env;
  const portText = (values.port as string | undefined) ?? env.LLM_COST_DASHBOARD_PORT;
  const port = portText === undefined || portText === '' ? undefined : Number(portText);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    io.stderr.write(`llm-cost dashboard: --port must be an integer from 0 to 65535\n`);
    return 2;
  }
  const flagTokens = (values['read-token'] as unknown as string[] | undefined) ?? [];
  const readTokens = flagTokens.length > 0 ? flagTokens : (env.LLM_COST_COLLECTOR_READ_TOKENS ?? '').split(',').filter((t) => t.trim() !== '');
  const logger = createJsonLogger({ level: 'info', write: (line) => io.stdout.write(line) });
  let running;
  try {
    running = await startDashboard({
      ...connection,
      host: (values.host as string | undefined) ?? (env.LLM_COST_DASHBOARD_HOST || undefined),
      port,
      readTokens,
      traceUrl: (values['trace-url'] as string | undefined) ?? (env.LLM_COST_TRACE_URL || undefined),
      logger,
    });
  } catch (error) {
    const collector = collectorHolding(error);
    if (collector !== undefined) {
      io.stderr.write(`The embedded store is held by the collector at ${collector}; it serves this dashboard at ${collector}/\n`);
      if (values.open === true) openBrowser(`${collector}/`, io);
      return 1;
    }
    io.stderr.write(`llm-cost dashboard: ${errorMessage(error)}\n`);
    return 1;
  }
  io.stderr.write(`llm-cost dashboard: ${running.url}/\n`);
  if (values.open === true) openBrowser(`${running.url}/`, io);
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      signals.off('SIGTERM', stop);
      signals.off('SIGINT', stop);
      resolve();
    };
    signals.once('SIGTERM', stop);
    signals.once('SIGINT', stop);
  });
  await running.close();
  return 0;
}
