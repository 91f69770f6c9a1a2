import { describe, expect, it } from 'vitest';

import type { Store } from '../src/connection/connect.js';
import { emptyStats } from '../src/pipeline/pipeline-stats.js';
import { BatchWriter } from '../src/writer/batch-writer.js';
import type { Batch } from '../src/writer/insert-batch.js';

/**
 * The writer against a fake transport (the one true boundary here: what the store answers). It records every batch
 * it accepts and refuses, as bad data, any batch that contains a row marked bad.
 */
function writerWith(maxBatchSize: number) {
  const written: Batch[] = [];
  const refused: string[] = [];
  const stats = emptyStats();
  const writer = new BatchWriter(
    {} as Store,
    {
      maxBatchSize,
      retryBaseMs: 1,
      retryMaxMs: 1,
      ensureSchema: undefined,
      onIncident: () => {},
      onBadRow: () => {},
      insert: async (_store, batch) => {
        if (batch.body.includes('"bad"')) {
          refused.push(batch.token);
          throw Object.assign(new Error('Cannot parse input'), { code: '27' });
        }
        written.push({ ...batch });
      },
    },
    stats,
  );
  return { writer, written, refused, stats };
}

const row = (i: number, bad = false) => JSON.stringify([i, bad ? 'bad' : 'ok']);
const rowsOf = (batch: Batch) => batch.body.split('\n').map((line) => JSON.parse(line)[0] as number);

describe('BatchWriter', () => {
  it('cuts batches of exactly maxBatchSize rows, in order, each body holding its rows one per line', async () => {
    const { writer, written, stats } = writerWith(500);
    for (let i = 0; i < 1300; i++) writer.enqueue(row(i), `id-${i}`);
    expect(writer.depth).toBe(1300);
    expect(await writer.waitIdle(Date.now() + 10_000)).toBe(true);
    expect(written.map((batch) => batch.rows)).toEqual([500, 500, 300]);
    expect(written.flatMap(rowsOf)).toEqual(Array.from({ length: 1300 }, (_, i) => i));
    for (const batch of written) expect(rowsOf(batch)).toHaveLength(batch.rows);
    expect(stats).toMatchObject({ written: 1300, lost: 0 });
    expect(writer.depth).toBe(0);
  });

  it('gives a batch the same token as the same rows always get, and another token to other rows', async () => {
    const first = writerWith(100);
    const second = writerWith(100);
    for (const { writer } of [first, second]) for (let i = 0; i < 200; i++) writer.enqueue(row(i), `id-${i}`);
    await Promise.all([first.writer.waitIdle(Date.now() + 10_000), second.writer.waitIdle(Date.now() + 10_000)]);
    expect(first.written.map((batch) => batch.token)).toEqual(second.written.map((batch) => batch.token));
    expect(first.written[0]!.token).not.toBe(first.written[1]!.token);
  });

  it('isolates a row the store refuses: drops and counts it, writes every other row of its batch once', async () => {
    const { writer, written, refused, stats } = writerWith(1000);
    for (let i = 0; i < 700; i++) writer.enqueue(row(i, i === 333), `id-${i}`);
    expect(await writer.waitIdle(Date.now() + 10_000)).toBe(true);
    const rows = written.flatMap(rowsOf).sort((a, b) => a - b);
    expect(rows).toEqual(Array.from({ length: 700 }, (_, i) => i).filter((i) => i !== 333));
    expect(stats).toMatchObject({ written: 699, lost: 1 });
    // Halving: one refusal per level down to the single bad row.
    expect(refused.length).toBe(Math.ceil(Math.log2(700)) + 1);
    expect(new Set(written.map((batch) => batch.token)).size).toBe(written.length);
  });
});
