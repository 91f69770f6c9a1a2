import {
  formatRows,
  MAX_CALLS_PAGE,
  MAX_CALLS_RANGE_DAYS,
  type CallRecord,
  type Column,
  type CreditSnapshot,
  type UsageBreakdownEntry,
  type UsageFilter,
  type UsageQueries,
} from '@llm-cost/clickhouse';

import { CollectorQueryError } from '../../errors.js';
import { ApiParams, FILTER_NAMES } from './api-params.js';
import { safeCsvCell } from './csv-cells.js';

/** What the dashboard reads: the usage queries of `@llm-cost/clickhouse`, nothing else. */
export type DashboardQueries = Pick<
  UsageQueries,
  'usageInPeriod' | 'costBreakdown' | 'dailySeries' | 'cacheSavings' | 'recentCalls' | 'tagKeys' | 'dataQuality' | 'latencyByModel' | 'creditHistory'
>;

export interface ApiContext {
  queries: DashboardQueries;
  /** Trace link template (`{traceId}`), shown to the page. */
  traceUrl: string | undefined;
  now(): number;
}

/** Who asks: a read token bound to one tenant sees that tenant only. */
export interface ReadScope {
  tenant: string | undefined;
}

export type ApiAnswer = { json: unknown } | { csv: string; filename: string };

interface Endpoint {
  /** Parameter names it takes (`tag.*`: the tag filters); any other is a 400 before a query runs. */
  params: readonly string[];
  run(params: ApiParams, scope: ReadScope, ctx: ApiContext): Promise<ApiAnswer>;
}

const RANGE = ['from', 'to'];
const RANGE_AND_FILTER = [...RANGE, ...FILTER_NAMES];
const BREAKDOWN_PARAMS = [...RANGE_AND_FILTER, 'by', 'limit'];
const CALLS_PARAMS = [...RANGE_AND_FILTER, 'status', 'priced', 'limit', 'before'];

const DAY_MS = 86_400_000;

/**
 * The filter of a request under its token's scope. A tenant token's answers are always narrowed to its tenant; asking
 * for another tenant is refused (403) rather than answered with zeros, so nothing about other tenants can be inferred
 * from the difference between the two.
 */
export function scopedFilter(filter: UsageFilter, scope: ReadScope): UsageFilter {
  if (scope.tenant === undefined) return filter;
  if (filter.tenantId !== undefined && filter.tenantId !== scope.tenant) {
    throw new CollectorQueryError('this read token reads its own tenant only', 403);
  }
  return { ...filter, tenantId: scope.tenant };
}

function filtered(params: ApiParams, scope: ReadScope): UsageFilter {
  return scopedFilter(params.filter(), scope);
}

const BREAKDOWN_COLUMNS: Column<UsageBreakdownEntry>[] = [
  { header: 'calls', value: (r) => r.calls },
  { header: 'input_tokens', value: (r) => r.inputTokens },
  { header: 'cached_tokens', value: (r) => r.cacheReadTokens },
  { header: 'output_tokens', value: (r) => r.outputTokens },
  { header: 'cost_usd', value: (r) => r.cost },
  { header: 'billed_usd', value: (r) => r.billedCost },
  { header: 'unpriced_calls', value: (r) => r.unpricedCalls },
  { header: 'unknown_usage_calls', value: (r) => r.unknownUsageCalls },
  { header: 'error_calls', value: (r) => r.errorCalls },
];

const CALL_COLUMNS: Column<CallRecord>[] = [
  { header: 'timestamp', value: (c) => c.timestamp },
  { header: 'provider', value: (c) => safeCsvCell(c.provider) },
  { header: 'model', value: (c) => safeCsvCell(c.model) },
  { header: 'service', value: (c) => safeCsvCell(c.service) },
  { header: 'user', value: (c) => safeCsvCell(c.userId) },
  { header: 'tenant', value: (c) => safeCsvCell(c.tenantId) },
  { header: 'feature', value: (c) => safeCsvCell(c.feature) },
  { header: 'input_tokens', value: (c) => c.inputTokens },
  { header: 'cached_tokens', value: (c) => c.cacheReadTokens },
  { header: 'output_tokens', value: (c) => c.outputTokens },
  { header: 'cost_usd', value: (c) => c.cost ?? '' },
  { header: 'billed_usd', value: (c) => c.billedCost ?? '' },
  { header: 'pricing_status', value: (c) => c.pricingStatus },
  { header: 'latency_ms', value: (c) => c.latencyMs },
  { header: 'stream', value: (c) => String(c.stream) },
  { header: 'error', value: (c) => safeCsvCell(c.errorType) },
  { header: 'trace_id', value: (c) => safeCsvCell(c.traceId) },
];

async function breakdown(params: ApiParams, scope: ReadScope, ctx: ApiContext) {
  const by = params.dimension('by', true);
  const limit = params.integer('limit', 1, 10_000, 1_000);
  const filter = filtered(params, scope);
  const rows = await ctx.queries.costBreakdown({ ...params.range(), ...filter, by, limit });
  return { by: typeof by === 'object' ? `tag:${by.tag}` : by, rows };
}

