/**
 * Nothing lost, nothing counted twice (issue 8): a 30 s ClickHouse outage, ridden out at the same time by the
 * in-process exporter (an application's calls through the instrumented fetch) and by the collector (OTLP protobuf
 * requests from a sender that retries what it is refused, as OTLP exporters do). ClickHouse is the loopback HTTP
 * endpoint on top of the embedded engine (a child process, so `@clickhouse/client` runs over real HTTP), killed for
 * the outage and restarted on the same port, and answering the first inserts after it with a 500 although they
 * landed.
 *
 * Proved: within the queue bound nothing is lost; beyond it the overflow is counted exactly (offered = accepted +
 * refused, accepted = written); the overflow and the write failures are logged once per pipeline; after recovery
 * and the retried inserts, `llm_calls` and every rollup hold each call exactly once.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@clickhouse/client';
import { diag, DiagLogLevel } from '@opentelemetry/api';
import { SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from '../../packages/clickhouse/test/support/clickhouse-http.js';
import { fixtureReply, projectFixture, readAllBytes, startProviderServer, type ProviderServer } from '../support/index.js';
import { reportFigures } from './support/figures.js';
import { collectorMetric, plainSdkCalls, postTraces, protobufBody, protobufHeaders } from './support/otlp.js';
import {
  ClickHouseCostExporter,
  migrate,
  registerLlmCostInstrumentation,
  startCollector,
  withTags,
  type LlmCostInstrumentation,
  type RunningCollector,
} from './support/packages.js';
import { until } from './support/poll.js';
import { callRowCounts, expectRollupsMatchRaw } from './support/store-checks.js';

const OUTAGE_MS = Number(process.env.LLM_COST_RELIABILITY_OUTAGE_MS ?? 30_000);
const TICK_MS = 500;
const CALLS_PER_TICK = 10;
const SPANS_PER_REQUEST = 20;
/** Half of what the outage offers (a multiple of the request size): 300 for 30 s. */
const QUEUE = Math.floor((OUTAGE_MS / TICK_MS) * CALLS_PER_TICK / 2 / SPANS_PER_REQUEST) * SPANS_PER_REQUEST;
const TOKEN = 'outage-ingest-token-0123456789abcdef';
const EXPORTER_DB = 'outage_exporter';
const COLLECTOR_DB = 'outage_collector';

const store = new ClickHouseHttpServer(mkdtempSync(join(tmpdir(), 'llm-cost-reliability-outage-')));
const warnings: string[] = [];
let provider: ProviderServer;
let exporter: ClickHouseCostExporter;
let instrumentation: LlmCostInstrumentation;
let collector: RunningCollector;

beforeAll(async () => {
  diag.setLogger(
    { error: (m) => void warnings.push(m), warn: (m) => void warnings.push(m), info() {}, debug() {}, verbose() {} },
    { logLevel: DiagLogLevel.WARN, suppressOverrideMessage: true },
  );
  await store.start();
  await migrate({ url: store.url, database: EXPORTER_DB });
  provider = await startProviderServer(() => fixtureReply(projectFixture('openai/chat-completions')));
  exporter = new ClickHouseCostExporter({
    url: store.url,
    database: EXPORTER_DB,
    maxQueueSize: QUEUE,
    maxBatchSize: 50,
    flushIntervalMs: 100,
    retryBaseMs: 50,
    retryMaxMs: 1000,
  });
  instrumentation = registerLlmCostInstrumentation({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
    hosts: { [provider.host]: 'openai' },
  });
  collector = await startCollector({
    url: store.url,
    database: COLLECTOR_DB,
    port: 0,
    tokens: [{ tenant: 'acme', token: TOKEN }],
    maxQueueSize: QUEUE,
    batchSize: 50,
    flushIntervalMs: 100,
    retryMaxMs: 1000,
    retryAfterSeconds: 1,
    dedupHoldMs: 0,
  });
}, 60_000);

afterAll(async () => {
  await instrumentation?.shutdown();
  await collector?.close();
  await provider?.close();
  await store.stop();
  diag.disable();
});

