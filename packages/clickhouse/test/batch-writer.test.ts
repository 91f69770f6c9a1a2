import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore, type Store } from '../src/connection/connect.js';
import { emptyStats } from '../src/pipeline/pipeline-stats.js';
import { migrateStore } from '../src/schema/migrate.js';
import { BatchWriter } from '../src/writer/batch-writer.js';
import { encodeRow, type LlmCallRow } from '../src/writer/llm-call-row.js';
import { queryRows, totalsPerTable } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

/**
 * The writer on the embedded engine: the batches it cuts, the tokens it gives them and how it isolates rows the
 * engine refuses are checked by what lands in `llm_calls`.
 */
const path = testStorePath();
const stores: Store[] = [];

async function freshStore(): Promise<Store> {
  const store = openStore({ path, database: uniqueDatabase('writer') });
  await migrateStore(store);
  stores.push(store);
  return store;
}

function writerFor(store: Store, maxBatchSize: number) {
  const stats = emptyStats();
  const badRows: unknown[] = [];
  const writer = new BatchWriter(
    store,
    {
      maxBatchSize,
      retryBaseMs: 1,
      retryMaxMs: 5,
      ensureSchema: undefined,
      onIncident: () => {},
      onBadRow: (error) => badRows.push(error),
    },
    stats,
  );
  return { writer, stats, badRows };
}

/** Row `i` of a test: its number is its input token count, so the rows that landed can be named. */
function row(i: number): LlmCallRow {
  return {
    timestamp_ms: Date.UTC(2026, 0, 15, 10, 0, 0) + i,
    trace_id: '0af7651916cd43dd8448eb211c80319c',
    span_id: i.toString(16).padStart(16, '0'),
    service_name: 'writer-test',
    provider: 'openai',
    operation: 'chat',
    request_model: 'gpt-4o-mini',
    response_model: 'gpt-4o-mini',
    priced_model: 'gpt-4o-mini',
    input_tokens: i,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
    output_tokens: 1,
    reasoning_tokens: 0,
    input_cost: '0.000000150',
    cache_read_cost: '0',
    cache_write_cost: '0',
    output_cost: '0.000000600',
    total_cost: '0.000000750',
    billed_cost: '0.000000750',
    pricing_status: 'priced',
    price_version: 'test',
    usage_source: 'response',
    stream: false,
    latency_ms: 5,
    http_status: 200,
    error_type: '',
    user_id: `user-${i % 3}`,
    tenant_id: 'acme',
    feature: 'chat',
    tags: { user_id: `user-${i % 3}` },
    provider_response_id: `chatcmpl-${i}`,
    instrumentation: 'test',
  };
}

/** A row the engine cannot parse: a token count that is not a number. */
const badLine = (i: number) => encodeRow(row(i)).replace(`,${i},0,0,1,0,`, `,"many",0,0,1,0,`);

async function landedInputs(store: Store): Promise<number[]> {
  const rows = await queryRows<{ input_tokens: string }>(
    store.client,
    `SELECT input_tokens FROM ${store.database}.llm_calls ORDER BY input_tokens`,
  );
  return rows.map((r) => Number(r.input_tokens));
}

afterAll(async () => {
  for (const store of stores) await store.close();
});

