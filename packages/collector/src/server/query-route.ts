import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidOptionError } from '@llm-cost/clickhouse';

import type { TokenTable } from '../auth/tokens.js';
import { CollectorQueryError, PayloadTooLargeError } from '../errors.js';
import { discardBody, readBody } from '../http/read-body.js';
import type { Logger } from '../log.js';
import { sendJson } from './answers.js';
import { QUERY_NAMES, isQueryName, isTenantScopable, parseQueryParams, type QueryName } from './query-params.js';

/** The usage queries the endpoint may run: the functions of `createUsageQueries()`, looked up by name. */
export type QueryRunner = Record<QueryName, (params: never) => Promise<unknown>>;

export interface QueryContext {
  tokens: TokenTable;
  queries: QueryRunner;
  logger: Logger;
}

const MAX_QUERY_BODY = 64 * 1024;

/**
 * `POST /v1/query` with `{ "query": "<name>", "params": { ... } }` answers `{ "result": ... }`. Only the named usage
 * queries run, with checked parameters; with tokens configured a read token is required (ingest tokens cannot read).
 * `GET /v1/query` lists the query names.
 */
export async function handleQuery(
  request: IncomingMessage,
  response: ServerResponse,
  ctx: QueryContext,
): Promise<number> {
  const auth = ctx.tokens.authenticateRead(request.headers.authorization);
  if (!auth.ok) {
    discardBody(request);
    sendJson(response, 401, { error: 'a read token is required' }, { 'www-authenticate': 'Bearer realm="llm-cost"' });
    return 401;
  }
  if (request.method === 'GET') {
    discardBody(request);
    sendJson(response, 200, { queries: QUERY_NAMES });
    return 200;
  }
  try {
    const body = await readBody(request, MAX_QUERY_BODY);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new CollectorQueryError('body must be JSON: { "query": "<name>", "params": { ... } }', 400);
    }
    const { query, params } = (parsed ?? {}) as { query?: unknown; params?: unknown };
    if (!isQueryName(query)) {
      throw new CollectorQueryError(`unknown query; one of: ${QUERY_NAMES.join(', ')}`, 400);
    }
    const args = parseQueryParams(query, params);
    if (auth.tenant !== undefined) {
      // A tenant's read token reads that tenant's rows only, whatever the parameters say; a query that cannot be
      // narrowed to a tenant (the organisation's bills) is not for it.
      if (!isTenantScopable(query)) throw new CollectorQueryError(`${query} is not available to a tenant's read token`, 403);
      if (args.tenantId !== undefined && args.tenantId !== auth.tenant) {
        throw new CollectorQueryError('this read token reads its own tenant only', 403);
      }
      args.tenantId = auth.tenant;
    }
    const run = ctx.queries[query] as (params: Record<string, unknown>) => Promise<unknown>;
    const result = await run(args);
    sendJson(response, 200, { result });
    return 200;
  } catch (error) {
    if (error instanceof CollectorQueryError) {
      sendJson(response, error.status, { error: error.message });
      return error.status;
    }
    if (error instanceof InvalidOptionError) {
      // A parameter the schema above lets through but the query itself refuses (e.g. a coverage threshold of 0).
      sendJson(response, 400, { error: error.message });
      return 400;
    }
    if (error instanceof PayloadTooLargeError) {
      sendJson(response, 413, { error: error.message });
      return 413;
    }
    ctx.logger.error('query failed', { error: (error as Error).message });
    sendJson(response, 500, { error: 'query failed; see the collector log' });
    return 500;
  }
}
