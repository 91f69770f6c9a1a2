#!/usr/bin/env node
/**
 * One measurement of the path an application uses (bench/ingest.mjs runs it in a fresh process per run): GenAI spans
 * made by the OpenTelemetry SDK's tracer (`BasicTracerProvider`, one `BatchSpanProcessor` with the SDK defaults: 512
 * spans per export, 2048 buffered, 5 s) and exported to `ClickHouseCostExporter` on the embedded store, then
 * `provider.forceFlush()`.
 *
 *   node bench/lib/sdk-ingest-worker.mjs --mode shipped --spans 60000 --path DIR [--build .../clickhouse/dist/index.js]
 *
 * Modes (what the processor is given):
 * - shipped: the exporter itself (its processor is found: the provider's flush goes through to the store);
 * - at-once: the exporter behind a plain object with the same `export()` (the processor is not found, exports are
 *   answered at once, as before the flush change; the run then awaits the exporter's own `forceFlush()`);
 * - when-written: the same, but each export is answered only once its rows are written (what the OpenTelemetry spec
 *   describes for exporters; the processor then waits for one insert per export).
 *
 * Phase 1, throughput: SPANS spans, made in blocks of 64 with a turn of the event loop between blocks (as calls
 * finishing in an application), then the flush; wall time and process CPU until every accepted span is a row, the
 * time spent inside `export()` itself per span (the part of the exporter's work the processor waits for, and where
 * the flush change adds its check), and the spans the processor dropped (its buffer full: they never reach the
 * exporter, and nobody counts them but the SDK).
 * Phase 2, flush latency: rounds of 8 spans then `provider.forceFlush()`, timed; and how many of the 8 are rows at
 * the moment it resolves. Prints one JSON line.
 */
import { parseArgs } from 'node:util';

import { SpanKind } from '@opentelemetry/api';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string' },
    spans: { type: 'string', default: '60000' },
    rounds: { type: 'string', default: '15' },
    path: { type: 'string' },
    build: { type: 'string', default: new URL('../../packages/clickhouse/dist/index.js', import.meta.url).href },
  },
});
const ch = await import(args.build.startsWith('/') ? `file://${args.build}` : args.build);
const pricing = await import(new URL('../../packages/pricing/dist/index.js', import.meta.url).href);

const SPANS = Number(args.spans);
const BLOCK = 64;
const MODELS = [
  { provider: 'openai', model: 'gpt-4o-mini', input: 1149, cached: 1024, output: 353 },
  { provider: 'anthropic', model: 'claude-sonnet-4-5', input: 1532, cached: 1111, output: 33 },
  { provider: 'gcp.gemini', model: 'gemini-2.5-flash', input: 3520, cached: 3512, output: 44 },
];

function target(exporter) {
  if (args.mode === 'shipped') return exporter;
  const plain = { shutdown: () => exporter.shutdown(), forceFlush: () => exporter.forceFlush() };
  if (args.mode === 'at-once') return { ...plain, export: (spans, done) => exporter.export(spans, done) };
  if (args.mode === 'when-written') {
    return {
      ...plain,
      export: (spans, done) => exporter.export(spans, (result) => exporter.pipeline.flush().then(() => done(result))),
    };
  }
  throw new Error(`unknown mode ${args.mode}`);
}

/**
 * Time spent inside the exporter's own `export()` calls (the synchronous part: accept, map, price, encode), and the
 * duration of each full export (512 spans): on a busy machine the fastest of them is the figure preemption spares.
 */
let exportMs = 0;
const fullExportMs = [];

async function setup(database) {
  await ch.migrate({ path: args.path, database });
  const exporter = new ch.ClickHouseCostExporter({ path: args.path, database, pricer: pricing.createPricer(), maxQueueSize: SPANS + 1, autoMigrate: false });
  // Timed on the instance, so the processor still holds the exporter itself (as shipped, it must find it).
  const exportSpans = exporter.export.bind(exporter);
  exporter.export = (spans, done) => {
    const started = performance.now();
    exportSpans(spans, done);
    const took = performance.now() - started;
    exportMs += took;
    if (spans.length === 512) fullExportMs.push(took);
  };
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(target(exporter))] });
  return { exporter, provider, tracer: provider.getTracer('@llm-cost/instrumentation') };
}

let made = 0;
function endSpan(tracer) {
  const i = made++;
  const m = MODELS[i % MODELS.length];
  const start = Date.now() - 900;
  const span = tracer.startSpan(`chat ${m.model}`, {
    kind: SpanKind.CLIENT,
    startTime: start,
    attributes: {
      'gen_ai.provider.name': m.provider,
      'gen_ai.operation.name': 'chat',
      'gen_ai.request.model': m.model,
      'gen_ai.response.model': m.model,
      'gen_ai.response.id': `resp-${process.pid}-${i}`,
      'gen_ai.usage.input_tokens': m.input + (i % 50),
      'gen_ai.usage.cache_read.input_tokens': m.cached,
      'gen_ai.usage.output_tokens': m.output,
      'llm_cost.usage_source': 'response',
      'llm_cost.tag.user_id': `user-${i % 1000}`,
    },
  });
  span.end(start + 850);
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

async function flushAll({ provider, exporter }) {
  await provider.forceFlush();
  // Where the provider's flush does not go through, only the exporter's own flush writes the rows (as shipped, this
  // finds nothing left to write).
  await exporter.forceFlush();
}

// Phase 1: throughput.
const run = await setup('sdk_throughput');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < SPANS; i++) {
  endSpan(run.tracer);
  if (i % BLOCK === BLOCK - 1) await turn();
}
await flushAll(run);
const wall = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const exportUsPerSpan = (1000 * exportMs) / SPANS;
const fastestExportUsPerSpan = fullExportMs.length === 0 ? Number.NaN : (1000 * Math.min(...fullExportMs)) / 512;
const stats = run.exporter.stats();
await run.provider.shutdown();

// Phase 2: flush latency, 8 spans a round.
const latency = await setup('sdk_flush');
const flushMs = [];
const rowsAtResolve = [];
for (let round = 0; round < Number(args.rounds); round++) {
  const before = latency.exporter.stats().written;
  for (let i = 0; i < 8; i++) endSpan(latency.tracer);
  const started = performance.now();
  await latency.provider.forceFlush();
  flushMs.push(performance.now() - started);
  rowsAtResolve.push(latency.exporter.stats().written - before);
  await flushAll(latency);
}
await latency.provider.shutdown();

process.stdout.write(
  `${JSON.stringify({
    mode: args.mode,
    build: args.build,
    spans: SPANS,
    written: stats.written,
    dropped: SPANS - stats.received,
    wallSeconds: +wall.toFixed(3),
    cpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(3),
    exportUsPerSpan: +exportUsPerSpan.toFixed(3),
    fastestExportUsPerSpan: +fastestExportUsPerSpan.toFixed(3),
    flushMs: flushMs.map((ms) => +ms.toFixed(1)),
    rowsAtResolve,
  })}\n`,
);
