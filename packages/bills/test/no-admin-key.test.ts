/**
 * No admin key reaches a row, a log line or an error message (issue 14): syncs that succeed, a key refused by a
 * provider that echoes it in its error body, a 5xx echoing it, a provider that cannot be reached, through the API,
 * the CLI and the collector's daily job (its JSON log lines); then every text of every outcome (messages, stacks,
 * causes, JSON, retry events, CLI output, log lines) and every row of every table in the store is searched for the
 * keys.
 */
import { inspect } from 'node:util';

import { openStore, type ProviderRetryEvent } from '@llm-cost/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { captureIo, startProviderServer, testStorePath, uniqueDatabase } from '../../../test/support/index.js';
import { runBillsCli } from '../src/cli/bills-cli.js';
import { startBillSync } from '../src/sync/start-bill-sync.js';
import { syncProviderBills } from '../src/sync/sync-provider-bills.js';
import { anthropicCost, anthropicMessages, openAiCompletions, openAiCost, openAiEmbeddings, startAnthropicAdmin, startOpenAiAdmin, type AdminServer } from './support/admin-servers.js';

const OPENAI_KEY = 'sk-admin-PRIVATE-openai-canary-7f3a9c2e5b1d4068a9e7c3f2b5d1e0a4c8b6pr01';
const ANTHROPIC_KEY = 'sk-ant-admin01-PRIVATE-anthropic-canary-2c9e7a5f3b1d8046e2a4c6b8d0f1pr02';
const REFUSED_KEY = 'sk-admin-PRIVATE-revoked-canary-5e1c3a7f9b2d4086c4e6a8b0d2f3e5a7c9pr03';
const KEYS = [OPENAI_KEY, ANTHROPIC_KEY, REFUSED_KEY];
const path = testStorePath('llm-cost-bills-privacy-');
const database = uniqueDatabase('privacy');
const day = new Date(Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000).toISOString().slice(0, 10);
const texts: string[] = [];
const retries: ProviderRetryEvent[] = [];
let openai: AdminServer;
let anthropic: AdminServer;

/** Everything an error carries that a person or a log could see. */
function errorTexts(error: unknown): string[] {
  const e = error as Error & { cause?: unknown };
  return [String(e.message), String(e.stack), JSON.stringify(e), inspect(e, { depth: 5 }), String(e.cause ?? '')];
}

