/**
 * Process exit flushes everything accepted (issue 8). Each process is a real one, stopping while its writes are still
 * queued or in flight against a slow or failing ClickHouse (the loopback HTTP endpoint):
 * - an application with the in-process exporter, stopped by `shutdown()` and by SIGTERM (its handler awaits
 *   `shutdown()`): every call it made is a row;
 * - the collector (`llm-cost collector`), stopped by SIGTERM while an insert takes seconds and requests keep coming:
 *   everything it answered 200 to is written, what arrives while it drains is refused (503, for the sender to retry
 *   elsewhere), it exits 0; and `close()` of an in-process collector while the store refuses writes for a while;
 * - when the store stays down past the shutdown timeout: what could not be written is counted as lost, exactly, and
 *   said so (never a silent loss);
 * - an application that ends without flushing (`process.exit()`, an uncaught exception, an unhandled rejection, with
 *   the calls still in the SDK's batch queue): every call is written to the embedded store as the process exits; a
 *   server cannot be written to from an exit listener, and the application says how many calls it lost, exactly.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient } from '@clickhouse/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ClickHouseHttpServer } from '../../packages/clickhouse/test/support/clickhouse-http.js';
import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../support/index.js';
import { startCollectorProcess, startNode } from './support/child-process.js';
import { reportFigures } from './support/figures.js';
import { collectorMetric, plainSdkCalls, postTraces, protobufBody, protobufHeaders } from './support/otlp.js';
import { migrate, startCollector } from './support/packages.js';
import { until } from './support/poll.js';
import { callRowCounts, expectRollupsMatchRaw } from './support/store-checks.js';

const here = dirname(fileURLToPath(import.meta.url));
const EXIT_APP = join(here, 'fixtures/exit-app.mjs');
const UNFLUSHED_APP = join(here, 'fixtures/exit-unflushed-app.mjs');
const TOKEN = 'exit-ingest-token-0123456789abcdef';
const store = new ClickHouseHttpServer(mkdtempSync(join(tmpdir(), 'llm-cost-reliability-exit-')));
let provider: ProviderServer;
const figures: Record<string, unknown> = {};

beforeAll(async () => {
  await store.start();
  provider = await startProviderServer((request) =>
    fixtureReply(projectFixture((request.json as { stream?: boolean }).stream ? 'openai/chat-completions-stream' : 'openai/chat-completions')),
  );
});
afterEach(() => store.setFault({ mode: 'none' }));
afterAll(async () => {
  await provider?.close();
  await store.stop();
  reportFigures('process-exit', figures);
});

async function rows(database: string): Promise<number> {
  const client = createClient({ url: store.url });
  try {
    await expectRollupsMatchRaw(client, database);
    return (await callRowCounts(client, database)).llm_calls!;
  } finally {
    await client.close();
  }
}

describe('an application with the in-process exporter', () => {
  for (const mode of ['shutdown', 'sigterm'] as const) {
    it(`${mode === 'shutdown' ? 'shutdown()' : 'SIGTERM (handler awaits shutdown())'} writes every call, with the store answering in seconds`, async () => {
      const database = `exit_app_${mode}`;
      await migrate({ url: store.url, database });
      // Every write is slow: the spans are still in the batch queue, and then in an insert, when the app stops.
      await store.setFault({ mode: 'delay', ms: 1500, times: -1 });
      const calls = 40;
      const app = startNode(EXIT_APP, [], {
        PROVIDER_URL: provider.url,
        CLICKHOUSE_URL: store.url,
        DATABASE: database,
        CALLS: String(calls),
        EXIT_MODE: mode,
      });
      await app.waitFor((m) => m.calls === calls, 'the app to make its calls');
      if (mode === 'sigterm') app.child.kill('SIGTERM');
      expect(await app.exited).toBe(0);
      await store.setFault({ mode: 'none' });
      const { stats } = (await app.waitFor((m) => m.stats !== undefined, 'the final stats')) as unknown as {
        stats: { written: number; lost: number; rejected: number };
      };
      expect(stats).toMatchObject({ written: calls, lost: 0, rejected: 0 });
      expect(await rows(database)).toBe(calls);
      expect(app.stderr()).toBe('');
      figures[`app ${mode}`] = { callsMade: calls, written: stats.written, lost: stats.lost, storeAnsweredAfterMs: 1500 };
    }, 60_000);
  }

  it('shutdown() while the store refuses writes for a while: stays alive through the retries and writes every call', async () => {
    // Between retries the writer waits on background timers that do not keep a process alive; an application awaiting
    // shutdown() at the end of its script must not exit in the middle of that wait.
    const database = 'exit_app_transient';
    await migrate({ url: store.url, database });
    await store.setFault({ mode: 'unavailable', times: 8 });
    const calls = 20;
    const app = startNode(EXIT_APP, [], {
      PROVIDER_URL: provider.url,
      CLICKHOUSE_URL: store.url,
      DATABASE: database,
      CALLS: String(calls),
      EXIT_MODE: 'shutdown',
    });
    expect(await app.exited).toBe(0);
    const { stats } = (await app.waitFor((m) => m.stats !== undefined, 'the final stats')) as unknown as {
      stats: { written: number; lost: number; insertFailures: number };
    };
    expect(stats).toMatchObject({ written: calls, lost: 0 });
    expect((await store.counters()).faultsInjected).toBeGreaterThanOrEqual(8);
    expect(await rows(database)).toBe(calls);
    figures['app shutdown, store refusing'] = { callsMade: calls, written: stats.written, refusedWritesRiddenOut: 8, lost: 0 };
  }, 60_000);

  it('shutdown() with the store down past its timeout counts every unwritten call as lost, exactly', async () => {
    const database = 'exit_app_lost';
    await migrate({ url: store.url, database });
    await store.setFault({ mode: 'unavailable', times: -1 });
    const calls = 12;
    const app = startNode(EXIT_APP, [], {
      PROVIDER_URL: provider.url,
      CLICKHOUSE_URL: store.url,
      DATABASE: database,
      CALLS: String(calls),
      EXIT_MODE: 'shutdown',
      SHUTDOWN_TIMEOUT_MS: '1000',
    });
    expect(await app.exited).toBe(0);
    await store.setFault({ mode: 'none' });
    const { stats } = (await app.waitFor((m) => m.stats !== undefined, 'the final stats')) as unknown as {
      stats: { written: number; lost: number };
    };
    expect(stats).toMatchObject({ written: 0, lost: calls });
    expect(await rows(database)).toBe(0);
    figures['app shutdown, store down'] = { callsMade: calls, written: 0, reportedLost: stats.lost };
  }, 60_000);
});

describe('the collector', () => {
  it('SIGTERM while an insert takes seconds: writes everything it accepted, refuses what comes during the drain, exits 0', async () => {
    const database = 'exit_collector_sigterm';
    const collector = await startCollectorProcess([
      '--port', '0',
      '--url', store.url,
      '--database', database,
      '--token', `acme=${TOKEN}`,
      '--flush-interval-ms', '50',
      '--batch-size', '100',
    ]);
    try {
      await store.setFault({ mode: 'delay', ms: 1200, times: -1 });
      let accepted = 0;
      for (let i = 0; i < 10; i++) {
        const answer = await postTraces(collector.url, protobufBody(plainSdkCalls('exit-collector', 50)), protobufHeaders(TOKEN));
        expect(answer.status).toBe(200);
        accepted += 50;
      }
      // An insert is in flight (the store answers in 2 s) and the rest is queued.
      await until('an insert to be in flight', async () => (await store.counters()).insertsRun > 0);
      expect(await collectorMetric(collector.url, 'llm_cost_pipeline_calls_written_total')).toBeLessThan(accepted);
      collector.child.kill('SIGTERM');
      // Sent as the signal lands: answered 200 before the drain began (then it must be written like the rest), or
      // refused (503 while draining, or the listener is closed): never accepted and dropped.
      const during = await postTraces(collector.url, protobufBody(plainSdkCalls('exit-collector-late', 50)), protobufHeaders(TOKEN));
      expect([0, 200, 503]).toContain(during.status);
      if (during.status === 200) accepted += 50;
      expect(await collector.exited).toBe(0);
      await store.setFault({ mode: 'none' });
      const stopped = collector.messages.find((m) => m.msg === 'collector stopped');
      expect(stopped).toMatchObject({ written: accepted, lost: 0 });
      expect(await rows(database)).toBe(accepted);
      figures['collector SIGTERM'] = { accepted, written: stopped!.written, lost: 0, lateRequestAnswer: during.status, storeAnsweredAfterMs: 1200 };
    } finally {
      await collector.kill();
    }
  }, 90_000);

  it('SIGTERM with the store down past the shutdown timeout: exits 0 and reports exactly what it lost', async () => {
    const database = 'exit_collector_lost';
    const collector = await startCollectorProcess([
      '--port', '0',
      '--url', store.url,
      '--database', database,
      '--token', `acme=${TOKEN}`,
      '--flush-interval-ms', '50',
      '--shutdown-timeout-ms', '1000',
    ]);
    try {
      await store.setFault({ mode: 'unavailable', times: -1 });
      const answer = await postTraces(collector.url, protobufBody(plainSdkCalls('exit-lost', 30)), protobufHeaders(TOKEN));
      expect(answer.status).toBe(200);
      collector.child.kill('SIGTERM');
      expect(await collector.exited).toBe(0);
      await store.setFault({ mode: 'none' });
      expect(collector.messages.find((m) => m.msg === 'collector stopped')).toMatchObject({ written: 0, lost: 30 });
      expect(await rows(database)).toBe(0);
      figures['collector SIGTERM, store down'] = { accepted: 30, written: 0, reportedLost: 30 };
    } finally {
      await collector.kill();
    }
  }, 60_000);

  it('close() of an in-process collector while the store refuses writes for a while: everything accepted is written', async () => {
    const database = 'exit_collector_close';
    const collector = await startCollector({
      url: store.url,
      database,
      port: 0,
      tokens: [{ tenant: 'acme', token: TOKEN }],
      flushIntervalMs: 50,
      retryMaxMs: 300,
    });
    let accepted = 0;
    try {
      await store.setFault({ mode: 'unavailable', times: 6 });
      for (let i = 0; i < 4; i++) {
        expect((await postTraces(collector.url, protobufBody(plainSdkCalls('exit-close', 25)), protobufHeaders(TOKEN))).status).toBe(200);
        accepted += 25;
      }
    } finally {
      await collector.close();
    }
    expect((await store.counters()).faultsInjected).toBeGreaterThanOrEqual(6);
    expect(await rows(database)).toBe(accepted);
    figures['collector close()'] = { accepted, written: accepted, refusedWritesRiddenOut: 6 };
  }, 60_000);
});

describe('an application that exits without flushing', () => {
  /** Runs the app to its end; `store` is an embedded directory of the test's own, or the HTTP endpoint. */
  async function runUnflushed(env: Record<string, string>) {
    const app = startNode(UNFLUSHED_APP, [], { PROVIDER_URL: provider.url, ...env });
    const code = await app.exited;
    const { calls, writtenBeforeExit } = (await app.waitFor((m) => m.calls !== undefined, 'the calls')) as { calls: number; writtenBeforeExit: number };
    return { code, calls, writtenBeforeExit, stderr: app.stderr() };
  }

  /** Rows of an embedded directory the app wrote, read through an HTTP endpoint on it once the app is gone. */
  async function embeddedRows(path: string, database: string): Promise<number> {
    const server = new ClickHouseHttpServer(path);
    await server.start();
    const client = createClient({ url: server.url });
    try {
      await expectRollupsMatchRaw(client, database);
      return (await callRowCounts(client, database)).llm_calls!;
    } finally {
      await client.close();
      await server.stop();
    }
  }

  const cases = [
    { name: "process.exit(), the instrumentation's own provider", wiring: 'own', exit: 'exit', flushedFirst: 0, code: 0 },
    { name: 'an uncaught exception, a BatchSpanProcessor of the application', wiring: 'bsp', exit: 'throw', flushedFirst: 4, code: 1 },
    { name: 'an unhandled rejection, a BatchSpanProcessor of the application', wiring: 'bsp', exit: 'reject', flushedFirst: 0, code: 1 },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: every call is in the embedded store`, async () => {
      const path = mkdtempSync(join(tmpdir(), 'llm-cost-reliability-unflushed-'));
      const database = `unflushed_${c.wiring}_${c.exit}`;
      const run = await runUnflushed({ CLICKHOUSE_PATH: path, DATABASE: database, CALLS: '10', FLUSHED_FIRST: String(c.flushedFirst), WIRING: c.wiring, EXIT: c.exit });
      expect(run.code).toBe(c.code);
      // The calls after the flush were still in the SDK's batch queue (5 s) when the process ended.
      expect(run.writtenBeforeExit).toBe(c.flushedFirst);
      expect(run.stderr).not.toContain('not written');
      expect(await embeddedRows(path, database)).toBe(run.calls);
      figures[`unflushed ${c.exit} ${c.wiring}, embedded`] = { calls: run.calls, writtenBeforeExit: run.writtenBeforeExit, writtenAtExit: run.calls - run.writtenBeforeExit, lost: 0 };
    }, 60_000);
  }

  it('process.exit() with a ClickHouse server: says exactly how many calls were lost', async () => {
    const database = 'unflushed_server';
    await migrate({ url: store.url, database });
    const run = await runUnflushed({ CLICKHOUSE_URL: store.url, DATABASE: database, CALLS: '10', FLUSHED_FIRST: '4', WIRING: 'bsp', EXIT: 'exit' });
    expect(run.code).toBe(0);
    expect(run.writtenBeforeExit).toBe(4);
    expect(run.stderr).toContain(
      '@llm-cost/clickhouse: the process exited with 6 accepted LLM calls not written to ClickHouse: they are lost ' +
        `(the store is a ClickHouse server (${store.url}/), which cannot be written to synchronously)`,
    );
    expect(await rows(database)).toBe(4);
    figures['unflushed exit, server'] = { calls: run.calls, writtenBeforeExit: 4, reportedLost: 6 };
  }, 60_000);
});
