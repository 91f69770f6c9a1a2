/**
 * Date-dependent prices: a model's `prices` may be a list of `{ constraint?, prices }`. Selection follows the engine
 * (0.1.8) exactly: walk the list from the last entry to the first and take the first whose constraint holds at the
 * call's timestamp (no constraint always holds; `start_date` holds from that UTC midnight on; `time_of_date` holds
 * inside a daily UTC window, which may wrap midnight); if none holds, take the first entry.
 */

export type Constraint =
  | { readonly kind: 'always' }
  | { readonly kind: 'start_date'; readonly startMs: number; readonly text: string }
  | { readonly kind: 'time_of_date'; readonly startSec: number; readonly endSec: number; readonly text: string };

const TIME_RE = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|([+-])(\d{2}):(\d{2}))$/;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** Seconds after UTC midnight of a `HH:MM:SS[.fff](Z|±HH:MM)` time; throws on malformed input. */
function secondsOfDay(text: unknown): number {
  const m = typeof text === 'string' ? TIME_RE.exec(text) : null;
  if (!m) throw new Error(`invalid time of day ${JSON.stringify(text)} (expected HH:MM:SS with Z or ±HH:MM)`);
  const [, hh, mm, ss, frac = '', , sign, oh = '00', om = '00'] = m;
  const h = Number(hh);
  const min = Number(mm);
  const s = Number(ss);
  if (h > 23 || min > 59 || s > 59 || Number(oh) > 23 || Number(om) > 59) {
    throw new Error(`invalid time of day ${JSON.stringify(text)}`);
  }
  const offset = (Number(oh) * 60 + Number(om)) * 60 * (sign === '-' ? -1 : sign === '+' ? 1 : 0);
  return (h * 3600 + min * 60 + s + Number(`0.${frac || '0'}`) - offset + 86400) % 86400;
}

/**
 * Read a constraint as the data writes it: with or without the `type` field (the v2 file omits it; the engine
 * adds it). Throws on anything else.
 */
export function readConstraint(raw: unknown): Constraint {
  if (raw === undefined || raw === null) return { kind: 'always' };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`constraint must be an object`);
  const { type, start_date, start_time, end_time, ...rest } = raw as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new Error(`unknown constraint field(s) ${Object.keys(rest).join(', ')}`);
  if (start_date !== undefined && (type === undefined || type === 'start_date') && start_time === undefined) {
    const startMs = typeof start_date === 'string' && DATE_RE.test(start_date) ? Date.parse(`${start_date}T00:00:00Z`) : NaN;
    if (Number.isNaN(startMs)) throw new Error(`invalid start_date ${JSON.stringify(start_date)}`);
    return { kind: 'start_date', startMs, text: `from ${start_date as string}` };
  }
  if (start_time !== undefined && end_time !== undefined && (type === undefined || type === 'time_of_date') && start_date === undefined) {
    return {
      kind: 'time_of_date',
      startSec: secondsOfDay(start_time),
      endSec: secondsOfDay(end_time),
      text: `daily ${start_time as string}-${end_time as string}`,
    };
  }
  throw new Error(`unknown constraint ${JSON.stringify(raw)}`);
}

function holds(c: Constraint, ms: number): boolean {
  switch (c.kind) {
    case 'always':
      return true;
    case 'start_date':
      return ms >= c.startMs;
    case 'time_of_date': {
      const sec = (((ms % 86_400_000) + 86_400_000) % 86_400_000) / 1000;
      return c.endSec < c.startSec ? sec >= c.startSec || sec < c.endSec : sec >= c.startSec && sec < c.endSec;
    }
  }
}

/** Index of the entry that applies at `ms` (epoch milliseconds). */
export function selectConditional(constraints: readonly Constraint[], ms: number): number {
  for (let i = constraints.length - 1; i >= 0; i--) {
    if (holds(constraints[i] as Constraint, ms)) return i;
  }
  return 0;
}
