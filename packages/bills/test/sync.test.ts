/**
 * syncProviderBills against loopback OpenAI and Anthropic admin servers serving the documented report shapes, into
 * embedded ClickHouse: pagination over many pages, null projects / workspaces and line items, empty days, unmapped
 * line items kept as their own rows, a day revised between two syncs (a line item removed), overlapping ranges,
 * nothing written twice, days a report has not reached, 429 / 5xx retried with backoff, 401 naming the key needed.
 */
import { createUsageQueries, openStore, type BillDriftEntry, type ProviderRetryEvent } from '@llm-cost/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { testStorePath, uniqueDatabase } from '../../../test/support/index.js';
import { BillsApiError, BillsAuthError, BillsResponseError } from '../src/errors.js';
import { syncProviderBills } from '../src/sync/sync-provider-bills.js';
import type { SyncProviderBillsOptions } from '../src/types.js';
import {
  anthropicCost,
  anthropicMessages,
  openAiCompletions,
  openAiCost,
  openAiEmbeddings,
  startAnthropicAdmin,
  startOpenAiAdmin,
  type AdminServer,
} from './support/admin-servers.js';

const OPENAI_KEY = 'sk-admin-sync-test-0000000000000000000000000000000000000000000000000oa01';
const ANTHROPIC_KEY = 'sk-ant-admin01-sync-test-000000000000000000000000000000000000000000an01';
const path = testStorePath('llm-cost-bills-test-');
const DAY = 86_400_000;
const FEB = (day: number) => `2026-02-${String(day).padStart(2, '0')}`;

let openai: AdminServer;
let anthropic: AdminServer;
let clock = Date.UTC(2026, 1, 20, 6);
const now = () => (clock += 1000);
const waits: number[] = [];
const retries: ProviderRetryEvent[] = [];

beforeAll(async () => {
  openai = await startOpenAiAdmin([OPENAI_KEY]);
  anthropic = await startAnthropicAdmin([ANTHROPIC_KEY]);
});
afterAll(async () => {
  await openai.close();
  await anthropic.close();
});

function options(provider: 'openai' | 'anthropic', database: string, extra: Partial<SyncProviderBillsOptions> = {}): SyncProviderBillsOptions {
  return {
    provider,
    adminKey: provider === 'openai' ? OPENAI_KEY : ANTHROPIC_KEY,
    baseUrl: provider === 'openai' ? openai.baseUrl : anthropic.baseUrl,
    since: FEB(1),
    until: FEB(11),
    clickhouse: { path, database },
    now,
    retryBaseMs: 100,
    retryMaxMs: 1000,
    sleep: async (ms) => void waits.push(ms),
    onRetry: (event) => retries.push(event),
    ...extra,
  };
}

async function drift(database: string, from = FEB(1), to = FEB(11)): Promise<BillDriftEntry[]> {
  const queries = createUsageQueries({ path, database });
  try {
    return await queries.billDrift({ from, to });
  } finally {
    await queries.close();
  }
}

const totals = (entries: BillDriftEntry[]) => entries.filter((e) => e.kind === 'total').map((e) => `${e.day} ${e.provider} ${e.billedCost}`);

async function tableRows(database: string): Promise<number> {
  const store = openStore({ path, database });
  try {
    const result = await store.client.query({ query: `SELECT toString(count()) AS n FROM \`${database}\`.llm_provider_bills`, format: 'JSONEachRow' });
    return Number((await result.json<{ n: string }>())[0]!.n);
  } finally {
    await store.close();
  }
}

