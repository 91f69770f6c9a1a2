#!/usr/bin/env node
/**
 * Benchmark: per-call overhead of `registerLlmCostInstrumentation()` with the `openai` SDK, next to the OpenTelemetry
 * SDK alone, a bare active CLIENT span (the floor), and the peers people would use instead (issue 7, parts 1 and 2).
 *
 * Processes: this orchestrator; the provider (bench/overhead/server.mjs, loopback HTTP, precomputed answers); one
 * worker per mode and round (bench/overhead/worker.mjs: instrumentations patch globally, so each mode gets a fresh
 * process). Rounds run every mode once, in alternating order (A B C … C B A …) so drift hits all modes alike; a
 * warm-up round is discarded. Reported: medians over rounds; overheads and ratios are taken per round against that
 * round's baseline, then the median of those.
 *
 * Usage: pnpm --filter @llm-cost/instrumentation build && node bench/overhead/overhead.mjs
 *   [--quick] [--rounds N] [--scale F] [--modes baseline,ours,...] [--only inproc/stream] [--cpu-prof <mode>]
 * Writes bench/results/overhead.json (overhead-adhoc.json for a run narrowed by --only / --modes / --rounds / --scale /
 * --cpu-prof) and prints the tables (bench/run.mjs puts them into docs/benchmarks.md).
 */
import { fork } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';

import { fmt, machine, median, resultsDir, versionOf, writeResult } from '../lib/common.mjs';

const require = createRequire(import.meta.url);
const { MODES } = require('./modes.cjs');
const here = fileURLToPath(new URL('.', import.meta.url));

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    rounds: { type: 'string' },
    scale: { type: 'string' },
    modes: { type: 'string' },
    only: { type: 'string' },
    'cpu-prof': { type: 'string' },
  },
});

const rounds = Number(args.rounds ?? (args.quick ? 1 : 5));
const scale = Number(args.scale ?? (args.quick ? 0.15 : 1));
const modeNames = args.modes ? args.modes.split(',') : MODES.map(([name]) => name);
if (!modeNames.includes('baseline')) modeNames.unshift('baseline');
const labels = Object.fromEntries(MODES);

function startServer() {
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'server.mjs'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child.once('message', (ports) => resolve({ child, ...ports }));
    child.once('exit', (code) => reject(new Error(`provider server exited (${code})`)));
  });
}

