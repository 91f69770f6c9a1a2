import { statSync } from 'node:fs';

import { getDefaultPricer, pricerOptionsFromEnv } from '@llm-cost/pricing';

import { openStore, type Store } from '../connection/connect.js';
import type { ClickHouseConnectionOptions } from '../connection/connection-options.js';
import { readBillCoverage } from '../queries/data-quality.js';
import { addDays, dayStart } from '../queries/time-range.js';
import type { SqlWithParams } from '../queries/usage-sql.js';
import { DATA_TABLES, IS_CALL, latestBillsView, PLAIN_VIEWS, RAW_TABLE, ROLLUP_VIEWS } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { readSchemaVersion } from '../schema/migrate.js';
import { SCHEMA_VERSION } from '../schema/migrations.js';
import { storageTableName } from '../schema/render-ddl.js';
import { withoutTracing } from '../tracing/without-tracing.js';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
}

export interface DoctorReport {
  /** False when any check failed. */
  ok: boolean;
  checks: DoctorCheck[];
}

export interface DoctorOptions {
  /** Share of calls in the last 24 hours without a price above which the check fails. @default 0.05 */
  maxUnpricedShare?: number;
  /** Age of a price snapshot file (env LLM_COST_PRICES_FILE) above which the check warns, in days. @default 30 */
  maxSnapshotAgeDays?: number;
  /** Coverage of a synced provider bill below which a day is flagged (see `billDrift`). @default 0.95 */
  billCoverageThreshold?: number;
  /** Relative difference of billed and seen tokens above which a day is flagged. @default 0.02 */
  billTokenTolerance?: number;
  /** Complete UTC days (before today) whose synced bills are checked. @default 7 */
  billDays?: number;
}

/**
 * Checks a store: reachable, schema current, every table and view present, price data age, rows in the last 24 hours
 * and the share of them without a price, and the coverage of the synced provider bills of the last complete days.
 * Never throws: problems are `fail` checks.
 */
export async function runDoctor(connection: ClickHouseConnectionOptions = {}, options: DoctorOptions = {}): Promise<DoctorReport> {
  const checks: DoctorCheck[] = [];
  let store: Store | undefined;
  try {
    store = openStore(connection);
    await withoutTracing(() => checkStore(store!, checks, options));
  } catch (error) {
    checks.push({ name: 'store reachable', status: 'fail', detail: error instanceof Error ? error.message : String(error) });
  } finally {
    await store?.close().catch(() => {});
  }
  checks.push(priceDataCheck(options.maxSnapshotAgeDays ?? 30));
  return { ok: checks.every((check) => check.status !== 'fail'), checks };
}

async function rows<T>(store: Store, query: string, params: Record<string, unknown> = {}): Promise<T[]> {
  const result = await store.client.query({ query, query_params: params, format: 'JSONEachRow' });
  return result.json<T>();
}

