import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import { insertCreditSnapshots, type CreditSnapshot } from '@llm-cost/clickhouse';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_USAGE_SOURCE,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/instrumentation';
import { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launchBrowser } from '../../../test/support/browser.js';
import { BIN } from './helpers/cli-process.js';
import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { createOtlpExporter, exportSpans, memoryProvider } from './helpers/otel-spans.js';

/*
 * The dashboard in a real headless Chromium: a store filled through the real collector (OTLP/HTTP from the
 * OpenTelemetry SDK's exporter), the page loaded from the collector and from `llm-cost dashboard`, its numbers checked
 * against the query API, a range change, a click-to-filter, the CSV download, the token login, a hostile tag value
 * shown as text, and no console error anywhere. It also takes the screenshots in docs/images (written there when
 * LLM_COST_UPDATE_SCREENSHOTS=1, else to a temporary directory).
 */

const XSS = '<img src=x onerror=alert(1)>';
const ACME_READER = 'acme-reader-token-0123456789abcdef';
const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const UPDATE = process.env.LLM_COST_UPDATE_SCREENSHOTS === '1';
const shotsDir = UPDATE ? resolve(__dirname, '../../../docs/images') : mkdtempSync(join(tmpdir(), 'llm-cost-shots-'));

interface Call {
  provider: string;
  model: string;
  input: number;
  output: number;
  cached?: number;
  tags: Record<string, string>;
  error?: string;
  startMs: number;
  service: string;
}

/** Six deterministic weeks of growing traffic (so the last 30 days have a previous period), placed relative to today. */
function history(): { acme: Call[]; globex: Call[] } {
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
  const models = [
    { provider: 'openai', model: 'gpt-4o-mini', weight: 5 },
    { provider: 'openai', model: 'gpt-4o', weight: 2 },
    { provider: 'anthropic', model: 'claude-sonnet-4-20250514', weight: 2 },
    { provider: 'gcp.gemini', model: 'gemini-2.5-flash', weight: 2 },
  ];
  const weighted = models.flatMap((m) => Array.from({ length: m.weight }, () => m));
  const acme: Call[] = [];
  const globex: Call[] = [];
  for (let back = 41; back >= 0; back--) {
    const calls = 4 + Math.floor(random() * 5) + Math.floor((41 - back) / 7);
    for (let i = 0; i < calls; i++) {
      const m = pick(weighted);
      const tenant = random() < 0.65 ? 'acme' : 'globex';
      const input = 1500 + Math.floor(random() * 12_000);
      const call: Call = {
        provider: m.provider,
        model: m.model,
        input,
        output: 200 + Math.floor(random() * 1500),
        cached: random() < 0.4 ? Math.floor(input * 0.6) : undefined,
        tags: { user_id: pick(tenant === 'acme' ? ['alice', 'bob', 'carol'] : ['dave', 'erin']), feature: pick(['search', 'chat', 'summarize']) },
        startMs: TODAY - back * DAY + Math.floor(random() * (back === 0 ? Math.max(Date.now() - TODAY - 120_000, 60_000) : DAY - 60_000)),
        service: pick(['web', 'worker']),
      };
      if (random() < 0.04) call.error = '429';
      (tenant === 'acme' ? acme : globex).push(call);
    }
  }
  // A hostile tag value and user id, an unpriced model, today.
  acme.push({ provider: 'openai', model: 'gpt-4o-mini', input: 900, output: 90, tags: { user_id: XSS, feature: XSS }, startMs: Date.now() - 30 * 60_000, service: 'web' });
  acme.push({ provider: 'openai', model: 'acme-finetune-v2', input: 1200, output: 300, tags: { user_id: 'alice', feature: 'search' }, startMs: Date.now() - 20 * 60_000, service: 'web' });
  return { acme, globex };
}