function runWorker(mode, server, workerScale, profile, extra = []) {
  const execArgv = profile ? ['--cpu-prof', '--cpu-prof-dir', join(resultsDir, 'profiles')] : [];
  if (profile) mkdirSync(join(resultsDir, 'profiles'), { recursive: true });
  const argv = ['--mode', mode, '--port', String(server.port), '--other-port', String(server.otherPort), '--scale', String(workerScale), ...extra];
  if (args.only) argv.push('--only', args.only);
  return new Promise((resolve, reject) => {
    const child = fork(join(here, 'worker.mjs'), argv, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let report;
    child.on('message', (message) => (report = message));
    child.once('exit', (code) => (report ? resolve(report) : reject(new Error(`worker ${mode} exited with ${code}`))));
  });
}

/** Whether a worker produced exactly the spans its mode should: one per LLM call, none for non-LLM calls. */
function spanCheck(report) {
  const expected = report.expectsSpans ? report.llmCalls : 0;
  return { ok: report.spans === expected, expected, spans: report.spans, withUsage: report.spansWithUsage, scopes: report.scopes };
}

const server = await startServer();
const started = Date.now();
try {
  process.stderr.write(`overhead: warm-up, then ${rounds} round(s) of ${modeNames.length} modes (scale ${scale})\n`);
  await runWorker('baseline', server, Math.min(scale, 0.1));
  const perRound = [];
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? modeNames : [...modeNames].reverse();
    const reports = {};
    for (const mode of order) {
      const t0 = Date.now();
      reports[mode] = await runWorker(mode, server, scale, args['cpu-prof'] === mode);
      const check = spanCheck(reports[mode]);
      process.stderr.write(
        `  round ${round + 1} ${mode}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${reports[mode].llmCalls} calls, ` +
          `${check.spans} spans${check.ok ? '' : ` (EXPECTED ${check.expected})`}\n`,
      );
    }
    perRound.push(reports);
  }

  // Paired A/B: each instrumented mode in one process, switched on and off between blocks (see worker.mjs).
  const abModes = ['bare-span', 'ours', 'ours-own-provider', 'ours-metrics', 'ours-no-metrics', 'otel-openai', 'openllmetry', 'openinference'].filter((m) => modeNames.includes(m));
  const ab = {};
  if (!args.only || args.only.startsWith('inproc') || args.only.startsWith('loopback-v4')) {
    for (const mode of abModes) {
      const t0 = Date.now();
      const report = await runWorker(mode, server, args.quick ? 0.5 : 3, false, ['--ab', '--pairs', args.quick ? '3' : '8']);
      const check = spanCheck(report);
      ab[mode] = { ...report.results, spansOk: check.ok };
      process.stderr.write(`  paired A/B ${mode}: ${((Date.now() - t0) / 1000).toFixed(1)} s, ${check.spans} spans${check.ok ? '' : ` (EXPECTED ${check.expected})`}\n`);
    }
  }

  const scenarios = Object.keys(perRound[0].baseline.results);
  const summary = {};
  for (const scenario of scenarios) {
    summary[scenario] = {};
    for (const mode of modeNames) {
      // The openai 4.x scenarios run in some modes only (V4_MODES).
      if (perRound.some((r) => r[mode].results[scenario] === undefined)) continue;
      const runs = perRound.map((r) => r[mode].results[scenario]);
      const base = perRound.map((r) => r.baseline.results[scenario]);
      const sdkInUse = modeNames.includes('otel-sdk-als') ? perRound.map((r) => r['otel-sdk-als'].results[scenario]) : undefined;
      const perRoundOf = (f) => median(runs.map((run, i) => f(run, base[i])));
      summary[scenario][mode] = {
        medianUs: median(runs.map((r) => r.medianUs)),
        p99Us: median(runs.map((r) => r.p99Us)),
        cpuUsPerCall: median(runs.map((r) => r.cpuUsPerCall)),
        callsPerSecond: median(runs.map((r) => r.callsPerSecond)),
        firstChunkMedianUs: median(runs.map((r) => r.firstChunkMedianUs)),
        cpuOverheadUs: perRoundOf((r, b) => r.cpuUsPerCall - b.cpuUsPerCall),
        // Against an application that already runs the SDK with its context manager in use (every real one does).
        cpuOverheadVsSdkUs: sdkInUse ? median(runs.map((run, i) => run.cpuUsPerCall - sdkInUse[i].cpuUsPerCall)) : Number.NaN,
        cpuRatio: perRoundOf((r, b) => r.cpuUsPerCall / b.cpuUsPerCall),
        wallRatio: perRoundOf((r, b) => r.medianUs / b.medianUs),
        throughputRatio: perRoundOf((r, b) => r.callsPerSecond / b.callsPerSecond),
        firstChunkRatio: perRoundOf((r, b) => (b.firstChunkMedianUs > 0 ? r.firstChunkMedianUs / b.firstChunkMedianUs : Number.NaN)),
      };
    }
  }
  const checks = Object.fromEntries(modeNames.map((mode) => [mode, perRound.map((r) => spanCheck(r[mode]))]));
  const spansOk = Object.values(checks).every((list) => list.every((c) => c.ok)) && Object.values(ab).every((r) => r.spansOk);
  const streamUsage = Object.fromEntries(
    modeNames.map((mode) => {
      const r = perRound[0][mode];
      return [mode, r.expectsSpans && mode !== 'bare-span' ? r.spansWithUsage === r.llmCalls : null];
    }),
  );

  const targets = evaluateTargets(summary);
  const abTargets = evaluateAbTargets(ab, summary);
  const result = {
    benchmark: 'overhead',
    command: `node bench/overhead/overhead.mjs${process.argv.slice(2).length ? ` ${process.argv.slice(2).join(' ')}` : ''}`,
    date: new Date().toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    node: process.version,
    machine: machine(),
    versions: {
      openai: versionOf('openai'),
      '@opentelemetry/api': versionOf('@opentelemetry/api'),
      '@opentelemetry/sdk-trace-node': versionOf('@opentelemetry/sdk-trace-node'),
      '@opentelemetry/sdk-trace-base': versionOf('@opentelemetry/sdk-trace-base'),
      '@opentelemetry/instrumentation-openai': versionOf('@opentelemetry/instrumentation-openai'),
      '@traceloop/instrumentation-openai': versionOf('@traceloop/instrumentation-openai'),
      '@arizeai/openinference-instrumentation-openai': versionOf('@arizeai/openinference-instrumentation-openai'),
    },
    setup:
      'NodeTracerProvider (AsyncLocalStorageContextManager) + BatchSpanProcessor (SDK defaults) + an exporter that ' +
      'counts and discards, for every OpenTelemetry mode; peers in their default configuration.',
    rounds,
    scale,
    modes: modeNames,
    spansOk,
    spanChecks: checks,
    streamUsageRecorded: streamUsage,
    summary,
    targets,
    pairedAb: ab,
    pairedAbTargets: abTargets,
  };
  // A partial or profiled run must not overwrite the full run's figures (docs/benchmarks.md is made from them).
  const adHoc = ['only', 'modes', 'rounds', 'scale', 'cpu-prof'].some((name) => args[name] !== undefined) && !args.quick;
  writeResult(adHoc ? 'overhead-adhoc' : 'overhead', result);
  process.stdout.write(`${renderMarkdown(result)}\n`);
  if (!spansOk) {
    process.stderr.write('overhead: a mode did not produce the spans it should (see spanChecks)\n');
    process.exitCode = 1;
  }
} finally {
  server.child.kill('SIGTERM');
}

