import { readFileSync } from 'node:fs';

import { afterAll, describe, expect, it } from 'vitest';

import { openStore } from '../src/connection/connect.js';
import { DATA_TABLES, PLAIN_VIEWS, ROLLUP_VIEWS } from '../src/schema/definitions.js';
import { migrate, migrateStore, readSchemaVersion } from '../src/schema/migrate.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../src/schema/migrations.js';
import { renderSchemaDdl } from '../src/schema/render-ddl.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const store = openStore({ path, database: 'schema_checks' });
afterAll(() => store.close());

async function rows<T>(query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await store.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

describe('schema', () => {
  it('creates every table and view, and a second run applies nothing', async () => {
    const database = uniqueDatabase('schema');
    const first = await migrate({ path, database });
    expect(first.applied).toEqual(MIGRATIONS.map((migration) => migration.version));
    expect(first.version).toBe(SCHEMA_VERSION);
    const second = await migrate({ path, database });
    expect(second.applied).toEqual([]);
    const tables = await rows<{ name: string; engine: string }>(
      'SELECT name, engine FROM system.tables WHERE database = {db:String} ORDER BY name',
      { db: database },
    );
    const byName = Object.fromEntries(tables.map((t) => [t.name, t.engine]));
    for (const table of DATA_TABLES) expect(byName[table.name]).toBe(table.engine);
    for (const view of ROLLUP_VIEWS) expect(byName[view.name]).toBe('MaterializedView');
    for (const view of PLAIN_VIEWS) expect(byName[view.name]).toBe('View');
    const history = await rows<{ n: number }>(
      `SELECT toUInt32(count()) AS n FROM \`${database}\`.llm_cost_schema_migrations`,
    );
    expect(Number(history[0]?.n)).toBe(MIGRATIONS.length);
  });

  it('partitions raw rows and rollups by month', async () => {
    const database = uniqueDatabase('partition');
    await migrate({ path, database });
    const tables = await rows<{ name: string; partition_key: string }>(
      'SELECT name, partition_key FROM system.tables WHERE database = {db:String} AND engine LIKE {e:String}',
      { db: database, e: '%MergeTree' },
    );
    for (const table of tables.filter((t) => t.name !== 'llm_cost_schema_migrations')) {
      expect(table.partition_key).toMatch(/^toYYYYMM\((timestamp|day)\)$/);
    }
  });

  it('sets, changes and removes the retention TTL', async () => {
    const database = uniqueDatabase('ttl');
    await migrate({ path, database, retentionDays: 90, rollupRetentionDays: 400 });
    const ttl = async () =>
      Object.fromEntries(
        (
          await rows<{ name: string; ddl: string }>(
            'SELECT name, create_table_query AS ddl FROM system.tables WHERE database = {db:String}',
            { db: database },
          )
        ).map((t) => [t.name, /TTL (.*?) SETTINGS/.exec(t.ddl)?.[1] ?? null]),
      );
    expect((await ttl()).llm_calls).toBe('toDateTime(timestamp) + toIntervalDay(90)');
    expect((await ttl()).llm_daily_by_user).toBe('day + toIntervalDay(400)');
    const changed = await migrate({ path, database, retentionDays: 30 });
    expect(changed.retentionChanged).toEqual(['llm_calls', 'llm_provider_charges']);
    expect((await ttl()).llm_calls).toBe('toDateTime(timestamp) + toIntervalDay(30)');
    expect((await migrate({ path, database, retentionDays: 30 })).retentionChanged).toEqual([]);
    await migrate({ path, database, retentionDays: 0, rollupRetentionDays: 0 });
    const after = await ttl();
    expect(after.llm_calls).toBeNull();
    expect(after.llm_daily_by_tag).toBeNull();
  });

  it('reports version 0 for a store that was never migrated', async () => {
    const fresh = openStore({ path, database: uniqueDatabase('fresh') });
    expect(await readSchemaVersion(fresh)).toBe(0);
    await migrateStore(fresh);
    expect(await readSchemaVersion(fresh)).toBe(SCHEMA_VERSION);
    await fresh.close();
  });

  it('opens two handles on one embedded path in one process, seeing the same data', async () => {
    const database = uniqueDatabase('handles');
    const first = openStore({ path, database });
    const second = openStore({ path, database });
    await migrateStore(first);
    expect(await readSchemaVersion(second)).toBe(SCHEMA_VERSION);
    await first.close();
    expect(await readSchemaVersion(second)).toBe(SCHEMA_VERSION);
    await second.close();
  });

  it('generates cluster DDL that the engine parses', async () => {
    const statements = renderSchemaDdl({ database: 'llm_cost', cluster: 'llm_cluster' }, { raw: 90, rollup: 730 });
    expect(statements.filter((s) => s.includes('ON CLUSTER `llm_cluster`'))).toHaveLength(statements.length);
    expect(statements.some((s) => s.includes('ReplicatedSummingMergeTree('))).toBe(true);
    expect(statements.some((s) => s.includes('ENGINE = Distributed(`llm_cluster`, `llm_cost`, `llm_calls_local`'))).toBe(
      true,
    );
    for (const statement of statements) {
      const ast = await rows<{ explain: string }>(`EXPLAIN AST ${statement}`);
      expect(ast.length, statement).toBeGreaterThan(0);
    }
    await expect(rows(`EXPLAIN AST ${statements[2]!.replace('ENGINE', 'ENGIN')}`)).rejects.toMatchObject({
      code: '62',
    });
  });

  it('generates every later migration for a cluster too, and the engine parses it', async () => {
    const target = { database: 'llm_cost', cluster: 'llm_cluster' };
    for (const migration of MIGRATIONS.slice(1)) {
      const statements = migration.statements(target, { raw: 90, rollup: 730 });
      expect(statements.filter((s) => s.includes('ON CLUSTER `llm_cluster`'))).toHaveLength(statements.length);
      for (const statement of statements) {
        const ast = await rows<{ explain: string }>(`EXPLAIN AST ${statement}`);
        expect(ast.length, statement).toBeGreaterThan(0);
      }
    }
    const second = MIGRATIONS[1]!.statements(target, undefined);
    // The column goes to the replicated local table and to the Distributed table over it.
    expect(second.filter((s) => s.includes('ADD COLUMN IF NOT EXISTS `row_kind`')).map((s) => /ALTER TABLE (\S+)/.exec(s)?.[1])).toEqual([
      '`llm_cost`.`llm_calls_local`',
      '`llm_cost`.`llm_calls`',
    ]);
    expect(second.filter((s) => s.includes('MODIFY QUERY')).every((s) => s.includes('FROM `llm_cost`.`llm_calls_local`'))).toBe(true);
    // A new sorting-key column: ADD COLUMN + MODIFY ORDER BY on the replicated local table, ADD COLUMN on the Distributed one.
    const fourth = MIGRATIONS.find((m) => m.version === 4)!.statements(target, undefined).filter((s) => s.includes('llm_daily_by_model'));
    expect(fourth.map((s) => [/ALTER TABLE (\S+)/.exec(s)?.[1], s.includes('MODIFY ORDER BY')])).toEqual([
      ['`llm_cost`.`llm_daily_by_model_local`', true],
      ['`llm_cost`.`llm_daily_by_model`', false],
      ['`llm_cost`.`llm_daily_by_model_mv`', false],
    ]);
  });

  it('is documented in docs/SCHEMA.md, every table and column', () => {
    const doc = readFileSync(new URL('../../../docs/SCHEMA.md', import.meta.url), 'utf8');
    for (const table of DATA_TABLES) {
      expect(doc, table.name).toContain(`\`${table.name}\``);
      for (const column of table.columns) expect(doc, `${table.name}.${column.name}`).toContain(`| \`${column.name}\` | \`${column.type}\` |`);
    }
    for (const view of ROLLUP_VIEWS) expect(doc).toContain(view.name.replace(/^llm_daily_by_\w+_mv$/, '<table>_mv'));
    for (const view of PLAIN_VIEWS) expect(doc).toContain(`\`${view.name}\``);
  });
});
