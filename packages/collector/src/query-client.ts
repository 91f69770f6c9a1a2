import type { UsageQueries } from '@llm-cost/clickhouse';

import { CollectorQueryError } from './errors.js';
import { QUERY_NAMES, type QueryName } from './server/query-params.js';

export interface CollectorQueriesOptions {
  /** Base URL of a running collector, e.g. `http://127.0.0.1:4318`. Env: `LLM_COST_COLLECTOR_URL`. */
  url: string;
  /** A read token of that collector (not needed when it runs without tokens). Env: `LLM_COST_COLLECTOR_TOKEN`. */
  token?: string;
  /** @default 30000 */
  timeoutMs?: number;
}

/** The usage queries (same names, parameters and results), answered by a running collector's query endpoint. */
export type CollectorQueries = Pick<UsageQueries, QueryName>;

/**
 * Usage queries with the names and parameters of `createUsageQueries()` from `@llm-cost/clickhouse`, answered by a
 * collector instead of a direct connection: the way to read an embedded store while the collector holds it.
 */
export function createCollectorQueries(options: CollectorQueriesOptions): CollectorQueries {
  const endpoint = new URL('/v1/query', options.url).toString();
  const queries: Partial<Record<QueryName, (params?: object) => Promise<unknown>>> = {};
  for (const name of QUERY_NAMES) {
    queries[name] = async (params = {}) => {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify({ query: name, params }),
        signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
      });
      const body = (await response.json().catch(() => ({}))) as { result?: unknown; error?: string };
      if (!response.ok) {
        throw new CollectorQueryError(
          `collector at ${options.url} refused ${name}: ${body.error ?? response.statusText} (HTTP ${response.status})`,
          response.status,
        );
      }
      return body.result;
    };
  }
  return queries as CollectorQueries;
}
