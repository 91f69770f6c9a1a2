#!/usr/bin/env node
/**
 * Benchmark: OTLP/HTTP protobuf spans per second through the llm-cost collector, end to end (issue 7, part 5;
 * target >= 50k spans/s on this 2-core machine).
 *
 * Three processes, as in a deployment: this orchestrator, the collector (`llm-cost collector`, the built bin, on an
 * embedded store in a temporary directory) and a load generator (this file with `--load`). The load generator sends
 * what `@opentelemetry/exporter-trace-otlp-proto` sends: request bodies made by the SDK's own
 * `ProtobufTraceSerializer` from real SDK spans (GenAI spans as `@llm-cost/instrumentation` writes them, 512 per
 * request), with trace ids, span ids and response ids rewritten per request so no span repeats (the pipeline would
 * rightly drop replays). It keeps `--connections` requests in flight on keep-alive connections and honours 429/503
 * `Retry-After`, as the real exporter does.
 *
 * A run: load for `--seconds`, then wait until the collector has written every span it accepted (its /metrics).
 * Reported per run: spans accepted per second over the load phase, and end to end: rows written / (time from the first
 * request to the last row written). Every span is a priced GenAI call, so every span is a row (the worst case; spans of
 * other instrumentations cost less). Modes alternate A B A B after a warm-up; medians are reported.
 *
 * Usage: pnpm --filter @llm-cost/collector build && node bench/collector.mjs [--quick] [--seconds 10] [--connections 4]
 * Writes bench/results/collector.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const bin = join(root, 'packages/collector/dist/bin.js');
const TOKEN = 'bench-ingest-token-0123456789abcdef';
const SPANS_PER_REQUEST = 512;

const { values: args } = parseArgs({
  options: {
    load: { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '4' },
    url: { type: 'string' },
    gzip: { type: 'boolean', default: false },
    requests: { type: 'string', default: '64' },
    'batch-size': { type: 'string' },
  },
});


// --- load generator (child process) ---------------------------------------------------------------------------

/** Builds request bodies with the OpenTelemetry SDK's own OTLP protobuf serializer. */
function buildTemplates(count) {
  const require = createRequire(join(root, 'package.json'));
  const exporterEntry = require.resolve('@opentelemetry/exporter-trace-otlp-proto');
  const { ProtobufTraceSerializer } = createRequire(exporterEntry)('@opentelemetry/otlp-transformer');
  const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
  const { resourceFromAttributes } = require('@opentelemetry/resources');
  const semconv = createRequire(join(root, 'packages/collector/package.json'))('@llm-cost/instrumentation');

  const models = [
    ['openai', 'gpt-4o-mini'],
    ['openai', 'gpt-4o-2024-08-06'],
    ['anthropic', 'claude-sonnet-4-5-20250929'],
    ['gcp.gemini', 'gemini-2.5-flash'],
  ];
  const templates = [];
  for (let t = 0; t < count; t++) {
    const memory = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': `bench-service-${t % 4}` }),
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    const tracer = provider.getTracer(semconv.INSTRUMENTATION_SCOPE_NAME, '0.1.0');
    const responseIds = [];
    for (let i = 0; i < SPANS_PER_REQUEST; i++) {
      const [providerName, model] = models[(t + i) % models.length];
      const responseId = `resp-${String(t).padStart(4, '0')}-${String(i).padStart(4, '0')}-000000000000`;
      responseIds.push(responseId);
      tracer
        .startSpan(`chat ${model}`, {
          kind: 2,
          attributes: {
            [semconv.ATTR_GEN_AI_PROVIDER_NAME]: providerName,
            [semconv.ATTR_GEN_AI_OPERATION_NAME]: 'chat',
            [semconv.ATTR_GEN_AI_REQUEST_MODEL]: model,
            [semconv.ATTR_GEN_AI_RESPONSE_MODEL]: model,
            [semconv.ATTR_GEN_AI_RESPONSE_ID]: responseId,
            [semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 800 + ((i * 37) % 3000),
            [semconv.ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: (i % 3) * 256,
            [semconv.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 50 + ((i * 13) % 900),
            [semconv.ATTR_GEN_AI_REQUEST_STREAM]: i % 2 === 0,
            [semconv.ATTR_LLM_COST_USAGE_SOURCE]: i % 2 === 0 ? 'stream_final' : 'response',
            [`${semconv.LLM_COST_TAG_PREFIX}user_id`]: `user-${(t * 7 + i) % 500}`,
            [`${semconv.LLM_COST_TAG_PREFIX}feature`]: ['search', 'chat', 'summarize'][i % 3],
            'server.address': 'api.example.com',
            'server.port': 443,
            'http.response.status_code': 200,
          },
        })
        .end();
    }
    const spans = memory.getFinishedSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(spans));
    // Offsets of the bytes rewritten per request: every trace id, span id and response id.
    const idOffsets = [];
    for (const span of spans) {
      const { traceId, spanId } = span.spanContext();
      for (const hex of [traceId, spanId]) {
        const at = body.indexOf(Buffer.from(hex, 'hex'));
        if (at < 0) throw new Error('id not found in serialized body');
        idOffsets.push(at);
      }
    }
    const responseOffsets = responseIds.map((id) => {
      const at = body.indexOf(Buffer.from(id));
      if (at < 0) throw new Error('response id not found in serialized body');
      return at + id.length - 12;
    });
    templates.push({ body, idOffsets, responseOffsets });
  }
  return templates;
}

/** Rewrites the template's ids in place with a request counter, so no span is ever sent twice. */
function stamp(template, counter) {
  const { body, idOffsets, responseOffsets } = template;
  for (const at of idOffsets) body.writeUInt32BE(counter >>> 0, at);
  const suffix = counter.toString(16).padStart(12, '0');
  for (const at of responseOffsets) body.write(suffix, at, 'latin1');
  return body;
}

async function runLoadGenerator() {
  const seconds = Number(args.seconds ?? 10);
  const connections = Number(args.connections);
  const templates = buildTemplates(Number(args.requests));
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const target = new URL('/v1/traces', args.url);
  let counter = Math.floor(Math.random() * 2 ** 31);
  let acceptedSpans = 0;
  let refused = 0;
  let failed = 0;
  const latencies = [];
  process.send?.({ type: 'ready' });
  const cpuAtStart = process.cpuUsage();
  const start = performance.now();
  const deadline = start + seconds * 1000;

  const send = (payload) =>
    new Promise((resolve) => {
      const sentAt = performance.now();
      const req = httpRequest(
        target,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/x-protobuf',
            authorization: `Bearer ${TOKEN}`,
            'content-length': payload.length,
            ...(args.gzip ? { 'content-encoding': 'gzip' } : {}),
          },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - sentAt);
            resolve({ status: res.statusCode, retryAfter: Number(res.headers['retry-after'] ?? 1) });
          });
        },
      );
      req.on('error', () => resolve({ status: 0, retryAfter: 1 }));
      req.end(payload);
    });

  async function worker(index) {
    let n = index;
    while (performance.now() < deadline) {
      const template = templates[n++ % templates.length];
      const body = stamp(template, counter++);
      const payload = args.gzip ? gzipSync(body) : Buffer.from(body);
      const { status, retryAfter } = await send(payload);
      if (status === 200) acceptedSpans += SPANS_PER_REQUEST;
      else if (status === 429 || status === 503) {
        refused++;
        // The exporter honours Retry-After; a shorter wait here only makes the collector refuse more.
        await new Promise((r) => setTimeout(r, Math.min(retryAfter * 1000, Math.max(0, deadline - performance.now()))));
      } else failed++;
    }
  }
  await Promise.all(Array.from({ length: connections }, (_, i) => worker(i)));
  const elapsedMs = performance.now() - start;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  const cpu = process.cpuUsage(cpuAtStart);
  process.send?.({
    type: 'done',
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    acceptedSpans,
    refused,
    failed,
    elapsedMs,
    startEpochMs: performance.timeOrigin + start,
    p50Ms: pct(50),
    p99Ms: pct(99),
  });
  agent.destroy();
}

