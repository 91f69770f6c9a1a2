import { InvalidOptionError } from '../errors.js';
import type { TimeInput } from './query-types.js';

const DAY_MS = 86_400_000;

export function toMs(value: TimeInput, name: string): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new InvalidOptionError(`${name} is not a valid time: ${String(value)}`);
  return ms;
}

/** `YYYY-MM-DD` of the UTC day containing `ms`. */
export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Start (UTC midnight) of the day containing `ms`. */
export function dayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

export function addDays(ms: number, days: number): number {
  return ms + days * DAY_MS;
}

/** `YYYY-MM-DD HH:MM:SS.mmm`, the text form of a `DateTime64(3, 'UTC')` query parameter. */
export function dateTimeParam(ms: number): string {
  return new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
}

/**
 * Splits `[from, to)` into the whole UTC days inside it (answered from the daily rollups) and the partial days at
 * either end (answered from the raw table), so results are exact at any time precision.
 */
export interface SplitRange {
  from: number;
  to: number;
  /** Whole days `[firstDay, endDay)` as ms at midnight; empty when `firstDay >= endDay`. */
  firstDay: number;
  endDay: number;
}

export function splitRange(fromInput: TimeInput, toInput: TimeInput): SplitRange {
  const from = toMs(fromInput, 'from');
  const to = toMs(toInput, 'to');
  if (to < from) throw new InvalidOptionError(`'to' (${new Date(to).toISOString()}) is before 'from'`);
  const firstDay = dayStart(from) === from ? from : addDays(dayStart(from), 1);
  const endDay = dayStart(to);
  return firstDay < endDay ? { from, to, firstDay, endDay } : { from, to, firstDay: from, endDay: from };
}

/** Parses a day given as `YYYY-MM-DD`, a Date or ms (any time that day); returns midnight UTC. */
export function parseDay(value: TimeInput, name: string): number {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return toMs(`${value}T00:00:00Z`, name);
  return dayStart(toMs(value, name));
}
