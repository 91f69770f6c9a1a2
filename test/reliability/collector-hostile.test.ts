/**
 * The collector under attack (issue 8): `llm-cost collector` (its own process, debug logging, two tenants and a read
 * token, writing to the loopback ClickHouse HTTP endpoint so every table can be read while it runs) gets a corpus of
 * hostile requests. For each: the right status; for every refused one, nothing written in any table (and no table or
 * database created or dropped); no token, stack trace or server path in any answer or log line; no internal error;
 * still serving (health and a normal export) after each group.
 *
 * Groups: missing and forged tokens; wrong media types and encodings; malformed protobuf (crafted, and fuzzed with
 * fast-check: in process over both decoders, and over HTTP); oversized bodies and a gzip bomb; path traversal in URLs
 * and headers; wrong methods; hostile queries. Then requests that must be accepted and stored literally: SQL in model
 * names, tag values, service and span names; unicode, NUL and invalid UTF-8; huge and deeply nested attribute
 * values; a million tags (413) and the most tags the body limit allows (bounded on the row); `__proto__` keys;
 * tenant spoofing in tags, resource attributes and headers; a replayed request.
 */
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from '../../packages/clickhouse/test/support/clickhouse-http.js';
import { startCollectorProcess, type NodeChild } from './support/child-process.js';
import { reportFigures } from './support/figures.js';
import { collectorMetric, plainSdkCalls, protobufBody } from './support/otlp.js';
import { anyValue, keyValue, len, nestedValue, span, tag, traceRequest, varint, WIRE, type AnyValue, type WireSpan } from './support/otlp-wire.js';
import { OtlpDecodeError, decodeTraceRequestJson, decodeTraceRequestProtobuf } from './support/packages.js';
import { until } from './support/poll.js';
import { callRowCounts, schemaObjects } from './support/store-checks.js';

const TOKENS = {
  acme: 'acme-hostile-token-0123456789abcdef',
  globex: 'globex-hostile-token-0123456789abcd',
  reader: 'reader-hostile-token-0123456789abcd',
};
const FORGED = ['forged-token-forged-token-forged', `${TOKENS.acme}x`, TOKENS.acme.slice(0, -1), TOKENS.acme.toUpperCase()];
const DATABASE = 'hostile';
const store = new ClickHouseHttpServer(mkdtempSync(join(tmpdir(), 'llm-cost-reliability-hostile-')));
let collector: NodeChild & { url: string };
let client: ClickHouseClient;
const answers: Array<{ name: string; status: number; body: string }> = [];
const figures: Record<string, number> = {};

beforeAll(async () => {
  await store.start();
  collector = await startCollectorProcess([
    '--port', '0',
    '--url', store.url,
    '--database', DATABASE,
    '--token', `acme=${TOKENS.acme}`,
    '--token', `globex=${TOKENS.globex}`,
    '--read-token', TOKENS.reader,
    '--flush-interval-ms', '50',
    '--log-level', 'debug',
  ]);
  client = createClient({ url: store.url });
}, 60_000);

afterAll(async () => {
  await client?.close();
  await collector?.kill();
  await store.stop();
  reportFigures('collector/hostile', figures);
});

