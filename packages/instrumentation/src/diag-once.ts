import { diag } from '@opentelemetry/api';

/**
 * Logs each distinct problem once, then at most once an hour while it keeps happening, with how many times it
 * happened in between: a bad tag or a failing hook on the request path would otherwise log on every call, and a
 * long-running service must still hear about a hook that fails again days later. The table is bounded so a stream of
 * distinct keys cannot grow it without end (when it is full, a new key is not logged).
 */
export const REPEAT_INTERVAL_MS = 60 * 60 * 1000;
const MAX_KEYS = 1000;

interface Reported {
  /** When this key may be logged again. */
  quietUntil: number;
  /** Occurrences not logged since the last line. */
  repeats: number;
}

const reported = new Map<string, Reported>();

/** The suffix for a line that may be written now, or undefined when this occurrence is only counted. */
function admit(key: string): string | undefined {
  const now = Date.now();
  const entry = reported.get(key);
  if (entry !== undefined && now < entry.quietUntil) {
    entry.repeats += 1;
    return undefined;
  }
  if (entry === undefined && reported.size >= MAX_KEYS) {
    for (const [other, state] of reported) if (state.quietUntil <= now && state.repeats === 0) reported.delete(other);
    if (reported.size >= MAX_KEYS) return undefined;
  }
  const repeats = entry?.repeats ?? 0;
  reported.set(key, { quietUntil: now + REPEAT_INTERVAL_MS, repeats: 0 });
  return repeats === 0 ? '' : ` (again; ${repeats} more time${repeats === 1 ? '' : 's'} since the last report)`;
}

/** `diag.warn` for bad configuration or input: once per key, then at most hourly with a count. */
export function warnOnce(key: string, message: string, ...args: unknown[]): void {
  const suffix = admit(key);
  if (suffix !== undefined) diag.warn(`@llm-cost/instrumentation: ${message}${suffix}`, ...args);
}

/** `diag.error` for a bug of ours or a failing hook: once per key, then at most hourly with a count. */
export function errorOnce(key: string, message: string, ...args: unknown[]): void {
  const suffix = admit(key);
  if (suffix !== undefined) diag.error(`@llm-cost/instrumentation: ${message}${suffix}`, ...args);
}