// --- orchestrator -------------------------------------------------------------------------------------------------

function startCollector(path) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        bin,
        'collector',
        '--port',
        '0',
        '--path',
        path,
        '--token',
        `bench=${TOKEN}`,
        '--log-level',
        'info',
        ...(args['batch-size'] ? ['--batch-size', args['batch-size']] : []),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let buffered = '';
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      let nl;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        try {
          const entry = JSON.parse(line);
          if (entry.msg === 'collector listening') resolve({ child, url: entry.url });
          if (entry.level === 'error') process.stderr.write(`collector: ${line}\n`);
        } catch {
          /* not a log line */
        }
      }
    });
    child.once('exit', (code) => reject(new Error(`collector exited early (${code})`)));
  });
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc (Linux). */
function cpuSecondsOf(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
  } catch {
    return Number.NaN;
  }
}

async function metric(url, name) {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

function runLoad(url, seconds, connections, gzip) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(import.meta.url), '--load', '--url', url, '--seconds', String(seconds), '--connections', String(connections), ...(gzip ? ['--gzip'] : [])],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    let result;
    child.on('message', (message) => {
      if (message.type === 'done') result = message;
    });
    child.once('exit', (code) => (result ? resolve(result) : reject(new Error(`load generator exited with ${code}`))));
  });
}

