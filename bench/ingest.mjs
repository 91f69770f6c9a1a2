#!/usr/bin/env node
/**
 * Benchmark: exporter ingest into embedded ClickHouse (issue 7, part 4; target >= 100k spans/s per core).
 *
 * Two modes, on the same rows, into the full schema (llm_calls + four rollups fed by materialized views, insert
 * deduplication on), at several batch sizes:
 * - pipeline: GenAI spans (the shape the OTel SDK and the collector hand over) through `CostPipeline`: map, one-charge
 *   filter, price with @llm-cost/pricing, encode, batch, insert with a deduplication token;
 * - raw: the same rows, already encoded, inserted through @clickhouse/client with the same statement: no mapping,
 *   no pricing (the ceiling).
 *
 * Reports spans/s (wall) and spans per CPU-second of the process (JS and the embedded engine's threads together:
 * "per core"), each the median of several repetitions, modes alternated (A B A B) so drift hits both.
 *
 * Usage: pnpm --filter @llm-cost/clickhouse build && node bench/ingest.mjs [--quick]
 * Writes bench/results/ingest.json.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ch = await import(new URL('../packages/clickhouse/dist/index.js', import.meta.url).href);
const pricing = await import(new URL('../packages/pricing/dist/index.js', import.meta.url).href);

const quick = process.argv.includes('--quick');
const BATCH_SIZES = quick ? [512, 10_000] : [512, 2_000, 5_000, 10_000];
const SPANS = quick ? 20_000 : 60_000;
const REPS = quick ? 2 : 3;
/** The OTel BatchSpanProcessor hands spans over 512 at a time. */
const EXPORT_CHUNK = 512;

const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini', response: 'gpt-4o-mini-2024-07-18', input: 1149, cached: 1024, output: 353 },
  { provider: 'openai', model: 'gpt-4o', response: 'gpt-4o-2024-08-06', input: 2200, cached: 0, output: 480 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', response: 'claude-sonnet-4-5-20250929', input: 1532, cached: 1111, output: 33 },
  { provider: 'gcp.gemini', model: 'gemini-2.5-flash', response: 'gemini-2.5-flash', input: 3520, cached: 3512, output: 44 },
];

/** GenAI spans as our instrumentation writes them: root spans, four models, 1000 users, 10 tenants, 3 features. */
function makeSpans(count, seed) {
  const spans = new Array(count);
  const start = Date.UTC(2026, 4, 1) + seed * 1000;
  for (let i = 0; i < count; i++) {
    const m = MODELS[i % MODELS.length];
    const t = start + i;
    spans[i] = {
      name: `chat ${m.model}`,
      kind: 2,
      traceId: (seed * 1e9 + i).toString(16).padStart(32, '0'),
      spanId: (seed * 1e9 + i).toString(16).padStart(16, '0'),
      startTime: [Math.floor(t / 1000), (t % 1000) * 1e6],
      endTime: [Math.floor(t / 1000) + 1, 0],
      attributes: {
        'gen_ai.provider.name': m.provider,
        'gen_ai.operation.name': 'chat',
        'gen_ai.request.model': m.model,
        'gen_ai.response.model': m.response,
        'gen_ai.response.id': `resp-${seed}-${i}`,
        'gen_ai.usage.input_tokens': m.input + (i % 50),
        'gen_ai.usage.cache_read.input_tokens': m.cached,
        'gen_ai.usage.output_tokens': m.output,
        'llm_cost.usage_source': 'response',
        'http.response.status_code': 200,
        'llm_cost.tag.user_id': `user-${i % 1000}`,
        'llm_cost.tag.tenant_id': `tenant-${i % 10}`,
        'llm_cost.tag.feature': ['search', 'chat', 'summarize'][i % 3],
      },
      status: { code: 0 },
      resource: { attributes: { 'service.name': 'bench' } },
      scope: { name: '@llm-cost/instrumentation' },
    };
  }
  return spans;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const cpuSeconds = (usage) => (usage.user + usage.system) / 1e6;

const path = mkdtempSync(join(os.tmpdir(), 'llm-cost-bench-ingest-'));
const pricer = pricing.createPricer();
const admin = ch.connectClickHouse({ path });
let runCounter = 0;

async function freshDatabase() {
  runCounter += 1;
  const database = `bench_${runCounter}`;
  await ch.migrate({ client: admin, database });
  return database;
}

/** Pipeline mode: spans in, rows out. */
async function runPipeline(batchSize, spans) {
  const database = await freshDatabase();
  const pipeline = new ch.CostPipeline({ client: admin, database, pricer, maxBatchSize: batchSize, maxQueueSize: spans.length + 1, autoMigrate: false });
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < spans.length; i += EXPORT_CHUNK) {
    pipeline.submit(spans.slice(i, i + EXPORT_CHUNK));
    // Let the writer run between exports, as it would between BatchSpanProcessor exports.
    await new Promise((resolve) => setImmediate(resolve));
  }
  const { drained } = await pipeline.flush(600_000);
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  const stats = pipeline.stats();
  await pipeline.shutdown();
  if (!drained || stats.written !== spans.length) throw new Error(`pipeline wrote ${stats.written} of ${spans.length}`);
  await checkRollups(database, spans.length);
  return { wall, cpu };
}

