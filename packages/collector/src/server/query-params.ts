import { CollectorQueryError } from '../errors.js';

/**
 * The read-only query protocol of the collector: a query is one of the usage queries of `@llm-cost/clickhouse`, named,
 * with parameters checked here against a fixed schema. Nothing from the network reaches ClickHouse as SQL; the
 * queries bind every value as a query parameter.
 */

type ParamKind = 'date' | 'string' | 'tags' | 'breakdown' | 'days' | 'ratio' | 'limit';

/** The filter every usage query takes (a tenant-scoped read token always sets `tenantId`). */
const FILTER = {
  userId: 'string',
  tenantId: 'string',
  provider: 'string',
  model: 'string',
  service: 'string',
  tags: 'tags',
} as const;

export const QUERY_PARAMS = {
  usageInPeriod: { from: 'date', to: 'date', ...FILTER },
  usageInLast24Hours: { ...FILTER },
  dailySummary: { day: 'date', ...FILTER },
  totalCost: { from: 'date', to: 'date', ...FILTER },
  costBreakdown: { by: 'breakdown', from: 'date', to: 'date', limit: 'limit', ...FILTER },
  dailyCosts: { days: 'days', ...FILTER },
  latencyByModel: { from: 'date', to: 'date', ...FILTER },
  dataQuality: { from: 'date', to: 'date', coverageThreshold: 'ratio', tokenTolerance: 'ratio', ...FILTER },
  // The organisation's provider bills: every tenant together, so not for a tenant's read token.
  billDrift: { from: 'date', to: 'date', provider: 'string', coverageThreshold: 'ratio', tokenTolerance: 'ratio' },
} as const satisfies Record<string, Record<string, ParamKind>>;

export type QueryName = keyof typeof QUERY_PARAMS;

export const QUERY_NAMES = Object.keys(QUERY_PARAMS) as QueryName[];

const REQUIRED: Partial<Record<QueryName, readonly string[]>> = {
  usageInPeriod: ['from', 'to'],
  dailySummary: ['day'],
  totalCost: ['from', 'to'],
  costBreakdown: ['by', 'from', 'to'],
  dailyCosts: ['days'],
  latencyByModel: ['from', 'to'],
  dataQuality: ['from', 'to'],
  billDrift: ['from', 'to'],
};

const MAX_STRING = 256;
const MAX_TAGS = 16;
const BREAKDOWNS = new Set(['model', 'requestModel', 'provider', 'user', 'tenant', 'service']);

/** Whether a query can be narrowed to one tenant (a tenant's read token may run only those). */
export function isTenantScopable(name: QueryName): boolean {
  return Object.prototype.hasOwnProperty.call(QUERY_PARAMS[name], 'tenantId');
}

export function isQueryName(name: unknown): name is QueryName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(QUERY_PARAMS, name);
}

function bad(message: string): CollectorQueryError {
  return new CollectorQueryError(message, 400);
}

/** Checks and converts the JSON parameters of a query (dates become `Date`s). Throws a 400 `CollectorQueryError`. */
export function parseQueryParams(name: QueryName, raw: unknown): Record<string, unknown> {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw bad('params must be an object');
  const schema: Record<string, ParamKind> = QUERY_PARAMS[name];
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const kind = Object.prototype.hasOwnProperty.call(schema, key) ? schema[key] : undefined;
    if (kind === undefined) throw bad(`unknown parameter "${key.slice(0, 40)}" for ${name}`);
    if (value === undefined || value === null) continue;
    out[key] = convert(key, kind, value);
  }
  for (const key of REQUIRED[name] ?? []) {
    if (out[key] === undefined) throw bad(`${name} needs "${key}"`);
  }
  return out;
}

function convert(key: string, kind: ParamKind, value: unknown): unknown {
  switch (kind) {
    case 'date': {
      const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : undefined;
      if (date === undefined || Number.isNaN(date.getTime())) throw bad(`"${key}" must be an ISO date`);
      return date;
    }
    case 'string':
      if (typeof value !== 'string' || value.length > MAX_STRING) throw bad(`"${key}" must be a string`);
      return value;
    case 'ratio':
      if (typeof value !== 'number' || !(value >= 0 && value <= 1)) throw bad(`"${key}" must be a number from 0 to 1`);
      return value;
    case 'limit':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 100_000) {
        throw bad(`"${key}" must be an integer from 1 to 100000`);
      }
      return value;
    case 'days':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 3660) {
        throw bad(`"${key}" must be an integer from 1 to 3660`);
      }
      return value;
    case 'tags': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad(`"${key}" must be an object`);
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length > MAX_TAGS) throw bad(`"${key}" has more than ${MAX_TAGS} entries`);
      const tags: Record<string, string> = {};
      for (const [tag, tagValue] of entries) {
        if (typeof tagValue !== 'string' || tag.length > MAX_STRING || tagValue.length > MAX_STRING) {
          throw bad(`"${key}" values must be strings`);
        }
        tags[tag] = tagValue;
      }
      return tags;
    }
    case 'breakdown': {
      if (typeof value === 'string' && BREAKDOWNS.has(value)) return value;
      if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
        const tag = (value as Record<string, unknown>).tag;
        if (typeof tag === 'string' && tag !== '' && tag.length <= MAX_STRING && Object.keys(value).length === 1) {
          return { tag };
        }
      }
      throw bad(`"${key}" must be one of model, requestModel, provider, user, tenant, service or { "tag": "<key>" }`);
    }
  }
}
