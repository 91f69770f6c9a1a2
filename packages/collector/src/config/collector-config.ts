import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { parseTenantTokens, parseTokensFile, type TenantToken } from '../auth/tokens.js';
import { CollectorConfigError } from '../errors.js';
import { isLogLevel, type LogLevel } from '../log.js';
import type { CollectorOptions } from '../types.js';

/** Flags of `llm-cost collector`; each has an environment variable (flags win). */
export const COLLECTOR_FLAGS = {
  host: { type: 'string', env: 'LLM_COST_COLLECTOR_HOST', help: 'interface to listen on (default 127.0.0.1)' },
  port: { type: 'string', env: 'LLM_COST_COLLECTOR_PORT', help: 'port; 0 picks a free one (default 4318)' },
  'grpc-port': { type: 'string', env: 'LLM_COST_COLLECTOR_GRPC_PORT', help: 'OTLP/gRPC port, or off (default 4317; a free one when --port is 0)' },
  token: { type: 'string', multiple: true, env: 'LLM_COST_COLLECTOR_TOKENS', help: 'ingest token as tenant=token (repeatable)' },
  'tokens-file': { type: 'string', env: 'LLM_COST_COLLECTOR_TOKENS_FILE', help: 'file of tenant=token lines' },
  'read-token': { type: 'string', multiple: true, env: 'LLM_COST_COLLECTOR_READ_TOKENS', help: 'read token for the dashboard and queries: <token> (all tenants) or <tenant>=<token> (repeatable)' },
  'trace-url': { type: 'string', env: 'LLM_COST_TRACE_URL', help: 'dashboard link to a trace, {traceId} replaced (e.g. http://jaeger:16686/trace/{traceId})' },
  'max-body-bytes': { type: 'string', env: 'LLM_COST_COLLECTOR_MAX_BODY_BYTES', help: 'request size limit (default 20 MiB)' },
  'max-inflight-bytes': { type: 'string', env: 'LLM_COST_COLLECTOR_MAX_INFLIGHT_BYTES', help: 'body bytes held at once before 429 (default 256 MiB)' },
  'max-queue': { type: 'string', env: 'LLM_COST_COLLECTOR_MAX_QUEUE', help: 'calls waiting to be written before 429 (default 100000)' },
  'batch-size': { type: 'string', env: 'LLM_COST_COLLECTOR_BATCH_SIZE', help: 'calls per insert (default 20000)' },
  'retry-after': { type: 'string', env: 'LLM_COST_COLLECTOR_RETRY_AFTER', help: 'Retry-After seconds when full (default 2)' },
  'shutdown-timeout-ms': { type: 'string', env: 'LLM_COST_COLLECTOR_SHUTDOWN_TIMEOUT_MS', help: 'on SIGTERM, retry writes this long (default 30000)' },
  'retry-max-ms': { type: 'string', env: 'LLM_COST_COLLECTOR_RETRY_MAX_MS', help: 'longest wait between write retries while ClickHouse fails (default 30000)' },
  'flush-interval-ms': { type: 'string', env: 'LLM_COST_COLLECTOR_FLUSH_INTERVAL_MS', help: 'longest wait before a batch is written (default 1000)' },
  url: { type: 'string', env: 'LLM_COST_CLICKHOUSE_URL', help: 'ClickHouse HTTP URL (default: embedded store)' },
  path: { type: 'string', env: 'LLM_COST_CLICKHOUSE_PATH', help: 'embedded store directory (default ./.llm-cost/clickhouse)' },
  database: { type: 'string', env: 'LLM_COST_CLICKHOUSE_DATABASE', help: 'database (default llm_cost)' },
  cluster: { type: 'string', env: 'LLM_COST_CLICKHOUSE_CLUSTER', help: 'ClickHouse cluster name for ON CLUSTER DDL' },
  'openrouter-config': { type: 'string', env: 'LLM_COST_OPENROUTER_CONFIG', help: 'OpenRouter config file: reconcile charged costs continuously (and monitor credits when it has a monitor section)' },
  'bills-config': { type: 'string', env: 'LLM_COST_BILLS_CONFIG', help: 'provider bills config file: sync OpenAI and Anthropic cost reports daily (llm-cost bills)' },
  'no-migrate': { type: 'boolean', env: 'LLM_COST_MIGRATE', help: 'do not apply schema migrations at start' },
  'log-level': { type: 'string', env: 'LLM_COST_LOG_LEVEL', help: 'debug | info | warn | error (default info)' },
} as const;

export interface CollectorCommandConfig {
  options: CollectorOptions;
  logLevel: LogLevel;
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Resolves `llm-cost collector` flags and environment variables into `startCollector` options. ClickHouse credentials
 * come from the environment only (`LLM_COST_CLICKHOUSE_USER`, `LLM_COST_CLICKHOUSE_PASSWORD`), never from flags,
 * which other users of the machine can read in the process list. Nothing is read from `process.env` except through
 * `env`, so a test can start the collector from exactly the configuration a deployment uses.
 */
export function collectorConfigFromArgs(argv: readonly string[], env: Env = process.env): CollectorCommandConfig {
  const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean }> = {};
  for (const [name, flag] of Object.entries(COLLECTOR_FLAGS)) {
    options[name] = { type: flag.type, ...('multiple' in flag ? { multiple: true } : {}) };
  }
  let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  try {
    values = parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values;
  } catch (error) {
    throw new CollectorConfigError(`${(error as Error).message} (see llm-cost collector --help)`);
  }
  const pick = (name: keyof typeof COLLECTOR_FLAGS): string | undefined => {
    const value = values[name];
    if (typeof value === 'string') return value;
    const fromEnv = env[COLLECTOR_FLAGS[name].env];
    return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
  };

