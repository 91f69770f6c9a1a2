import { createClient } from '@clickhouse/client';
import { diag, DiagLogLevel, type DiagLogger } from '@opentelemetry/api';
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { migrate } from '../src/schema/migrate.js';
import { ClickHouseHttpServer } from './support/clickhouse-http.js';
import { totalsPerTable } from './support/rows.js';
import { plainCalls, waitFor } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const server = new ClickHouseHttpServer(testStorePath());
const pricer = createPricer();
const warnings: string[] = [];
const errors: string[] = [];
const logger: DiagLogger = {
  error: (message) => errors.push(message),
  warn: (message) => warnings.push(message),
  info: () => {},
  debug: () => {},
  verbose: () => {},
};

beforeAll(async () => {
  diag.setLogger(logger, DiagLogLevel.WARN);
  await server.start();
});
afterAll(async () => {
  diag.disable();
  await server.stop();
});

describe('when ClickHouse is unreachable', () => {
  it('keeps everything within the queue bound, counts and reports the overflow once, and writes it all on recovery', async () => {
    const database = uniqueDatabase('outage');
    await migrate({ url: server.url, database });
    const pipeline = new CostPipeline({
      url: server.url,
      database,
      pricer,
      maxQueueSize: 100,
      maxBatchSize: 40,
      retryBaseMs: 5,
      retryMaxMs: 50,
    });
    await server.stop();
    warnings.length = 0;

    expect(pipeline.submit(plainCalls(60))).toMatchObject({ status: 'accepted', accepted: 60, rejected: 0 });
    pipeline.flush(0).catch(() => {});
    await waitFor('inserts to fail while the store is down', () => pipeline.stats().insertFailures >= 3);
    expect(pipeline.stats()).toMatchObject({ queueDepth: 60, written: 0 });
    expect(pipeline.stats().lastError).toMatch(/ECONNREFUSED|connect/);

    // The collector's way: all or nothing, so the sender retries the whole request.
    expect(pipeline.submit(plainCalls(50))).toMatchObject({ status: 'queue_full', accepted: 0, rejected: 50 });
    // The in-process exporter's way: take what fits, count the rest.
    expect(pipeline.submit(plainCalls(50), { allOrNothing: false })).toMatchObject({
      status: 'queue_full',
      accepted: 40,
      rejected: 10,
    });
    expect(pipeline.stats()).toMatchObject({ queueDepth: 100, rejected: 60 });
    expect(warnings.filter((w) => w.includes('queue full'))).toHaveLength(1);
    expect(warnings.filter((w) => w.includes('writing to ClickHouse failed'))).toHaveLength(1);

    await server.start();
    expect(await pipeline.flush(20_000)).toEqual({ drained: true, pending: 0 });
    expect(pipeline.stats()).toMatchObject({ written: 100, queueDepth: 0, rejected: 60, lost: 0, lastError: undefined });
    const client = createClient({ url: server.url });
    const totals = await totalsPerTable(client, database);
    for (const table of Object.values(totals)) expect(table).toEqual({ calls: 100, cost: '0.021000000', input: 100_000 });
    await client.close();
    await pipeline.shutdown();
  });

  it('shutdown gives up after its timeout and counts what it could not write as lost', async () => {
    const database = uniqueDatabase('outageshutdown');
    await migrate({ url: server.url, database });
    const pipeline = new CostPipeline({ url: server.url, database, pricer, retryBaseMs: 5, retryMaxMs: 20, shutdownTimeoutMs: 300 });
    await server.stop();
    errors.length = 0;
    pipeline.submit(plainCalls(7));
    await pipeline.shutdown();
    expect(pipeline.stats()).toMatchObject({ written: 0, lost: 7, queueDepth: 0 });
    expect(errors.some((e) => e.includes('7 calls not written'))).toBe(true);
    expect(pipeline.submit(plainCalls(1))).toMatchObject({ status: 'shut_down', rejected: 1 });
    await pipeline.shutdown();
    await server.start();
  });
});
