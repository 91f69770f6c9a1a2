/**
 * Structured logs: one JSON object per line (`time`, `level`, `msg`, then fields). Fields whose names look like
 * secrets are dropped before writing, as a second line of defence: no code path logs a token, a key or a header.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type LogFields = Record<string, string | number | boolean | null | undefined | string[]>;

export interface Logger {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const SECRET_FIELD = /authorization|token|password|secret|api[-_]?key|cookie/i;

export interface JsonLoggerOptions {
  /** Lowest level written. Env: `LLM_COST_LOG_LEVEL`. @default 'info' */
  level?: LogLevel;
  /** Where lines go. @default one line per call to process.stdout */
  write?: (line: string) => void;
}

export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const threshold = ORDER[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => void process.stdout.write(line));
  const log =
    (level: LogLevel) =>
    (msg: string, fields: LogFields = {}): void => {
      if (ORDER[level] < threshold) return;
      const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
      for (const [key, value] of Object.entries(fields)) {
        if (value !== undefined && !SECRET_FIELD.test(key)) entry[key] = value;
      }
      write(`${JSON.stringify(entry)}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** A logger that writes nothing (the default of `startCollector` when embedded in tests or other programs). */
export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };

export function isLogLevel(value: string): value is LogLevel {
  return value in ORDER;
}