/** Column order of the raw insert (the columns of `llm_calls`). */
const COLUMNS = [
  'timestamp', 'trace_id', 'span_id', 'service_name', 'provider', 'operation', 'request_model', 'response_model',
  'priced_model', 'input_tokens', 'cache_read_tokens', 'cache_write_tokens', 'output_tokens', 'reasoning_tokens',
  'input_cost', 'cache_read_cost', 'cache_write_cost', 'output_cost', 'total_cost', 'billed_cost', 'pricing_status',
  'price_version', 'usage_source', 'stream', 'latency_ms', 'http_status', 'error_type', 'user_id', 'tenant_id',
  'feature', 'tags', 'provider_response_id', 'instrumentation',
];

/** Raw mode: the same rows, encoded beforehand (JSONCompactEachRow, like the pipeline), one INSERT per batch. */
async function runRaw(batchSize, lines) {
  const database = await freshDatabase();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let batchIndex = 0;
  for (let i = 0; i < lines.length; i += batchSize) {
    batchIndex += 1;
    const result = await admin.exec({
      query:
        `INSERT INTO ${database}.llm_calls (${COLUMNS.join(', ')}) SETTINGS insert_deduplicate = 1, ` +
        `insert_deduplication_token = 'raw-${runCounter}-${batchIndex}', deduplicate_blocks_in_dependent_materialized_views = 1, ` +
        'async_insert = 0, optimize_on_insert = 0 FORMAT JSONCompactEachRow',
      values: Readable.from([lines.slice(i, i + batchSize).join('\n')]),
    });
    result.stream.resume();
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu = cpuSeconds(process.cpuUsage(cpu0));
  await checkRollups(database, lines.length);
  return { wall, cpu };
}

async function checkRollups(database, expected) {
  const result = await admin.query({
    query: `SELECT toUInt64((SELECT count() FROM ${database}.llm_calls)) AS raw, toUInt64((SELECT sum(calls) FROM ${database}.llm_daily_by_user)) AS rolled`,
    format: 'JSONEachRow',
  });
  const [row] = await result.json();
  if (Number(row.raw) !== expected || Number(row.rolled) !== expected) throw new Error(`expected ${expected} rows, got ${JSON.stringify(row)}`);
}

/** The rows the pipeline writes for `spans`, encoded in column order (prepared untimed, in a scratch database). */
async function encodedRows(spans) {
  const database = await freshDatabase();
  const lines = [];
  const pipeline = new ch.CostPipeline({ client: admin, database, pricer, autoMigrate: false, maxQueueSize: spans.length + 1 });
  pipeline.onRow((row) => {
    const seconds = Math.floor(row.timestamp_ms / 1000);
    const values = { ...row, timestamp: `${seconds}.${String(Math.floor(row.timestamp_ms) - seconds * 1000).padStart(3, '0')}` };
    lines.push(JSON.stringify(COLUMNS.map((column) => values[column])));
  });
  pipeline.submit(spans);
  await pipeline.shutdown();
  return lines;
}

// --- run ----------------------------------------------------------------------------------------------------------
const results = [];
const warmSpans = makeSpans(5_000, 999);
await runPipeline(1_000, warmSpans);
await runRaw(1_000, await encodedRows(makeSpans(5_000, 998)));

for (const batchSize of BATCH_SIZES) {
  const pipelineRuns = [];
  const rawRuns = [];
  for (let rep = 0; rep < REPS; rep++) {
    const spans = makeSpans(SPANS, batchSize + rep);
    pipelineRuns.push(await runPipeline(batchSize, spans));
    rawRuns.push(await runRaw(batchSize, await encodedRows(makeSpans(SPANS, 10_000 + batchSize + rep))));
  }
  const summarize = (runs) => ({
    spansPerSecond: Math.round(SPANS / median(runs.map((r) => r.wall))),
    spansPerCpuSecond: Math.round(SPANS / median(runs.map((r) => r.cpu))),
    runs: runs.map((r) => ({ wallSeconds: +r.wall.toFixed(3), cpuSeconds: +r.cpu.toFixed(3) })),
  });
  const entry = { batchSize, spans: SPANS, pipeline: summarize(pipelineRuns), raw: summarize(rawRuns) };
  entry.pipelineVsRawCpu = +(entry.pipeline.spansPerCpuSecond / entry.raw.spansPerCpuSecond).toFixed(2);
  results.push(entry);
  process.stderr.write(`batch ${batchSize}: pipeline ${entry.pipeline.spansPerSecond}/s, raw ${entry.raw.spansPerSecond}/s\n`);
}

await admin.close();
rmSync(path, { recursive: true, force: true });

const lines = [
  '| batch | pipeline spans/s | pipeline spans/CPU-s | raw insert rows/s | raw rows/CPU-s | pipeline / raw (CPU) |',
  '|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.batchSize} | ${r.pipeline.spansPerSecond.toLocaleString('en-US')} | ${r.pipeline.spansPerCpuSecond.toLocaleString('en-US')} | ` +
      `${r.raw.spansPerSecond.toLocaleString('en-US')} | ${r.raw.spansPerCpuSecond.toLocaleString('en-US')} | ${r.pipelineVsRawCpu} |`,
  ),
];
console.log(lines.join('\n'));
const output = {
  benchmark: 'ingest',
  command: `node bench/ingest.mjs${quick ? ' --quick' : ''}`,
  date: new Date().toISOString(),
  node: process.version,
  machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
  versions: { chdb: '3.4.0', clickhouseClient: '1.23.1' },
  notes:
    'Embedded ClickHouse (chdb) in the same process. spans/CPU-s counts the CPU time of the whole process (JS and ' +
    'the engine threads). Schema: llm_calls + 4 SummingMergeTree rollups via materialized views, deduplication on.',
  results,
};
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'ingest.json'), `${JSON.stringify(output, null, 2)}\n`);
