#!/usr/bin/env node
/**
 * Benchmark: nanoseconds per `priceUsage` call of @llm-cost/pricing (built package) on a realistic mix of
 * providers, models and usage shapes (issue 7, part 3; target <= 2 µs per call).
 *
 * Reports, each as the median of several repetitions after a warm-up:
 * - warm mix: the steady state (model lookups cached);
 * - per shape: each call shape of the mix on its own;
 * - first call of a (provider, model) pair: a fresh pricer, so every lookup misses the cache;
 * - the engine's own float `calcPrice` on the same mix, for scale (it re-matches the model on every call).
 *
 * Usage: pnpm --filter @llm-cost/pricing build && node bench/pricing.mjs [--quick]
 * Writes bench/results/pricing.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const pricing = await import(new URL('../packages/pricing/dist/index.js', import.meta.url).href);
const engine = await import(new URL('../packages/pricing/node_modules/@pydantic/genai-prices/dist/index.js', import.meta.url).href);

const quick = process.argv.includes('--quick');
const REPS = quick ? 3 : 7;
const CALLS = quick ? 100_000 : 500_000;
const WARMUP = quick ? 50_000 : 200_000;

/** The mix: shapes as the exporter sees them, weighted roughly like production traffic (repeats = weight). */
const shapes = [
  { name: 'openai gpt-4o-mini, cached', input: { provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 } }, weight: 4 },
  { name: 'openai gpt-4o dated', input: { provider: 'openai', model: 'gpt-4o-2024-08-06', usage: { inputTokens: 2200, outputTokens: 480 } }, weight: 3 },
  { name: 'openai gpt-5 reasoning, batch', input: { provider: 'openai', model: 'gpt-5', usage: { inputTokens: 5000, outputTokens: 3000, reasoningTokens: 2500 }, mode: 'batch' }, weight: 1 },
  {
    name: 'anthropic sonnet 4.5, cache r/w, tenant markup',
    input: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 1532, cacheReadTokens: 1111, cacheWriteTokens: 418, cacheWrite5mTokens: 418, outputTokens: 33 },
      tenant: 'acme',
    },
    weight: 3,
  },
  { name: 'gemini 2.5 flash, thoughts', input: { provider: 'gcp.gemini', model: 'gemini-2.5-flash', usage: { inputTokens: 3520, cacheReadTokens: 3512, outputTokens: 44, reasoningTokens: 42 } }, weight: 2 },
  { name: 'vertex gemini 2.5 pro path', input: { provider: 'gcp.vertex_ai', model: 'publishers/google/models/gemini-2.5-pro', usage: { inputTokens: 34, outputTokens: 1256, reasoningTokens: 787 } }, weight: 1 },
  {
    name: 'openrouter, provider-reported cost',
    input: {
      provider: 'openrouter',
      model: 'anthropic/claude-sonnet-4.6',
      usage: { inputTokens: 3329, cacheReadTokens: 3211, cacheWriteTokens: 115, outputTokens: 53 },
      providerReportedCost: 0.00219855,
    },
    weight: 1,
  },
  { name: 'openrouter vendor fallback', input: { provider: 'openrouter', model: 'anthropic/claude-sonnet-4-5', usage: { inputTokens: 550, outputTokens: 12 } }, weight: 1 },
  { name: 'bedrock claude (regional)', input: { provider: 'aws.bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', usage: { inputTokens: 1324, cacheReadTokens: 1322, outputTokens: 5 } }, weight: 1 },
  { name: 'azure deployment name', input: { provider: 'azure.ai.openai', model: 'my-gpt4o', usage: { inputTokens: 16, outputTokens: 22 } }, weight: 1 },
  {
    name: 'deepseek, time-of-day price',
    input: { provider: 'deepseek', model: 'deepseek-chat', usage: { inputTokens: 1000, cacheReadTokens: 600, outputTokens: 200 }, timestamp: 1767254400000 },
    weight: 1,
  },
  { name: 'xai grok-3-mini', input: { provider: 'x_ai', model: 'grok-3-mini', usage: { inputTokens: 291, cacheReadTokens: 244, outputTokens: 215, reasoningTokens: 189 } }, weight: 1 },
  { name: 'mistral large', input: { provider: 'mistral_ai', model: 'mistral-large-latest', usage: { inputTokens: 11, outputTokens: 96 } }, weight: 1 },
  { name: 'unknown model', input: { provider: 'my-gateway', model: 'llama-3.3-70b', usage: { inputTokens: 100, outputTokens: 100 } }, weight: 1 },
];
const mix = shapes.flatMap((s) => Array.from({ length: s.weight }, () => s.input));

const options = { markups: { acme: '1.3' }, azureDeployments: { 'my-gpt4o': 'gpt-4o' } };
const pricer = pricing.createPricer(options);
for (const s of shapes) {
  const r = pricer.priceUsage(s.input);
  if (s.name !== 'unknown model' && r.status === 'unknown_model') throw new Error(`bench shape not priced: ${s.name}`);
}

