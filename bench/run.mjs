#!/usr/bin/env node
/**
 * Runs the benchmarks of issue 7 one after another, each in its own process (they start further processes of their
 * own: provider, workers, collector, load generator), collects bench/results/*.json and rewrites the generated
 * sections of docs/benchmarks.md (the hand-written notes around them are kept).
 *
 *   pnpm bench                                  build, then everything (~15 min on a 2-core machine)
 *   node bench/run.mjs --only overhead,queries  some of them (only their sections of the doc change)
 *   node bench/run.mjs --quick                  smoke run: small sizes, prints the tables, leaves the doc alone
 *   node bench/run.mjs --print                  full run, print only
 *
 * Names: pricing, overhead, metrics, ingest, queries, collector. Run after `pnpm run build` (the root `bench` script does).
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { benchDir, machine, repoRoot, versionOf } from './lib/common.mjs';

const BENCHES = [
  { name: 'pricing', script: 'pricing.mjs', title: 'Pricing: `priceUsage`', needs: 'packages/pricing/dist/index.js' },
  { name: 'overhead', script: 'overhead/overhead.mjs', title: 'Per-call overhead with the `openai` SDK', needs: 'packages/instrumentation/dist/index.cjs' },
  { name: 'metrics', script: 'metrics.mjs', title: 'GenAI metrics: added CPU per call', needs: 'packages/instrumentation/dist/index.cjs' },
  { name: 'ingest', script: 'ingest.mjs', title: 'Exporter ingest into embedded ClickHouse', needs: 'packages/clickhouse/dist/index.js' },
  { name: 'queries', script: 'queries.mjs', title: 'Queries and the dashboard at 1M and 10M raw rows', needs: 'packages/collector/dist/dashboard/app.js' },
  { name: 'collector', script: 'collector.mjs', title: 'Collector: OTLP/HTTP end to end', needs: 'packages/collector/dist/bin.js' },
];

const { values: args } = parseArgs({
  options: {
    only: { type: 'string' },
    quick: { type: 'boolean', default: false },
    print: { type: 'boolean', default: false },
    'write-docs': { type: 'boolean', default: false },
  },
});

const selected = args.only ? args.only.split(',').map((s) => s.trim()) : BENCHES.map((b) => b.name);
for (const name of selected) {
  if (!BENCHES.some((b) => b.name === name)) {
    console.error(`unknown benchmark "${name}" (known: ${BENCHES.map((b) => b.name).join(', ')})`);
    process.exit(2);
  }
}
const writeDocs = args['write-docs'] || (!args.quick && !args.print);
const docPath = join(repoRoot, 'docs', 'benchmarks.md');

function run(bench) {
  const missing = join(repoRoot, bench.needs);
  if (!existsSync(missing)) {
    return Promise.resolve({ ok: false, output: '', seconds: 0, error: `${bench.needs} is missing: run \`pnpm run build\` first` });
  }
  return new Promise((resolve) => {
    const t0 = Date.now();
    const child = spawn(process.execPath, [join(benchDir, bench.script), ...(args.quick ? ['--quick'] : [])], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      process.stdout.write(chunk);
    });
    child.once('exit', (code) => resolve({ ok: code === 0, output: output.trim(), seconds: (Date.now() - t0) / 1000, error: code === 0 ? undefined : `exit code ${code}` }));
  });
}

const VERSION_PACKAGES = [
  'openai',
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/sdk-trace-base',
  '@opentelemetry/context-async-hooks',
  '@opentelemetry/instrumentation-openai',
  '@traceloop/instrumentation-openai',
  '@arizeai/openinference-instrumentation-openai',
  '@opentelemetry/exporter-trace-otlp-proto',
  'chdb',
];

function header(startedAt, seconds, loadBefore, ran) {
  const m = machine();
  const own = ['instrumentation', 'pricing', 'clickhouse', 'collector'].map((p) => {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'packages', p, 'package.json'), 'utf8'));
    return `${pkg.name} ${pkg.version}`;
  });
  const versions = [
    `Node ${process.version}`,
    ...VERSION_PACKAGES.map((name) => `${name} ${versionOf(name)}`),
    `@clickhouse/client ${versionOf('@clickhouse/client', join(repoRoot, 'packages/clickhouse'))}`,
    `@pydantic/genai-prices ${versionOf('@pydantic/genai-prices', join(repoRoot, 'packages/pricing'))}`,
    ...own,
  ];
  return [
    `Last run: ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC, \`${['node bench/run.mjs', ...process.argv.slice(2)].join(' ')}\` ` +
      `(after \`pnpm run build\`; ${ran.join(', ')}; ${Math.round(seconds / 60)} min).`,
    '',
    `Machine: ${m.model}, ${m.cpus} cores, ${m.memoryGb} GB, ${m.platform}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' / ')} ` +
      `at the start and ${os.loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end (the machine is shared: ratios, measured side by side, ` +
      'are the claims, not absolute times).',
    '',
    `Versions: ${versions.join(', ')}.`,
  ].join('\n');
}

/** Replaces the text between `<!-- bench:NAME:begin -->` and `<!-- bench:NAME:end -->` (adds the markers if absent). */
function replaceSection(doc, name, body) {
  const begin = `<!-- bench:${name}:begin -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${begin}\n${body}\n${end}`;
  const from = doc.indexOf(begin);
  const to = doc.indexOf(end);
  if (from === -1 || to === -1) return `${doc.trimEnd()}\n\n${block}\n`;
  return doc.slice(0, from) + block + doc.slice(to + end.length);
}

const startedAt = new Date();
const loadBefore = os.loadavg();
const outcomes = [];
for (const bench of BENCHES.filter((b) => selected.includes(b.name))) {
  process.stderr.write(`\n=== ${bench.name} (${bench.script}) ===\n`);
  const outcome = await run(bench);
  outcomes.push({ bench, ...outcome });
  process.stderr.write(`=== ${bench.name}: ${outcome.ok ? 'done' : `FAILED (${outcome.error})`} in ${outcome.seconds.toFixed(0)} s ===\n`);
}
const seconds = (Date.now() - startedAt.getTime()) / 1000;

if (writeDocs) {
  let doc = existsSync(docPath) ? readFileSync(docPath, 'utf8') : '# Benchmarks\n';
  const ran = outcomes.filter((o) => o.ok).map((o) => o.bench.name);
  if (ran.length > 0) doc = replaceSection(doc, 'header', header(startedAt, seconds, loadBefore, ran));
  for (const o of outcomes) {
    if (!o.ok) continue;
    const measured = `Measured ${startedAt.toISOString().slice(0, 10)} by \`node bench/${o.bench.script}\` (${Math.round(o.seconds)} s); raw figures in \`bench/results/${o.bench.name}.json\`.`;
    doc = replaceSection(doc, o.bench.name, `${o.output}\n\n${measured}`);
  }
  writeFileSync(docPath, doc);
  process.stderr.write(`\nUpdated ${docPath} (${ran.join(', ') || 'nothing'}).\n`);
} else {
  process.stderr.write('\nPrinted only (docs/benchmarks.md unchanged: --quick / --print).\n');
}
const failed = outcomes.filter((o) => !o.ok);
for (const o of failed) process.stderr.write(`${o.bench.name} failed: ${o.error}\n`);
process.stderr.write(`Total ${Math.round(seconds)} s.\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
