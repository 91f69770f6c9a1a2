#!/usr/bin/env node
/**
 * One mode of the overhead benchmark, in its own process (instrumentations patch modules and fetch globally).
 * Started by bench/overhead/overhead.mjs; reports its measurements over IPC.
 *
 * Two transports, same OpenAI client code:
 * - `inproc`: `globalThis.fetch` is replaced, before anything else, by a fetch that answers api.openai.com from memory
 *   (a `Response` over the precomputed bytes; streams as a ReadableStream giving one event per read). No network, so
 *   the instrumentation's cost is not hidden under socket work. Our instrumentation wraps it like any global fetch.
 * - `loopback`: the real fetch (undici) to the provider process on 127.0.0.1.
 *
 * Scenarios per transport: non-streaming and streaming chat completions, sequential (per-call wall times: median,
 * p99; time to first chunk) and 8 in flight (throughput); plus a non-LLM `fetch` to another host. CPU time per call is
 * `process.cpuUsage()` over a sub-block (all threads of the process: JS, GC, the span processor's export), divided by
 * its calls; each block is 5 sub-blocks and reports the median one. Each sub-block ends with the span processor's
 * `forceFlush()` inside the timed region, so span export is counted. Every block is preceded by a warm-up of the same
 * scenario.
 */
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';

import {
  COMPLETION_BYTES,
  JSON_HEADERS,
  MODEL,
  REQUEST_MESSAGES,
  SSE_HEADERS,
  STREAM_CHUNKS,
  STREAM_CONTENT_CHUNKS,
  wantsStream,
} from './responses.mjs';

const require = createRequire(import.meta.url);
const { setupMode, V4_MODES } = require('./modes.cjs');

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string' },
    port: { type: 'string' },
    'other-port': { type: 'string' },
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
    ab: { type: 'boolean', default: false },
    pairs: { type: 'string', default: '10' },
  },
});

const INPROC_BASE = 'https://api.openai.com/v1';
const INPROC_OTHER = 'https://example.com/health';
const OTHER_BODY = new TextEncoder().encode('{"ok":true}');
const OTHER_HEADERS = { 'content-type': 'application/json' };
const realFetch = globalThis.fetch;

function streamBody() {
  let i = 0;
  return new ReadableStream(
    {
      pull(controller) {
        if (i < STREAM_CHUNKS.length) controller.enqueue(STREAM_CHUNKS[i++]);
        else controller.close();
      },
    },
    { highWaterMark: 0 },
  );
}

/** The in-process stand-in for fetch: api.openai.com and example.com from memory, anything else to the real fetch. */
function memoryFetch(input, init) {
  const url = typeof input === 'string' ? input : (input.url ?? input.href);
  if (url.startsWith(INPROC_BASE)) {
    const body = init?.body;
    const stream = typeof body === 'string' && wantsStream(body);
    return Promise.resolve(
      stream
        ? new Response(streamBody(), { status: 200, headers: SSE_HEADERS })
        : new Response(COMPLETION_BYTES, { status: 200, headers: JSON_HEADERS }),
    );
  }
  if (url.startsWith(INPROC_OTHER)) return Promise.resolve(new Response(OTHER_BODY, { status: 200, headers: OTHER_HEADERS }));
  return realFetch(input, init);
}
globalThis.fetch = memoryFetch;

const loopbackAuthority = `127.0.0.1:${args.port}`;
const setup = setupMode(args.mode, { hosts: { [loopbackAuthority]: 'openai' } });
const clients = {
  inproc: new setup.OpenAI({ apiKey: 'sk-bench', baseURL: INPROC_BASE, maxRetries: 0 }),
  loopback: new setup.OpenAI({ apiKey: 'sk-bench', baseURL: `http://${loopbackAuthority}/v1`, maxRetries: 0 }),
  // openai 4.x over loopback HTTP: node-fetch 2 → node:http (no fetch involved).
  'loopback-v4': new setup.OpenAI4({ apiKey: 'sk-bench', baseURL: `http://${loopbackAuthority}/v1`, maxRetries: 0 }),
};
const otherUrls = { inproc: INPROC_OTHER, loopback: `http://127.0.0.1:${args['other-port']}/health` };

