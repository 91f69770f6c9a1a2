/**
 * The collector under load (issue 8): `llm-cost collector` (its own process, embedded store) takes OTLP/HTTP protobuf
 * exports from N sender processes for 60 s (loopback only; the senders stop by themselves): three send the SDK's own
 * protobuf bodies with two requests in flight each, one is the real `OTLPTraceExporter`. Measured: spans per second
 * accepted and written, p99 request latency, the collector's peak resident memory; proved: every accepted span is a
 * row (accepted = written = rows, nothing lost, rollups equal the rows).
 *
 * Then a small-queue run pushes a collector past its capacity: it must answer 429 with the configured Retry-After
 * (never drop, never 5xx), and the senders, retrying as told, get everything written.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { peakRssBytes, startCollectorProcess, startNode, type NodeChild } from './support/child-process.js';
import { reportFigures } from './support/figures.js';
import { collectorMetric } from './support/otlp.js';
import { createUsageQueries } from './support/packages.js';
import { until } from './support/poll.js';
import { callRowCounts, expectRollupsMatchRaw } from './support/store-checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const SENDER = join(here, 'fixtures/otlp-load-sender.mjs');
const TOKEN = 'load-ingest-token-0123456789abcdef';
const LOAD_SECONDS = Number(process.env.LLM_COST_RELIABILITY_LOAD_SECONDS ?? 60);
const children: NodeChild[] = [];

afterAll(async () => {
  for (const child of children) await child.kill();
});

interface SenderResult {
  mode: string;
  offeredSpans: number;
  acceptedSpans: number;
  failedSpans: number;
  requests: number;
  statuses: Record<string, number>;
  retryAfter: Array<string | null>;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

function startSenders(url: string, specs: Array<{ mode: 'raw' | 'exporter'; inFlight: number; spans: number }>, seconds: number): NodeChild[] {
  const senders = specs.map((spec, i) =>
    startNode(SENDER, [], {
      URL: url,
      TOKEN,
      MODE: spec.mode,
      SECONDS: String(seconds),
      IN_FLIGHT: String(spec.inFlight),
      SPANS: String(spec.spans),
      SERVICE: `load-${i}`,
    }),
  );
  children.push(...senders);
  return senders;
}

async function results(senders: NodeChild[], timeoutMs: number): Promise<SenderResult[]> {
  return Promise.all(senders.map(async (s) => (await s.waitFor((m) => m.done === true, 'a sender to finish', timeoutMs)) as unknown as SenderResult));
}

/** Reads the collector's store after it exited (the embedded directory is free again). */
async function storeRows(path: string): Promise<{ rows: number; totals: Record<string, string> }> {
  const queries = createUsageQueries({ path });
  try {
    const client = queries.store.client;
    const totals = await expectRollupsMatchRaw(client, queries.store.database);
    return { rows: (await callRowCounts(client, queries.store.database)).llm_calls!, totals };
  } finally {
    await queries.close();
  }
}

