/**
 * Nothing lost, nothing counted twice (issue 8), under every way a ClickHouse store misbehaves short of an outage:
 * multi-second inserts, inserts slower than the client's timeout (they land, the client gives up and retries), 500
 * answers with an HTML body, 503s, inserts that land but answer 500, connections reset after the insert ran, and
 * connections reset while the insert's body is on the wire. The in-process exporter and the collector each write to
 * their own loopback ClickHouse HTTP endpoint (the embedded engine in a child process), through a TCP proxy that can
 * cut connections; both run through the same faults at the same time.
 *
 * Proved for each fault: everything accepted is written, exactly once in `llm_calls` and in every rollup, and the
 * application (or the OTLP sender) was answered at once, not when the slow store answered.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { diag } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer, type FaultMode } from '../../packages/clickhouse/test/support/clickhouse-http.js';
import { FaultProxy } from './support/fault-proxy.js';
import { reportFigures } from './support/figures.js';
import { collectorMetric, plainSdkCalls, postTraces, protobufBody, protobufHeaders } from './support/otlp.js';
import { ClickHouseCostExporter, migrate, startCollector, type RunningCollector } from './support/packages.js';
import { until } from './support/poll.js';
import { callRowCounts, expectRollupsMatchRaw } from './support/store-checks.js';

const TOKEN = 'faults-ingest-token-0123456789abcdef';
const DATABASE = 'faults';
const REQUEST_TIMEOUT_MS = 4000;
const CALLS_PER_PHASE = 30;

interface Side {
  store: ClickHouseHttpServer;
  proxy: FaultProxy;
}

function side(): Side {
  const store = new ClickHouseHttpServer(mkdtempSync(join(tmpdir(), 'llm-cost-reliability-faults-')));
  return { store, proxy: new FaultProxy(() => store.port) };
}

const exporterSide = side();
const collectorSide = side();
let exporter: ClickHouseCostExporter;
let collector: RunningCollector;

beforeAll(async () => {
  // The pipelines log each incident once; these tests check the data, not the log (own-failures does).
  diag.disable();
  for (const s of [exporterSide, collectorSide]) {
    await s.store.start();
    await s.proxy.start();
    await migrate({ url: s.store.url, database: DATABASE });
  }
  exporter = new ClickHouseCostExporter({
    url: exporterSide.proxy.url,
    database: DATABASE,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    maxBatchSize: 10,
    flushIntervalMs: 50,
    retryBaseMs: 50,
    retryMaxMs: 500,
  });
  collector = await startCollector({
    url: collectorSide.proxy.url,
    database: DATABASE,
    requestTimeoutMs: REQUEST_TIMEOUT_MS,
    port: 0,
    tokens: [{ tenant: 'acme', token: TOKEN }],
    batchSize: 10,
    flushIntervalMs: 50,
    retryMaxMs: 500,
    dedupHoldMs: 0,
  });
}, 60_000);

afterAll(async () => {
  await exporter?.shutdown();
  await collector?.close();
  for (const s of [exporterSide, collectorSide]) {
    await s.proxy.close();
    await s.store.stop();
  }
});

interface Phase {
  name: string;
  fault: { mode: FaultMode; times: number; ms?: number } | { mode: 'reset_mid_body'; times: number };
}

const PHASES: Phase[] = [
  { name: 'multi-second inserts (2.5 s)', fault: { mode: 'delay', times: 3, ms: 2500 } },
  { name: 'inserts slower than the client timeout (land, then retried)', fault: { mode: 'delay', times: 1, ms: REQUEST_TIMEOUT_MS + 1500 } },
  { name: '500 with an HTML body', fault: { mode: 'garbage', times: 3 } },
  { name: '503 unavailable', fault: { mode: 'unavailable', times: 3 } },
  { name: 'insert lands, answer is a 500', fault: { mode: 'fail_after_insert', times: 2 } },
  { name: 'insert lands, connection reset', fault: { mode: 'reset_after_insert', times: 2 } },
  { name: 'connection reset mid-insert (body half sent)', fault: { mode: 'reset_mid_body', times: 2 } },
];

async function inject(s: Side, fault: Phase['fault']): Promise<void> {
  if (fault.mode === 'reset_mid_body') s.proxy.resetInsertsMidBody(fault.times);
  else await s.store.setFault(fault);
}

/** Faults the side actually suffered so far (the store's injected faults and the proxy's resets). */
async function faultsSuffered(s: Side): Promise<number> {
  return (await s.store.counters()).faultsInjected + s.proxy.counters.resets;
}