/** The issue's per-call targets from the paired A/B figures (the steadier measurement on a shared machine). */
function evaluateAbTargets(ab, summary) {
  const out = [];
  const peers = ['otel-openai', 'openllmetry', 'openinference'].filter((m) => ab[m]);
  const json = 'inproc/json/seq';
  const stream = 'inproc/stream/seq';
  const us = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} µs`;
  for (const ours of ['ours', 'ours-own-provider'].filter((m) => ab[m])) {
    const push = (target, value, limit, met, detail) => out.push({ mode: ours, target, value, limit, met, ...(detail ? { detail } : {}) });
    if (ab['bare-span']?.[json] && ab[ours][json]) {
      const o = ab[ours][json].cpuOverheadUs;
      const floor = ab['bare-span'][json].cpuOverheadUs;
      push('non-streaming CPU overhead <= 1.1x bare-span floor', o / floor, 1.1, o <= 1.1 * floor, `${us(o)} vs floor ${us(floor)}`);
    }
    // A run narrowed by --only has one of the two scenarios: judge what it measured.
    if (peers.length > 0 && ab[ours][json]) {
      const best = Math.min(...peers.map((p) => ab[p][json].cpuOverheadUs));
      push('non-streaming CPU overhead below every peer', ab[ours][json].cpuOverheadUs / best, 1, ab[ours][json].cpuOverheadUs < best, `${us(ab[ours][json].cpuOverheadUs)} vs best peer ${us(best)}`);
    }
    if (peers.length > 0 && ab[ours][stream]) {
      const bestStream = Math.min(...peers.map((p) => ab[p][stream].cpuOverheadUs));
      push('streaming CPU overhead <= 0.5x best peer', ab[ours][stream].cpuOverheadUs / bestStream, 0.5, ab[ours][stream].cpuOverheadUs <= 0.5 * bestStream, `${us(ab[ours][stream].cpuOverheadUs)} vs best peer ${us(bestStream)}`);
    }
    const v4json = 'loopback-v4/json/seq';
    const v4stream = 'loopback-v4/stream/seq';
    if (ab['otel-openai']?.[v4json] && ab[ours][v4json]) {
      const o = ab[ours][v4json].cpuOverheadUs;
      const peer = ab['otel-openai'][v4json].cpuOverheadUs;
      push('openai 4 / node:http, non-streaming CPU overhead below @opentelemetry/instrumentation-openai', o / peer, 1, o < peer, `${us(o)} vs ${us(peer)}`);
    }
    if (ab['otel-openai']?.[v4stream] && ab[ours][v4stream]) {
      const o = ab[ours][v4stream].cpuOverheadUs;
      const peer = ab['otel-openai'][v4stream].cpuOverheadUs;
      push('openai 4 / node:http, streaming CPU overhead <= 0.5x @opentelemetry/instrumentation-openai', o / peer, 0.5, o <= 0.5 * peer, `${us(o)} vs ${us(peer)}`);
    }
    const baseFirst = summary[stream]?.baseline?.firstChunkMedianUs;
    if (baseFirst && ab[ours][stream]) {
      const ratio = (baseFirst + ab[ours][stream].firstChunkOverheadUs) / baseFirst;
      push('time to first chunk <= 1.02x baseline', ratio, 1.02, ratio <= 1.02, `${us(ab[ours][stream].firstChunkOverheadUs)} on a ${baseFirst.toFixed(0)} µs baseline`);
    }
  }
  return out;
}

/** The issue's targets, for each of our modes, from the medians (overheads against the baseline of the same round). */
function evaluateTargets(summary) {
  const peers = ['otel-openai', 'openllmetry', 'openinference'].filter((m) => modeNames.includes(m));
  const out = [];
  for (const ours of ['ours', 'ours-own-provider'].filter((m) => modeNames.includes(m))) {
    for (const transport of ['inproc', 'loopback']) {
      const json = summary[`${transport}/json/seq`];
      const stream = summary[`${transport}/stream/seq`];
      const push = (target, value, limit, met, detail) => out.push({ mode: ours, transport, target, value, limit, met, ...(detail ? { detail } : {}) });
      const us = (v) => `${v >= 0 ? '+' : ''}${v.toFixed(1)} µs`;
      if (json?.[ours] && json['bare-span']) {
        const o = json[ours].cpuOverheadUs;
        const floor = json['bare-span'].cpuOverheadUs;
        push('non-streaming CPU overhead <= 1.1x bare-span floor', o / floor, 1.1, o <= 1.1 * floor, `${us(o)} vs floor ${us(floor)}`);
      }
      if (json?.[ours] && peers.length > 0) {
        const best = Math.min(...peers.map((p) => json[p].cpuOverheadUs));
        push('non-streaming CPU overhead below every peer', json[ours].cpuOverheadUs / best, 1, json[ours].cpuOverheadUs < best, `${us(json[ours].cpuOverheadUs)} vs best peer ${us(best)}`);
      }
      if (stream?.[ours] && peers.length > 0) {
        const best = Math.min(...peers.map((p) => stream[p].cpuOverheadUs));
        push('streaming CPU overhead <= 0.5x best peer', stream[ours].cpuOverheadUs / best, 0.5, stream[ours].cpuOverheadUs <= 0.5 * best, `${us(stream[ours].cpuOverheadUs)} vs best peer ${us(best)}`);
      }
      for (const kind of ['json', 'stream']) {
        const conc = summary[`${transport}/${kind}/conc8`];
        if (conc?.[ours]) {
          const floor = conc['bare-span'] ? `floor ${conc['bare-span'].throughputRatio.toFixed(2)}x` : undefined;
          push(`throughput at 8 in flight (${kind === 'json' ? 'non-streaming' : 'stream'}) >= 0.9x baseline`, conc[ours].throughputRatio, 0.9, conc[ours].throughputRatio >= 0.9, floor);
        }
      }
      if (stream?.[ours]) {
        push('time to first chunk <= 1.02x baseline', stream[ours].firstChunkRatio, 1.02, stream[ours].firstChunkRatio <= 1.02, `${us(stream[ours].firstChunkMedianUs - stream.baseline.firstChunkMedianUs)}`);
      }
      const other = summary[`${transport}/other/seq`];
      if (other?.[ours]) {
        push('non-LLM fetch wall time ~1.00x baseline (<= 1.02)', other[ours].wallRatio, 1.02, other[ours].wallRatio <= 1.02);
      }
    }
  }
  return out;
}

function renderMarkdown(result) {
  const { summary } = result;
  const lines = [];
  const modes = result.modes;
  const transports = [
    ['inproc', 'in-process fetch (answers from memory)'],
    ['loopback', 'loopback HTTP (provider in another process)'],
    ['loopback-v4', 'openai 4.x over loopback HTTP (node-fetch → node:http: our node:http path)'],
  ];
  for (const [transport, title] of transports) {
    for (const kind of ['json', 'stream']) {
      const seq = summary[`${transport}/${kind}/seq`];
      const conc = summary[`${transport}/${kind}/conc8`];
      if (!seq) continue;
      const streamCols = kind === 'stream';
      lines.push(`#### ${kind === 'json' ? 'Non-streaming' : '50-chunk stream (+ usage chunk)'}, ${title}`, '');
      lines.push(
        `| mode | wall median µs | wall p99 µs | CPU µs/call | CPU overhead µs | CPU ratio | 8 in flight calls/s | throughput ratio |${streamCols ? ' first chunk µs | first-chunk ratio | usage recorded |' : ''}`,
        `|---|---:|---:|---:|---:|---:|---:|---:|${streamCols ? '---:|---:|:---:|' : ''}`,
      );
      for (const mode of modes) {
        const s = seq[mode];
        if (s === undefined) continue;
        const c = conc?.[mode];
        const isBase = mode === 'baseline';
        const usage = result.streamUsageRecorded[mode];
        lines.push(
          `| ${mode.startsWith('ours') ? `**${labels[mode]}**` : labels[mode]} | ${fmt.us(s.medianUs)} | ${fmt.us(s.p99Us)} | ${fmt.us(s.cpuUsPerCall)} | ` +
            `${isBase ? '—' : `${s.cpuOverheadUs >= 0 ? '+' : ''}${fmt.us(s.cpuOverheadUs)}`} | ${isBase ? '1.00' : fmt.ratio(s.cpuRatio)} | ` +
            `${c ? fmt.int(c.callsPerSecond) : '—'} | ${c ? (isBase ? '1.00' : fmt.ratio(c.throughputRatio)) : '—'} |` +
            (streamCols
              ? ` ${fmt.us(s.firstChunkMedianUs)} | ${isBase ? '1.00' : fmt.ratio(s.firstChunkRatio)} | ${usage === null ? '—' : usage ? 'yes' : 'no'} |`
              : ''),
        );
      }
      lines.push('');
    }
  }
  if (modes.includes('otel-sdk-als')) {
    const cols = [
      ['inproc/json/seq', 'in-process, non-streaming'],
      ['inproc/stream/seq', 'in-process, stream'],
      ['loopback/json/seq', 'loopback, non-streaming'],
      ['loopback/stream/seq', 'loopback, stream'],
    ].filter(([key]) => summary[key]);
    lines.push(
      '#### CPU added to an application that already runs the OpenTelemetry SDK (context manager in use), µs per call',
      '',
      `| mode | ${cols.map(([, title]) => title).join(' | ')} |`,
      `|---|${cols.map(() => '---:').join('|')}|`,
    );
    for (const mode of ['bare-span', 'ours', 'otel-openai', 'openllmetry', 'openinference'].filter((m) => modes.includes(m))) {
      const cells = cols.map(([key]) => {
        const v = summary[key][mode].cpuOverheadVsSdkUs;
        return `${v >= 0 ? '+' : ''}${fmt.us(v)}`;
      });
      lines.push(`| ${mode === 'ours' ? `**${labels[mode]}**` : labels[mode]} | ${cells.join(' | ')} |`);
    }
    lines.push('');
  }
  const otherModes = modes;
  if (summary['inproc/other/seq'] || summary['loopback/other/seq']) {
    lines.push('#### Non-LLM fetch (another host)', '');
    lines.push('| mode | in-process µs (median) | wall ratio | CPU ratio | loopback µs (median) | wall ratio | CPU ratio |', '|---|---:|---:|---:|---:|---:|---:|');
    for (const mode of otherModes) {
      const i = summary['inproc/other/seq']?.[mode];
      const l = summary['loopback/other/seq']?.[mode];
      const cell = (s) => (s ? `${fmt.us(s.medianUs)} | ${fmt.ratio(s.wallRatio)} | ${fmt.ratio(s.cpuRatio)}` : '— | — | —');
      lines.push(`| ${mode.startsWith('ours') ? `**${labels[mode]}**` : labels[mode]} | ${cell(i)} | ${cell(l)} |`);
    }
    lines.push('');
  }
  if (Object.keys(result.pairedAb).length > 0) {
    lines.push(
      '#### Paired A/B in one process: what each instrumentation adds, switched on vs off between blocks (in-process transport)',
      '',
      '| mode | non-streaming CPU µs/call | 50-chunk stream CPU µs/call | time to first chunk µs |',
      '|---|---:|---:|---:|',
    );
    for (const [mode, r] of Object.entries(result.pairedAb)) {
      const json = r['inproc/json/seq'];
      const stream = r['inproc/stream/seq'];
      // A scenario left out by --only shows as a dash.
      const sign = (v) => (v === undefined ? '—' : `${v >= 0 ? '+' : ''}${fmt.us(v)}`);
      lines.push(`| ${mode.startsWith('ours') ? `**${labels[mode]}**` : labels[mode]} | ${sign(json?.cpuOverheadUs)} | ${sign(stream?.cpuOverheadUs)} | ${sign(stream?.firstChunkOverheadUs)} |`);
    }
    const v4 = Object.entries(result.pairedAb).filter(([, r]) => r['loopback-v4/json/seq'] || r['loopback-v4/stream/seq']);
    if (v4.length > 0) {
      lines.push(
        '',
        '#### Paired A/B, openai 4.x over loopback HTTP (node:http path; the peer patches openai 4 by module)',
        '',
        '| mode | non-streaming CPU µs/call | 50-chunk stream CPU µs/call | time to first chunk µs |',
        '|---|---:|---:|---:|',
      );
      const sign = (v) => (v === undefined || Number.isNaN(v) ? '—' : `${v >= 0 ? '+' : ''}${fmt.us(v)}`);
      for (const [mode, r] of v4) {
        const json = r['loopback-v4/json/seq'];
        const stream = r['loopback-v4/stream/seq'];
        lines.push(`| ${mode.startsWith('ours') ? `**${labels[mode]}**` : labels[mode]} | ${sign(json?.cpuOverheadUs)} | ${sign(stream?.cpuOverheadUs)} | ${sign(stream?.firstChunkOverheadUs)} |`);
      }
    }
    lines.push(
      '',
      'Under the registered SDK both halves run with its context manager in use (switched on by the first export), so these are the costs ' +
        'added to an application that already runs the SDK; with our own provider there is no context manager at all.',
      '',
      '| mode | target (paired A/B) | value | met |',
      '|---|---|---:|:---:|',
      ...result.pairedAbTargets.map(
        (t) =>
          `| ${t.mode === 'ours' ? 'under the SDK' : 'own provider'} | ${t.target}${t.detail ? ` (${t.detail})` : ''} | ${t.value.toFixed(2)} | ${t.met ? 'yes' : '**no**'} |`,
      ),
      '',
    );
  }
  lines.push('#### Targets (between processes, medians over rounds)', '', '| mode | transport | target | value | met |', '|---|---|---|---:|:---:|');
  for (const t of result.targets) {
    lines.push(
      `| ${t.mode === 'ours' ? 'under the SDK' : 'own provider'} | ${t.transport === 'inproc' ? 'in-process' : 'loopback'} | ${t.target}${t.detail ? ` (${t.detail})` : ''} | ` +
        `${Number.isFinite(t.value) ? t.value.toFixed(2) : '—'} | ${t.met ? 'yes' : '**no**'} |`,
    );
  }
  lines.push(
    '',
    `Spans checked: ${result.spansOk ? 'every mode produced one span per LLM call and none for non-LLM calls' : '**a mode produced the wrong number of spans**'}. ` +
      `${result.rounds} rounds, scale ${result.scale}, ${result.durationSeconds} s.`,
  );
  return lines.join('\n');
}
