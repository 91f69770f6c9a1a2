import { InvalidOptionError } from '../errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `500ms`, `30s`, `5m`, `24h`, `7d` (or a number of milliseconds) → milliseconds, for the flags and config files of
 * every llm-cost command (`--since 30d`, `interval: 24h`). `what` names the setting in the error.
 */
export function parseDuration(value: string | number, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
  } else {
    const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(value);
    if (match) return Math.round(Number(match[1]) * UNITS[match[2]!]!);
  }
  throw new InvalidOptionError(`${what} must be a duration like 30s, 5m, 24h or 7d, got ${JSON.stringify(value)}`);
}