let sink = 0;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** ns per call of `fn` over `inputs`, median of REPS repetitions after a warm-up. */
function measure(fn, inputs, calls = CALLS) {
  const n = inputs.length;
  for (let i = 0; i < WARMUP; i++) sink += fn(inputs[i % n]);
  const reps = [];
  for (let r = 0; r < REPS; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < calls; i++) sink += fn(inputs[i % n]);
    reps.push(Number(process.hrtime.bigint() - start) / calls);
  }
  return { medianNs: median(reps), minNs: Math.min(...reps), maxNs: Math.max(...reps) };
}

const ours = (input) => pricer.priceUsage(input).flags.length + 1;

// Engine calcPrice on the same mix (its own usage keys; provider names it understands).
const engineIds = { 'gcp.gemini': 'google', 'gcp.vertex_ai': 'google', 'aws.bedrock': 'aws', 'azure.ai.openai': 'azure', x_ai: 'x-ai', mistral_ai: 'mistral' };
const engineMix = mix.map((input) => ({
  model: input.model,
  providerId: engineIds[input.provider] ?? input.provider,
  usage: {
    input_tokens: input.usage.inputTokens,
    cache_read_tokens: input.usage.cacheReadTokens ?? 0,
    cache_write_tokens: input.usage.cacheWriteTokens ?? 0,
    output_tokens: input.usage.outputTokens,
  },
  timestamp: input.timestamp === undefined ? undefined : new Date(input.timestamp),
}));
const warn = console.warn;
console.warn = () => {};
const engineCall = (e) => {
  const r = engine.calcPrice(e.usage, e.model, { providerId: e.providerId, timestamp: e.timestamp });
  return r === null ? 0 : 1;
};

// Alternate ours / engine (A B A B) so machine drift hits both.
const rounds = [];
for (let round = 0; round < 2; round++) {
  rounds.push({ ours: measure(ours, mix), engine: measure(engineCall, engineMix, Math.floor(CALLS / 10)) });
}
console.warn = warn;
const warmMix = { medianNs: median(rounds.map((r) => r.ours.medianNs)), minNs: Math.min(...rounds.map((r) => r.ours.minNs)), maxNs: Math.max(...rounds.map((r) => r.ours.maxNs)) };
const engineMixNs = median(rounds.map((r) => r.engine.medianNs));

const perShape = shapes.map((s) => ({ name: s.name, ...measure(ours, [s.input], Math.floor(CALLS / 5)) }));

// First call per (provider, model): a fresh pricer each repetition, every lookup a cache miss.
const coldReps = [];
for (let r = 0; r < REPS * 5; r++) {
  const fresh = pricing.createPricer(options);
  const start = process.hrtime.bigint();
  for (const s of shapes) sink += fresh.priceUsage(s.input).flags.length;
  coldReps.push(Number(process.hrtime.bigint() - start) / shapes.length);
}
const createStart = process.hrtime.bigint();
for (let i = 0; i < 20; i++) pricing.createPricer(options);
const createUs = Number(process.hrtime.bigint() - createStart) / 20 / 1000;

const results = {
  benchmark: 'pricing',
  date: new Date().toISOString(),
  node: process.version,
  cpu: os.cpus()[0]?.model ?? 'unknown',
  cores: os.cpus().length,
  engine: `@pydantic/genai-prices@${pricing.ENGINE_VERSION}`,
  repetitions: REPS,
  callsPerRepetition: CALLS,
  targetNs: 2000,
  warmMix: { ...warmMix, meetsTarget: warmMix.medianNs <= 2000 },
  engineCalcPriceMixNs: engineMixNs,
  ratioEngineToOurs: engineMixNs / warmMix.medianNs,
  firstCallPerModelNs: median(coldReps),
  createPricerUs: createUs,
  perShape,
  sink,
};

const outDir = join(here, 'results');
mkdirSync(outDir, { recursive: true });
writeFileSync(join(outDir, 'pricing.json'), `${JSON.stringify(results, null, 2)}\n`);

const f = (ns) => ns.toFixed(0);
const lines = [
  `### priceUsage (${results.engine}, Node ${results.node}, ${results.cpu}, ${REPS} reps x ${CALLS} calls, median)`,
  '',
  '| case | ns/call (median) | min | max |',
  '|---|---:|---:|---:|',
  `| **warm mix (${shapes.length} shapes, weighted)** | **${f(warmMix.medianNs)}** | ${f(warmMix.minNs)} | ${f(warmMix.maxNs)} |`,
  ...perShape.map((s) => `| ${s.name} | ${f(s.medianNs)} | ${f(s.minNs)} | ${f(s.maxNs)} |`),
  `| first call per (provider, model) (cache miss) | ${f(results.firstCallPerModelNs)} | | |`,
  `| engine calcPrice on the same mix (float, no cache) | ${f(engineMixNs)} | | |`,
  '',
  `Target <= 2000 ns per call: ${results.warmMix.meetsTarget ? 'met' : 'MISSED'} (${f(warmMix.medianNs)} ns). ` +
    `createPricer(): ${createUs.toFixed(0)} µs (bundled table compiled once per process). Written to bench/results/pricing.json.`,
];
console.log(lines.join('\n'));
