import { collectorConfigFromArgs, COLLECTOR_FLAGS } from '../config/collector-config.js';
import { createJsonLogger } from '../log.js';
import { startCollector } from '../server/start-collector.js';
import type { CliIo } from './io.js';

function usage(): string {
  const lines = Object.entries(COLLECTOR_FLAGS).map(([name, flag]) => {
    const arg = flag.type === 'string' ? ` <${'multiple' in flag ? 'value' : 'value'}>` : '';
    return `  --${name}${arg}`.padEnd(30) + `${flag.help}  [env ${flag.env}]`;
  });
  return [
    'Usage: llm-cost collector [options]',
    '',
    'Runs the collector: OTLP/HTTP POST /v1/traces (protobuf or JSON, gzip or not), GET /healthz, GET /readyz,',
    'GET /metrics, POST /v1/query; and OTLP/gRPC TraceService/Export on --grpc-port (default 4317).',
    'Stops on SIGTERM or SIGINT after writing everything it accepted.',
    'ClickHouse credentials come from LLM_COST_CLICKHOUSE_USER / LLM_COST_CLICKHOUSE_PASSWORD.',
    '',
    ...lines,
    '',
  ].join('\n');
}

/** A source of stop signals; the process by default. */
export interface SignalSource {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

/**
 * `llm-cost collector`: starts the collector with flags and environment, logs JSON lines to stdout, and on SIGTERM
 * (or SIGINT) drains: stops accepting, writes everything accepted, exits 0. Exit 2 on bad configuration, 1 when it
 * cannot start (for example the embedded store is held by another process).
 */
export async function runCollectorCli(
  argv: readonly string[],
  io: CliIo,
  signals: SignalSource = process,
): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(usage());
    return 0;
  }
  let config;
  try {
    config = collectorConfigFromArgs(argv);
  } catch (error) {
    io.stderr.write(`llm-cost collector: ${(error as Error).message}\n`);
    return 2;
  }
  const logger = createJsonLogger({ level: config.logLevel, write: (line) => io.stdout.write(line) });
  let running;
  try {
    running = await startCollector({ ...config.options, logger });
  } catch (error) {
    const err = error as Error & { code?: string };
    logger.error('collector failed to start', { error: err.message, code: err.code });
    return 1;
  }
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