describe('BatchWriter on the embedded engine', () => {
  let store: Store;
  beforeAll(async () => {
    store = await freshStore();
  });

  it('cuts batches of at most maxBatchSize rows and writes every row once', async () => {
    const { writer, stats } = writerFor(store, 500);
    for (let i = 0; i < 1300; i++) writer.enqueue(encodeRow(row(i)), `id-${i}`);
    expect(writer.depth).toBe(1300);
    expect(await writer.waitIdle(Date.now() + 30_000)).toBe(true);
    expect(stats).toMatchObject({ written: 1300, lost: 0, inserts: 3 });
    expect(writer.depth).toBe(0);
    expect(await landedInputs(store)).toEqual(Array.from({ length: 1300 }, (_, i) => i));
  });

  it('gives the same rows the same tokens: a second writer sending them again adds nothing', async () => {
    const target = await freshStore();
    for (const attempt of [1, 2]) {
      const { writer, stats } = writerFor(target, 100);
      for (let i = 0; i < 250; i++) writer.enqueue(encodeRow(row(i)), `id-${i}`);
      expect(await writer.waitIdle(Date.now() + 30_000)).toBe(true);
      // The writer counts what it sent; the engine drops the repeated blocks by their tokens.
      expect(stats.written, `attempt ${attempt}`).toBe(250);
    }
    expect(await landedInputs(target)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    // And once in every rollup the views feed.
    for (const [table, totals] of Object.entries(await totalsPerTable(target.client, target.database))) {
      expect(totals.calls, table).toBe(250);
    }
  });

  it('isolates a row the engine refuses: drops and counts it, writes every other row of its batch once', async () => {
    const target = await freshStore();
    const { writer, stats, badRows } = writerFor(target, 1000);
    for (let i = 0; i < 700; i++) writer.enqueue(i === 333 ? badLine(i) : encodeRow(row(i)), `id-${i}`);
    expect(await writer.waitIdle(Date.now() + 60_000)).toBe(true);
    expect(stats).toMatchObject({ written: 699, lost: 1 });
    expect(badRows).toHaveLength(1);
    expect(await landedInputs(target)).toEqual(Array.from({ length: 700 }, (_, i) => i).filter((i) => i !== 333));
  });

  it('settles a flush mark once the rows before it are written or refused, while more rows keep coming', async () => {
    const target = await freshStore();
    const { writer, stats } = writerFor(target, 200);
    for (let i = 0; i < 300; i++) writer.enqueue(i === 150 ? badLine(i) : encodeRow(row(i)), `id-${i}`);
    const mark = writer.enqueuedMark;
    // Steady traffic after the mark: a row every few milliseconds, so the queue is never empty.
    let next = 300;
    const feeder = setInterval(() => {
      writer.enqueue(encodeRow(row(next)), `id-${next}`);
      next += 1;
    }, 2);
    const settled = await writer.waitSettled(mark, Date.now() + 50_000);
    clearInterval(feeder);
    expect(settled).toBe(true);
    expect(writer.unsettledBefore(mark)).toBe(0);
    // It did not wait for an empty queue: rows enqueued after the mark are still waiting.
    expect(writer.depth).toBeGreaterThan(0);
    expect(stats.lost).toBe(1);
    expect((await landedInputs(target)).filter((input) => input < 300)).toEqual(
      Array.from({ length: 300 }, (_, i) => i).filter((i) => i !== 150),
    );
    expect(await writer.waitIdle(Date.now() + 50_000)).toBe(true);
    expect(stats.written).toBe(next - 1);
  }, 120_000);

  it('rows queued behind a batch being retried join one waiting batch, not one insert per tick', async () => {
    const target = await freshStore();
    const stats = emptyStats();
    // The store is unreachable until `down` is cleared: the check before every insert fails, as a refused connection would.
    let down = true;
    const writer = new BatchWriter(
      target,
      {
        maxBatchSize: 1000,
        retryBaseMs: 1,
        retryMaxMs: 5,
        ensureSchema: async () => {
          if (down) throw new Error('connect ECONNREFUSED 127.0.0.1:8123');
        },
        onIncident: () => {},
        onBadRow: () => {},
      },
      stats,
    );
    for (let tick = 0; tick < 20; tick++) {
      for (let i = 0; i < 10; i++) writer.enqueue(encodeRow(row(tick * 10 + i)), `id-${tick * 10 + i}`);
      // What the pipeline's ticker does, while the first batch is being retried.
      writer.flushQueued();
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    expect(stats.insertFailures).toBeGreaterThan(0);
    down = false;
    expect(await writer.waitIdle(Date.now() + 30_000)).toBe(true);
    // The batch that was being retried, then everything that queued behind it.
    expect(stats).toMatchObject({ written: 200, inserts: 2, lost: 0 });
    expect(await landedInputs(target)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  });
});