/** One application call through the instrumented fetch; the app gets the provider's bytes whatever the store does. */
async function appCall(user: string): Promise<void> {
  const index = provider.requests.length;
  const response = await withTags({ user_id: user }, () =>
    fetch(`${provider.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"gpt-4o-mini","messages":[]}' }),
  );
  expect((await readAllBytes(response.body)).equals(provider.sentBodies[index]!)).toBe(true);
}

describe('a 30 s ClickHouse outage', () => {
  it('the exporter and the collector keep everything within the bound, count the overflow exactly, and write each call once', async () => {
    const client = createClient({ url: store.url });
    const sender = { offered: 0, accepted: 0, refusedSpans: 0, refusedAnswers: 0, retryAfter: new Set<string | null>() };
    let refusedDuringOutage = 0;
    const refused: Buffer[] = [];

    /** Sends one OTLP request; a refused one is kept to be sent again later, as an OTLP exporter does. */
    const send = async (body: Buffer): Promise<boolean> => {
      const answer = await postTraces(collector.url, body, protobufHeaders(TOKEN));
      if (answer.status === 200) {
        sender.accepted += SPANS_PER_REQUEST;
        return true;
      }
      expect([429, 503]).toContain(answer.status);
      sender.refusedAnswers++;
      sender.refusedSpans += SPANS_PER_REQUEST;
      sender.retryAfter.add(answer.retryAfter);
      return false;
    };

    // Before: the store is up and both paths write.
    let appCalls = 0;
    for (let i = 0; i < CALLS_PER_TICK; i++, appCalls++) await appCall('before');
    for (let i = 0; i < 2; i++) {
      sender.offered += SPANS_PER_REQUEST;
      expect(await send(protobufBody(plainSdkCalls('before', SPANS_PER_REQUEST)))).toBe(true);
    }
    await exporter.forceFlush();
    await until('the collector to write the first calls', async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) === 40);
    const writtenBefore = { exporter: exporter.stats().written, collector: 40 };
    expect(writtenBefore.exporter).toBe(CALLS_PER_TICK);

    // The outage: calls and exports keep coming for 30 s.
    await store.stop();
    const outageStarted = Date.now();
    while (Date.now() - outageStarted < OUTAGE_MS) {
      for (let i = 0; i < CALLS_PER_TICK; i++, appCalls++) await appCall('during');
      sender.offered += SPANS_PER_REQUEST;
      const body = protobufBody(plainSdkCalls('during', SPANS_PER_REQUEST));
      if (!(await send(body))) refused.push(body);
      // Pacing the load over the outage (not synchronisation): the next tick of calls.
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
    const outageMs = Date.now() - outageStarted;
    refusedDuringOutage = refused.length;
    const duringExporter = exporter.stats();
    const offeredToExporter = appCalls - writtenBefore.exporter;
    // Exactly the bound is held; exactly the rest is refused and counted; nothing is written, nothing lost yet.
    expect(duringExporter.received).toBe(appCalls);
    expect(duringExporter).toMatchObject({ queueDepth: QUEUE, written: writtenBefore.exporter, lost: 0 });
    expect(duringExporter.rejected).toBe(offeredToExporter - QUEUE);
    expect(duringExporter.insertFailures).toBeGreaterThan(0);
    expect(sender.accepted - writtenBefore.collector).toBe(QUEUE);
    expect(sender.refusedSpans).toBe(sender.offered - sender.accepted);
    expect([...sender.retryAfter]).toEqual(['1']);
    expect(await collectorMetric(collector.url, 'llm_cost_collector_spans_rejected_total', 'reason="unavailable"')).toBe(sender.refusedSpans);
    // Over the whole outage each pipeline said "writing failed" once and "queue full" once, not per call or retry.
    expect(warnings.filter((w) => w.includes('writing to ClickHouse failed'))).toHaveLength(2);
    expect(warnings.filter((w) => w.includes('queue full'))).toHaveLength(2);

    // The store comes back; its first two inserts land but answer 500, so those batches are retried.
    await store.start();
    await store.setFault({ mode: 'fail_after_insert', times: 2 });
    // The sender sends again what it was refused, honouring Retry-After.
    while (refused.length > 0) {
      if (await send(refused[0]!)) refused.shift();
      else await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    expect(sender.accepted).toBe(sender.offered);
    expect((await exporter.pipeline.flush(30_000)).drained).toBe(true);
    await until(
      'the collector to write every accepted call',
      async () => (await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')) === sender.offered,
      30_000,
    );
    const counters = await store.counters();
    expect(counters.faultsInjected).toBe(2);

    const after = exporter.stats();
    expect(after).toMatchObject({ written: writtenBefore.exporter + QUEUE, lost: 0, queueDepth: 0, rejected: offeredToExporter - QUEUE });
    expect(after.accepted + after.rejected).toBe(appCalls);
    expect(await collectorMetric(collector.url, 'llm_cost_pipeline_calls_lost_total')).toBe(0);

    // Each call exactly once in the raw table and in every rollup (the two retried inserts were deduplicated).
    expect((await callRowCounts(client, EXPORTER_DB)).llm_calls).toBe(after.written);
    expect((await callRowCounts(client, COLLECTOR_DB)).llm_calls).toBe(sender.offered);
    const exporterTotals = await expectRollupsMatchRaw(client, EXPORTER_DB);
    const collectorTotals = await expectRollupsMatchRaw(client, COLLECTOR_DB);
    expect(exporterTotals.input_tokens).toBe(String(after.written * 1200));
    expect(collectorTotals.input_tokens).toBe(String(sender.offered * 1000));

    await client.close();

    reportFigures('store/outage', {
      outageSeconds: Math.round(outageMs / 100) / 10,
      exporter: {
        queueBound: QUEUE,
        offered: appCalls,
        accepted: after.accepted,
        rejectedAndReported: after.rejected,
        written: after.written,
        lost: after.lost,
        failedInsertAttempts: after.insertFailures,
      },
      collector: {
        queueBound: QUEUE,
        offeredSpans: sender.offered,
        requestsRefused503: refusedDuringOutage,
        refusedSpansReported: refusedDuringOutage * SPANS_PER_REQUEST,
        refusalsIncludingRetries: sender.refusedAnswers,
        written: sender.offered,
        lost: 0,
      },
      ambiguousInsertsRetried: counters.faultsInjected,
      rowsCountedTwice: 0,
    });
  }, OUTAGE_MS + 120_000);
});
