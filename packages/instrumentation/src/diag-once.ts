import { diag } from '@opentelemetry/api';

/**
 * Logs each distinct problem once per process: a bad tag or a failing hook on the request path would otherwise log on
 * every call. The set is bounded so a stream of distinct keys cannot grow it without end.
 */
const seen = new Set<string>();
const MAX_KEYS = 1000;

function first(key: string): boolean {
  if (seen.has(key)) return false;
  if (seen.size >= MAX_KEYS) return false;
  seen.add(key);
  return true;
}

/** `diag.warn` once per key: bad configuration or input. */
export function warnOnce(key: string, message: string, ...args: unknown[]): void {
  if (first(key)) diag.warn(`@llm-cost/instrumentation: ${message}`, ...args);
}

/** `diag.error` once per key: a bug of ours or a failing hook. */
export function errorOnce(key: string, message: string, ...args: unknown[]): void {
  if (first(key)) diag.error(`@llm-cost/instrumentation: ${message}`, ...args);
}