async function oneRun(seconds, connections, gzip) {
  const path = mkdtempSync(join(os.tmpdir(), 'llm-cost-bench-collector-'));
  const { child, url } = await startCollector(path);
  try {
    const writtenBefore = await metric(url, 'llm_cost_pipeline_calls_written_total');
    const cpuBefore = cpuSecondsOf(child.pid);
    const load = await runLoad(url, seconds, connections, gzip);
    // Wait (bounded) until every accepted span is a written row.
    const deadline = Date.now() + 120_000;
    let written = 0;
    for (;;) {
      written = (await metric(url, 'llm_cost_pipeline_calls_written_total')) - writtenBefore;
      if (written >= load.acceptedSpans || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const allWrittenMs = Date.now() - load.startEpochMs;
    const collectorCpuSeconds = cpuSecondsOf(child.pid) - cpuBefore;
    const lost = await metric(url, 'llm_cost_pipeline_calls_lost_total');
    return {
      acceptedSpans: load.acceptedSpans,
      written,
      lost,
      refusedRequests: load.refused,
      failedRequests: load.failed,
      acceptedPerSecond: load.acceptedSpans / (load.elapsedMs / 1000),
      endToEndPerSecond: written / (allWrittenMs / 1000),
      drainMs: allWrittenMs - load.elapsedMs,
      collectorCpuSeconds,
      loadGeneratorCpuSeconds: load.cpuSeconds,
      collectorCpuMicrosPerSpan: (collectorCpuSeconds * 1e6) / Math.max(1, written),
      p50RequestMs: load.p50Ms,
      p99RequestMs: load.p99Ms,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(path, { recursive: true, force: true });
  }
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

async function orchestrate() {
  const seconds = Number(args.seconds ?? (args.quick ? 4 : 10));
  const reps = args.quick ? 1 : 3;
  const connections = Number(args.connections);
  const modes = [
    { name: 'protobuf', gzip: false },
    { name: 'protobuf + gzip', gzip: true },
  ];
  process.stderr.write(`warm-up (${Math.min(seconds, 4)} s)...\n`);
  await oneRun(Math.min(seconds, 4), connections, false);
  const runs = Object.fromEntries(modes.map((m) => [m.name, []]));
  for (let rep = 0; rep < reps; rep++) {
    for (const mode of modes) {
      const run = await oneRun(seconds, connections, mode.gzip);
      process.stderr.write(
        `${mode.name} run ${rep + 1}: ${Math.round(run.endToEndPerSecond)} spans/s end to end, ` +
          `${Math.round(run.acceptedPerSecond)} accepted/s, ${run.refusedRequests} refused (429/503), lost ${run.lost}, ` +
          `collector CPU ${run.collectorCpuSeconds.toFixed(1)} s (${run.collectorCpuMicrosPerSpan.toFixed(1)} us/span), ` +
          `load generator CPU ${run.loadGeneratorCpuSeconds.toFixed(1)} s\n`,
      );
      runs[mode.name].push(run);
    }
  }
  const summary = modes.map((mode) => {
    const rs = runs[mode.name];
    return {
      mode: mode.name,
      endToEndSpansPerSecond: Math.round(median(rs.map((r) => r.endToEndPerSecond))),
      bestEndToEndSpansPerSecond: Math.round(Math.max(...rs.map((r) => r.endToEndPerSecond))),
      loadGeneratorCpuMicrosPerSpan: Number(median(rs.map((r) => (r.loadGeneratorCpuSeconds * 1e6) / Math.max(1, r.acceptedSpans))).toFixed(1)),
      acceptedSpansPerSecond: Math.round(median(rs.map((r) => r.acceptedPerSecond))),
      collectorCpuMicrosPerSpan: Number(median(rs.map((r) => r.collectorCpuMicrosPerSpan)).toFixed(1)),
      p50RequestMs: Number(median(rs.map((r) => r.p50RequestMs)).toFixed(1)),
      p99RequestMs: Number(median(rs.map((r) => r.p99RequestMs)).toFixed(1)),
      refusedRequests: rs.reduce((a, r) => a + r.refusedRequests, 0),
      failedRequests: rs.reduce((a, r) => a + r.failedRequests, 0),
      lost: rs.reduce((a, r) => a + r.lost, 0),
      unwritten: rs.reduce((a, r) => a + (r.acceptedSpans - r.written), 0),
    };
  });
  const target = 50_000;
  // What the machine's cores could carry if nothing else ran: CPU per span of collector and load generator together.
  const capacity = (s) => Math.round((os.cpus().length * 1e6) / (s.collectorCpuMicrosPerSpan + s.loadGeneratorCpuMicrosPerSpan));
  const lines = [
    `Collector: OTLP/HTTP protobuf, ${SPANS_PER_REQUEST} GenAI spans per request, ${connections} connections, ${seconds} s per run, median of ${reps}`,
    '',
    '| mode | end-to-end spans/s (median) | best run | accepted spans/s | collector CPU us/span | CPU-bound capacity on this machine | request p50 ms | request p99 ms | 429/503 | lost |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...summary.map(
      (s) =>
        `| ${s.mode} | ${s.endToEndSpansPerSecond.toLocaleString('en-US')} | ${s.bestEndToEndSpansPerSecond.toLocaleString('en-US')} | ${s.acceptedSpansPerSecond.toLocaleString('en-US')} | ${s.collectorCpuMicrosPerSpan} | ${capacity(s).toLocaleString('en-US')} | ${s.p50RequestMs} | ${s.p99RequestMs} | ${s.refusedRequests} | ${s.lost + s.unwritten} |`,
    ),
    '',
    `Target: >= ${target.toLocaleString('en-US')} spans/s end to end (protobuf): median ${summary[0].endToEndSpansPerSecond >= target ? 'meets it' : `misses it by ${Math.round(100 - (100 * summary[0].endToEndSpansPerSecond) / target)}%`}` +
      `, best run ${summary[0].bestEndToEndSpansPerSecond >= target ? 'meets it' : 'misses it'}. Load average at the end: ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} cores` +
      ' (other processes on the machine lower the wall-clock figures; CPU per span is the steadier measure).',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  const result = {
    benchmark: 'collector',
    command: `node bench/collector.mjs${args.quick ? ' --quick' : ''}`,
    date: new Date().toISOString(),
    node: process.version,
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30) },
    spansPerRequest: SPANS_PER_REQUEST,
    connections,
    seconds,
    repetitions: reps,
    loadAverageAtEnd: os.loadavg(),
    summary: summary.map((s) => ({ ...s, cpuBoundCapacitySpansPerSecond: capacity(s) })),
    runs,
    target,
  };
  mkdirSync(join(here, 'results'), { recursive: true });
  writeFileSync(join(here, 'results', 'collector.json'), `${JSON.stringify(result, null, 2)}\n`);
}

if (args.load) await runLoadGenerator();
else await orchestrate();