let llmCalls = 0;
let chunksSeen = 0;
/** In the A/B run only calls made with the instrumentation on count (they are the ones that must make spans). */
let instrumentationOn = true;
let sink = 0;
const hr = () => process.hrtime.bigint();

/** One call; resolves with the time to the first chunk (ns) for a stream. */
function llmCall(client, stream) {
  return setup.wrap(async () => {
    if (instrumentationOn) llmCalls += 1;
    if (!stream) {
      const completion = await client.chat.completions.create({ model: MODEL, messages: REQUEST_MESSAGES });
      sink += completion.usage.total_tokens;
      return 0;
    }
    const started = hr();
    const chunks = await client.chat.completions.create({
      model: MODEL,
      messages: REQUEST_MESSAGES,
      stream: true,
      stream_options: { include_usage: true },
    });
    let first = 0n;
    let n = 0;
    for await (const chunk of chunks) {
      if (n === 0) first = hr() - started;
      n += 1;
      sink += chunk.choices.length;
    }
    chunksSeen += n;
    return Number(first);
  });
}

async function otherCall(url) {
  const response = await fetch(url);
  const body = await response.json();
  sink += body.ok ? 1 : 0;
  return 0;
}

/** Sub-blocks per measured block: CPU and throughput are the median sub-block's (a burst of another process's
 * activity on this shared machine then spoils one sub-block, not the figure). */
const SUB_BLOCKS = 5;

/**
 * Runs `n` calls of `fn` with `concurrency` in flight, in `SUB_BLOCKS` sub-blocks, each ended by the span
 * processor's flush; returns per-call latencies (ns), first-chunk times, and each sub-block's calls, wall and CPU.
 */
async function block(fn, n, concurrency) {
  const latencies = new Float64Array(n);
  const firstChunk = new Float64Array(n);
  const subs = [];
  let next = 0;
  for (let b = 0; b < SUB_BLOCKS; b++) {
    const end = Math.round(((b + 1) * n) / SUB_BLOCKS);
    const begin = next;
    const cpu0 = process.cpuUsage();
    const t0 = hr();
    const lane = async () => {
      while (next < end) {
        const i = next++;
        const s = hr();
        firstChunk[i] = await fn();
        latencies[i] = Number(hr() - s);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, lane));
    await setup.flush();
    const cpu = process.cpuUsage(cpu0);
    subs.push({ calls: end - begin, wallNs: Number(hr() - t0), cpuUs: cpu.user + cpu.system });
  }
  return { latencies, firstChunk, subs };
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function summarize(result, n) {
  const sorted = Array.from(result.latencies).sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] / 1000;
  const first = Array.from(result.firstChunk).sort((a, b) => a - b);
  return {
    calls: n,
    medianUs: at(0.5),
    p99Us: at(0.99),
    cpuUsPerCall: median(result.subs.map((b) => b.cpuUs / b.calls)),
    callsPerSecond: median(result.subs.map((b) => b.calls / (b.wallNs / 1e9))),
    firstChunkMedianUs: first[Math.floor(n / 2)] / 1000,
  };
}

const scale = Number(args.scale);
/** Calls per measured block (warm-up: half as many before it). Loopback calls cost more wall time. */
const SCENARIOS = [
  { key: 'inproc/json/seq', transport: 'inproc', kind: 'json', concurrency: 1, n: 3000 },
  { key: 'inproc/stream/seq', transport: 'inproc', kind: 'stream', concurrency: 1, n: 800 },
  { key: 'inproc/json/conc8', transport: 'inproc', kind: 'json', concurrency: 8, n: 3000 },
  { key: 'inproc/stream/conc8', transport: 'inproc', kind: 'stream', concurrency: 8, n: 800 },
  { key: 'inproc/other/seq', transport: 'inproc', kind: 'other', concurrency: 1, n: 6000 },
  { key: 'loopback/json/seq', transport: 'loopback', kind: 'json', concurrency: 1, n: 1200 },
  { key: 'loopback/stream/seq', transport: 'loopback', kind: 'stream', concurrency: 1, n: 400 },
  { key: 'loopback/json/conc8', transport: 'loopback', kind: 'json', concurrency: 8, n: 1600 },
  { key: 'loopback/stream/conc8', transport: 'loopback', kind: 'stream', concurrency: 8, n: 500 },
  { key: 'loopback/other/seq', transport: 'loopback', kind: 'other', concurrency: 1, n: 1500 },
  { key: 'loopback-v4/json/seq', transport: 'loopback-v4', kind: 'json', concurrency: 1, n: 1000, v4: true },
  { key: 'loopback-v4/stream/seq', transport: 'loopback-v4', kind: 'stream', concurrency: 1, n: 300, v4: true },
  { key: 'loopback-v4/json/conc8', transport: 'loopback-v4', kind: 'json', concurrency: 8, n: 1200, v4: true },
]
  .filter((s) => !s.v4 || V4_MODES.has(args.mode))
  .filter((s) => args.only === undefined || s.key.includes(args.only));

