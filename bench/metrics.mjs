#!/usr/bin/env node
/**
 * Benchmark: what the GenAI client metrics add to one call (issue 16), measured in one process with the built
 * instrumentation, so nothing but the metrics differs between the configurations:
 *
 * - `metrics: false`;
 * - metrics on, no MeterProvider registered (the API's no-op one: what most applications have);
 * - metrics on, a MeterProvider of `@opentelemetry/sdk-metrics` registered (with a reader, as an application that
 *   exports metrics has): the duration and token-usage histograms are recorded on every call.
 *
 * Each call is a `trackLlmCall` (a finished call with usage and one tag, ending its span on a tracer provider with no
 * span processor), so the span work is the same in every configuration. Blocks of calls alternate A B C C B A ...;
 * reported: CPU ns per call (median over blocks) and the difference from `metrics: false`.
 *
 * Usage: pnpm run build && node bench/metrics.mjs [--quick]      Writes bench/results/metrics.json.
 */
import { createRequire } from 'node:module';

import { fmt, machine, median, repoRoot, versionOf, writeResult } from './lib/common.mjs';

const require = createRequire(import.meta.url);
const { metrics } = require('@opentelemetry/api');
const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics');
const { BasicTracerProvider } = require('@opentelemetry/sdk-trace-base');
const { registerLlmCostInstrumentation, trackLlmCall } = require(`${repoRoot}/packages/instrumentation/dist/index.cjs`);

const quick = process.argv.includes('--quick');
const CALLS = quick ? 5_000 : 20_000;
const BLOCKS = quick ? 4 : 12;

class Reader extends MetricReader {
  onForceFlush() {
    return Promise.resolve();
  }
  onShutdown() {
    return Promise.resolve();
  }
}
const reader = new Reader();
const meterProvider = new MeterProvider({ readers: [reader] });
const tracerProvider = new BasicTracerProvider();

const CONFIGS = [
  ['off', '`metrics: false`', { metrics: false }, false],
  ['noop', 'metrics on, no MeterProvider registered', {}, false],
  ['sdk', 'metrics on, `@opentelemetry/sdk-metrics` MeterProvider registered', {}, true],
];

let handle;
async function use([, , options, withProvider]) {
  await handle?.shutdown();
  metrics.disable();
  if (withProvider) metrics.setGlobalMeterProvider(meterProvider);
  handle = registerLlmCostInstrumentation({ tracerProvider, ...options });
}

const call = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  responseModel: 'gpt-4o-mini-2024-07-18',
  usage: { inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 300 },
  tags: { feature: 'search' },
};

function block() {
  const cpu = process.cpuUsage();
  for (let i = 0; i < CALLS; i++) trackLlmCall(call);
  const used = process.cpuUsage(cpu);
  return ((used.user + used.system) * 1000) / CALLS;
}

const samples = Object.fromEntries(CONFIGS.map(([name]) => [name, []]));
// Warm-up: every configuration once.
for (const config of CONFIGS) {
  await use(config);
  block();
}
for (let b = 0; b < BLOCKS; b++) {
  const order = b % 2 === 0 ? CONFIGS : [...CONFIGS].reverse();
  for (const config of order) {
    await use(config);
    samples[config[0]].push(block());
  }
}
await handle?.shutdown();
const collected = await reader.collect();
const histograms = collected.resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));

const medians = Object.fromEntries(CONFIGS.map(([name]) => [name, median(samples[name])]));
const result = {
  benchmark: 'metrics',
  machine: machine(),
  versions: { '@opentelemetry/sdk-metrics': versionOf('@opentelemetry/sdk-metrics'), '@opentelemetry/api': versionOf('@opentelemetry/api') },
  callsPerBlock: CALLS,
  blocks: BLOCKS,
  nsPerCall: medians,
  addedNsPerCall: { noop: medians.noop - medians.off, sdk: medians.sdk - medians.off },
  recordedMetrics: histograms,
};
writeResult(quick ? 'metrics-quick' : 'metrics', result);

const lines = [
  `### GenAI metrics: CPU per call (${CALLS} \`trackLlmCall\` calls per block, ${BLOCKS} blocks per configuration, median)`,
  '',
  '| configuration | CPU ns per call | added by the metrics |',
  '|---|---:|---:|',
  ...CONFIGS.map(([name, label]) => `| ${label} | ${fmt.int(medians[name])} | ${name === 'off' ? '—' : `${medians[name] - medians.off >= 0 ? '+' : ''}${fmt.int(medians[name] - medians.off)}`} |`),
  '',
  `Recorded with the MeterProvider: ${histograms.join(', ')}.`,
];
console.log(lines.join('\n'));