describe('a misbehaving ClickHouse', () => {
  it('each fault: the exporter and the collector answer at once, then write every call exactly once', async () => {
    // Warm up: the schema check before the first insert is done, so every fault below hits an insert.
    exporter.export(plainSdkCalls('warm-up', 5), () => {});
    expect((await exporter.pipeline.flush(10_000)).drained).toBe(true);
    expect((await postTraces(collector.url, protobufBody(plainSdkCalls('warm-up', 5)), protobufHeaders(TOKEN))).status).toBe(200);
    await until('the collector warm-up', async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) === 5);
    let exporterCalls = 5;
    let collectorCalls = 5;
    const perPhase: Record<string, { exporterFaults: number; collectorFaults: number; exporterWriteMs: number }> = {};

    for (const phase of PHASES) {
      const before = { e: await faultsSuffered(exporterSide), c: await faultsSuffered(collectorSide) };
      await inject(exporterSide, phase.fault);
      await inject(collectorSide, phase.fault);

      // The exporter: export() answers synchronously, whatever the store does.
      for (let i = 0; i < CALLS_PER_PHASE; i += 5) {
        let code: number | undefined;
        exporter.export(plainSdkCalls(`exporter-${phase.name}`, 5, `u${i}`), (result) => (code = result.code));
        expect(code, phase.name).toBe(ExportResultCode.SUCCESS);
      }
      exporterCalls += CALLS_PER_PHASE;
      // The collector: each request is answered 200 before its calls are written.
      for (let i = 0; i < CALLS_PER_PHASE; i += 15) {
        const answer = await postTraces(collector.url, protobufBody(plainSdkCalls(`collector-${phase.name}`, 15, `u${i}`)), protobufHeaders(TOKEN));
        expect(answer.status, phase.name).toBe(200);
      }
      collectorCalls += CALLS_PER_PHASE;
      expect(await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')).toBeLessThan(collectorCalls);

      const flushed = await exporter.pipeline.flush(60_000);
      expect(flushed, phase.name).toEqual({ drained: true, pending: 0 });
      await until(
        `the collector to write the calls of "${phase.name}"`,
        async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) === collectorCalls,
        60_000,
      );
      const suffered = { e: (await faultsSuffered(exporterSide)) - before.e, c: (await faultsSuffered(collectorSide)) - before.c };
      expect(suffered.e, `exporter suffered "${phase.name}"`).toBe(phase.fault.times);
      expect(suffered.c, `collector suffered "${phase.name}"`).toBe(phase.fault.times);
      perPhase[phase.name] = { exporterFaults: suffered.e, collectorFaults: suffered.c, exporterWriteMs: Math.round(exporter.stats().lastWriteLatencyMs) };
    }

    const stats = exporter.stats();
    expect(stats).toMatchObject({ written: exporterCalls, lost: 0, rejected: 0, queueDepth: 0 });
    expect(await collectorMetric(collector.url, 'llm_cost_pipeline_calls_lost_total')).toBe(0);
    for (const [s, calls] of [
      [exporterSide, exporterCalls],
      [collectorSide, collectorCalls],
    ] as const) {
      const client = createClient({ url: s.store.url });
      expect((await callRowCounts(client, DATABASE)).llm_calls).toBe(calls);
      const totals = await expectRollupsMatchRaw(client, DATABASE);
      expect(totals.calls).toBe(String(calls));
      expect(totals.input_tokens).toBe(String(calls * 1000));
      expect(totals.total_cost).toBe((calls * 0.00021).toFixed(9));
      await client.close();
    }
    const storeCounters = { e: await exporterSide.store.counters(), c: await collectorSide.store.counters() };
    reportFigures('store/faults', {
      faultKinds: PHASES.length,
      faultsSurvived: (await faultsSuffered(exporterSide)) + (await faultsSuffered(collectorSide)),
      perPhase,
      exporter: { accepted: exporterCalls, written: stats.written, failedInsertAttempts: stats.insertFailures, insertsRun: storeCounters.e.insertsRun, lost: 0 },
      collector: { accepted: collectorCalls, written: collectorCalls, insertsRun: storeCounters.c.insertsRun, lost: 0 },
      rowsCountedTwice: 0,
    });
  }, 300_000);
});
