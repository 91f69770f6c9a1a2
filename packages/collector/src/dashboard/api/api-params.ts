import type { BreakdownDimension, UsageFilter } from '@llm-cost/clickhouse';

import { CollectorQueryError } from '../../errors.js';

/**
 * The query-string parameters of the dashboard's `/api/` endpoints, checked against a fixed vocabulary: an unknown
 * parameter, a bad date, a range the wrong way round or too long, an unknown dimension or an out-of-range limit is a
 * 400 with a message that names the parameter and what it accepts. Values reach ClickHouse only as query parameters.
 */

const DAY_MS = 86_400_000;
/** Longest range over the rollups, in days (ten years, as `dailyCosts` allows). */
export const MAX_RANGE_DAYS = 3660;
const MAX_STRING = 256;
const MAX_TAG_KEY = 128;
const MAX_TAGS = 16;
const TAG_PREFIX = 'tag.';

export function badRequest(message: string): CollectorQueryError {
  return new CollectorQueryError(message, 400);
}

/** The filters of the URL: `user`, `tenant`, `provider`, `model`, `service` and `tag.<key>=<value>` (repeatable keys). */
const FILTER_PARAMS: Record<string, keyof UsageFilter> = {
  user: 'userId',
  tenant: 'tenantId',
  provider: 'provider',
  model: 'model',
  service: 'service',
};

/** The parameter names of the filter, for an endpoint's list of accepted names. */
export const FILTER_NAMES = [...Object.keys(FILTER_PARAMS), 'tag.*'];

/**
 * Parsed parameters of one request. Constructed with the names the endpoint accepts (`tag.*` for the tag filters),
 * so an unknown or repeated parameter is refused before any query runs.
 */
export class ApiParams {
  constructor(
    private readonly search: URLSearchParams,
    accepted: readonly string[],
  ) {
    const allowed = new Set(accepted);
    for (const name of new Set(search.keys())) {
      const known = allowed.has(name) || (name.startsWith(TAG_PREFIX) && allowed.has('tag.*'));
      if (!known) throw badRequest(`unknown parameter "${name.slice(0, 40)}"; this endpoint takes ${accepted.join(', ') || 'none'}`);
      if (search.getAll(name).length > 1) throw badRequest(`"${name.slice(0, 40)}" is given more than once`);
    }
  }

  private take(name: string): string | undefined {
    return this.search.get(name) ?? undefined;
  }

  /** `from` and `to` (ISO 8601 times or `YYYY-MM-DD` days at UTC midnight), `to` exclusive, at most 3660 days apart. */
  range(maxDays = MAX_RANGE_DAYS): { from: number; to: number } {
    const from = time(this.take('from'), 'from');
    const to = time(this.take('to'), 'to');
    if (to <= from) throw badRequest('"to" must be after "from"');
    if (to - from > maxDays * DAY_MS) throw badRequest(`the range from "from" to "to" is at most ${maxDays} days`);
    return { from, to };
  }

  filter(): UsageFilter {
    const filter: UsageFilter = {};
    for (const [name, field] of Object.entries(FILTER_PARAMS)) {
      const value = this.take(name);
      if (value === undefined) continue;
      if (value.length > MAX_STRING) throw badRequest(`"${name}" is longer than ${MAX_STRING} characters`);
      (filter as Record<string, string>)[field] = value;
    }
    const tags: Record<string, string> = {};
    for (const name of this.search.keys()) {
      if (!name.startsWith(TAG_PREFIX)) continue;
      const key = name.slice(TAG_PREFIX.length);
      const value = this.search.get(name)!;
      if (key === '' || key.length > MAX_TAG_KEY) throw badRequest(`a tag filter is tag.<key>=<value> with a key of 1 to ${MAX_TAG_KEY} characters`);
      if (value.length > MAX_STRING) throw badRequest(`"${name.slice(0, 40)}" is longer than ${MAX_STRING} characters`);
      tags[key] = value;
    }
    const count = Object.keys(tags).length;
    if (count > MAX_TAGS) throw badRequest(`at most ${MAX_TAGS} tag filters`);
    if (count > 0) filter.tags = tags;
    return filter;
  }

  /** `model`, `provider`, `user`, `tenant`, `service` or `tag:<key>`; `feature` is `tag:feature`. */
  dimension(name: string, required: true): BreakdownDimension;
  dimension(name: string, required: false): BreakdownDimension | undefined;
  dimension(name: string, required: boolean): BreakdownDimension | undefined {
    const value = this.take(name);
    if (value === undefined) {
      if (required) throw badRequest(`"${name}" is required: model, provider, user, tenant, service, feature or tag:<key>`);
      return undefined;
    }
    return parseDimension(value, name);
  }

  integer(name: string, min: number, max: number, fallback: number): number {
    const value = this.take(name);
    if (value === undefined) return fallback;
    const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < min || n > max) throw badRequest(`"${name}" must be an integer from ${min} to ${max}`);
    return n;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) throw badRequest(`"${name}" must be one of ${allowed.join(', ')}`);
    return value as T;
  }

  string(name: string, pattern: RegExp, what: string): string | undefined {
    const value = this.take(name);
    if (value === undefined) return undefined;
    if (!pattern.test(value)) throw badRequest(`"${name}" must be ${what}`);
    return value;
  }
}

const DIMENSIONS = new Set(['model', 'provider', 'user', 'tenant', 'service']);

export function parseDimension(value: string, name: string): BreakdownDimension {
  if (DIMENSIONS.has(value)) return value as BreakdownDimension;
  if (value === 'feature') return { tag: 'feature' };
  if (value.startsWith('tag:') && value.length > 4 && value.length <= 4 + MAX_TAG_KEY) return { tag: value.slice(4) };
  throw badRequest(`"${name}" must be model, provider, user, tenant, service, feature or tag:<key>`);
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

function time(value: string | undefined, name: string): number {
  if (value === undefined) throw badRequest(`"${name}" is required (YYYY-MM-DD or an ISO 8601 time)`);
  const ms = DAY.test(value) ? Date.parse(`${value}T00:00:00Z`) : ISO.test(value) ? Date.parse(value) : NaN;
  if (!Number.isFinite(ms)) throw badRequest(`"${name}" must be YYYY-MM-DD or an ISO 8601 time with a zone, got "${value.slice(0, 40)}"`);
  return ms;
}