  const tokens: TenantToken[] = [];
  const flagTokens = values.token as string[] | undefined;
  if (flagTokens?.length) tokens.push(...parseTenantTokens(flagTokens.join('\n'), '--token'));
  else if (env.LLM_COST_COLLECTOR_TOKENS) tokens.push(...parseTenantTokens(env.LLM_COST_COLLECTOR_TOKENS, 'LLM_COST_COLLECTOR_TOKENS'));
  const readTokens = ((values['read-token'] as string[] | undefined) ?? splitList(env.LLM_COST_COLLECTOR_READ_TOKENS)).map((t) => t.trim());
  const tokensFile = pick('tokens-file');
  if (tokensFile !== undefined) {
    const file = parseTokensFile(readConfigFile(tokensFile), tokensFile);
    tokens.push(...file.ingest);
    readTokens.push(...file.read);
  }

  const logLevel = pick('log-level') ?? 'info';
  if (!isLogLevel(logLevel)) throw new CollectorConfigError(`log level must be debug, info, warn or error, got "${logLevel}"`);

  const migrateEnv = env.LLM_COST_MIGRATE;
  const migrate = values['no-migrate'] === true ? false : migrateEnv === undefined ? true : !/^(0|false|no|off)$/i.test(migrateEnv);

  const port = integer(pick('port'), 'port', 0, 65_535);
  const collector: CollectorOptions = {
    host: pick('host'),
    port,
    grpcPort: grpcPortOf(pick('grpc-port'), port),
    tokens,
    readTokens,
    maxBodyBytes: integer(pick('max-body-bytes'), 'max-body-bytes', 1024, 1 << 30),
    maxQueueSize: integer(pick('max-queue'), 'max-queue', 1, 100_000_000),
    maxInFlightBytes: integer(pick('max-inflight-bytes'), 'max-inflight-bytes', 1024, 2 ** 40),
    batchSize: integer(pick('batch-size'), 'batch-size', 1, 1_000_000),
    retryAfterSeconds: integer(pick('retry-after'), 'retry-after', 1, 3600),
    flushIntervalMs: integer(pick('flush-interval-ms'), 'flush-interval-ms', 10, 3_600_000),
    shutdownTimeoutMs: integer(pick('shutdown-timeout-ms'), 'shutdown-timeout-ms', 0, 3_600_000),
    retryMaxMs: integer(pick('retry-max-ms'), 'retry-max-ms', 10, 3_600_000),
    ...storeOptions(values, env),
    openrouter: pick('openrouter-config'),
    bills: pick('bills-config'),
    traceUrl: pick('trace-url'),
    migrate,
  };
  // Leave unset options out so startCollector's defaults (and the ClickHouse package's env handling) apply.
  for (const key of Object.keys(collector) as Array<keyof CollectorOptions>) {
    if (collector[key] === undefined) delete collector[key];
  }
  return { options: collector, logLevel };
}

/**
 * Where the data goes, with the ClickHouse package's precedence: a `--url` flag, else a `--path` flag, else the
 * environment (`LLM_COST_CLICKHOUSE_URL` before `LLM_COST_CLICKHOUSE_PATH`). Resolved here from the given environment
 * (not left to the package reading `process.env`), so a configuration file fully describes the collector.
 */
function storeOptions(values: Record<string, unknown>, env: Env): Partial<CollectorOptions> {
  const flag = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  const fromEnv = (name: string) => (env[name] === undefined || env[name] === '' ? undefined : env[name]);
  const urlFlag = flag('url');
  const pathFlag = flag('path');
  const location =
    urlFlag !== undefined
      ? { url: urlFlag }
      : pathFlag !== undefined
        ? { path: pathFlag }
        : { url: fromEnv('LLM_COST_CLICKHOUSE_URL'), path: fromEnv('LLM_COST_CLICKHOUSE_PATH') };
  return {
    ...location,
    username: fromEnv('LLM_COST_CLICKHOUSE_USER'),
    password: fromEnv('LLM_COST_CLICKHOUSE_PASSWORD'),
    database: flag('database') ?? fromEnv('LLM_COST_CLICKHOUSE_DATABASE'),
    cluster: flag('cluster') ?? fromEnv('LLM_COST_CLICKHOUSE_CLUSTER'),
  };
}

/**
 * OTLP/gRPC listens on 4317 (its registered port) unless turned `off`; when the HTTP port is `0` (a free port, as
 * tests and side-by-side runs ask), gRPC takes a free port too rather than contending for 4317.
 */
function grpcPortOf(value: string | undefined, httpPort: number | undefined): number | undefined {
  if (value !== undefined && /^(off|false|no|none)$/i.test(value)) return undefined;
  return integer(value, 'grpc-port', 0, 65_535) ?? (httpPort === 0 ? 0 : DEFAULT_GRPC_PORT);
}

const DEFAULT_GRPC_PORT = 4317;

function splitList(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(',').filter((v) => v.trim() !== '');
}

function integer(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CollectorConfigError(`${name} must be an integer from ${min} to ${max}, got "${value.slice(0, 20)}"`);
  }
  return n;
}

function readConfigFile(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new CollectorConfigError(`cannot read tokens file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
}

/**
 * Reads a Docker-style env file (`KEY=value` lines, `#` comments, optional quotes): the collector's configuration in
 * `docker-compose.yml` is such a file, and the tests start the collector from the same file.
 */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0]!)) value = value.slice(1, -1);
    env[line.slice(0, eq).trim()] = value;
  }
  return env;
}