/**
 * The paired A/B measurement: one process, the instrumentation switched on and off in place between blocks of the
 * same calls (order alternating), so the difference is free of the process-to-process and minute-to-minute variation
 * of this shared machine. Under the registered SDK both halves run with its context manager in use (it is switched on
 * by the first export and stays on): the difference is what the instrumentation adds to an application that already
 * runs the SDK. In-process transport only (the clearest signal).
 */
async function pairedAb() {
  const pairs = Number(args.pairs);
  const out = {};
  for (const { key, stream, n, client } of [
    { key: 'inproc/json/seq', stream: false, n: Math.max(50, Math.round(600 * scale)), client: clients.inproc },
    { key: 'inproc/stream/seq', stream: true, n: Math.max(20, Math.round(200 * scale)), client: clients.inproc },
    ...(V4_MODES.has(args.mode)
      ? [
          { key: 'loopback-v4/json/seq', stream: false, n: Math.max(50, Math.round(300 * scale)), client: clients['loopback-v4'] },
          { key: 'loopback-v4/stream/seq', stream: true, n: Math.max(20, Math.round(100 * scale)), client: clients['loopback-v4'] },
        ]
      : []),
  ].filter((s) => args.only === undefined || s.key.includes(args.only))) {
    const fn = () => llmCall(client, stream);
    const measure = async (on) => {
      instrumentationOn = on;
      setup.toggle(on);
      return summarize(await block(fn, n, 1), n);
    };
    await measure(true);
    await measure(false);
    const cpu = [];
    const firstChunk = [];
    const on = [];
    const off = [];
    for (let p = 0; p < pairs; p++) {
      const order = p % 2 === 0 ? [false, true] : [true, false];
      const got = {};
      for (const state of order) got[state] = await measure(state);
      cpu.push(got.true.cpuUsPerCall - got.false.cpuUsPerCall);
      firstChunk.push(got.true.firstChunkMedianUs - got.false.firstChunkMedianUs);
      on.push(got.true.cpuUsPerCall);
      off.push(got.false.cpuUsPerCall);
    }
    instrumentationOn = true;
    setup.toggle(true);
    out[key] = {
      pairs,
      callsPerBlock: n,
      cpuOverheadUs: median(cpu),
      firstChunkOverheadUs: stream ? median(firstChunk) : Number.NaN,
      offCpuUsPerCall: median(off),
      onCpuUsPerCall: median(on),
    };
  }
  return out;
}

const results = {};
if (args.ab) Object.assign(results, await pairedAb());
for (const scenario of args.ab ? [] : SCENARIOS) {
  const n = Math.max(20, Math.round(scenario.n * scale));
  const client = clients[scenario.transport];
  const fn =
    scenario.kind === 'other'
      ? () => otherCall(otherUrls[scenario.transport])
      : () => llmCall(client, scenario.kind === 'stream');
  await block(fn, Math.max(10, n >> 1), scenario.concurrency);
  results[scenario.key] = summarize(await block(fn, n, scenario.concurrency), n);
}

await setup.flush();
// Spans of JSON calls end one turn after the app got its body: let the last ones end before counting.
await new Promise((resolve) => setImmediate(resolve));
await setup.flush();
const counts = setup.counts();
const expectedChunks = STREAM_CONTENT_CHUNKS + 1;
const report = {
  mode: args.mode,
  results,
  llmCalls,
  spans: counts.spans,
  spansWithUsage: counts.withUsage,
  scopes: counts.scopes,
  expectsSpans: setup.expectsSpans,
  chunksPerStream: expectedChunks,
  sink,
  chunksSeen,
};
if (process.send) process.send(report);
else process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
