import type { IncomingMessage, ServerResponse } from 'node:http';

import { InvalidOptionError } from '@llm-cost/clickhouse';

import type { TokenTable } from '../auth/tokens.js';
import { CollectorQueryError } from '../errors.js';
import type { Logger } from '../log.js';
import { send } from '../server/answers.js';
import { runEndpoint, type DashboardQueries } from './api/api-endpoints.js';
import { APP_PAGES } from './app-pages.js';
import { SECURITY_HEADERS } from './security-headers.js';
import { PAGE_HTML, readAsset } from './static-assets.js';

export interface DashboardContext {
  tokens: TokenTable;
  queries: DashboardQueries;
  logger: Logger;
  /** Trace link template with `{traceId}`; undefined: trace ids are shown as text. */
  traceUrl?: string;
  /** @default Date.now */
  now?: () => number;
}

/** Route name (for the request metrics) and the status sent. */
export type DashboardRouteResult = [route: string, status: number];

const PAGES = new Set<string>(APP_PAGES);
const LOOPBACK_NAMES = new Set(['127.0.0.1', 'localhost', '[::1]']);

function sendJson(response: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  send(response, status, 'application/json; charset=utf-8', JSON.stringify(value), {
    ...SECURITY_HEADERS,
    'cache-control': 'no-store',
    ...headers,
  });
}

/**
 * Without tokens the dashboard is open to whoever can reach loopback. A web page elsewhere cannot read it (no CORS
 * headers), but one served from a name that resolves to 127.0.0.1 (DNS rebinding) would be same-origin; answering
 * only requests addressed to a loopback name closes that.
 */
function addressedToLoopback(request: IncomingMessage): boolean {
  const host = request.headers.host ?? '';
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0]!;
  return LOOPBACK_NAMES.has(name.toLowerCase());
}

/**
 * Serves the dashboard: the app at `/` and its page paths, its assets under `/assets/`, its data under `/api/`.
 * Resolves to undefined for any other path (the caller answers it). With read tokens configured, `/api/` needs one
 * (`Authorization: Bearer`); the page itself holds no data and asks for a token when the API says 401.
 */
export async function handleDashboardRequest(
  request: IncomingMessage,
  response: ServerResponse,
  ctx: DashboardContext,
): Promise<DashboardRouteResult | undefined> {
  const url = new URL(request.url ?? '/', 'http://dashboard.invalid');
  const path = url.pathname;
  const isApi = path.startsWith('/api/');
  const isAsset = path.startsWith('/assets/');
  if (!isApi && !isAsset && !PAGES.has(path)) return undefined;
  const route = isApi ? 'dashboard_api' : 'dashboard';
  request.resume();
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    sendJson(response, 405, { error: 'method not allowed; use GET' }, { allow: 'GET, HEAD' });
    return [route, 405];
  }
  if (!ctx.tokens.enabled && !addressedToLoopback(request)) {
    sendJson(response, 403, { error: 'without read tokens the dashboard answers requests to 127.0.0.1 or localhost only' });
    return [route, 403];
  }
  if (isAsset) {
    const asset = readAsset(path.slice('/assets/'.length));
    if (asset === undefined) {
      sendJson(response, 404, { error: 'not found' });
      return [route, 404];
    }
    send(response, 200, asset.contentType, asset.body, { ...SECURITY_HEADERS, 'cache-control': 'no-cache' });
    return [route, 200];
  }
  if (!isApi) {
    send(response, 200, 'text/html; charset=utf-8', PAGE_HTML, { ...SECURITY_HEADERS, 'cache-control': 'no-cache' });
    return [route, 200];
  }
  return [route, await answerApi(request, response, url, ctx)];
}

async function answerApi(request: IncomingMessage, response: ServerResponse, url: URL, ctx: DashboardContext): Promise<number> {
  const auth = ctx.tokens.authenticateRead(request.headers.authorization);
  const name = url.pathname.slice('/api/'.length);
  if (!auth.ok) {
    // The page asks `session` first to learn whether to show the login form: that one question is answered without
    // data and without an error status (a 401 there would be a console error in every browser before login).
    if (name === 'session') {
      sendJson(response, 200, { authenticated: false });
      return 200;
    }
    sendJson(response, 401, { error: 'a read token is required' }, { 'www-authenticate': 'Bearer realm="llm-cost"' });
    return 401;
  }
  try {
    const answer = await runEndpoint(name, url.searchParams, { tenant: auth.tenant }, {
      queries: ctx.queries,
      traceUrl: ctx.traceUrl,
      now: ctx.now ?? Date.now,
    });
    if (answer === undefined) {
      sendJson(response, 404, { error: `no endpoint /api/${name.slice(0, 40)}` });
      return 404;
    }
    if ('csv' in answer) {
      send(response, 200, 'text/csv; charset=utf-8', answer.csv, {
        ...SECURITY_HEADERS,
        'cache-control': 'no-store',
        'content-disposition': `attachment; filename="${answer.filename}"`,
      });
      return 200;
    }
    sendJson(response, 200, answer.json);
    return 200;
  } catch (error) {
    if (error instanceof CollectorQueryError) {
      sendJson(response, error.status, { error: error.message });
      return error.status;
    }
    if (error instanceof InvalidOptionError) {
      sendJson(response, 400, { error: error.message });
      return 400;
    }
    ctx.logger.error('dashboard query failed', { endpoint: name.slice(0, 40), error: (error as Error).message });
    sendJson(response, 500, { error: 'query failed; see the server log' });
    return 500;
  }
}
