import type { Store } from '../connection/connect.js';
import { InvalidOptionError, SchemaNotFoundError } from '../errors.js';
import { creditSnapshotsTable } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { isMissingObject } from '../schema/migrate.js';
import { dateTimeParam, toMs } from '../queries/time-range.js';
import type { TimeInput } from '../queries/query-types.js';
import { dateTime64Text, identityToken, insertJsonRows } from '../storage/insert-json-rows.js';
import { withoutTracing } from '../tracing/without-tracing.js';

/**
 * The balance of one API key at one moment (a row of `llm_credit_snapshots`). Money is a USD decimal string with at
 * most 9 decimals; `null` where the provider reports no value (no limit, no account access).
 */
export interface CreditSnapshot {
  timestampMs: number;
  /** @default 'openrouter' */
  provider?: string;
  /** Last characters of the key, e.g. `…abcd`. Never the key. */
  keyFingerprint: string;
  /** @default '' */
  tenantId?: string;
  keyLimit: string | null;
  keyUsage: string;
  keyRemaining: string | null;
  usageDaily: string | null;
  usageWeekly: string | null;
  usageMonthly: string | null;
  totalCredits: string | null;
  totalUsage: string | null;
  /** The balance that runs out first: the smaller of key remaining and account remaining. */
  remaining: string | null;
  isFreeTier: boolean;
  /** `ok`, `warning`, `critical` or `unknown`. */
  level: string;
  burnRatePerHour: string | null;
  runsOutAtMs: number | null;
}

export interface ReadCreditSnapshotsOptions {
  from: TimeInput;
  to: TimeInput;
  /** @default 'openrouter' */
  provider?: string;
  keyFingerprint?: string;
  tenantId?: string;
}

const COLUMNS = creditSnapshotsTable.columns.map((column) => column.name);
const DECIMAL = /^-?\d+(\.\d{1,9})?$/;

function usd(value: string | null, name: string): string | null {
  if (value !== null && !DECIMAL.test(value)) throw new InvalidOptionError(`${name} must be a USD decimal (sign allowed) with at most 9 decimals, got ${value}`);
  return value;
}

function toRow(snapshot: CreditSnapshot): Record<string, unknown> {
  return {
    timestamp: dateTime64Text(snapshot.timestampMs),
    provider: snapshot.provider ?? 'openrouter',
    key_fingerprint: snapshot.keyFingerprint,
    tenant_id: snapshot.tenantId ?? '',
    key_limit: usd(snapshot.keyLimit, 'keyLimit'),
    key_usage: usd(snapshot.keyUsage, 'keyUsage'),
    key_remaining: usd(snapshot.keyRemaining, 'keyRemaining'),
    usage_daily: usd(snapshot.usageDaily, 'usageDaily'),
    usage_weekly: usd(snapshot.usageWeekly, 'usageWeekly'),
    usage_monthly: usd(snapshot.usageMonthly, 'usageMonthly'),
    total_credits: usd(snapshot.totalCredits, 'totalCredits'),
    total_usage: usd(snapshot.totalUsage, 'totalUsage'),
    remaining: usd(snapshot.remaining, 'remaining'),
    is_free_tier: snapshot.isFreeTier,
    level: snapshot.level,
    burn_rate_per_hour: usd(snapshot.burnRatePerHour, 'burnRatePerHour'),
    runs_out_at: snapshot.runsOutAtMs === null ? null : dateTime64Text(snapshot.runsOutAtMs),
  };
}

/** Appends snapshots (one insert, deduplicated by key and time: a retried write counts once). */
export async function insertCreditSnapshots(store: Store, snapshots: readonly CreditSnapshot[]): Promise<void> {
  const rows = snapshots.map(toRow);
  const identities = rows.map((row) => `${String(row.provider)} ${String(row.key_fingerprint)} ${String(row.timestamp)}`);
  await insertJsonRows(store, creditSnapshotsTable.name, COLUMNS, rows, identityToken('llm-cost-credits-v1', identities));
}

type SnapshotRow = Record<string, string | boolean | null>;

const money = (value: string | boolean | null | undefined): string | null =>
  value === null || value === undefined ? null : String(value);

/** Snapshots in `[from, to)`, oldest first, optionally of one key or tenant. */
export async function readCreditSnapshots(store: Store, options: ReadCreditSnapshotsOptions): Promise<CreditSnapshot[]> {
  const params: Record<string, unknown> = {
    from: dateTimeParam(toMs(options.from, 'from')),
    to: dateTimeParam(toMs(options.to, 'to')),
    provider: options.provider ?? 'openrouter',
  };
  const where = [
    "timestamp >= {from:DateTime64(3, 'UTC')}",
    "timestamp < {to:DateTime64(3, 'UTC')}",
    'provider = {provider:String}',
  ];
  if (options.keyFingerprint !== undefined) {
    params.key = options.keyFingerprint;
    where.push('key_fingerprint = {key:String}');
  }
  if (options.tenantId !== undefined) {
    params.tenant = options.tenantId;
    where.push('tenant_id = {tenant:String}');
  }
  // Output names get a prefix: an alias equal to a column name would shadow the column inside its own expression.
  const decimal = (name: string) => `if(isNull(${name}), NULL, toDecimalString(assumeNotNull(${name}), 9)) AS o_${name}`;
  const query =
    `SELECT toString(toUnixTimestamp64Milli(timestamp)) AS ts, provider, key_fingerprint, tenant_id, ` +
    `${['key_limit', 'key_remaining', 'usage_daily', 'usage_weekly', 'usage_monthly', 'total_credits', 'total_usage', 'remaining', 'burn_rate_per_hour'].map(decimal).join(', ')}, ` +
    'toDecimalString(key_usage, 9) AS o_key_usage, is_free_tier, level, ' +
    'if(isNull(runs_out_at), NULL, toString(toUnixTimestamp64Milli(assumeNotNull(runs_out_at)))) AS runs_out ' +
    `FROM ${qualified(store.database, creditSnapshotsTable.name)} WHERE ${where.join(' AND ')} ` +
    'ORDER BY timestamp, key_fingerprint LIMIT 1 BY timestamp, key_fingerprint';
  let result: SnapshotRow[];
  try {
    const answer = await withoutTracing(() => store.client.query({ query, query_params: params, format: 'JSONEachRow' }));
    result = await answer.json<SnapshotRow>();
  } catch (error) {
    if (isMissingObject(error)) throw new SchemaNotFoundError(store.database, error);
    throw error;
  }
  return result.map((row) => ({
    timestampMs: Number(row.ts),
    provider: String(row.provider),
    keyFingerprint: String(row.key_fingerprint),
    tenantId: String(row.tenant_id),
    keyLimit: money(row.o_key_limit),
    keyUsage: String(row.o_key_usage),
    keyRemaining: money(row.o_key_remaining),
    usageDaily: money(row.o_usage_daily),
    usageWeekly: money(row.o_usage_weekly),
    usageMonthly: money(row.o_usage_monthly),
    totalCredits: money(row.o_total_credits),
    totalUsage: money(row.o_total_usage),
    remaining: money(row.o_remaining),
    isFreeTier: row.is_free_tier === true || row.is_free_tier === 'true',
    level: String(row.level),
    burnRatePerHour: money(row.o_burn_rate_per_hour),
    runsOutAtMs: row.runs_out === null || row.runs_out === undefined ? null : Number(row.runs_out),
  }));
}
