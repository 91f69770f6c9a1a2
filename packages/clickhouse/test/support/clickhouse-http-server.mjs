#!/usr/bin/env node
/**
 * A ClickHouse HTTP endpoint on top of the embedded engine (chdb), for tests: run it as a child process and point
 * `@clickhouse/client` at it by URL, so the client is exercised over real HTTP and a test can stop, restart or break
 * the "server" at the transport boundary. Not a production server: no auth, one session, one query at a time.
 *
 *   node clickhouse-http-server.mjs --path <dir> [--port 0] [--host 127.0.0.1]
 *
 * Prints one JSON line on stdout once listening: {"port": <n>, "pid": <pid>}.
 *
 * Speaks the subset of the HTTP interface @clickhouse/client uses (https://clickhouse.com/docs/interfaces/http):
 * GET /ping; POST / with the statement in the body, or in `?query=` with the insert data in the body; `param_<name>`
 * query parameters; errors as `Code: N. DB::Exception: ...` with status 500 and `X-ClickHouse-Exception-Code`.
 * Other URL parameters (client settings such as `query_id`, `wait_end_of_query`) are accepted and ignored: llm-cost
 * puts the settings it needs into the statements themselves.
 *
 * Fault injection, for reliability tests (`POST /__faults` with a JSON body, `GET /__faults` to read counters):
 *   { "mode": "none" }                       normal operation
 *   { "mode": "fail_after_insert", "times": n }  run the next n INSERTs, then answer 500 as if they failed
 *   { "mode": "reset_after_insert", "times": n } run the next n INSERTs, then destroy the connection (no answer)
 *   { "mode": "unavailable", "times": n }    answer 503 to the next n requests without running them (-1: until reset)
 *   { "mode": "garbage", "times": n }        answer 500 with a body that is not a ClickHouse error
 *   { "mode": "delay", "ms": m, "times": n } run the next n requests, then wait m ms before answering
 * Counters: { inserts, insertsRun, requests, faultsInjected }.
 */
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';

import { Session } from 'chdb';

const { values: args } = parseArgs({
  options: {
    path: { type: 'string' },
    port: { type: 'string', default: '0' },
    host: { type: 'string', default: '127.0.0.1' },
  },
});
if (!args.path) {
  process.stderr.write('usage: clickhouse-http-server.mjs --path <dir> [--port <n>]\n');
  process.exit(2);
}

const session = new Session(args.path);
const counters = { requests: 0, inserts: 0, insertsRun: 0, faultsInjected: 0 };
let fault = { mode: 'none', times: 0, ms: 0 };
// chdb runs one statement at a time per session; queue requests so concurrent clients see a server, not errors.
let chain = Promise.resolve();

function takeFault(isInsert) {
  if (fault.mode === 'none' || fault.times === 0) return undefined;
  const insertOnly = fault.mode === 'fail_after_insert' || fault.mode === 'reset_after_insert';
  if (insertOnly && !isInsert) return undefined;
  if (fault.times > 0) fault.times -= 1;
  counters.faultsInjected += 1;
  const current = { ...fault };
  if (fault.times === 0) fault = { mode: 'none', times: 0, ms: 0 };
  return current;
}

function errorCode(message) {
  const match = /Code: (\d+)\./.exec(message);
  return match ? match[1] : '1000';
}

function sendError(response, status, message) {
  response.writeHead(status, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Exception-Code': errorCode(message),
  });
  response.end(`${message}\n`);
}

async function readBody(request) {
  const chunks = [];
  for await (const chunk of request) chunks.push(chunk);
  const body = Buffer.concat(chunks);
  return request.headers['content-encoding'] === 'gzip' ? gunzipSync(body) : body;
}

async function run(sql, params) {
  return Object.keys(params).length > 0 ? session.queryBindAsync(sql, params) : session.queryAsync(sql);
}

async function handleQuery(request, response, url) {
  const body = (await readBody(request)).toString('utf8');
  const urlQuery = url.searchParams.get('query');
  const sql = urlQuery === null ? body : body.length > 0 ? `${urlQuery}\n${body}` : urlQuery;
  const params = {};
  for (const [key, value] of url.searchParams) if (key.startsWith('param_')) params[key.slice(6)] = value;
  const isInsert = /^\s*INSERT\b/i.test(sql);
  if (isInsert) counters.inserts += 1;

  const injected = takeFault(isInsert);
  if (injected?.mode === 'unavailable') return sendError(response, 503, 'Code: 1000. DB::Exception: injected: service unavailable. (POCO_EXCEPTION)');
  if (injected?.mode === 'garbage') {
    response.writeHead(500, { 'Content-Type': 'text/html' });
    return response.end('<html><body>502 Bad Gateway (injected)</body></html>');
  }

  let result;
  try {
    result = await run(sql, params);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return sendError(response, 500, message.startsWith('Code:') ? message : `Code: 1001. DB::Exception: ${message}. (STD_EXCEPTION)`);
  }
  if (isInsert) counters.insertsRun += 1;
  if (injected?.mode === 'fail_after_insert') {
    return sendError(response, 500, 'Code: 209. DB::Exception: injected: timeout after the insert was written. (SOCKET_TIMEOUT)');
  }
  if (injected?.mode === 'reset_after_insert') {
    request.socket.destroy();
    return undefined;
  }
  if (injected?.mode === 'delay') await new Promise((resolve) => setTimeout(resolve, injected.ms));
  const bytes = result.bytes();
  response.writeHead(200, {
    'Content-Type': 'text/plain; charset=UTF-8',
    'X-ClickHouse-Summary': JSON.stringify({
      read_rows: String(result.rowsRead ?? 0),
      read_bytes: String(result.bytesRead ?? 0),
      written_rows: '0',
      written_bytes: '0',
      total_rows_to_read: '0',
      result_rows: '0',
      result_bytes: '0',
      elapsed_ns: String(Math.round((result.elapsed ?? 0) * 1e9)),
    }),
  });
  response.end(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return undefined;
}

async function handleFaults(request, response) {
  if (request.method === 'POST') {
    const body = JSON.parse((await readBody(request)).toString('utf8') || '{}');
    fault = { mode: body.mode ?? 'none', times: body.times ?? -1, ms: body.ms ?? 0 };
    if (fault.mode === 'none') fault.times = 0;
  }
  response.writeHead(200, { 'Content-Type': 'application/json' });
  response.end(JSON.stringify({ fault, counters }));
}

const server = createServer((request, response) => {
  const url = new URL(request.url ?? '/', 'http://localhost');
  if (url.pathname === '/__faults') {
    handleFaults(request, response).catch((error) => sendError(response, 400, String(error)));
    return;
  }
  counters.requests += 1;
  if (url.pathname === '/ping') {
    response.writeHead(200, { 'Content-Type': 'text/plain' });
    response.end('Ok.\n');
    return;
  }
  chain = chain
    .then(() => handleQuery(request, response, url))
    .catch((error) => {
      if (!response.headersSent) sendError(response, 500, `Code: 1001. DB::Exception: ${String(error)}. (STD_EXCEPTION)`);
    });
});

server.listen(Number(args.port), args.host, () => {
  const address = server.address();
  process.stdout.write(`${JSON.stringify({ port: address.port, pid: process.pid })}\n`);
});

function stop() {
  server.close();
  server.closeAllConnections?.();
  session.close();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
