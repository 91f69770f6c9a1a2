import type { IncomingMessage, ServerResponse } from 'node:http';

import { handleDashboardRequest, type DashboardContext } from '../dashboard/dashboard-routes.js';
import { sendJson } from './answers.js';
import { handleTraces } from './ingest-route.js';
import type { IngestContext } from './ingest-context.js';
import { handleQuery, type QueryContext } from './query-route.js';
import type { Readiness } from './readiness.js';

export interface RouterContext {
  ingest: IngestContext;
  query: QueryContext;
  readiness(): Promise<Readiness>;
  /** Prometheus text of the current metrics. */
  metricsText(): string;
  /** The built-in dashboard at `/` (its page paths, `/assets/`, `/api/`). */
  dashboard?: DashboardContext;
}

/** Route name (for the request metrics) and the HTTP status sent. */
export type RouteResult = [route: string, status: number];

/** Dispatches one request to its endpoint; every branch answers and reports what it answered. */
export async function routeRequest(
  request: IncomingMessage,
  response: ServerResponse,
  ctx: RouterContext,
): Promise<RouteResult> {
  const path = (request.url ?? '/').split('?', 1)[0];
  switch (path) {
    case '/v1/traces':
      if (request.method !== 'POST') return ['traces', methodNotAllowed(request, response, 'POST')];
      return ['traces', await handleTraces(request, response, ctx.ingest)];
    case '/v1/query':
      if (request.method !== 'POST' && request.method !== 'GET') {
        return ['query', methodNotAllowed(request, response, 'GET, POST')];
      }
      return ['query', await handleQuery(request, response, ctx.query)];
    case '/healthz':
      request.resume();
      sendJson(response, 200, { ok: true });
      return ['healthz', 200];
    case '/readyz': {
      request.resume();
      const readiness = await ctx.readiness();
      sendJson(response, readiness.ok ? 200 : 503, readiness);
      return ['readyz', readiness.ok ? 200 : 503];
    }
    case '/metrics':
      request.resume();
      response.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      response.end(ctx.metricsText());
      return ['metrics', 200];
    default: {
      const dashboard = ctx.dashboard === undefined ? undefined : await handleDashboardRequest(request, response, ctx.dashboard);
      if (dashboard !== undefined) return dashboard;
      request.resume();
      sendJson(response, 404, { error: 'not found' });
      return ['other', 404];
    }
  }
}

function methodNotAllowed(request: IncomingMessage, response: ServerResponse, allow: string): number {
  request.resume();
  sendJson(response, 405, { error: `method not allowed; use ${allow}` }, { allow });
  return 405;
}
