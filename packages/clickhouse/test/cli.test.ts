import { createPricer } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { runDoctorCli } from '../src/cli/doctor-cli.js';
import { runForgetCli } from '../src/cli/forget-cli.js';
import { runMigrateCli } from '../src/cli/migrate-cli.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/schema/migrations.js';
import { runReportCli } from '../src/cli/report-cli.js';
import { CostPipeline } from '../src/pipeline/cost-pipeline.js';
import { createUsageQueries } from '../src/queries/usage-queries.js';
import { LLM_COST_TAG_PREFIX } from '@llm-cost/semconv';
import { captureIo } from './support/cli-io.js';
import { queryRows } from './support/rows.js';
import { plainCalls } from './support/spans.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const database = uniqueDatabase('cli');
const connection = ['--path', path, '--database', database];
const queries = createUsageQueries({ path, database });

async function run(command: (argv: readonly string[], io: ReturnType<typeof captureIo>) => Promise<number>, ...argv: string[]) {
  const io = captureIo();
  const code = await command(argv, io);
  return { code, out: io.out(), err: io.err() };
}

beforeAll(async () => {
  const migrated = await run(runMigrateCli, ...connection, '--retention-days', '365');
  expect(migrated).toMatchObject({
    code: 0,
    out: `llm-cost schema version ${SCHEMA_VERSION} in database ${database} (applied ${MIGRATIONS.map((m) => m.version).join(', ')})\n`,
  });
  const pipeline = new CostPipeline({ path, database, pricer: createPricer(), autoMigrate: false });
  const feature = (value: string) => ({ [`${LLM_COST_TAG_PREFIX}feature`]: value });
  pipeline.submit([
    ...plainCalls(3, { user: 'ann', startMs: Date.now() - 3_600_000, attributes: feature('search') }),
    ...plainCalls(2, { user: 'ben', startMs: Date.now() - 3_600_000, model: 'gpt-4o', attributes: feature('chat') }),
  ]);
  await pipeline.shutdown();
});
afterAll(() => queries.close());

describe('llm-cost CLI commands', () => {
  it('migrate is idempotent and prints the cluster DDL', async () => {
    expect(await run(runMigrateCli, ...connection)).toMatchObject({
      code: 0,
      out: `llm-cost schema version ${SCHEMA_VERSION} in database ${database} (already current)\n`,
    });
    const printed = await run(runMigrateCli, '--print', '--cluster', 'prod', '--database', 'llm_cost');
    expect(printed.code).toBe(0);
    expect(printed.out).toContain('CREATE TABLE IF NOT EXISTS `llm_cost`.`llm_calls_local` ON CLUSTER `prod`');
    expect(printed.out).toContain("ENGINE = ReplicatedSummingMergeTree('/clickhouse/tables/{shard}/{database}/llm_daily_by_user_local'");
    expect(await run(runMigrateCli, '--bogus')).toMatchObject({ code: 2 });
  });

  it('report prints a table with a total, CSV and JSON, by any dimension', async () => {
    const table = await run(runReportCli, ...connection, '--by', 'user', '--days', '2');
    expect(table.code).toBe(0);
    // ann: 3 x $0.00021; ben: 2 x gpt-4o 1000 in / 100 out = 2 x $0.0035.
    expect(table.out.split('\n').map((line) => line.replace(/\s+/g, ' ').trim())).toEqual([
      'user calls input_tokens cached_tokens output_tokens cost_usd unpriced_calls',
      expect.stringMatching(/^-+$/),
      'ben 2 2000 0 200 0.007000000 0',
      'ann 3 3000 0 300 0.000630000 0',
      'total 5 5000 0 500 0.007630000 0',
      '',
    ]);
    const csv = await run(runReportCli, ...connection, '--by', 'tag:feature', '--format', 'csv');
    expect(csv.out).toBe(
      'feature,calls,input_tokens,cached_tokens,output_tokens,cost_usd,unpriced_calls\n' +
        'chat,2,2000,0,200,0.007000000,0\nsearch,3,3000,0,300,0.000630000,0\n',
    );
    const json = await run(runReportCli, ...connection, '--days', '1', '--format', 'json');
    const days = JSON.parse(json.out) as Array<{ day: string; calls: number; cost: string }>;
    expect(days).toHaveLength(1);
    expect(days[0]).toMatchObject({ key: new Date().toISOString().slice(0, 10), calls: 5, cost: '0.007630000' });
    expect(await run(runReportCli, ...connection, '--by', 'weather')).toMatchObject({ code: 2 });
  });

  it('doctor passes on a healthy store and fails with the reason otherwise', async () => {
    const healthy = await run(runDoctorCli, ...connection);
    expect(healthy.code).toBe(0);
    expect(healthy.out).toContain(`[ok  ] schema version: ${SCHEMA_VERSION}`);
    expect(healthy.out).toContain('[ok  ] tables and views: 8 tables, 4 materialized views, 1 view(s)');
    expect(healthy.out).toContain('[ok  ] recent rows: 5 calls in the last 24 hours');
    expect(healthy.out).toContain('[ok  ] unpriced calls: 0.0% (0 of 5)');
    expect(healthy.out).toMatch(/\[ok {2}\] price data: genai-prices@/);

    const empty = await run(runDoctorCli, '--path', path, '--database', uniqueDatabase('never_migrated'));
    expect(empty.code).toBe(1);
    expect(empty.out).toContain('[FAIL] schema version: 0');
    expect(empty.out).toContain('run llm-cost migrate');

    const unpricedDb = uniqueDatabase('unpriced');
    const pipeline = new CostPipeline({ path, database: unpricedDb, pricer: createPricer() });
    pipeline.submit([...plainCalls(1, { model: 'no-such-model-x', startMs: Date.now() }), ...plainCalls(3, { startMs: Date.now() })]);
    await pipeline.shutdown();
    const unpriced = await run(runDoctorCli, '--path', path, '--database', unpricedDb, '--format', 'json');
    expect(unpriced.code).toBe(1);
    expect(JSON.parse(unpriced.out).checks).toContainEqual(
      expect.objectContaining({ name: 'unpriced calls', status: 'fail', detail: expect.stringContaining('25.0% (1 of 4)') }),
    );
  });

  it('forget deletes the user from the raw table and every rollup that names them', async () => {
    const forgot = await run(runForgetCli, ...connection, '--user-id', 'ann');
    expect(forgot.code).toBe(0);
    expect(forgot.out).toBe('forgot user "ann": 5 rows deleted\n  llm_calls: 3\n  llm_daily_by_user: 1\n  llm_daily_by_tag: 1\n');
    const day = new Date().toISOString().slice(0, 10);
    expect(await queries.dailySummary({ day, userId: 'ann' })).toMatchObject({ calls: 0 });
    expect(await queries.usageInPeriod({ tags: { user_id: 'ann' }, from: day, to: Date.now() + 86_400_000 })).toMatchObject({ calls: 0 });
    const mentions = await queryRows<{ n: string }>(
      queries.store.client,
      `SELECT toString((SELECT count() FROM \`${database}\`.llm_calls WHERE position(toString(tags), 'ann') > 0 OR user_id = 'ann') +
              (SELECT count() FROM \`${database}\`.llm_daily_by_user WHERE user_id = 'ann') +
              (SELECT count() FROM \`${database}\`.llm_daily_by_tag WHERE tag_value = 'ann')) AS n`,
    );
    expect(mentions).toEqual([{ n: '0' }]);
    expect(await queries.dailySummary({ day, userId: 'ben' })).toMatchObject({ calls: 2 });
    expect(await run(runForgetCli, ...connection)).toMatchObject({ code: 2 });
  });
});
