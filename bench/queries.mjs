#!/usr/bin/env node
/**
 * Benchmark: usage queries and budget preflight as the raw table grows (issue 7, part 6).
 *
 * Rows are made by ClickHouse itself (`INSERT INTO llm_calls … SELECT … FROM numbers(n)`), through the real schema,
 * so the materialized views fill the daily rollups exactly as ingest does: 90 days of calls, 10,000 users (each using
 * two of 6 models), 20 tenants, 3 services, 4 features. After each growth step the rollups are merged
 * (`OPTIMIZE … FINAL`, the state background merges reach; the raw table is left as inserted). The table is measured at
 * each size (default 1M, then grown to 10M rows):
 *
 * - `usageInPeriod` for one user over 30 whole UTC days (rollup only) and over the last 30×24 hours (rollup for the
 *   whole days + the raw table for the two partial days at the ends, as the API does for any time range);
 * - `costBreakdown` by model over 30 whole days;
 * - budget preflight (`createBudgetGuard(...).check()`, a daily per-user block budget): cold (a user whose spend is
 *   not cached: one rollup read) and cached (answered synchronously from the guard's cache);
 * - for contrast, the raw-scan path: the same per-user 30-day totals computed from `llm_calls` directly.
 *
 * Each query: a warm-up, then repetitions over different users; median and p90 wall time. The raw scan must give the
 * same totals as the rollup path (checked). Generation time is reported.
 *
 * The dashboard (issue 13) on the same data: every `/api/` endpoint the overview, breakdowns, calls and quality pages
 * call, over HTTP from the dashboard server (`startDashboard`, the code the collector serves), for the last 30 days
 * (today so far included), median and p90 of wall time per answer (target: 100 ms); the calls page's first and a
 * later page (bounded by the range and LIMIT); and the overview's first render in the packaged headless Chromium
 * (navigation to the cost figure and the chart drawn, fresh browser context each time; target: 1 s).
 *
 * Usage: pnpm build && node bench/queries.mjs [--quick] [--sizes 1000000,10000000]
 * Writes bench/results/queries.json.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { fmt, machine, median, percentileSorted, versionOf, writeResult } from './lib/common.mjs';

const ch = await import(new URL('../packages/clickhouse/dist/index.js', import.meta.url).href);
const collector = await import(new URL('../packages/collector/dist/index.js', import.meta.url).href);
const { launchBrowser } = await import(new URL('../test/support/chromium.mjs', import.meta.url).href);
const pricing = await import(new URL('../packages/pricing/dist/index.js', import.meta.url).href);

const { values: args } = parseArgs({ options: { quick: { type: 'boolean', default: false }, sizes: { type: 'string' } } });
const SIZES = (args.sizes ?? (args.quick ? '100000,1000000' : '1000000,10000000')).split(',').map(Number);
const REPS = args.quick ? 7 : 21;
const DAY = 86_400_000;
const USERS = 10_000;
const DAYS = 90;

const path = mkdtempSync(join(os.tmpdir(), 'llm-cost-bench-queries-'));
const database = 'bench_queries';
const client = ch.connectClickHouse({ path });
await ch.migrate({ client, database });
const queries = ch.createUsageQueries({ client, database });

// The data ends at the start of the current hour: "now" queries then cover it, and whole days are stable.
const nowMs = Date.now();
const endMs = Math.floor(nowMs / 3_600_000) * 3_600_000;
const startMs = endMs - DAYS * DAY;

/** Inserts rows [from, to) of the synthetic history (row i at a fixed place in the 90 days for the final size). */
async function generate(from, to, totalForSpacing) {
  const step = (DAYS * DAY) / totalForSpacing;
  // Rows are spread over the 90 days by a permutation of their number, so growing the table adds rows to every day.
  const t0 = performance.now();
  await client.command({
    query: `
      INSERT INTO ${database}.llm_calls
        (timestamp, trace_id, span_id, service_name, provider, operation, request_model, response_model, priced_model,
         input_tokens, cache_read_tokens, cache_write_tokens, output_tokens, reasoning_tokens,
         input_cost, cache_read_cost, cache_write_cost, output_cost, total_cost, billed_cost,
         pricing_status, price_version, usage_source, stream, latency_ms, http_status, error_type,
         user_id, tenant_id, feature, tags, provider_response_id, instrumentation)
      WITH number % ${USERS} AS u, (u % 3) * 2 + number % 2 + 1 AS m
      SELECT
        fromUnixTimestamp64Milli(toInt64(${startMs} + (cityHash64(number) % ${totalForSpacing}) * ${step}), 'UTC') AS ts,
        leftPad(lower(hex(number)), 32, '0'),
        leftPad(lower(hex(number)), 16, '0'),
        ['api', 'worker', 'batch'][number % 3 + 1],
        ['openai', 'openai', 'anthropic', 'anthropic', 'gcp.gemini', 'openrouter'][m] AS prov,
        'chat',
        ['gpt-4o-mini', 'gpt-4o', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'anthropic/claude-sonnet-4.6'][m] AS model,
        model,
        concat(prov, ':', model),
        500 + number % 3000 AS input, (number % 4) * 256 AS cached, 0, 50 + number % 900 AS output, if(number % 5 = 0, 100, 0),
        toDecimal64((input - cached) * 150 / 1e9, 9) AS c_in,
        toDecimal64(cached * 75 / 1e9, 9) AS c_cached,
        toDecimal64(0, 9),
        toDecimal64(output * 600 / 1e9, 9) AS c_out,
        c_in + c_cached + c_out AS c_total,
        c_total,
        'priced', 'bench', 'response', number % 2 = 0, 100 + number % 2000, 200, '',
        concat('user-', toString(u)) AS uid,
        concat('tenant-', toString(number % 20)) AS tid,
        ['search', 'chat', 'summarize', 'agent'][number % 4 + 1] AS feat,
        map('user_id', uid, 'tenant_id', tid, 'feature', feat),
        concat('resp-', toString(number)),
        '@llm-cost/instrumentation'
      FROM numbers(${from}, ${to - from})
      SETTINGS insert_deduplicate = 0, optimize_on_insert = 0`,
  });
  return (performance.now() - t0) / 1000;
}