/** The OpenAI bill of one day: a model in three line items, an embedding model, a tool, a null line item. */
function openAiDay(day: string, scale = 1): void {
  openai.setDay('costs', day, [
    openAiCost('gpt-4o-mini-2024-07-18, input', 0.0012 * scale),
    openAiCost('gpt-4o-mini-2024-07-18, cached input', 0.000075 * scale),
    openAiCost('gpt-4o-mini-2024-07-18, output', 0.00048 * scale, null),
    openAiCost('text-embedding-3-small', 0.00002 * scale),
    openAiCost('web search tool calls', 0.025 * scale, null),
    openAiCost(null, 0.01 * scale, null),
  ]);
  openai.setDay('completions', day, [
    openAiCompletions('gpt-4o-mini-2024-07-18', { input: 8000 * scale, cached: 1000 * scale, output: 800 * scale, requests: 10 * scale }),
    openAiCompletions('gpt-4o-mini-2024-07-18', { input: 1000 * scale, output: 100 * scale, requests: 1 * scale, batch: true }, null),
  ]);
  openai.setDay('embeddings', day, [openAiEmbeddings('text-embedding-3-small', 1000 * scale, 2 * scale)]);
}

describe('OpenAI', () => {
  // One store synced by the first test; the next ones sync it again, revise it, and compare other stores with it.
  const synced = uniqueDatabase('oa');

  it('reads every page of every report and stores each day exactly, an unmapped line item as its own row', async () => {
    const database = synced;
    for (const day of [1, 2, 3, 5, 6, 7, 8, 9, 10]) openAiDay(FEB(day)); // Feb 4 billed nothing: an empty bucket
    const result = await syncProviderBills(options('openai', database, { pageSize: 3 }));
    expect(result).toMatchObject({
      provider: 'openai',
      keyFingerprint: '…oa01',
      days: 10,
      rows: 9 * 9,
      written: 10 + 9 * 9,
      missingDays: [],
      unmappedLineItems: ['', 'web search tool calls'],
      billedCost: '0.330975000',
    });
    expect(result.changedDays).toHaveLength(10);
    // 10 days in pages of 3: 4 pages per report, each after the first asking for the cursor it was given.
    for (const report of ['costs', 'completions', 'embeddings']) {
      const requests = openai.requestsTo(report).slice(-4);
      expect(requests.map((r) => new URL(r.url, 'http://x').searchParams.get('page'))).toEqual([null, 'Mw==', 'Ng==', 'OQ==']);
      expect(new URL(requests[0]!.url, 'http://x').searchParams.get('limit')).toBe('3');
    }
    expect(openai.requestsTo('costs').at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);

    const feb1 = (await drift(database)).filter((e) => e.day === FEB(1));
    expect(feb1.map((e) => [e.kind, e.model ?? e.lineItem, e.billedCost, e.billedInputTokens, e.billedOutputTokens, e.billedRequests])).toEqual([
      ['model', 'gpt-4o-mini-2024-07-18', '0.001755000', 9000, 900, 11],
      ['model', 'text-embedding-3-small', '0.000020000', 1000, 0, 2],
      ['unmapped', '', '0.010000000', 0, 0, 0],
      ['unmapped', 'web search tool calls', '0.025000000', 0, 0, 0],
      ['total', null, '0.036775000', 10000, 900, 13],
    ]);
    expect(totals(await drift(database)).find((line) => line.startsWith(FEB(4)))).toBe(`${FEB(4)} openai 0.000000000`);
  });

  it('writes nothing when the same range is synced again', async () => {
    const database = synced;
    const before = await tableRows(database);
    const again = await syncProviderBills(options('openai', database));
    expect(again).toMatchObject({ days: 10, written: 0, changedDays: [] });
    expect(again.unchangedDays).toHaveLength(10);
    expect(await tableRows(database)).toBe(before);
  });

  it('a day revised between two syncs replaces the old figures, the line item it lost included', async () => {
    const database = synced;
    const first = totals(await drift(database));
    // OpenAI revises Feb 3: the web search charge is withdrawn and the model's input costs more.
    openai.setDay('costs', FEB(3), [openAiCost('gpt-4o-mini-2024-07-18, input', 0.0013), openAiCost('gpt-4o-mini-2024-07-18, output', 0.00048)]);
    const revised = await syncProviderBills(options('openai', database));
    expect(revised.changedDays).toEqual([FEB(3)]);
    const entries = await drift(database);
    expect(entries.filter((e) => e.day === FEB(3)).map((e) => [e.kind, e.model ?? e.lineItem, e.billedCost])).toEqual([
      ['model', 'gpt-4o-mini-2024-07-18', '0.001780000'],
      ['model', 'text-embedding-3-small', '0.000000000'],
      ['total', null, '0.001780000'],
    ]);
    expect(totals(entries).filter((line) => !line.startsWith(FEB(3)))).toEqual(first.filter((line) => !line.startsWith(FEB(3))));
    // Revised back: the figures of the first sync again (a new snapshot, compared with the latest, not the first).
    openAiDay(FEB(3));
    expect((await syncProviderBills(options('openai', database))).changedDays).toEqual([FEB(3)]);
    expect(totals(await drift(database))).toEqual(first);
  });

  it('overlapping ranges leave each day once, equal to one sync over the whole range', async () => {
    const whole = synced;
    const split = uniqueDatabase('oa');
    await syncProviderBills(options('openai', split, { since: FEB(1), until: FEB(7) }));
    await syncProviderBills(options('openai', split, { since: FEB(4), until: FEB(11) }));
    await syncProviderBills(options('openai', split, { since: FEB(2), until: FEB(9) }));
    expect(await drift(split)).toEqual(await drift(whole));
    // The whole-range store holds two extra snapshots of Feb 3 (revised and back); the split one none.
    expect(await tableRows(split)).toBe(10 + 9 * 9);
  });

  it('leaves days the report has not reached alone, and says which', async () => {
    const database = synced;
    openai.reportUntil(FEB(9));
    openAiDay(FEB(9), 2);
    try {
      const result = await syncProviderBills(options('openai', database));
      expect(result.missingDays).toEqual([FEB(9), FEB(10)]);
      expect(result.days).toBe(8);
      // Feb 9 keeps the figures of the first sync: not replaced by the doubled bill, nor by nothing.
      expect(totals(await drift(database)).find((line) => line.startsWith(FEB(9)))).toBe(`${FEB(9)} openai 0.036775000`);
    } finally {
      openai.reportUntil(undefined);
      openAiDay(FEB(9));
    }
  });

  it('retries a 429 after what Retry-After asks and a 5xx with backoff, then reads the whole bill', async () => {
    const database = uniqueDatabase('oa');
    waits.length = 0;
    retries.length = 0;
    openai.enqueue('costs', { status: 429, headers: { 'retry-after': '3' }, body: { error: { message: 'Rate limit reached' } } });
    openai.enqueue('completions', { status: 503, body: { error: { message: 'overloaded' } } }, { status: 500, body: 'oops' });
    const result = await syncProviderBills(options('openai', database, { dryRun: true }));
    expect(result).toMatchObject({ days: 10, rows: 81, billedCost: '0.330975000', written: 0 });
    expect(retries.map((r) => [r.reason, r.status, r.attempt])).toEqual([
      ['rate_limited', 429, 1],
      ['server_error', 503, 1],
      ['server_error', 500, 2],
    ]);
    expect(waits[0]).toBe(3000);
    // Full jitter under a doubling ceiling: at most 100 ms, then at most 200 ms.
    expect(waits[1]).toBeLessThanOrEqual(100);
    expect(waits[2]).toBeLessThanOrEqual(200);
  });

  it('fails with BillsApiError after the last retry of a lasting 5xx, writing nothing', async () => {
    const database = uniqueDatabase('oa');
    const failing = { status: 502, body: '<html>bad gateway</html>' };
    openai.enqueue('embeddings', failing, failing, failing);
    const error = await syncProviderBills(options('openai', database, { maxRetries: 2 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillsApiError);
    expect((error as Error).message).toMatch(/^OpenAI answered HTTP 502 for \/organization\/usage\/embeddings\?.* after 3 attempt\(s\): <html>bad gateway<\/html>$/);
    await expect(tableRows(database)).rejects.toThrow(/llm_provider_bills|UNKNOWN_TABLE|does not exist/);
  });

  it('refuses a key that is not an admin key with an error naming the key needed, without retrying', async () => {
    const database = uniqueDatabase('oa');
    const projectKey = 'sk-proj-not-an-admin-key-00000000000000000000000000000000000000000000pj01';
    const before = openai.requestsTo('costs').length;
    const error = await syncProviderBills(options('openai', database, { adminKey: projectKey })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillsAuthError);
    expect(error).toMatchObject({ status: 401, keyFingerprint: '…pj01', code: 'LLM_COST_BILLS_AUTH' });
    expect((error as Error).message).toBe(
      'OpenAI refused the admin key …pj01 (HTTP 401) for /organization/costs?start_time=1769904000&end_time=1770768000&bucket_width=1d&limit=31&group_by=project_id&group_by=line_item: ' +
        'Incorrect API key provided: …pj01. You can find your API key at https://platform.openai.com/account/api-keys. ' +
        'The organization cost and usage reports need an OpenAI Admin key (sk-admin-...), which an organization owner creates under ' +
        'Settings → Organization → Admin keys; a project or user API key (sk-proj-..., sk-...) cannot read them (this key does not start with sk-admin-).',
    );
    expect(openai.requestsTo('costs').length - before).toBe(1);
  });

  it('says which field of an unexpected body is wrong instead of storing a guess', async () => {
    const database = uniqueDatabase('oa');
    openai.enqueue('costs', { body: { object: 'page', data: [] } });
    await expect(syncProviderBills(options('openai', database))).rejects.toThrow(BillsResponseError);
    openai.enqueue('costs', {
      body: { object: 'page', data: [{ object: 'bucket', start_time: 1769904000, end_time: 1769904000 + 3600, results: [] }], has_more: false },
    });
    await expect(syncProviderBills(options('openai', database))).rejects.toThrow(/a bucket must be one whole UTC day/);
    openai.enqueue('costs', { body: { object: 'page', data: [], has_more: true, next_page: null } });
    await expect(syncProviderBills(options('openai', database))).rejects.toThrow(/has_more is true but next_page is empty/);
  });
});

describe('Anthropic', () => {
  beforeAll(() => {
    for (let day = 1; day <= 10; day++) {
      if (day === 6) continue; // nothing billed: empty buckets
      anthropic.setDay('cost_report', FEB(day), [
        anthropicCost('Claude Sonnet 4 Usage - Input Tokens', '123.45', { model: 'claude-sonnet-4-20250514', tokenType: 'uncached_input_tokens' }),
        anthropicCost('Claude Sonnet 4 Usage - Output Tokens', '300', { model: 'claude-sonnet-4-20250514', tokenType: 'output_tokens', workspaceId: null }),
        anthropicCost('Web Search Usage', '1', { costType: 'web_search' }),
      ]);
      anthropic.setDay('messages', FEB(day), [
        anthropicMessages('claude-sonnet-4-20250514', { uncached: 40_000, cacheRead: 5_000, write5m: 1_000, write1h: 500, output: 20_000 }),
        anthropicMessages('claude-sonnet-4-20250514', { uncached: 1_000, output: 100 }, null),
      ]);
    }
  });

  const synced = uniqueDatabase('an');

  it('reads cents as cents, every page, null workspaces and cache tokens, the key in x-api-key', async () => {
    const database = synced;
    const result = await syncProviderBills(options('anthropic', database, { pageSize: 4 }));
    expect(result).toMatchObject({ provider: 'anthropic', keyFingerprint: '…an01', days: 10, rows: 9 * 5, unmappedLineItems: ['Web Search Usage'] });
    // "123.45" + "300" + "1" cents a day, 9 days: 38.2005 USD.
    expect(result.billedCost).toBe('38.200500000');
    const requests = anthropic.requestsTo('cost_report');
    expect(requests.map((r) => new URL(r.url, 'http://x').searchParams.get('page'))).toEqual([null, 'NA==', 'OA==']);
    expect(requests[0]!.headers).toMatchObject({ 'x-api-key': ANTHROPIC_KEY, 'anthropic-version': '2023-06-01' });
    expect(new URL(requests[0]!.url, 'http://x').searchParams.getAll('group_by[]')).toEqual(['workspace_id', 'description']);
    const feb1 = (await drift(database)).filter((e) => e.day === FEB(1));
    expect(feb1.map((e) => [e.kind, e.model ?? e.lineItem, e.billedCost, e.billedInputTokens, e.billedOutputTokens])).toEqual([
      ['model', 'claude-sonnet-4-20250514', '4.234500000', 47_500, 20_100],
      ['unmapped', 'Web Search Usage', '0.010000000', 0, 0],
      ['total', null, '4.244500000', 47_500, 20_100],
    ]);
    expect(totals(await drift(database)).find((line) => line.startsWith(FEB(6)))).toBe(`${FEB(6)} anthropic 0.000000000`);
  });

  it('refuses a regular API key naming the Admin API key it needs, without retrying', async () => {
    const apiKey = 'sk-ant-api03-not-an-admin-key-0000000000000000000000000000000000000000ak01';
    const before = anthropic.requestsTo('cost_report').length;
    const error = await syncProviderBills(options('anthropic', uniqueDatabase('an'), { adminKey: apiKey })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BillsAuthError);
    expect((error as Error).message).toMatch(
      /^Anthropic refused the admin key …ak01 \(HTTP 401\) for \/organizations\/cost_report\?.*: invalid x-api-key\. The cost and usage reports need an Anthropic Admin API key \(sk-ant-admin\.\.\.\).*\(this key does not start with sk-ant-admin\)\.$/,
    );
    expect(anthropic.requestsTo('cost_report').length - before).toBe(1);
  });

  it('a 429 and a 5xx on the usage report are retried; syncing again writes nothing', async () => {
    const database = synced;
    retries.length = 0;
    anthropic.enqueue('messages', { status: 429, headers: { 'retry-after': '1' }, body: { type: 'error', error: { type: 'rate_limit_error', message: 'slow down' } } });
    anthropic.enqueue('messages', { status: 529, body: { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } } });
    const again = await syncProviderBills(options('anthropic', database));
    expect(retries.map((r) => r.status)).toEqual([429, 529]);
    expect(again).toMatchObject({ days: 10, written: 0, changedDays: [] });
    expect(await tableRows(database)).toBe(10 + 9 * 5);
  });
});

describe('options', () => {
  it('reads whole UTC days from a duration back from now, today included', async () => {
    const database = uniqueDatabase('oa');
    const fixed = Date.UTC(2026, 1, 10, 15, 30);
    const result = await syncProviderBills(options('openai', database, { since: '3d', until: undefined, now: () => fixed, dryRun: true }));
    expect(result).toMatchObject({ days: 4, written: 0, dryRun: true });
    const request = new URL(openai.requestsTo('costs').at(-1)!.url, 'http://x').searchParams;
    expect([request.get('start_time'), request.get('end_time')]).toEqual([String(Date.UTC(2026, 1, 7) / 1000), String((Date.UTC(2026, 1, 10) + DAY) / 1000)]);
  });

  it('refuses impossible options at once, naming the option', async () => {
    await expect(syncProviderBills(options('openai', 'x', { pageSize: 100 }))).rejects.toThrow('pageSize must be a whole number from 1 to 31, got 100');
    await expect(syncProviderBills(options('openai', 'x', { since: 'yesterday' }))).rejects.toThrow(/since must be a time .* or a duration like 30d/);
    await expect(syncProviderBills(options('openai', 'x', { since: FEB(5), until: FEB(2) }))).rejects.toThrow(/until .* must be after since/);
    await expect(syncProviderBills({ ...options('openai', 'x'), provider: 'gemini' as never })).rejects.toThrow('provider must be openai or anthropic, got "gemini"');
    await expect(syncProviderBills(options('openai', 'x', { adminKey: '' }))).rejects.toThrow(/No OpenAI admin key: pass adminKey or set OPENAI_ADMIN_KEY/);
    await expect(syncProviderBills(options('openai', 'x', { baseUrl: 'ftp://example' }))).rejects.toThrow('baseUrl must be an http(s) URL');
  });
});
