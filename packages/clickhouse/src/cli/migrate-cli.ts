import { migrate } from '../schema/migrate.js';
import { renderSchemaDdl } from '../schema/render-ddl.js';
import { assertIdentifier } from '../schema/identifiers.js';
import type { CliIo } from './cli-io.js';
import { CONNECTION_HELP, errorMessage, parseCommand } from './connection-flags.js';

const USAGE = `Usage: llm-cost migrate [options]

Creates or upgrades the llm-cost schema (tables, rollups, materialized views). Safe to run any number of times.

Options:
  --retention-days N         keep raw rows N days (0 removes the TTL)     env LLM_COST_RETENTION_DAYS
  --rollup-retention-days N  keep rollup rows N days (0 removes the TTL)  env LLM_COST_ROLLUP_RETENTION_DAYS
  --print                    print the DDL instead of running it (with --cluster: the cluster variant)
  -h, --help

${CONNECTION_HELP}`;

function days(value: string | boolean | undefined, flag: string): number | undefined {
  if (typeof value !== 'string') return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`${flag} must be a whole number of days, got ${value}`);
  return number;
}

/** `llm-cost migrate`: applies pending migrations and retention settings, or prints the DDL. */
export async function runMigrateCli(argv: readonly string[], io: CliIo): Promise<number> {
  const result = parseCommand(
    argv,
    io,
    { 'retention-days': { type: 'string' }, 'rollup-retention-days': { type: 'string' }, print: { type: 'boolean' } },
    USAGE,
  );
  if ('exit' in result) return result.exit;
  const { values, connection } = result.parsed;
  try {
    const retentionDays = days(values['retention-days'], '--retention-days');
    const rollupRetentionDays = days(values['rollup-retention-days'], '--rollup-retention-days');
    if (values.print) {
      const database = assertIdentifier('database', connection.database ?? process.env.LLM_COST_CLICKHOUSE_DATABASE ?? 'llm_cost');
      const clusterName = connection.cluster ?? process.env.LLM_COST_CLICKHOUSE_CLUSTER;
      const cluster = clusterName === undefined || clusterName === '' ? undefined : assertIdentifier('cluster', clusterName);
      const statements = renderSchemaDdl({ database, cluster }, { raw: retentionDays, rollup: rollupRetentionDays });
      io.stdout.write(`${statements.map((statement) => `${statement};`).join('\n\n')}\n`);
      return 0;
    }
    const outcome = await migrate({ ...connection, retentionDays, rollupRetentionDays });
    const applied = outcome.applied.length === 0 ? 'already current' : `applied ${outcome.applied.join(', ')}`;
    io.stdout.write(`llm-cost schema version ${outcome.version} in database ${outcome.database} (${applied})\n`);
    if (outcome.retentionChanged.length > 0) io.stdout.write(`retention changed: ${outcome.retentionChanged.join(', ')}\n`);
    return 0;
  } catch (error) {
    io.stderr.write(`llm-cost migrate: ${errorMessage(error)}\n`);
    return 1;
  }
}