async function timed(fn) {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

/** Runs `fn(i)` REPS times after a warm-up; median and p90 of wall ms. */
async function measure(fn) {
  for (let i = 0; i < 3; i++) await fn(1000 + i);
  const samples = [];
  let last;
  for (let i = 0; i < REPS; i++) {
    const { ms, value } = await timed(() => fn(i));
    samples.push(ms);
    last = value;
  }
  const sorted = [...samples].sort((a, b) => a - b);
  return { medianMs: median(samples), p90Ms: percentileSorted(sorted, 90), last };
}

const dayStart = (ms) => Math.floor(ms / DAY) * DAY;
const wholeDays = { from: new Date(dayStart(endMs) - 30 * DAY), to: new Date(dayStart(endMs)) };
const last30x24h = { from: new Date(nowMs - 30 * DAY), to: new Date(nowMs) };
const userOf = (i) => `user-${(i * 7919) % USERS}`;

/** The per-user 30-whole-day totals from the raw table (what the rollup path answers). */
async function rawScan(userId) {
  const result = await client.query({
    query: `SELECT toString(countIf(row_kind = 'call')) AS calls, toString(sum(input_tokens)) AS input_tokens,
                   toDecimalString(sum(ifNull(total_cost, 0)), 9) AS cost
            FROM ${database}.llm_calls
            WHERE user_id = {user:String} AND timestamp >= {from:DateTime64(3, 'UTC')} AND timestamp < {to:DateTime64(3, 'UTC')}`,
    query_params: { user: userId, from: wholeDays.from.getTime() / 1000, to: wholeDays.to.getTime() / 1000 },
    format: 'JSONEachRow',
  });
  const [row] = await result.json();
  return { calls: Number(row.calls), inputTokens: Number(row.input_tokens), cost: row.cost };
}

const pricer = pricing.createPricer();
let guardCounter = 0;
function newGuard() {
  guardCounter += 1;
  return ch.createBudgetGuard({
    queries,
    pricer,
    budgets: [{ scope: 'user', period: 'day', maxCost: '1000', action: 'block' }],
  });
}
const checkRequest = (userId) => ({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', tags: { user_id: userId } });

/** The dashboard's endpoints over HTTP, as the page calls them for the last 30 days, and the overview's first render. */
async function measureDashboard() {
  const dashboard = await collector.startDashboard({ client, database, port: 0 });
  const today = dayStart(nowMs);
  const day = (ms) => new Date(ms).toISOString().slice(0, 10);
  const range = `from=${day(today - 29 * DAY)}&to=${day(today + DAY)}`;
  const get = async (path) => {
    const response = await fetch(`${dashboard.url}/api/${path}`);
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status} ${await response.text()}`);
    return response.json();
  };
  const endpoints = {
    apiTotals: () => get(`totals?${range}`),
    apiDailyByProvider: () => get(`daily?${range}&stack=provider`),
    apiDailyByModel: () => get(`daily?${range}&stack=model`),
    apiSavings: () => get(`savings?${range}`),
    apiBreakdownModel: () => get(`breakdown?by=model&limit=8&${range}`),
    apiBreakdownUser: () => get(`breakdown?by=user&${range}`),
    apiBreakdownFeature: () => get(`breakdown?by=feature&${range}`),
    apiTenantTotals: (i) => get(`totals?${range}&tenant=tenant-${i % 20}`),
    apiTenantByModel: (i) => get(`breakdown?by=model&${range}&tenant=tenant-${i % 20}`),
    apiTenantByUser: (i) => get(`breakdown?by=user&${range}&tenant=tenant-${i % 20}`),
    apiUserDetail: (i) => get(`daily?${range}&stack=model&user=${userOf(i)}`),
    apiTagKeys: () => get(`tag-keys?${range}`),
    apiCalls: () => get(`calls?${range}&limit=50`),
    apiCallsUser: (i) => get(`calls?${range}&limit=50&user=${userOf(i)}`),
    apiQuality: () => get(`quality?${range}`),
  };
  const out = {};
  for (const [name, fn] of Object.entries(endpoints)) out[name] = await measure(fn);
  const first = await get(`calls?${range}&limit=50`);
  out.apiCallsLaterPage = await measure(() => get(`calls?${range}&limit=50&before=${first.next}`));

  const browser = await launchBrowser();
  try {
    // From navigation to the cost figure and the chart on screen, in a fresh context (no cache) each time.
    const render = async () => {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'en-US', timezoneId: 'UTC' });
      const page = await context.newPage();
      const t0 = performance.now();
      await page.goto(`${dashboard.url}/?range=30d`);
      await page.locator('[data-testid=stat-cost] .stat-value[title]').waitFor();
      await page.locator('[data-testid=daily-chart] canvas').waitFor();
      const elapsed = performance.now() - t0;
      await context.close();
      return elapsed;
    };
    for (let i = 0; i < 2; i++) await render();
    const samples = [];
    for (let i = 0; i < Math.min(REPS, 11); i++) samples.push(await render());
    out.overviewFirstRender = { medianMs: median(samples), p90Ms: percentileSorted([...samples].sort((a, b) => a - b), 90) };
  } finally {
    await browser.close();
    await dashboard.close();
  }
  return out;
}

const started = Date.now();
const perSize = [];
let have = 0;
const finalSize = SIZES[SIZES.length - 1];
for (const size of SIZES) {
  const seconds = await generate(have, size, finalSize);
  const m0 = performance.now();
  for (const table of ['llm_daily_by_model', 'llm_daily_by_user', 'llm_daily_by_tenant', 'llm_daily_by_tag']) {
    await client.command({ query: `OPTIMIZE TABLE ${database}.${table} FINAL` });
  }
  const mergeSeconds = (performance.now() - m0) / 1000;
  process.stderr.write(
    `queries: generated ${fmt.int(size - have)} rows in ${seconds.toFixed(1)} s (${fmt.int((size - have) / seconds)} rows/s), rollups merged in ${mergeSeconds.toFixed(1)} s\n`,
  );
  have = size;
  const counts = await (await client.query({
    query: `SELECT toString((SELECT count() FROM ${database}.llm_calls)) AS raw, toString((SELECT sum(calls) FROM ${database}.llm_daily_by_user)) AS rolled,
                   toString((SELECT count() FROM ${database}.llm_daily_by_user)) AS rollup_rows`,
    format: 'JSONEachRow',
  })).json();
  if (Number(counts[0].raw) !== size || Number(counts[0].rolled) !== size) throw new Error(`rows not all rolled up: ${JSON.stringify(counts[0])}`);

  const results = {
    userWholeDays: await measure((i) => queries.usageInPeriod({ userId: userOf(i), ...wholeDays })),
    userLast30x24h: await measure((i) => queries.usageInPeriod({ userId: userOf(i), ...last30x24h })),
    breakdownByModel: await measure(() => queries.costBreakdown({ by: 'model', ...wholeDays })),
    budgetCold: await measure(async (i) => {
      const guard = newGuard();
      const decision = guard.check(checkRequest(userOf(i)));
      return decision && typeof decision.then === 'function' ? await decision : decision;
    }),
    rawScanUser: await measure((i) => rawScan(userOf(i))),
  };
  const warmGuard = newGuard();
  await warmGuard.check(checkRequest(userOf(1)));
  const cachedSamples = [];
  for (let i = 0; i < 2000; i++) {
    const t0 = process.hrtime.bigint();
    const decision = warmGuard.check(checkRequest(userOf(1)));
    cachedSamples.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (decision && typeof decision.then === 'function') throw new Error('a cached budget check answered asynchronously');
  }
  const sortedCached = [...cachedSamples].sort((a, b) => a - b);
  results.budgetCached = { medianMs: median(cachedSamples), p90Ms: percentileSorted(sortedCached, 90) };

  results.dashboard = await measureDashboard();

  // The rollup path and the raw scan must agree.
  const viaRollup = await queries.usageInPeriod({ userId: userOf(3), ...wholeDays });
  const viaRaw = await rawScan(userOf(3));
  if (viaRollup.calls !== viaRaw.calls || viaRollup.inputTokens !== viaRaw.inputTokens || viaRollup.cost !== viaRaw.cost) {
    throw new Error(`rollup and raw scan disagree: ${JSON.stringify(viaRollup)} vs ${JSON.stringify(viaRaw)}`);
  }
  for (const value of Object.values(results)) delete value.last;
  for (const value of Object.values(results.dashboard)) delete value.last;
  perSize.push({ rows: size, generationSeconds: seconds, mergeSeconds, rollupRowsByUser: Number(counts[0].rollup_rows), callsPerUserIn30Days: viaRaw.calls, results });
}

await queries.close();
await client.close();
rmSync(path, { recursive: true, force: true });

const labels = {
  userWholeDays: '`usageInPeriod`, one user, 30 whole days (rollup)',
  userLast30x24h: '`usageInPeriod`, one user, last 30×24 h (rollup + 2 partial days raw)',
  breakdownByModel: '`costBreakdown` by model, 30 days (rollup)',
  budgetCold: 'budget preflight, cold (one rollup read)',
  budgetCached: 'budget preflight, cached (synchronous)',
  rawScanUser: 'raw scan: one user, 30 days from `llm_calls`',
};
const ms = (v) => (v < 0.1 ? `${(v * 1000).toFixed(1)} µs` : `${v.toFixed(v < 10 ? 2 : 1)} ms`);
const first = perSize[0];
const last = perSize[perSize.length - 1];
const dashboardLabels = {
  apiTotals: '`/api/totals` (30 days and the previous 30 days; rollup + the partial day at the end raw)',
  apiDailyByProvider: '`/api/daily?stack=provider` (overview chart)',
  apiDailyByModel: '`/api/daily?stack=model`',
  apiSavings: '`/api/savings` (rollup per day, provider, model + prices)',
  apiBreakdownModel: '`/api/breakdown?by=model&limit=8` (overview top models)',
  apiBreakdownUser: '`/api/breakdown?by=user` (10,000 users)',
  apiBreakdownFeature: '`/api/breakdown?by=feature` (tag rollup)',
  apiTenantTotals: '`/api/totals&tenant=…` (a tenant token: tenant rollup)',
  apiTenantByModel: '`/api/breakdown?by=model&tenant=…` (tenant rollup)',
  apiTenantByUser: '`/api/breakdown?by=user&tenant=…` (no rollup has both: raw scan of 30 days)',
  apiUserDetail: '`/api/daily?stack=model&user=…` (user detail chart)',
  apiTagKeys: '`/api/tag-keys`',
  apiCalls: '`/api/calls?limit=50` (first page, raw, bounded)',
  apiCallsUser: '`/api/calls?limit=50&user=…` (one user: reads until 50 match)',
  apiCallsLaterPage: '`/api/calls?limit=50&before=…` (next page)',
  apiQuality: '`/api/quality` (raw: counts, unpriced models, latency quantiles, 30 days)',
  overviewFirstRender: 'overview first render in headless Chromium (navigation to cost figure + chart)',
};
const lines = [
  `| query | ${perSize.map((p) => `${fmt.int(p.rows)} rows: median (p90)`).join(' | ')} | ${last.rows / first.rows}x rows: time ratio |`,
  `|---|${perSize.map(() => '---:').join('|')}|---:|`,
  ...Object.keys(labels).map(
    (key) =>
      `| ${labels[key]} | ${perSize.map((p) => `${ms(p.results[key].medianMs)} (${ms(p.results[key].p90Ms)})`).join(' | ')} | ` +
      `${(last.results[key].medianMs / first.results[key].medianMs).toFixed(2)} |`,
  ),
  '',
  `Dashboard (issue 13): targets 100 ms per \`/api/\` answer and 1 s to the overview's first render. Range: the last 30 days, today so far included.`,
  '',
  `| dashboard | ${perSize.map((p) => `${fmt.int(p.rows)} rows: median (p90)`).join(' | ')} | target |`,
  `|---|${perSize.map(() => '---:').join('|')}|---|`,
  ...Object.keys(dashboardLabels).map((key) => {
    const target = key === 'overviewFirstRender' ? 1000 : 100;
    const worst = last.results.dashboard[key].p90Ms;
    return `| ${dashboardLabels[key]} | ${perSize.map((p) => `${ms(p.results.dashboard[key].medianMs)} (${ms(p.results.dashboard[key].p90Ms)})`).join(' | ')} | ` +
      `${worst <= target ? 'met' : `**missed** (${target} ms)`} |`;
  }),
  '',
  `Generation through the real schema (INSERT … SELECT from numbers(), views filling the rollups): ` +
    perSize.map((p, i) => `${fmt.int(p.rows - (i === 0 ? 0 : perSize[i - 1].rows))} rows in ${p.generationSeconds.toFixed(1)} s (+ ${p.mergeSeconds.toFixed(1)} s OPTIMIZE FINAL of the rollups)`).join(', ') +
    `. Rollup rows by user at ${fmt.int(last.rows)} raw rows: ${fmt.int(last.rollupRowsByUser)}. Raw scan and rollup totals checked equal.`,
];
console.log(lines.join('\n'));
writeResult('queries', {
  benchmark: 'queries',
  command: `node bench/queries.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
  date: new Date().toISOString(),
  durationSeconds: Math.round((Date.now() - started) / 1000),
  node: process.version,
  machine: machine(),
  versions: { chdb: versionOf('chdb') },
  data: { days: DAYS, users: USERS, tenants: 20, models: 6 },
  repetitions: REPS,
  perSize,
  markdown: lines.join('\n'),
});
