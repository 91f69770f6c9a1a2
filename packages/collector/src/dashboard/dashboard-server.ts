import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createUsageQueries, type ClickHouseConnectionOptions } from '@llm-cost/clickhouse';

import { TokenTable, type ReadTokenEntry } from '../auth/tokens.js';
import { silentLogger, type Logger } from '../log.js';
import { sendJson } from '../server/answers.js';
import { handleDashboardRequest } from './dashboard-routes.js';
import { checkTraceUrl } from './trace-url.js';

const LOOPBACK = '127.0.0.1';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

/** Options of {@link startDashboard}: the store to read (the ClickHouse package's connection options) and where to listen. */
export interface DashboardOptions extends ClickHouseConnectionOptions {
  /** Interface; without read tokens, loopback whatever this says. Env: `LLM_COST_DASHBOARD_HOST`. @default '127.0.0.1' */
  host?: string;
  /** TCP port; `0` picks a free one. Env: `LLM_COST_DASHBOARD_PORT`. @default 4319 */
  port?: number;
  /** Read tokens, as for the collector (`<token>` or `<tenant>=<token>`). Env: `LLM_COST_COLLECTOR_READ_TOKENS`. @default [] */
  readTokens?: readonly ReadTokenEntry[];
  /** Trace link template with `{traceId}`. Env: `LLM_COST_TRACE_URL`. @default none */
  traceUrl?: string;
  /** @default silent */
  logger?: Logger;
}

export interface RunningDashboard {
  url: string;
  port: number;
  /** Stops serving and closes the store if the dashboard opened it. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Serves the dashboard alone (what `llm-cost dashboard` runs) over the embedded store or a ClickHouse server. The
 * collector serves the same dashboard on its own port from the store it holds, so both never open one embedded
 * store twice.
 */
export async function startDashboard(options: DashboardOptions = {}): Promise<RunningDashboard> {
  const logger = options.logger ?? silentLogger;
  const tokens = new TokenTable([], options.readTokens ?? []);
  const traceUrl = checkTraceUrl(options.traceUrl);
  let host = options.host ?? LOOPBACK;
  if (!tokens.enabled && !LOOPBACK_HOSTS.has(host)) {
    logger.warn('no read tokens: listening on loopback only, not on the requested host', { requestedHost: host, host: LOOPBACK });
    host = LOOPBACK;
  }
  const { host: _host, port: _port, readTokens: _readTokens, traceUrl: _traceUrl, logger: _logger, ...connection } = options;
  const queries = createUsageQueries(connection);
  const ctx = { tokens, queries, logger, traceUrl };
  const server = createServer((request, response) => {
    handleDashboardRequest(request, response, ctx)
      .then((handled) => {
        if (handled === undefined) {
          request.resume();
          sendJson(response, 404, { error: 'not found' });
        }
      })
      .catch((error: unknown) => {
        logger.error('request failed', { error: error instanceof Error ? error.message : String(error) });
        if (!response.headersSent) sendJson(response, 500, { error: 'internal error' });
      });
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 4319, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    await queries.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info('dashboard listening', { url, auth: tokens.enabled ? 'read tokens' : 'none (loopback only)' });
  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    close: () =>
      (closing ??= (async () => {
        server.close();
        server.closeAllConnections();
        await queries.close();
      })()),
  };
}
