/**
 * Privacy canary (issue 8): an application (its own process) sends a secret API key (in Authorization, x-api-key,
 * x-goog-api-key and a `?key=` query string) and a secret prompt with every request, through the real SDKs (openai,
 * @anthropic-ai/sdk, @google/genai) and plain fetch; the providers answer with a secret completion (and echo the key
 * in an error body). The spans go to the in-process ClickHouse exporter (embedded store) and over OTLP to the
 * collector (its own process, debug logging, writing to the loopback ClickHouse endpoint), with diag at ALL.
 *
 * Afterwards none of the secrets is in any span (every attribute, event, link, status and resource), any line the
 * application or the collector printed, or any row of any table of either store (a full-text scan of every column of
 * every table, `SELECT *` as JSON), while the providers did receive them (so the canary was really sent).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from '../../packages/clickhouse/test/support/clickhouse-http.js';
import {
  fixtureReply,
  projectFixture,
  startProviderServer,
  type ProviderReply,
  type ProviderServer,
  type RecordedRequest,
} from '../support/index.js';
import { startCollectorProcess, startNode, type NodeChild } from './support/child-process.js';
import { reportFigures } from './support/figures.js';
import { collectorMetric } from './support/otlp.js';
import { createUsageQueries } from './support/packages.js';
import { until } from './support/poll.js';
import { findInTables } from './support/store-checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const SECRET_KEY = `sk-canary-${randomBytes(12).toString('hex')}`;
const SECRET_PROMPT = `canary-prompt-${randomBytes(12).toString('hex')}`;
const SECRET_COMPLETION = `canary-completion-${randomBytes(12).toString('hex')}`;
const SECRETS = [SECRET_KEY, SECRET_PROMPT, SECRET_COMPLETION];
const TOKEN = 'canary-ingest-token-0123456789abcdef';
const work = mkdtempSync(join(tmpdir(), 'llm-cost-reliability-canary-'));
const store = new ClickHouseHttpServer(join(work, 'collector-store'));
const servers: Record<string, ProviderServer> = {};
let collector: NodeChild & { url: string };

/** A fixture's body with the secret completion (and the prompt, echoed) in its text. */
function withSecret(id: string): ProviderReply {
  const reply = fixtureReply(projectFixture(id));
  const secret = `${SECRET_COMPLETION} (you said: ${SECRET_PROMPT})`;
  if (reply.chunks !== undefined) {
    const delta = id.startsWith('anthropic')
      ? `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: secret } })}\n\n`
      : id.startsWith('gemini')
        ? `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: secret }], role: 'model' }, index: 0 }] })}\n\n`
        : id.includes('responses')
          ? `event: response.output_text.delta\ndata: ${JSON.stringify({ type: 'response.output_text.delta', delta: secret })}\n\n`
          : `data: ${JSON.stringify({ id: 'chatcmpl-canary', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content: secret } }] })}\n\n`;
    return { ...reply, chunks: [reply.chunks[0]!, delta, ...reply.chunks.slice(1)] };
  }
  const body = JSON.parse(Buffer.from(reply.body as Uint8Array).toString('utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  if (body.choices?.[0]?.message) body.choices[0].message.content = secret;
  if (Array.isArray(body.content)) body.content = [{ type: 'text', text: secret }];
  if (body.candidates?.[0]?.content) body.candidates[0].content.parts = [{ text: secret }];
  return { ...reply, body: JSON.stringify(body) };
}

function route(provider: string) {
  return (request: RecordedRequest): ProviderReply => {
    const json = (request.json ?? {}) as { stream?: boolean; model?: string };
    if (provider === 'openai') {
      if (json.model === 'gpt-4o-unauthorized') {
        // Providers echo (part of) the key in their 401 body: it must not travel on from there either.
        return { status: 401, body: { error: { message: `Incorrect API key provided: ${SECRET_KEY}.`, type: 'invalid_request_error', code: 'invalid_api_key' } } };
      }
      if (request.url.startsWith('/v1/embeddings')) return fixtureReply(projectFixture('openai/embeddings'));
      if (request.url.startsWith('/v1/responses')) return withSecret('openai/responses-stream');
      return withSecret(json.stream ? 'openai/chat-completions-stream' : 'openai/chat-completions');
    }
    if (provider === 'anthropic') return withSecret(json.stream ? 'anthropic/messages-stream' : 'anthropic/messages');
    return withSecret(request.url.includes(':streamGenerateContent') ? 'gemini/stream-generate-content' : 'gemini/generate-content');
  };
}

beforeAll(async () => {
  for (const provider of ['openai', 'anthropic', 'gemini']) servers[provider] = await startProviderServer(route(provider));
  await store.start();
  collector = await startCollectorProcess([
    '--port', '0',
    '--url', store.url,
    '--database', 'canary',
    '--token', `canary=${TOKEN}`,
    '--flush-interval-ms', '50',
    '--log-level', 'debug',
  ]);
}, 60_000);

afterAll(async () => {
  await collector?.kill();
  await store.stop();
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

/** Every table of every database but the engine's own catalogues, and the engine's query and text logs if kept. */
async function scanStore(client: ClickHouseClient): Promise<{ hits: string[]; tables: number; rows: number }> {
  const databases = (await (await client.query({ query: 'SELECT name FROM system.databases', format: 'JSONEachRow' })).json<{ name: string }>())
    .map((d) => d.name)
    .filter((name) => !['system', 'INFORMATION_SCHEMA', 'information_schema'].includes(name));
  const scan = await findInTables(client, databases, SECRETS);
  const logs = (await (await client.query({ query: "SELECT name FROM system.tables WHERE database = 'system' AND name IN ('query_log', 'text_log')", format: 'JSONEachRow' })).json<{ name: string }>()).map((t) => t.name);
  for (const table of logs) {
    const text = await (await client.query({ query: `SELECT * FROM system.${table}`, format: 'JSONEachRow' })).text();
    for (const secret of SECRETS) if (text.includes(secret)) scan.hits.push(`system.${table} contains ${secret}`);
  }
  return scan;
}

describe('privacy canary', () => {
  it('no span, log line or ClickHouse row holds the secret key, prompt or completion', async () => {
    const spansFile = join(work, 'spans.json');
    const app = startNode(join(here, 'fixtures/canary-app.mjs'), [], {
      PROVIDER_URLS: JSON.stringify(Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, server.url]))),
      STORE_PATH: join(work, 'app-store'),
      COLLECTOR_URL: collector.url,
      COLLECTOR_TOKEN: TOKEN,
      SECRET_KEY,
      SECRET_PROMPT,
      SPANS_FILE: spansFile,
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_TRACES_EXPORTER: undefined,
    });
    const done = (await app.waitFor((m) => m.done === true, 'the canary app', 90_000)) as { calls: Array<{ name: string; ok: boolean }>; spans: number; stored: number };
    expect(await app.exited).toBe(0);
    // Every call was made; the one meant to fail (a 401 through the SDK) failed, the rest succeeded.
    expect(done.calls.filter((c) => !c.ok).map((c) => c.name).sort()).toEqual(['openai-unauthorized']);
    expect(done.spans).toBe(done.calls.length);
    expect(done.stored).toBe(done.calls.length);

    // The canary was really sent: the key in each header the SDKs use and in a query string, the prompt in bodies.
    const requests = Object.values(servers).flatMap((server) => server.requests);
    const headerSeen = (name: string) => requests.some((r) => String(r.headers[name] ?? '').includes(SECRET_KEY));
    expect(headerSeen('authorization')).toBe(true);
    expect(headerSeen('x-api-key')).toBe(true);
    expect(headerSeen('x-goog-api-key')).toBe(true);
    expect(requests.some((r) => r.url.includes(`key=${SECRET_KEY}`))).toBe(true);
    expect(requests.filter((r) => r.body.includes(SECRET_PROMPT)).length).toBe(requests.length);
    expect(Object.values(servers).some((server) => server.sentBodies.some((b) => b.includes(SECRET_COMPLETION)))).toBe(true);

    // Spans, in full.
    const spansText = readFileSync(spansFile, 'utf8');
    expect(JSON.parse(spansText)).toHaveLength(done.spans);
    for (const secret of SECRETS) expect(spansText.includes(secret), `a span holds ${secret}`).toBe(false);

    // Every line the application (diag at ALL) and the collector (debug) printed.
    await until('the collector to write every call', async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) === done.spans, 30_000);
    const appOutput = app.stdout() + app.stderr();
    const collectorOutput = collector.stdout() + collector.stderr();
    expect(appOutput).toMatch(/diag debug: /);
    // The log is not empty of substance: the OTLP exporter's debug lines print every span it sends, in full.
    expect(appOutput).toContain('gen_ai.usage.input_tokens');
    for (const secret of SECRETS) {
      expect(appOutput.includes(secret), `the application log holds ${secret}`).toBe(false);
      expect(collectorOutput.includes(secret), `the collector log holds ${secret}`).toBe(false);
    }

    // Every row of every table of both stores.
    const collectorClient = createClient({ url: store.url });
    const collectorScan = await scanStore(collectorClient);
    await collectorClient.close();
    const queries = createUsageQueries({ path: join(work, 'app-store') });
    const appScan = await scanStore(queries.store.client);
    await queries.close();
    expect(collectorScan.hits).toEqual([]);
    expect(appScan.hits).toEqual([]);
    expect(collectorScan.rows).toBeGreaterThanOrEqual(done.spans);
    expect(appScan.rows).toBeGreaterThanOrEqual(done.spans);

    reportFigures('privacy-canary', {
      calls: done.calls.length,
      providerRequestsCarryingSecrets: requests.length,
      keyChannels: ['authorization', 'x-api-key', 'x-goog-api-key', '?key='],
      spansSearched: done.spans,
      appLogBytes: appOutput.length,
      collectorLogBytes: collectorOutput.length,
      tablesScanned: appScan.tables + collectorScan.tables,
      rowsScanned: appScan.rows + collectorScan.rows,
      secretsFound: 0,
    });
  }, 180_000);
});