describe('the collector under load', () => {
  it(`holds ${LOAD_SECONDS} s of parallel OTLP exporters and writes every span it accepted`, async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'llm-cost-reliability-load-')), 'store');
    const collector = await startCollectorProcess(['--port', '0', '--path', path, '--token', `load=${TOKEN}`, '--log-level', 'info']);
    children.push(collector);
    const idleRss = peakRssBytes(collector.pid);
    const started = Date.now();
    const senders = startSenders(
      collector.url,
      [
        { mode: 'raw', inFlight: 2, spans: 200 },
        { mode: 'raw', inFlight: 2, spans: 200 },
        { mode: 'raw', inFlight: 2, spans: 200 },
        { mode: 'exporter', inFlight: 1, spans: 200 },
      ],
      LOAD_SECONDS,
    );
    const sent = await results(senders, (LOAD_SECONDS + 120) * 1000);
    const loadSeconds = (Date.now() - started) / 1000;
    const accepted = sent.reduce((n, r) => n + r.acceptedSpans, 0);
    const offered = sent.reduce((n, r) => n + r.offeredSpans, 0);
    await until(
      'the collector to write every accepted span',
      async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) >= accepted,
      120_000,
      200,
    );
    const writtenSeconds = (Date.now() - started) / 1000;
    const peakRss = peakRssBytes(collector.pid);
    const written = await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total');
    const lost = await collectorMetric(collector.url, 'llm_cost_pipeline_calls_lost_total');
    const refused = sent.reduce((n, r) => n + (r.statuses['429'] ?? 0) + (r.statuses['503'] ?? 0), 0);
    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);

    // Zero loss: every span a sender was told was accepted is a row, once; the rollups hold the same.
    for (const r of sent) expect(r.failedSpans, `${r.mode} sender failures`).toBe(0);
    expect(accepted).toBe(offered);
    expect(written).toBe(accepted);
    expect(lost).toBe(0);
    const { rows, totals } = await storeRows(path);
    expect(rows).toBe(accepted);
    expect(totals.input_tokens).toBe(String(accepted * 1000));
    // Whatever was refused under load was refused properly: 429/503 with Retry-After, then accepted on retry.
    for (const r of sent) for (const status of Object.keys(r.statuses)) expect(['200', '429', '503', 'exported']).toContain(status);

    const p99 = Math.max(...sent.map((r) => r.p99Ms));
    reportFigures('collector/load', {
      senders: sent.length,
      seconds: Math.round(loadSeconds),
      acceptedSpans: accepted,
      acceptedPerSecond: Math.round(accepted / loadSeconds),
      writtenPerSecond: Math.round(written / writtenSeconds),
      drainSeconds: Math.round((writtenSeconds - loadSeconds) * 10) / 10,
      requests: sent.reduce((n, r) => n + r.requests, 0),
      refusedThenRetried: refused,
      p50RequestMs: Math.max(...sent.map((r) => r.p50Ms)),
      p99RequestMs: p99,
      maxRequestMs: Math.max(...sent.map((r) => r.maxMs)),
      collectorPeakRssMiB: peakRss === undefined ? 'n/a' : Math.round(peakRss / 1024 / 1024),
      collectorRssAtStartMiB: idleRss === undefined ? 'n/a' : Math.round(idleRss / 1024 / 1024),
      rows,
      lost: accepted - rows,
    });
  }, (LOAD_SECONDS + 300) * 1000);

  it('pushed past a small queue bound, answers 429 with Retry-After and loses nothing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'llm-cost-reliability-load-small-')), 'store');
    // 2000 calls at most, written at most once a second: four senders of 500-span requests overrun it at once.
    const collector = await startCollectorProcess([
      '--port', '0', '--path', path, '--token', `load=${TOKEN}`, '--log-level', 'info',
      '--max-queue', '2000', '--flush-interval-ms', '1000', '--retry-after', '1',
    ]);
    children.push(collector);
    const senders = startSenders(
      collector.url,
      Array.from({ length: 4 }, () => ({ mode: 'raw' as const, inFlight: 2, spans: 500 })),
      8,
    );
    const sent = await results(senders, 120_000);
    const accepted = sent.reduce((n, r) => n + r.acceptedSpans, 0);
    const offered = sent.reduce((n, r) => n + r.offeredSpans, 0);
    const refused = sent.reduce((n, r) => n + (r.statuses['429'] ?? 0), 0);
    await until('every accepted span to be written', async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) === accepted, 60_000);
    const rejected = await collectorMetric(collector.url, 'llm_cost_collector_spans_rejected_total', 'reason="overloaded"');
    collector.child.kill('SIGTERM');
    expect(await collector.exited).toBe(0);

    expect(refused, 'requests refused with 429').toBeGreaterThan(0);
    for (const r of sent) {
      // Only 200 or 429 (the store is healthy: not 503, never 5xx, never a dropped connection).
      for (const status of Object.keys(r.statuses)) expect(['200', '429']).toContain(status);
      if (r.retryAfter.length > 0) expect(r.retryAfter).toEqual(['1']);
      expect(r.failedSpans).toBe(0);
    }
    expect(rejected).toBe(refused * 500);
    expect(accepted).toBe(offered);
    expect((await storeRows(path)).rows).toBe(accepted);
    reportFigures('collector/backpressure', {
      queueBound: 2000,
      offeredSpans: offered,
      answers429: refused,
      retryAfterSeconds: 1,
      acceptedAfterRetries: accepted,
      rows: accepted,
      lost: 0,
    });
  }, 240_000);
});