async function checkStore(store: Store, checks: DoctorCheck[], options: DoctorOptions): Promise<void> {
  const where = store.kind === 'embedded' ? `embedded store ${store.path}` : store.kind === 'server' ? store.url : 'client';
  const [version] = await rows<{ version: string }>(store, 'SELECT version() AS version');
  checks.push({ name: 'store reachable', status: 'ok', detail: `${where} (ClickHouse ${version?.version ?? '?'})` });

  const schemaVersion = await readSchemaVersion(store);
  checks.push(
    schemaVersion === SCHEMA_VERSION
      ? { name: 'schema version', status: 'ok', detail: `${schemaVersion} in database ${store.database}` }
      : schemaVersion > SCHEMA_VERSION
        ? { name: 'schema version', status: 'warn', detail: `${schemaVersion} is newer than this llm-cost (${SCHEMA_VERSION})` }
        : {
            name: 'schema version',
            status: 'fail',
            detail: `${schemaVersion} in database ${store.database}, expected ${SCHEMA_VERSION}: run llm-cost migrate`,
          },
  );

  const target = { database: store.database, cluster: store.cluster };
  const expected = [
    ...DATA_TABLES.map((table) => storageTableName(target, table.name)),
    ...ROLLUP_VIEWS.map((view) => view.name),
    ...PLAIN_VIEWS.map((view) => view.name),
  ];
  const present = new Set(
    (await rows<{ name: string }>(store, 'SELECT name FROM system.tables WHERE database = {db:String}', { db: store.database })).map(
      (row) => row.name,
    ),
  );
  const missing = expected.filter((name) => !present.has(name));
  checks.push(
    missing.length === 0
      ? {
          name: 'tables and views',
          status: 'ok',
          detail: `${DATA_TABLES.length} tables, ${ROLLUP_VIEWS.length} materialized views, ${PLAIN_VIEWS.length} view(s)`,
        }
      : { name: 'tables and views', status: 'fail', detail: `missing: ${missing.join(', ')} (run llm-cost migrate)` },
  );
  if (!present.has(storageTableName(target, RAW_TABLE))) return;

  const [recent] = await rows<{ calls: string; unpriced: string }>(
    store,
    "SELECT toString(count()) AS calls, toString(countIf(pricing_status = 'unknown_model')) AS unpriced " +
      `FROM ${qualified(store.database, RAW_TABLE)} WHERE timestamp >= now() - INTERVAL 1 DAY AND ${IS_CALL}`,
  );
  const calls = Number(recent?.calls ?? 0);
  const unpriced = Number(recent?.unpriced ?? 0);
  checks.push(
    calls > 0
      ? { name: 'recent rows', status: 'ok', detail: `${calls} calls in the last 24 hours` }
      : { name: 'recent rows', status: 'warn', detail: 'no calls in the last 24 hours (is an exporter or collector writing here?)' },
  );
  const maxShare = options.maxUnpricedShare ?? 0.05;
  const share = calls === 0 ? 0 : unpriced / calls;
  const shareText = `${(share * 100).toFixed(1)}% (${unpriced} of ${calls}) in the last 24 hours`;
  checks.push(
    share <= maxShare
      ? { name: 'unpriced calls', status: 'ok', detail: shareText }
      : {
          name: 'unpriced calls',
          status: 'fail',
          detail: `${shareText}, above ${(maxShare * 100).toFixed(1)}%: add price overrides for those models (llm-cost report --by model)`,
        },
  );
  if (present.has(latestBillsView.name)) {
    checks.push(
      await billCoverageCheck(store, options).catch(
        (error: unknown): DoctorCheck => ({ name: 'provider bills', status: 'warn', detail: `could not be read: ${error instanceof Error ? error.message : String(error)}` }),
      ),
    );
  }
}

/** The synced provider bills of the last complete days against our estimate: a warning per flagged day. */
async function billCoverageCheck(store: Store, options: DoctorOptions): Promise<DoctorCheck> {
  const days = options.billDays ?? 7;
  const today = dayStart(Date.now());
  const query = <T>({ query, params }: SqlWithParams) => rows<T>(store, query, params);
  const coverage = await readBillCoverage(query, store.database, {
    from: addDays(today, -days),
    to: today,
    ...(options.billCoverageThreshold === undefined ? {} : { coverageThreshold: options.billCoverageThreshold }),
    ...(options.billTokenTolerance === undefined ? {} : { tokenTolerance: options.billTokenTolerance }),
  });
  if (coverage.days.length === 0) {
    return { name: 'provider bills', status: 'ok', detail: `none synced for the last ${days} days (llm-cost bills sync openai|anthropic)` };
  }
  const flagged = coverage.days.filter((day) => day.flagged);
  if (flagged.length === 0) {
    return { name: 'provider bills', status: 'ok', detail: `${coverage.days.length} day(s) × provider billed in the last ${days} days, all covered` };
  }
  return {
    name: 'provider bills',
    status: 'warn',
    detail:
      `${flagged.length} of ${coverage.days.length} day(s) × provider drift from the bill (llm-cost bills drift): ` +
      flagged.map((day) => `${day.day} ${day.provider}: ${day.reason}`).join(' | '),
  };
}

function priceDataCheck(maxAgeDays: number): DoctorCheck {
  try {
    const pricer = getDefaultPricer();
    const file = pricerOptionsFromEnv().snapshotFile;
    if (pricer.source !== 'snapshot' || file === undefined) {
      return { name: 'price data', status: 'ok', detail: `${pricer.priceVersion} (bundled; update with llm-cost prices sync)` };
    }
    const ageDays = (Date.now() - statSync(file).mtimeMs) / 86_400_000;
    const detail = `${pricer.priceVersion} from ${file}, ${ageDays.toFixed(1)} days old`;
    return ageDays <= maxAgeDays
      ? { name: 'price data', status: 'ok', detail }
      : { name: 'price data', status: 'warn', detail: `${detail}: run llm-cost prices sync` };
  } catch (error) {
    return { name: 'price data', status: 'fail', detail: error instanceof Error ? error.message : String(error) };
  }
}
