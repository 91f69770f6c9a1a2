import { useEffect, useState } from 'preact/hooks';

/**
 * The whole view lives in the URL (page path + query string), so a view can be shared, bookmarked and reloaded:
 * `range` (today, 7d, 30d, 90d) or `from`/`to` days, the filters (`user`, `tenant`, `model`, `provider`, `service`,
 * `tag.<key>`), and each page's own choices (`by`, `stack`, `status`, `priced`, `before`, `dim`).
 */

export const FILTER_KEYS = ['user', 'tenant', 'model', 'provider', 'service'] as const;
export const RANGES = [
  { id: 'today', label: 'Today', days: 1 },
  { id: '7d', label: '7 days', days: 7 },
  { id: '30d', label: '30 days', days: 30 },
  { id: '90d', label: '90 days', days: 90 },
] as const;

const DAY_MS = 86_400_000;

export interface Location {
  path: string;
  params: URLSearchParams;
}

function current(): Location {
  return { path: location.pathname, params: new URLSearchParams(location.search) };
}

/** Re-renders on back/forward and on {@link navigate}. */
export function useLocation(): Location {
  const [state, setState] = useState(current);
  useEffect(() => {
    const update = () => setState(current());
    addEventListener('popstate', update);
    addEventListener('llm-cost:navigate', update);
    return () => {
      removeEventListener('popstate', update);
      removeEventListener('llm-cost:navigate', update);
    };
  }, []);
  return state;
}

export function href(path: string, params: URLSearchParams): string {
  const query = params.toString();
  return query === '' ? path : `${path}?${query}`;
}

export function navigate(path: string, params: URLSearchParams, replace = false): void {
  const target = href(path, params);
  if (target === location.pathname + location.search) return;
  if (replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  dispatchEvent(new Event('llm-cost:navigate'));
}

/** A copy of `params` with `changes` applied (undefined removes a key); a new view starts at the first calls page. */
export function withParams(params: URLSearchParams, changes: Record<string, string | undefined>): URLSearchParams {
  const next = new URLSearchParams(params);
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) next.delete(key);
    else next.set(key, value);
  }
  if (!('before' in changes)) next.delete('before');
  return next;
}

/** The parameters that carry over from page to page: range and filters. */
export function sharedParams(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams();
  for (const [key, value] of params) {
    if (key === 'range' || key === 'from' || key === 'to' || (FILTER_KEYS as readonly string[]).includes(key) || key.startsWith('tag.')) {
      next.set(key, value);
    }
  }
  return next;
}

export interface DayRange {
  /** First day, `YYYY-MM-DD`. */
  first: string;
  /** Last day, inclusive. */
  last: string;
  label: string;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The UTC days of the view: a preset counted back from today, or `from`..`to` (inclusive). */
export function dayRange(params: URLSearchParams, now = Date.now()): DayRange {
  const from = params.get('from');
  const to = params.get('to');
  if (from !== null && to !== null && DAY.test(from) && DAY.test(to) && from <= to) {
    return { first: from, last: to, label: from === to ? from : `${from} – ${to}` };
  }
  const preset = RANGES.find((r) => r.id === params.get('range')) ?? RANGES[2];
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  return { first: isoDay(today - (preset.days - 1) * DAY_MS), last: isoDay(today), label: preset.label };
}

/** `from=…&to=…` for the API: `to` is exclusive, the day after the last. */
export function apiRange(range: DayRange): string {
  return `from=${range.first}&to=${isoDay(Date.parse(`${range.last}T00:00:00Z`) + DAY_MS)}`;
}

/** The filters of the view as API parameters. */
export function apiFilters(params: URLSearchParams): string {
  const out = new URLSearchParams();
  for (const [key, value] of params) {
    if ((FILTER_KEYS as readonly string[]).includes(key) || key.startsWith('tag.')) out.set(key, value);
  }
  const text = out.toString();
  return text === '' ? '' : `&${text}`;
}

/** The filter key for a breakdown dimension: `model` → `model`, `tag:feature` / `feature` → `tag.feature`. */
export function filterKey(by: string): string {
  if (by === 'feature') return 'tag.feature';
  if (by.startsWith('tag:')) return `tag.${by.slice(4)}`;
  return by;
}

export function dimensionLabel(by: string): string {
  if (by.startsWith('tag:')) return by.slice(4);
  return by;
}