interface RawAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A request exactly as given: a literal path (no normalisation of `..`), any headers, any body. */
function raw(method: string, path: string, headers: Record<string, string | string[]>, body?: Buffer | string): Promise<RawAnswer> {
  // With a declared length: Node's own client and server reset a chunked PATCH answered early (not the collector).
  const withLength = body === undefined ? headers : { 'content-length': String(Buffer.byteLength(body)), ...headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${collector.url}${path}`, { method, headers: withLength, path }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (part: Buffer) => parts.push(part));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(parts).toString('latin1') }));
      res.on('error', reject);
    });
    // A collector that closes the connection after a 413 may reset the rest of a large body: that is its right.
    req.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve({ status: 0, headers: {}, body: '' }) : reject(error)));
    req.end(body);
  });
}

const protobuf = (token?: string, extra: Record<string, string> = {}) => ({
  'content-type': 'application/x-protobuf',
  ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  ...extra,
});

async function send(name: string, method: string, path: string, headers: Record<string, string | string[]>, body?: Buffer | string): Promise<RawAnswer> {
  const answer = await raw(method, path, headers, body);
  answers.push({ name, status: answer.status, body: answer.body });
  return answer;
}

/** A GenAI span as our instrumentation writes it, with unique ids; `attributes` are added (or replace). */
function genAiSpan(attributes: Array<Buffer | [string, AnyValue]> = [], model: string | Buffer = 'gpt-4o-mini', name?: string | Buffer): WireSpan {
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: name ?? `chat ${typeof model === 'string' ? model : 'model'}`,
    attributes: [
      ['gen_ai.provider.name', { string: 'openai' }],
      ['gen_ai.operation.name', { string: 'chat' }],
      keyValue('gen_ai.request.model', { string: model }),
      ['gen_ai.usage.input_tokens', { int: 1000 }],
      ['gen_ai.usage.output_tokens', { int: 100 }],
      ['llm_cost.usage_source', { string: 'response' }],
      ...attributes,
    ],
  };
}

const validBody = (attributes: Array<Buffer | [string, AnyValue]> = []) => traceRequest([span(genAiSpan(attributes))]);

async function expectStillServing(): Promise<void> {
  expect((await raw('GET', '/healthz', {})).status).toBe(200);
  const answer = await raw('POST', '/v1/traces', protobuf(TOKENS.globex), traceRequest([]));
  expect(answer.status).toBe(200);
}

/** Row counts once every accepted call has reached the store. */
async function settledRowCounts(): Promise<Record<string, number>> {
  await until('the pipeline to be idle', async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_queue_depth')) === 0);
  return callRowCounts(client, DATABASE);
}

/**
 * Rows that requests of this file were allowed to write so far: a fuzzed body that still decodes as a GenAI span is
 * rightly accepted and stored (see the fuzz over HTTP), so "nothing written" means nothing beyond these.
 */
let rowsAllowed: Record<string, number> = {};

async function expectNothingWritten(): Promise<void> {
  // Let any wrongly accepted call reach the store before looking.
  for (const [table, rows] of Object.entries(await settledRowCounts())) expect(rows, `${table} rows`).toBe(rowsAllowed[table] ?? 0);
}

describe('refused requests write nothing and the collector keeps serving', () => {
  let schemaBefore: string[];
  let databasesBefore: string[];

  beforeAll(async () => {
    schemaBefore = await schemaObjects(client, DATABASE);
    databasesBefore = (await (await client.query({ query: 'SELECT name FROM system.databases ORDER BY name', format: 'JSONEachRow' })).json<{ name: string }>()).map((d) => d.name);
  });

  it('401 for missing, malformed, forged and wrong-kind tokens', async () => {
    const body = validBody();
    const cases: Array<[string, Record<string, string | string[]>]> = [
      ['no Authorization', protobuf()],
      ['empty bearer', protobuf(undefined, { authorization: 'Bearer ' })],
      ['Basic scheme', protobuf(undefined, { authorization: `Basic ${Buffer.from(`acme:${TOKENS.acme}`).toString('base64')}` })],
      ['token without scheme', protobuf(undefined, { authorization: TOKENS.acme })],
      ['read token', protobuf(TOKENS.reader)],
      ['two bearer tokens', protobuf(undefined, { authorization: `Bearer ${FORGED[0]}, Bearer ${TOKENS.acme}` })],
      ['token in a query-string header lookalike', protobuf(undefined, { 'x-api-key': TOKENS.acme, 'x-otlp-token': TOKENS.acme })],
      ...FORGED.map((t, i): [string, Record<string, string>] => [`forged token ${i}`, protobuf(t)]),
    ];
    for (const [name, headers] of cases) {
      const answer = await send(name, 'POST', '/v1/traces', headers, body);
      expect(answer.status, name).toBe(401);
      expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
    }
    expect((await send('token in the query string', 'POST', `/v1/traces?token=${TOKENS.acme}`, protobuf(), body)).status).toBe(401);
    figures.authRefusals = cases.length + 1;
    await expectNothingWritten();
    await expectStillServing();
  });

  it('415 for other media types and encodings', async () => {
    const body = validBody();
    for (const [name, headers] of [
      ['text/plain', { 'content-type': 'text/plain', authorization: `Bearer ${TOKENS.acme}` }],
      ['gRPC', { 'content-type': 'application/grpc', authorization: `Bearer ${TOKENS.acme}` }],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x', authorization: `Bearer ${TOKENS.acme}` }],
      ['no content type', { authorization: `Bearer ${TOKENS.acme}` }],
      ['brotli', protobuf(TOKENS.acme, { 'content-encoding': 'br' })],
      ['zstd', protobuf(TOKENS.acme, { 'content-encoding': 'zstd' })],
      ['double encoding', protobuf(TOKENS.acme, { 'content-encoding': 'gzip, gzip' })],
    ] as const) {
      expect((await send(name, 'POST', '/v1/traces', headers as Record<string, string>, body)).status, name).toBe(415);
    }
    await expectNothingWritten();
    await expectStillServing();
  });

  it('400 for crafted malformed protobuf, and nothing written', async () => {
    const good = validBody();
    const crafted: Array<[string, Buffer]> = [
      ['varint longer than 10 bytes', Buffer.concat([Buffer.from([0x0a]), Buffer.alloc(11, 0xff), Buffer.from([0x01])])],
      ['length past the end', Buffer.concat([tag(1, WIRE.len), varint(1_000_000), Buffer.from('abc')])],
      ['nested length past its parent', len(1, Buffer.concat([tag(2, WIRE.len), varint(50), Buffer.alloc(10)]))],
      ['start group', Buffer.concat([tag(1, WIRE.startGroup), tag(1, WIRE.endGroup)])],
      ['end group', tag(7, WIRE.endGroup)],
      ['field number 0', Buffer.concat([tag(0, WIRE.varint), varint(1)])],
      ['wire type 6', Buffer.from([0x0e, 0x01])],
      ['wire type 7', Buffer.from([0x0f, 0x01])],
      ['truncated in the middle', good.subarray(0, Math.floor(good.length / 2))],
      ['one byte short', good.subarray(0, good.length - 1)],
      ['a JSON body labelled protobuf', Buffer.from('{"resourceSpans":[]}')],
      ['gzip labelled, not gzip', Buffer.from('definitely not gzip')],
    ];
    for (const [name, body] of crafted) {
      const headers = name.startsWith('gzip') ? protobuf(TOKENS.acme, { 'content-encoding': 'gzip' }) : protobuf(TOKENS.acme);
      const answer = await send(name, 'POST', '/v1/traces', headers, body);
      expect(answer.status, name).toBe(400);
      expect(answer.headers['content-type']).toBe('application/x-protobuf');
    }
    figures.craftedMalformed = crafted.length;
    await expectNothingWritten();
    await expectStillServing();
  });

  it('fuzzed protobuf and JSON: the decoders only ever throw their own error (in process)', () => {
    const good = validBody([['llm_cost.tag.user_id', { string: 'fuzz' }]]);
    const goodJson = Buffer.from(
      JSON.stringify({
        resourceSpans: [{ resource: { attributes: [] }, scopeSpans: [{ scope: { name: 's' }, spans: [{ traceId: 'ab'.repeat(16), spanId: 'cd'.repeat(8), name: 'chat', attributes: [{ key: 'gen_ai.provider.name', value: { stringValue: 'openai' } }] }] }] }],
      }),
    );
    let inputs = 0;
    const mutated = (base: Buffer) =>
      fc.oneof(
        fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
        fc.nat().map((cut) => base.subarray(0, cut % (base.length + 1))),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
          const copy = Buffer.from(base);
          for (const [at, bit] of flips) copy[at % copy.length]! ^= 1 << bit;
          return copy;
        }),
        fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([at, bytes]) => {
          const i = at % (base.length + 1);
          return Buffer.concat([base.subarray(0, i), Buffer.from(bytes), base.subarray(i)]);
        }),
      );
    for (const [decode, base] of [
      [decodeTraceRequestProtobuf, good],
      [(b: Buffer) => decodeTraceRequestJson(b), goodJson],
    ] as const) {
      fc.assert(
        fc.property(mutated(base), (body) => {
          inputs++;
          try {
            const result = decode(body);
            expect(Array.isArray(result.spans)).toBe(true);
          } catch (error) {
            expect(error, String(error)).toBeInstanceOf(OtlpDecodeError);
          }
        }),
        { numRuns: 10_000 },
      );
    }
    figures.fuzzedInProcess = inputs;
  });

  it('fuzzed protobuf over HTTP: only 200 or 400, a refused body never counts a span', async () => {
    const base = validBody();
    let tried = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ minLength: 1, maxLength: 600 }).map((b) => Buffer.from(b)),
          fc.integer({ min: 1, max: base.length - 1 }).map((cut) => base.subarray(0, cut)),
          fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 })).map(([at, bytes]) => {
            const i = at % base.length;
            return Buffer.concat([base.subarray(0, i), Buffer.from(bytes), base.subarray(i)]);
          }),
        ),
        async (body) => {
          tried++;
          const before = await collectorMetric(collector.url, 'llm_cost_collector_spans_received_total');
          const answer = await send('fuzzed protobuf', 'POST', '/v1/traces', protobuf(TOKENS.acme), body);
          expect([200, 400]).toContain(answer.status);
          if (answer.status === 400) {
            refused++;
            expect(await collectorMetric(collector.url, 'llm_cost_collector_spans_received_total')).toBe(before);
          }
        },
      ),
      { numRuns: 300 },
    );
    figures.fuzzedOverHttp = tried;
    figures.fuzzedOverHttpRefused = refused;
    await expectStillServing();
    // A mutation can still decode as a valid GenAI span (bytes added inside a string value, say): those accepted
    // bodies are stored, at most one call each, and later tests count only what comes after them.
    rowsAllowed = await settledRowCounts();
    expect(rowsAllowed.llm_calls ?? 0).toBeLessThanOrEqual(tried - refused);
  });

  it('413 for oversized bodies, declared or not, and for a gzip bomb', async () => {
    const big = Buffer.alloc(21 * 1024 * 1024, 0x0a);
    // Several times: the answer must reach a client that is still sending (not a reset in its place).
    for (let i = 0; i < 5; i++) expect((await send('declared 21 MiB', 'POST', '/v1/traces', protobuf(TOKENS.acme), big)).status).toBe(413);
    // Chunked, no Content-Length: the limit holds while reading.
    const chunked = await new Promise<number>((resolve) => {
      const req = httpRequest(`${collector.url}/v1/traces`, { method: 'POST', headers: protobuf(TOKENS.acme) }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', () => resolve(0));
      for (let i = 0; i < 22; i++) req.write(Buffer.alloc(1024 * 1024, 0x0a));
      req.end();
    });
    expect(chunked).toBe(413);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x0a));
    expect((await send('gzip bomb (64 MiB)', 'POST', '/v1/traces', protobuf(TOKENS.acme, { 'content-encoding': 'gzip' }), bomb)).status).toBe(413);
    await expectNothingWritten();
    await expectStillServing();
  }, 60_000);

  it('404 or 405 for path traversal, odd paths and methods', async () => {
    const body = validBody();
    const paths = [
      '/v1/traces/../../etc/passwd',
      '/../../v1/traces',
      '/%2e%2e/%2e%2e/v1/traces',
      '/v1/traces%00',
      '/v1/traces/',
      '//v1/traces',
      '/V1/TRACES',
      '/v1/traces/..%2f..%2fetc%2fpasswd',
      '/v1/query/../traces',
      '/etc/passwd',
      '/.llm-cost/clickhouse',
    ];
    for (const path of paths) {
      const answer = await send(`path ${path}`, 'POST', path, protobuf(TOKENS.acme), body);
      expect(answer.status, path).toBe(404);
      expect(answer.body).not.toMatch(/root:|passwd/);
    }
    for (const method of ['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']) {
      expect((await send(`${method} /v1/traces`, method, '/v1/traces', protobuf(TOKENS.acme), method === 'GET' ? undefined : body)).status, method).toBe(405);
    }
    figures.pathsAndMethods = paths.length + 5;
    await expectNothingWritten();
    await expectStillServing();
  });

  it('the query endpoint refuses forged tokens, ingest tokens and SQL', async () => {
    const query = (token: string | undefined, payload: unknown) =>
      send('query', 'POST', '/v1/query', { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, JSON.stringify(payload));
    const params = { by: 'tenant', from: '2020-01-01T00:00:00Z', to: '2030-01-01T00:00:00Z' };
    expect((await query(undefined, { query: 'costBreakdown', params })).status).toBe(401);
    expect((await query(FORGED[0], { query: 'costBreakdown', params })).status).toBe(401);
    expect((await query(TOKENS.acme, { query: 'costBreakdown', params })).status).toBe(401);
    expect((await send('query token in URL', 'POST', `/v1/query?token=${TOKENS.reader}`, { 'content-type': 'application/json' }, JSON.stringify({ query: 'costBreakdown', params }))).status).toBe(401);
    for (const payload of [
      { query: 'DROP TABLE llm_calls', params: {} },
      { query: 'costBreakdown', params: { ...params, by: "model'; DROP TABLE llm_calls; --" } },
      { query: 'costBreakdown', params: { ...params, sql: 'SELECT 1' } },
      { query: 'usageInPeriod', params: { from: "2020-01-01' OR 1=1 --", to: '2030-01-01T00:00:00Z' } },
      { query: '__proto__', params: {} },
      { query: 'constructor', params: {} },
    ]) {
      expect((await query(TOKENS.reader, payload)).status, JSON.stringify(payload)).toBe(400);
    }
    expect((await send('query not JSON', 'POST', '/v1/query', { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.reader}` }, '{"query":')).status).toBe(400);
    await expectNothingWritten();
    expect(await schemaObjects(client, DATABASE)).toEqual(schemaBefore);
    const databases = (await (await client.query({ query: 'SELECT name FROM system.databases ORDER BY name', format: 'JSONEachRow' })).json<{ name: string }>()).map((d) => d.name);
    expect(databases).toEqual(databasesBefore);
    await expectStillServing();
  });
});