function spans(calls: Call[]): ReadableSpan[] {
  const out: ReadableSpan[] = [];
  for (const service of ['web', 'worker']) {
    const { provider, memory } = memoryProvider(service);
    const tracer = provider.getTracer(INSTRUMENTATION_SCOPE_NAME, '0.1.0');
    calls
      .filter((c) => c.service === service)
      .forEach((call, i) => {
        const attributes: Record<string, string | number> = {
          [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
          [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
          [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
          [ATTR_GEN_AI_RESPONSE_MODEL]: call.model,
          [ATTR_GEN_AI_RESPONSE_ID]: `resp-${service}-${i}-${call.startMs}`,
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: call.input,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: call.output,
          [ATTR_LLM_COST_USAGE_SOURCE]: 'response',
        };
        if (call.cached) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = call.cached;
        if (call.error) attributes['error.type'] = call.error;
        for (const [key, value] of Object.entries(call.tags)) attributes[`${LLM_COST_TAG_PREFIX}${key}`] = value;
        const span = tracer.startSpan(`chat ${call.model}`, { kind: SpanKind.CLIENT, attributes, startTime: call.startMs });
        span.end(call.startMs + 400 + (i % 7) * 350);
      });
    out.push(...memory.getFinishedSpans());
  }
  return out;
}

let fx: CollectorFixture;
let browser: Browser;
/** Set when the last test has released the store to `llm-cost dashboard`. */
let released = false;
const problems: string[] = [];
const dialogs: string[] = [];

async function send(token: string, calls: Call[]): Promise<void> {
  const exporter = createOtlpExporter('protobuf', fx.collector.url, { headers: { Authorization: `Bearer ${token}` } });
  expect((await exportSpans(exporter, spans(calls))).code).toBe(0);
  await exporter.shutdown();
}

beforeAll(async () => {
  const [collector, launched] = await Promise.all([
    startTestCollector({ readTokens: [TOKENS.reader, `acme=${ACME_READER}`], traceUrl: 'http://localhost:16686/trace/{traceId}' }),
    launchBrowser(),
  ]);
  fx = collector;
  browser = launched;
  const { acme, globex } = history();
  await send(TOKENS.acme, acme);
  await send(TOKENS.globex, globex);
  const total = acme.length + globex.length;
  await waitFor(async () => (await fx.metric('llm_cost_pipeline_calls_written_total')) >= total, `${total} calls written`);
  const snapshots: CreditSnapshot[] = Array.from({ length: 8 }, (_, i) => ({
    timestampMs: Date.now() - (7 - i) * DAY,
    keyFingerprint: '…3f9a',
    tenantId: 'acme',
    keyLimit: null,
    keyUsage: String(12 + i * 1.75),
    keyRemaining: null,
    usageDaily: '1.75',
    usageWeekly: null,
    usageMonthly: null,
    totalCredits: '50',
    totalUsage: String(12 + i * 1.75),
    remaining: String(38 - i * 1.75),
    isFreeTier: false,
    level: i < 7 ? 'ok' : 'warning',
    burnRatePerHour: '0.073',
    runsOutAtMs: Date.now() + 14 * DAY,
  }));
  await insertCreditSnapshots(fx.queries.store, snapshots);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  if (released) rmSync(fx.path, { recursive: true, force: true });
  else await fx?.close();
  if (!UPDATE) rmSync(shotsDir, { recursive: true, force: true });
});

/**
 * The page's globals, typed just enough for the functions this file runs in the page (it is compiled for Node, with
 * no DOM types; the casts vanish when the function is sent to the page). Functions, not strings: a string would be
 * evaluated with eval, which the page's CSP forbids.
 */
interface PageElement {
  getAttribute(name: string): string | null;
}
interface PageGlobals {
  document: {
    querySelector(selector: string): PageElement | null;
    querySelectorAll(selector: string): { length: number };
    body: unknown;
    documentElement: { scrollWidth: number };
  };
  getComputedStyle(element: unknown): { backgroundColor: string };
}

interface Opened {
  context: BrowserContext;
  page: Page;
}

async function open(baseURL: string, options: { width?: number; height?: number; dark?: boolean; token?: string } = {}): Promise<Opened> {
  const context = await browser.newContext({
    baseURL,
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    colorScheme: options.dark ? 'dark' : 'light',
    timezoneId: 'UTC',
    locale: 'en-US',
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`pageerror: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${expect.getState().currentTestName}: HTTP ${response.status()} ${new URL(response.url()).pathname} auth=${response.request().headers().authorization}`);
  });
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  if (options.token !== undefined) {
    await page.goto(`/?token=${options.token}`);
    await page.locator('[data-testid=page-overview]').waitFor();
  }
  return { context, page };
}

/** Waits until the element's attribute is the expected value (a bounded poll in the page), then returns it. */
async function attributeBecomes(page: Page, selector: string, attribute: string, expected: string): Promise<string | null> {
  await page
    .waitForFunction(([s, a, e]) => (globalThis as unknown as PageGlobals).document.querySelector(s!)?.getAttribute(a!) === e, [selector, attribute, expected], { timeout: 15_000 })
    .catch(() => undefined);
  return page.locator(selector).first().getAttribute(attribute);
}

async function settle(page: Page): Promise<void> {
  await page.waitForFunction(() => (globalThis as unknown as PageGlobals).document.querySelectorAll('.loading').length === 0, undefined, { timeout: 15_000 });
}

async function shot(page: Page, name: string): Promise<void> {
  await settle(page);
  const buffer = await page.screenshot({ path: join(shotsDir, `${name}.png`) });
  expect(buffer.length).toBeGreaterThan(10_000);
}

const rangeOf = (days: number) => ({ from: isoDay(TODAY - (days - 1) * DAY), to: isoDay(TODAY + DAY) });

describe('dashboard in a real browser', () => {
  it('asks for a read token, refuses an ingest token, and opens with a read token', async () => {
    const { context, page } = await open(fx.collector.url);
    await page.goto('/');
    await page.locator('input#token').waitFor();
    await page.fill('input#token', TOKENS.acme);
    await page.click('button[type=submit]');
    await page.locator('[role=alert]').waitFor();
    expect(await page.locator('[role=alert]').textContent()).toContain('not accepted');
    await page.fill('input#token', TOKENS.reader);
    await page.click('button[type=submit]');
    await page.locator('[data-testid=page-overview]').waitFor();
    expect(await page.content()).not.toContain(TOKENS.reader);
    await context.close();
  });

  it('keeps a ?token= in the session only, and shows the numbers of the query API', async () => {
    const { context, page } = await open(fx.collector.url, { token: TOKENS.reader });
    expect(page.url()).not.toContain('token');
    const expected = await fx.queries.usageInPeriod(rangeOf(30));
    expect(await attributeBecomes(page, '[data-testid=stat-cost] .stat-value', 'title', `${expected.cost} USD`)).toBe(`${expected.cost} USD`);
    expect(await page.locator('[data-testid=stat-calls] .stat-value').textContent()).toBe(expected.calls.toLocaleString('en-US'));
    expect(await page.locator('[data-testid=unpriced-warning]').textContent()).toContain('1 call of models without a price');
    const savings = await fx.queries.cacheSavings(rangeOf(30));
    expect(Number(savings.saved)).toBeGreaterThan(0);
    expect(await page.locator('[data-testid=stat-savings] .stat-value').getAttribute('title')).toBe(`${savings.saved} USD`);
    await page.locator('[data-testid=daily-chart] canvas').waitFor();
    await shot(page, 'dashboard-overview');
    await context.close();
  });

  it('changes the range, and a click on a bar filters every view', async () => {
    const { context, page } = await open(fx.collector.url, { token: TOKENS.reader });
    await page.click('[data-testid=range-7d]');
    expect(new URL(page.url()).searchParams.get('range')).toBe('7d');
    const week = await fx.queries.usageInPeriod(rangeOf(7));
    expect(await attributeBecomes(page, '[data-testid=stat-cost] .stat-value', 'title', `${week.cost} USD`)).toBe(`${week.cost} USD`);

    await page.click('nav >> text=Breakdowns');
    await page.locator('[data-testid=breakdown-bars]').waitFor();
    await page.locator('[data-testid=breakdown-bars] button', { hasText: 'gpt-4o-mini' }).click();
    await page.waitForURL(/model=gpt-4o-mini/);
    await page.click('nav >> text=Overview');
    await page.waitForURL((url) => url.pathname === '/' && url.searchParams.get('model') === 'gpt-4o-mini' && url.searchParams.get('range') === '7d');
    const filtered = await fx.queries.usageInPeriod({ ...rangeOf(7), model: 'gpt-4o-mini' });
    expect(filtered.calls).toBeLessThan(week.calls);
    expect(await attributeBecomes(page, '[data-testid=stat-cost] .stat-value', 'title', `${filtered.cost} USD`)).toBe(`${filtered.cost} USD`);
    expect(await page.locator('[data-testid=stat-calls] .stat-value').textContent()).toBe(filtered.calls.toLocaleString('en-US'));
    expect(await page.locator('[data-testid=filters]').textContent()).toContain('gpt-4o-mini');
    // Reloading the URL gives the same view.
    await page.reload();
    expect(await attributeBecomes(page, '[data-testid=stat-cost] .stat-value', 'title', `${filtered.cost} USD`)).toBe(`${filtered.cost} USD`);
    await context.close();
  });

  it('downloads the breakdown as CSV, the rows the API gives', async () => {
    const { context, page } = await open(fx.collector.url, { token: TOKENS.reader });
    await page.goto('/breakdowns?by=user&range=30d');
    await page.locator('[data-testid=breakdown-table]').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=csv]')]);
    expect(download.suggestedFilename()).toBe('llm-cost-by-user.csv');
    const csv = readFileSync((await download.path())!, 'utf8');
    const rows = await fx.queries.costBreakdown({ by: 'user', ...rangeOf(30), limit: 1000 });
    const lines = csv.trim().split('\n');
    expect(lines[0]!.startsWith('user,calls,')).toBe(true);
    expect(lines).toHaveLength(rows.length + 1);
    for (const row of rows) expect(csv).toContain(`,${row.calls},${row.inputTokens},`);
    await shot(page, 'dashboard-breakdowns');
    await context.close();
  });

  it('shows a hostile tag value as text: no element, no script, no dialog', async () => {
    const { context, page } = await open(fx.collector.url, { token: TOKENS.reader });
    await page.goto('/breakdowns?by=feature&range=today');
    const bars = page.locator('[data-testid=breakdown-bars]');
    await bars.waitFor();
    expect(await bars.textContent()).toContain(XSS);
    await page.goto(`/calls?range=today&user=${encodeURIComponent(XSS)}`);
    await page.locator('[data-testid=calls-table]').waitFor();
    await settle(page);
    expect(await page.locator('[data-testid=calls-table]').textContent()).toContain(XSS);
    expect(await page.locator('[data-testid=filters]').textContent()).toContain(XSS);
    expect(await page.locator('img').count()).toBe(0);
    expect(dialogs).toEqual([]);
    await context.close();
  });

  it('pages the calls and links each trace', async () => {
    const { context, page } = await open(fx.collector.url, { token: TOKENS.reader });
    await page.goto('/calls?range=30d');
    await page.locator('[data-testid=calls-table] tbody tr').first().waitFor();
    expect(await page.locator('[data-testid=calls-table] tbody tr').count()).toBe(50);
    const firstPage = await fx.queries.recentCalls({ ...rangeOf(30), limit: 50 });
    const link = await page.locator('[data-testid=calls-table] tbody tr a').first().getAttribute('href');
    expect(link).toBe(`http://localhost:16686/trace/${firstPage.calls[0]!.traceId}`);
    await shot(page, 'dashboard-calls');
    await page.click('[data-testid=older]');
    await page.waitForURL(/before=/);
    // The table keeps the previous page until the next one arrives: wait for the row the API puts first.
    const older = await fx.queries.recentCalls({ ...rangeOf(30), limit: 50, before: firstPage.next! });
    const firstCell = '[data-testid=calls-table] tbody tr td span';
    expect(await attributeBecomes(page, firstCell, 'title', older.calls[0]!.timestamp)).toBe(older.calls[0]!.timestamp);
    await context.close();
  });

  it('shows a tenant token its own tenant only', async () => {
    const { context, page } = await open(fx.collector.url, { token: ACME_READER });
    expect(await page.locator('[data-testid=tenant-scope]').textContent()).toBe('tenant acme');
    const acme = await fx.queries.usageInPeriod({ ...rangeOf(30), tenantId: 'acme' });
    expect(await attributeBecomes(page, '[data-testid=stat-cost] .stat-value', 'title', `${acme.cost} USD`)).toBe(`${acme.cost} USD`);
    await page.goto('/breakdowns?by=user&range=30d');
    await page.locator('[data-testid=breakdown-table]').waitFor();
    await settle(page);
    const text = (await page.locator('main').textContent()) ?? '';
    for (const other of ['dave', 'erin', 'globex']) expect(text).not.toContain(other);
    await context.close();
  });

  it('renders every page at 1280 px and phone width, light and dark', async () => {
    const wide = await open(fx.collector.url, { token: TOKENS.reader });
    for (const [path, name, ready] of [
      ['/detail?dim=user&user=alice&range=30d', 'dashboard-detail', '[data-testid=detail-cost]'],
      ['/quality?range=30d', 'dashboard-quality', '[data-testid=unpriced-models]'],
      ['/credits?range=30d', 'dashboard-credits', '[data-testid=credits-chart] canvas'],
    ] as const) {
      await wide.page.goto(path);
      await wide.page.locator(ready).first().waitFor();
      await shot(wide.page, name);
    }
    expect(await wide.page.locator('.level').first().textContent()).toBe('warning');
    await wide.context.close();
    const dark = await open(fx.collector.url, { token: TOKENS.reader, dark: true });
    await dark.page.locator('[data-testid=daily-chart] canvas').waitFor();
    const background = await dark.page.evaluate(() => (globalThis as unknown as PageGlobals).getComputedStyle((globalThis as unknown as PageGlobals).document.body).backgroundColor);
    expect(background).toBe('rgb(15, 17, 23)');
    await shot(dark.page, 'dashboard-overview-dark');
    await dark.context.close();
    const phone = await open(fx.collector.url, { token: TOKENS.reader, width: 390, height: 844 });
    await phone.page.locator('[data-testid=daily-chart] canvas').waitFor();
    // Nothing wider than the screen: the page does not scroll sideways.
    expect(await phone.page.evaluate(() => (globalThis as unknown as PageGlobals).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await shot(phone.page, 'dashboard-overview-phone');
    await phone.context.close();
  });

  it('llm-cost dashboard serves the same page over the store, with the same numbers', async () => {
    const expected = await fx.queries.usageInPeriod(rangeOf(30));
    // The embedded store admits one process: release it here, then serve it from the command.
    const path = fx.path;
    released = true;
    await fx.collector.close();
    await fx.queries.close();
    const child = spawn(process.execPath, [BIN, 'dashboard', '--path', path, '--port', '0', '--read-token', TOKENS.reader], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((done, fail) => {
        let out = '';
        child.stdout!.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n').find((l) => l.includes('"dashboard listening"'));
          if (line) done(String((JSON.parse(line) as { url: string }).url));
        });
        child.once('exit', (code) => fail(new Error(`llm-cost dashboard exited ${code}: ${out}`)));
      });
      const { context, page } = await open(url, { token: TOKENS.reader });
      expect(await attributeBecomes(page, '[data-testid=stat-cost] .stat-value', 'title', `${expected.cost} USD`)).toBe(`${expected.cost} USD`);
      await context.close();
    } finally {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('logged no console error, page error or CSP violation on any page', () => {
    expect(problems).toEqual([]);
    expect(dialogs).toEqual([]);
  });
});