async function calls(params: ApiParams, scope: ReadScope, ctx: ApiContext) {
  const filter = filtered(params, scope);
  const status = params.oneOf('status', ['ok', 'error'] as const);
  const priced = params.oneOf('priced', ['yes', 'no'] as const);
  const limit = params.integer('limit', 1, MAX_CALLS_PAGE, 50);
  const before = params.string('before', /^\d{1,15}_[0-9a-fA-F]{1,32}$/, 'the "next" cursor of a previous page');
  return ctx.queries.recentCalls({
    ...params.range(MAX_CALLS_RANGE_DAYS),
    ...filter,
    ...(status === undefined ? {} : { status }),
    ...(priced === undefined ? {} : { priced: priced === 'yes' }),
    limit,
    ...(before === undefined ? {} : { before }),
  });
}

/** Latest snapshot per key (the current level and forecast) and the history for the chart. */
function creditSummary(snapshots: CreditSnapshot[]) {
  const latest = new Map<string, CreditSnapshot>();
  for (const snapshot of snapshots) latest.set(`${snapshot.provider ?? ''}\u0000${snapshot.keyFingerprint}`, snapshot);
  return { keys: [...latest.values()], snapshots };
}

export const ENDPOINTS: Record<string, Endpoint> = {
  session: {
    params: [],
    run: async (params, scope, ctx) => {
      const tenants =
        scope.tenant !== undefined
          ? [scope.tenant]
          : (await ctx.queries.costBreakdown({ by: 'tenant', from: ctx.now() - 90 * DAY_MS, to: ctx.now() + DAY_MS, limit: 500 }))
              .map((row) => row.key)
              .filter((key) => key !== '')
              .sort();
      return { json: { authenticated: true, tenant: scope.tenant ?? null, tenants, traceUrl: ctx.traceUrl ?? null } };
    },
  },

  totals: {
    params: RANGE_AND_FILTER,
    run: async (params, scope, ctx) => {
      const filter = filtered(params, scope);
      const { from, to } = params.range();
      // The previous period has the same length; when the range runs into the future, both stop at the same point
      // (today so far against yesterday up to the same time).
      const length = to - from;
      const until = Math.max(from, Math.min(to, ctx.now()));
      const [totals, previous] = await Promise.all([
        ctx.queries.usageInPeriod({ ...filter, from, to }),
        ctx.queries.usageInPeriod({ ...filter, from: from - length, to: until - length }),
      ]);
      return {
        json: {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          totals,
          previous: { from: new Date(from - length).toISOString(), to: new Date(until - length).toISOString(), totals: previous },
        },
      };
    },
  },

  daily: {
    params: [...RANGE_AND_FILTER, 'stack', 'top'],
    run: async (params, scope, ctx) => {
      const filter = filtered(params, scope);
      const stack = params.dimension('stack', false);
      const top = params.integer('top', 1, 20, 8);
      return { json: await ctx.queries.dailySeries({ ...params.range(), ...filter, ...(stack === undefined ? {} : { stack }), top }) };
    },
  },

  savings: {
    params: RANGE_AND_FILTER,
    run: async (params, scope, ctx) => ({ json: await ctx.queries.cacheSavings({ ...params.range(), ...filtered(params, scope) }) }),
  },

  breakdown: { params: BREAKDOWN_PARAMS, run: async (params, scope, ctx) => ({ json: await breakdown(params, scope, ctx) }) },

  'breakdown.csv': {
    params: BREAKDOWN_PARAMS,
    run: async (params, scope, ctx) => {
      const { by, rows } = await breakdown(params, scope, ctx);
      const key: Column<UsageBreakdownEntry> = { header: by.replace(/^tag:/, ''), value: (r) => safeCsvCell(r.key) };
      return { csv: formatRows(rows, [key, ...BREAKDOWN_COLUMNS], 'csv'), filename: `llm-cost-by-${by.replace(/[^\w.-]+/g, '_')}.csv` };
    },
  },

  calls: { params: CALLS_PARAMS, run: async (params, scope, ctx) => ({ json: await calls(params, scope, ctx) }) },

  'calls.csv': {
    params: CALLS_PARAMS,
    run: async (params, scope, ctx) => {
      const page = await calls(params, scope, ctx);
      return { csv: formatRows(page.calls, CALL_COLUMNS, 'csv'), filename: 'llm-cost-calls.csv' };
    },
  },

  'tag-keys': {
    params: RANGE_AND_FILTER,
    run: async (params, scope, ctx) => ({ json: { keys: await ctx.queries.tagKeys({ ...params.range(), ...filtered(params, scope) }) } }),
  },

  quality: {
    params: RANGE_AND_FILTER,
    run: async (params, scope, ctx) => {
      const input = { ...params.range(), ...filtered(params, scope) };
      const [quality, latency] = await Promise.all([ctx.queries.dataQuality(input), ctx.queries.latencyByModel(input)]);
      return { json: { quality, latency } };
    },
  },

  credits: {
    params: [...RANGE, 'tenant'],
    run: async (params, scope, ctx) => {
      const tenant = scopedFilter(params.filter(), scope).tenantId;
      const snapshots = await ctx.queries.creditHistory({ ...params.range(), ...(tenant === undefined ? {} : { tenantId: tenant }) });
      return { json: creditSummary(snapshots) };
    },
  },
};

/** Runs one endpoint: parameters checked (every unknown one refused), the query under the token's scope. */
export async function runEndpoint(name: string, search: URLSearchParams, scope: ReadScope, ctx: ApiContext): Promise<ApiAnswer | undefined> {
  const endpoint = Object.prototype.hasOwnProperty.call(ENDPOINTS, name) ? ENDPOINTS[name] : undefined;
  if (endpoint === undefined) return undefined;
  return endpoint.run(new ApiParams(search, endpoint.params), scope, ctx);
}