describe('hostile but valid requests are stored literally, as the token tenant', () => {
  /** The row of the call whose span id is `spanId`, read straight from llm_calls. */
  async function rowOf(spanId: string): Promise<Record<string, unknown> | undefined> {
    const result = await client.query({
      query: `SELECT request_model, service_name, user_id, tenant_id, feature, tags, provider FROM ${DATABASE}.llm_calls WHERE span_id = {id:String}`,
      query_params: { id: spanId },
      format: 'JSONEachRow',
    });
    return (await result.json<Record<string, unknown>>())[0];
  }

  async function accepted(name: string, spans: WireSpan[], resource: Array<[string, AnyValue]> = [], headers: Record<string, string> = {}): Promise<Array<Record<string, unknown>>> {
    const answer = await send(name, 'POST', '/v1/traces', protobuf(TOKENS.acme, headers), traceRequest(spans.map(span), resource));
    expect(answer.status, name).toBe(200);
    const rows: Array<Record<string, unknown>> = [];
    for (const s of spans) {
      rows.push((await until(`the row of ${name}`, async () => (await rowOf(s.spanId)) !== undefined, 15_000).then(() => rowOf(s.spanId)))!);
    }
    return rows;
  }

  const SQL = [
    "gpt-4o'); DROP TABLE llm_calls; --",
    "x' OR '1'='1",
    '`llm_calls`; TRUNCATE TABLE hostile.llm_calls',
    '{db:Identifier}',
    "\\'; SELECT * FROM system.users; --",
    '$(rm -rf /)',
    '<script>alert(1)</script>',
    'x\nINSERT INTO llm_calls VALUES (1)',
  ];

  it('SQL in model names, tag values, service and span names is stored as text and never run', async () => {
    const schemaBefore = await schemaObjects(client, DATABASE);
    const spans = SQL.map((text) => genAiSpan([['llm_cost.tag.user_id', { string: text }], ['llm_cost.tag.feature', { string: text }]], text, text));
    const rows = await accepted('SQL everywhere', spans, [['service.name', { string: SQL[0]! }]]);
    rows.forEach((row, i) => {
      expect(row).toMatchObject({ request_model: SQL[i], user_id: SQL[i], feature: SQL[i], service_name: SQL[0], tenant_id: 'acme' });
    });
    expect(await schemaObjects(client, DATABASE)).toEqual(schemaBefore);
    figures.sqlStrings = SQL.length;
  });

  it('unicode, NUL and invalid UTF-8 are stored (invalid bytes as U+FFFD) and the collector keeps serving', async () => {
    const texts = ['ユーザー🎉', '\u202Eevil\u202C', 'zero\u200Bwidth', 'nul\u0000byte', 'ø'.repeat(300)];
    const spans = texts.map((t) => genAiSpan([['llm_cost.tag.user_id', { string: t.slice(0, 200) }]], t.slice(0, 200)));
    const invalid = genAiSpan([keyValue('llm_cost.tag.user_id', { string: Buffer.from([0x75, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]) })], Buffer.from([0x6d, 0xff, 0x6d]));
    const rows = await accepted('unicode', [...spans, invalid]);
    texts.forEach((t, i) => expect(rows[i]!.user_id).toBe(t.slice(0, 200)));
    expect(rows[texts.length]!.user_id).toBe(Buffer.from([0x75, 0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]).toString('utf8'));
    await expectStillServing();
  });

  it('huge and deeply nested attribute values are dropped and counted, the call still stored', async () => {
    const droppedBefore = await collectorMetric(collector.url, 'llm_cost_collector_attributes_dropped_total');
    // Key-value lists and arrays nested 100 000 levels deep (about a megabyte each).
    const nested = nestedValue(100_000, 'kvlist', anyValue({ string: 'bottom' }));
    const nestedArray = nestedValue(100_000, 'array', anyValue({ int: 1 }));
    const huge = genAiSpan([
      ['llm_cost.tag.user_id', { string: 'h'.repeat(5 * 1024 * 1024) }],
      keyValue('deep.kvlist', nested),
      keyValue('deep.array', nestedArray),
      ['llm_cost.tag.feature', { string: 'kept' }],
    ]);
    const [row] = await accepted('huge and nested', [huge]);
    expect(row).toMatchObject({ user_id: '', feature: 'kept', request_model: 'gpt-4o-mini' });
    expect(await collectorMetric(collector.url, 'llm_cost_collector_attributes_dropped_total')).toBe(droppedBefore + 3);
    await expectStillServing();
  });

  it('a million tags is refused by the body limit (413); the most that fit are bounded on the row', async () => {
    const tagBody = (count: number) => {
      const attributes: Buffer[] = [];
      for (let i = 0; i < count; i++) attributes.push(keyValue(`llm_cost.tag.t${i}`, { string: 'v' }));
      const s = genAiSpan(attributes);
      return { s, body: traceRequest([span(s)]) };
    };
    const million = tagBody(1_000_000);
    expect(million.body.length).toBeGreaterThan(20 * 1024 * 1024);
    const answer = await send('a million tags', 'POST', '/v1/traces', protobuf(TOKENS.acme), million.body);
    expect(answer.status).toBe(413);
    const most = tagBody(600_000);
    expect(most.body.length).toBeLessThan(20 * 1024 * 1024);
    expect((await send('600k tags', 'POST', '/v1/traces', protobuf(TOKENS.acme), most.body)).status).toBe(200);
    await until('the 600k-tag row', async () => (await rowOf(most.s.spanId)) !== undefined);
    const tags = (await rowOf(most.s.spanId))!.tags as Record<string, string>;
    // The mapping keeps at most 64 tags, plus the tenant the token decides.
    expect(Object.keys(tags).length).toBeLessThanOrEqual(65);
    expect(tags.tenant_id).toBe('acme');
    figures.tagsRefused413 = 1_000_000;
    figures.tagsAcceptedThenBounded = 600_000;
    await expectStillServing();
  }, 120_000);

  it('__proto__, constructor and prototype keys neither pollute nor leak into other calls', async () => {
    const polluted = genAiSpan([
      ['__proto__', { kvlist: [['llm_cost.tag.user_id', { string: 'injected' }]] }],
      ['constructor', { string: 'x' }],
      ['llm_cost.tag.__proto__', { string: 'x' }],
      ['llm_cost.tag.constructor', { string: 'y' }],
    ]);
    await accepted('__proto__ keys', [polluted]);
    const clean = genAiSpan([]);
    const [row] = await accepted('after __proto__', [clean]);
    expect(row).toMatchObject({ user_id: '', tenant_id: 'acme' });
    expect(({} as Record<string, unknown>)['llm_cost.tag.user_id']).toBeUndefined();
  });

  it('tenant spoofing in tags, resource attributes and headers: every call is the token tenant', async () => {
    const spoof = genAiSpan([['llm_cost.tag.tenant_id', { string: 'globex' }], ['tenant.id', { string: 'globex' }]]);
    const [row] = await accepted('tenant spoofing', [spoof], [['llm_cost.tag.tenant_id', { string: 'globex' }], ['tenant_id', { string: 'globex' }]], {
      'x-tenant-id': 'globex',
      'x-scope-orgid': 'globex',
      'x-forwarded-for': '../../etc/passwd',
      forwarded: 'for=globex',
    });
    expect(row).toMatchObject({ tenant_id: 'acme' });
    expect((row!.tags as Record<string, string>).tenant_id).toBe('acme');
    const globex = await client.query({
      query: `SELECT toString(count()) AS n FROM ${DATABASE}.llm_calls WHERE tenant_id = 'globex' OR tags['tenant_id'] = 'globex'`,
      format: 'JSONEachRow',
    });
    expect(await globex.json()).toEqual([{ n: '0' }]);
    const rollup = await client.query({ query: `SELECT toString(sum(calls)) AS n FROM ${DATABASE}.llm_daily_by_tenant WHERE tenant_id = 'globex'`, format: 'JSONEachRow' });
    expect(await rollup.json()).toEqual([{ n: '0' }]);
  });

  it('a replayed request (an OTLP retry) is counted once', async () => {
    const body = protobufBody(plainSdkCalls('replay', 5, 'replay-user'));
    for (let i = 0; i < 3; i++) expect((await send('replay', 'POST', '/v1/traces', protobuf(TOKENS.acme), body)).status).toBe(200);
    await until('the replayed calls', async () => {
      const r = await client.query({ query: `SELECT toString(count()) AS n FROM ${DATABASE}.llm_calls WHERE user_id = 'replay-user'`, format: 'JSONEachRow' });
      return ((await r.json<{ n: string }>())[0]?.n ?? '0') === '5';
    });
    await until('the pipeline to be idle', async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_queue_depth')) === 0);
    const r = await client.query({ query: `SELECT toString(count()) AS n FROM ${DATABASE}.llm_calls WHERE user_id = 'replay-user'`, format: 'JSONEachRow' });
    expect(await r.json()).toEqual([{ n: '5' }]);
  });
});

describe('nothing leaked', () => {
  it('no answer and no log line carries a token, a stack trace or a server path; no internal error', async () => {
    const secrets = [...Object.values(TOKENS), ...FORGED];
    const logs = collector.stdout() + collector.stderr();
    for (const secret of secrets) {
      expect(logs.includes(secret), `a log line contains ${secret.slice(0, 12)}…`).toBe(false);
      for (const a of answers) expect(a.body.includes(secret), `answer to ${a.name} contains a token`).toBe(false);
    }
    for (const a of answers) {
      expect(a.body, a.name).not.toMatch(/\n\s+at |node:internal|node_modules|\/work\/|file:\/\//);
      expect(a.status, a.name).not.toBe(500);
    }
    const errors = collector.messages.filter((m) => m.level === 'error');
    expect(errors).toEqual([]);
    expect(logs).not.toMatch(/\n\s+at .*:\d+:\d+/);
    expect(collector.child.exitCode).toBeNull();
    figures.requestsSent = answers.length;
    figures.logLines = collector.messages.length;
  });
});
