import { createClient } from '@clickhouse/client';
import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { migrate } from '../src/schema/migrate.js';
import { ClickHouseHttpServer } from './support/clickhouse-http.js';
import { totalsPerTable } from './support/rows.js';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const server = new ClickHouseHttpServer(testStorePath());
const pricer = createPricer();
const client = () => createClient({ url: server.url });

beforeAll(() => server.start());
afterAll(() => server.stop());

async function pipelineFor(database: string): Promise<CostPipeline> {
  await migrate({ url: server.url, database });
  return new CostPipeline({ url: server.url, database, pricer, retryBaseMs: 5, retryMaxMs: 20, maxBatchSize: 50 });
}

describe('a retried batch is not counted twice', () => {
  it('when the first attempt landed and the client saw a 500', async () => {
    const database = uniqueDatabase('dedup500');
    const pipeline = await pipelineFor(database);
    const before = await server.counters();
    await server.setFault({ mode: 'fail_after_insert', times: 1 });
    expect(pipeline.submit(plainCalls(120)).accepted).toBe(120);
    expect(await pipeline.flush(10_000)).toEqual({ drained: true, pending: 0 });
    const after = await server.counters();
    // Three batches of at most 50 rows; the first ran twice in the engine (landed, then reported as failed).
    expect(after.insertsRun - before.insertsRun).toBe(4);
    expect(pipeline.stats()).toMatchObject({ written: 120, insertFailures: 1, lost: 0 });
    const c = client();
    const totals = await totalsPerTable(c, database);
    for (const table of Object.values(totals)) expect(table).toEqual({ calls: 120, cost: '0.025200000', input: 120_000 });
    await c.close();
    await pipeline.shutdown();
  });

  it('when the connection was reset after the insert ran', async () => {
    const database = uniqueDatabase('dedupreset');
    const pipeline = await pipelineFor(database);
    await server.setFault({ mode: 'reset_after_insert', times: 2 });
    pipeline.submit(plainCalls(30, { user: 'u2' }));
    expect((await pipeline.flush(10_000)).drained).toBe(true);
    expect(pipeline.stats()).toMatchObject({ written: 30, insertFailures: 2 });
    const c = client();
    const totals = await totalsPerTable(c, database);
    for (const table of Object.values(totals)) expect(table).toEqual({ calls: 30, cost: '0.006300000', input: 30_000 });
    const [tag] = await (
      await c.query({
        query: `SELECT toString(sum(calls)) AS calls FROM \`${database}\`.llm_daily_by_tag WHERE tag_key = 'user_id'`,
        format: 'JSONEachRow',
      })
    ).json<{ calls: string }>();
    expect(tag?.calls).toBe('30');
    await c.close();
    await pipeline.shutdown();
  });

  it('relies on the token: the same rows under another token do count again', async () => {
    // Guards the test above against passing for the wrong reason (for example a store that never re-runs inserts).
    const database = uniqueDatabase('dedupcontrol');
    await migrate({ url: server.url, database });
    const c = client();
    const insert = (token: string) =>
      c.command({
        query:
          `INSERT INTO \`${database}\`.llm_calls (timestamp, trace_id, span_id, total_cost) ` +
          `SETTINGS insert_deduplication_token = '${token}', deduplicate_blocks_in_dependent_materialized_views = 1 ` +
          `VALUES ('2026-02-03 00:00:00', 't', 's', 1.5)`,
      });
    await insert('same');
    await insert('same');
    expect((await totalsPerTable(c, database)).llm_daily_by_user).toMatchObject({ calls: 1, cost: '1.500000000' });
    await insert('other');
    expect((await totalsPerTable(c, database)).llm_daily_by_user).toMatchObject({ calls: 2, cost: '3.000000000' });
    await c.close();
  });
});
