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
 * `process.cpuUsage()` over the block (all threads of the process: JS, GC, the span processor's export), divided by
 * the calls. Each block ends with the span processor's `forceFlush()` inside the timed region, so span export is
 * counted. Every block is preceded by a warm-up of the same scenario.
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
const { setupMode } = require('./modes.cjs');

const { values: args } = parseArgs({
  options: {
    mode: { type: 'string' },
    port: { type: 'string' },
    'other-port': { type: 'string' },
    scale: { type: 'string', default: '1' },
    only: { type: 'string' },
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
};
const otherUrls = { inproc: INPROC_OTHER, loopback: `http://127.0.0.1:${args['other-port']}/health` };

let llmCalls = 0;
let chunksSeen = 0;
let sink = 0;
const hr = () => process.hrtime.bigint();

/** One call; resolves with the time to the first chunk (ns) for a stream. */
function llmCall(client, stream) {
  return setup.wrap(async () => {
    llmCalls += 1;
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

/** Runs `n` calls of `fn` with `concurrency` in flight; returns per-call latencies (ns), first-chunk times, wall, CPU. */
async function block(fn, n, concurrency) {
  const latencies = new Float64Array(n);
  const firstChunk = new Float64Array(n);
  let next = 0;
  const cpu0 = process.cpuUsage();
  const t0 = hr();
  const lane = async () => {
    while (next < n) {
      const i = next++;
      const s = hr();
      firstChunk[i] = await fn();
      latencies[i] = Number(hr() - s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
  await setup.flush();
  const wallNs = Number(hr() - t0);
  const cpu = process.cpuUsage(cpu0);
  return { latencies, firstChunk, wallNs, cpuUs: cpu.user + cpu.system };
}

function summarize(result, n) {
  const sorted = Array.from(result.latencies).sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil(p * n) - 1))] / 1000;
  const first = Array.from(result.firstChunk).sort((a, b) => a - b);
  return {
    calls: n,
    medianUs: at(0.5),
    p99Us: at(0.99),
    cpuUsPerCall: result.cpuUs / n,
    callsPerSecond: n / (result.wallNs / 1e9),
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
].filter((s) => args.only === undefined || s.key.includes(args.only));

const results = {};
for (const scenario of SCENARIOS) {
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