beforeAll(async () => {
  openai = await startOpenAiAdmin([OPENAI_KEY]);
  anthropic = await startAnthropicAdmin([ANTHROPIC_KEY]);
  openai.setDay('costs', day, [openAiCost('gpt-4o-2024-08-06, input', 1.5), openAiCost('web search tool calls', 0.03, null)]);
  openai.setDay('completions', day, [openAiCompletions('gpt-4o-2024-08-06', { input: 600_000, output: 1000, requests: 12 })]);
  openai.setDay('embeddings', day, [openAiEmbeddings('text-embedding-3-small', 100, 1)]);
  anthropic.setDay('cost_report', day, [anthropicCost('Claude Haiku 4.5 Usage - Input Tokens', '42', { model: 'claude-haiku-4-5-20251001' })]);
  anthropic.setDay('messages', day, [anthropicMessages('claude-haiku-4-5-20251001', { uncached: 420_000, output: 10 })]);
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

const common = { since: '2d', clickhouse: { path, database }, retryBaseMs: 1, maxRetries: 1, onRetry: (event: ProviderRetryEvent) => void retries.push(event) };

describe('admin keys', () => {
  it('stay out of results, errors, retry events, CLI output and the collector job logs', async () => {
    // Success, both providers (results are printed and logged by callers).
    for (const result of [
      await syncProviderBills({ ...common, provider: 'openai', adminKey: OPENAI_KEY, baseUrl: openai.baseUrl }),
      await syncProviderBills({ ...common, provider: 'anthropic', adminKey: ANTHROPIC_KEY, baseUrl: anthropic.baseUrl }),
    ]) {
      expect(result.written).toBeGreaterThan(0);
      texts.push(JSON.stringify(result), inspect(result));
    }
    // A revoked key: OpenAI's 401 body repeats the key it refused.
    const refused = await syncProviderBills({ ...common, provider: 'openai', adminKey: REFUSED_KEY, baseUrl: openai.baseUrl }).catch((e: unknown) => e);
    expect((refused as Error).name).toBe('BillsAuthError');
    texts.push(...errorTexts(refused));
    // A 5xx whose body repeats the key, twice (the last retry gives up).
    const echo = { status: 500, body: { error: { message: `internal error while reading key ${OPENAI_KEY}` } } };
    openai.enqueue('costs', echo, echo);
    const failed = await syncProviderBills({ ...common, provider: 'openai', adminKey: OPENAI_KEY, baseUrl: openai.baseUrl }).catch((e: unknown) => e);
    expect((failed as Error).message).toContain('internal error while reading key …pr01');
    texts.push(...errorTexts(failed));
    // A provider that cannot be reached (a closed port).
    const gone = await startProviderServer();
    const goneUrl = `${gone.url}/v1`;
    await gone.close();
    const unreachable = await syncProviderBills({ ...common, provider: 'anthropic', adminKey: ANTHROPIC_KEY, baseUrl: goneUrl }).catch((e: unknown) => e);
    expect((unreachable as Error).name).toBe('BillsApiError');
    texts.push(...errorTexts(unreachable));
    texts.push(JSON.stringify(retries));
    expect(retries.length).toBeGreaterThanOrEqual(2);

    // The CLI: a sync, a refused key, the drift report.
    for (const [argv, env] of [
      [['sync', 'openai', '--since', '2d', '--base-url', openai.baseUrl, '--path', path, '--database', database], { OPENAI_ADMIN_KEY: OPENAI_KEY }],
      [['sync', 'openai', '--since', '2d', '--base-url', openai.baseUrl, '--json', '--path', path, '--database', database], { OPENAI_ADMIN_KEY: REFUSED_KEY }],
      [['drift', '--days', '3', '--json', '--path', path, '--database', database], {}],
    ] as const) {
      const io = captureIo();
      await runBillsCli(argv, io, { env });
      texts.push(io.out(), io.err());
    }

    // The collector's daily job reports through callbacks it logs (see @llm-cost/collector's bill-jobs).
    const sync = startBillSync({
      targets: [
        { provider: 'openai', adminKey: OPENAI_KEY, baseUrl: openai.baseUrl },
        { provider: 'openai', account: 'old', adminKey: REFUSED_KEY, baseUrl: openai.baseUrl },
      ],
      lookbackMs: 2 * 86_400_000,
      clickhouse: { path, database },
      schedule: false,
      onSync: (result) => texts.push(JSON.stringify(result)),
      onError: (error, target) => texts.push(...errorTexts(error), JSON.stringify(target)),
    });
    const results = await sync.runNow();
    await sync.stop();
    expect(results).toHaveLength(1);
    expect(sync.stats()).toMatchObject({ runs: 1, syncs: 1, failures: 1 });

    const all = texts.join('\n');
    expect(all).toContain('…pr01');
    expect(all).toContain('…pr03');
    for (const key of KEYS) {
      expect(all.includes(key), `a text contains ${key.slice(0, 24)}…`).toBe(false);
      // Not even most of it: only the last 4 characters may show.
      expect(all.includes(key.slice(0, -4)), `a text contains the start of ${key.slice(0, 24)}…`).toBe(false);
    }
  });

  it('stay out of every row of every table', async () => {
    const store = openStore({ path, database });
    try {
      const tables = await (
        await store.client.query({ query: 'SELECT name FROM system.tables WHERE database = {db:String}', query_params: { db: database }, format: 'JSONEachRow' })
      ).json<{ name: string }>();
      expect(tables.map((t) => t.name)).toContain('llm_provider_bills');
      let rows = 0;
      for (const { name } of tables) {
        const text = await (await store.client.query({ query: `SELECT * FROM \`${database}\`.\`${name}\``, format: 'JSONEachRow' })).text();
        rows += text.split('\n').filter((line) => line !== '').length;
        for (const key of KEYS) expect(text.includes(key.slice(0, -4)), `${name} holds a key`).toBe(false);
      }
      expect(rows).toBeGreaterThan(0);
      const fingerprints = await (
        await store.client.query({ query: `SELECT DISTINCT key_fingerprint AS k FROM \`${database}\`.llm_provider_bills ORDER BY k`, format: 'JSONEachRow' })
      ).json<{ k: string }>();
      expect(fingerprints.map((row) => row.k)).toEqual(['…pr01', '…pr02']);
    } finally {
      await store.close();
    }
  });
});
