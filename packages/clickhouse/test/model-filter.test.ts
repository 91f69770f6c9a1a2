/**
 * A call made with `model: 'gpt-4o'` is answered by `gpt-4o-2024-08-06`: every query that takes a model finds it by
 * either name, breakdowns group by either, and a store upgraded from an older schema keeps answering for its old rows.
 */
import { readFileSync } from 'node:fs';

import { createPricer } from '@llm-cost/pricing';
import { ATTR_GEN_AI_RESPONSE_MODEL } from '@llm-cost/semconv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { openStore } from '../src/connection/connect.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { ROLLUP_TABLES } from '../src/schema/definitions.js';
import { migrate } from '../src/schema/migrate.js';
import { queryRows } from './support/rows.js';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const database = uniqueDatabase('models');
const store = openStore({ path, database });
const queries = createUsageQueries({ path, database });
const OLD_DAY = Date.UTC(2026, 2, 10, 12);
const NEW_DAY = Date.UTC(2026, 2, 11, 12);
const dated = { [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-2024-08-06' };

async function write(spans: ReturnType<typeof plainCalls>, autoMigrate: boolean): Promise<void> {
  const pipeline = new CostPipeline({ path, database, pricer: createPricer(), autoMigrate });
  pipeline.submit(spans);
  await pipeline.shutdown();
}

beforeAll(async () => {
  // A store created by version 1 of the schema, with calls written before the upgrade (rollups without request_model).
  const v1 = readFileSync(new URL('./fixtures/schema-v1.sql', import.meta.url), 'utf8').replaceAll('LLM_COST_DB', database);
  for (const statement of v1.replace(/^--.*$/gm, '').split(/;\n\n|;\n$/).map((s) => s.trim()).filter(Boolean)) {
    await store.client.command({ query: statement });
  }
  await store.client.command({
    query: `INSERT INTO \`${database}\`.llm_cost_schema_migrations (version, name, applied_at) SELECT 1, 'v1', now()`,
  });
  await write(plainCalls(2, { user: 'old', startMs: OLD_DAY, model: 'gpt-4o', attributes: dated }), false);
  expect((await migrate({ path, database })).applied).toEqual([2, 3, 4]);
  await write(
    [
      ...plainCalls(3, { user: 'new', startMs: NEW_DAY, model: 'gpt-4o', attributes: dated }),
      ...plainCalls(1, { user: 'new', startMs: NEW_DAY + 1000, model: 'gpt-4o-mini', attributes: { [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-mini-2024-07-18' } }),
    ],
    true,
  );
});
afterAll(async () => {
  await queries.close();
  await store.close();
});

describe('the model filter', () => {
  it('dailySummary finds calls by the model asked for and by the model that answered (rollups)', async () => {
    for (const model of ['gpt-4o', 'gpt-4o-2024-08-06']) {
      // gpt-4o: 1000 in x $2.50/M + 100 out x $10/M = 0.0035 per call.
      expect(await queries.dailySummary({ day: NEW_DAY, model }), model).toMatchObject({ calls: 3, cost: '0.010500000' });
      expect(await queries.dailySummary({ day: NEW_DAY, userId: 'new', provider: 'openai', model }), model).toMatchObject({
        calls: 3,
      });
    }
    expect(await queries.dailySummary({ day: NEW_DAY, model: 'gpt-4o-mini' })).toMatchObject({ calls: 1 });
    expect(await queries.dailySummary({ day: NEW_DAY, model: 'gpt-4' })).toMatchObject({ calls: 0 });
  });

  it('usageInPeriod and totalCost find them by either name on partial days too (raw rows)', async () => {
    const partial = { from: NEW_DAY - 3_600_000, to: NEW_DAY + 3_600_000 };
    expect(await queries.usageInPeriod({ ...partial, model: 'gpt-4o' })).toMatchObject({ calls: 3 });
    expect(await queries.totalCost({ ...partial, model: 'gpt-4o-2024-08-06', userId: 'new' })).toMatchObject({ calls: 3 });
    // Raw rows always had request_model: calls from before the upgrade are found by it on partial days.
    expect(await queries.usageInPeriod({ from: OLD_DAY - 1000, to: OLD_DAY + 1000, model: 'gpt-4o' })).toMatchObject({ calls: 2 });
  });

  it('breakdowns group by the answering model or by the requested one', async () => {
    const day = { from: '2026-03-11', to: '2026-03-12' };
    expect((await queries.costBreakdown({ ...day, by: 'model' })).map((e) => [e.key, e.calls])).toEqual([
      ['gpt-4o-2024-08-06', 3],
      ['gpt-4o-mini-2024-07-18', 1],
    ]);
    expect((await queries.costBreakdown({ ...day, by: 'requestModel' })).map((e) => [e.key, e.calls])).toEqual([
      ['gpt-4o', 3],
      ['gpt-4o-mini', 1],
    ]);
  });

  it('keeps answering for rows written before the upgrade, by the model that answered them', async () => {
    const oldDay = { from: '2026-03-10', to: '2026-03-11' };
    expect(await queries.dailySummary({ day: OLD_DAY, model: 'gpt-4o-2024-08-06' })).toMatchObject({ calls: 2, cost: '0.007000000' });
    expect(await queries.usageInPeriod(oldDay)).toMatchObject({ calls: 2, cost: '0.007000000' });
    // Their rollup rows do not know the requested model: a breakdown by it falls back to the answering model.
    expect((await queries.costBreakdown({ ...oldDay, by: 'requestModel' })).map((e) => [e.key, e.calls])).toEqual([
      ['gpt-4o-2024-08-06', 2],
    ]);
  });

  it('upgrades every rollup to end its sorting key with request_model, as a fresh store has it', async () => {
    const keys = await queryRows<{ name: string; sorting_key: string }>(
      store.client,
      `SELECT name, sorting_key FROM system.tables WHERE database = {db:String} AND name LIKE 'llm_daily_by_%' AND engine != 'MaterializedView' ORDER BY name`,
      { db: database },
    );
    expect(keys).toEqual(
      ROLLUP_TABLES.map((t) => ({ name: t.name, sorting_key: t.orderBy.join(', ') })).sort((a, b) => a.name.localeCompare(b.name)),
    );
    expect(keys.every((k) => k.sorting_key.endsWith('request_model'))).toBe(true);
  });
});
