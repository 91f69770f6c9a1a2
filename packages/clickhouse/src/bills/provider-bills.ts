import { createHash, randomUUID } from 'node:crypto';

import { fromNanoUsd, parseNanoUsd } from '../budgets/nano-usd.js';
import type { Store } from '../connection/connect.js';
import { InvalidOptionError, SchemaNotFoundError } from '../errors.js';
import { BILL_ROW_KIND, providerBillsTable } from '../schema/definitions.js';
import { qualified } from '../schema/identifiers.js';
import { isMissingObject } from '../schema/migrate.js';
import { dateTime64Text, identityToken, insertJsonRows } from '../storage/insert-json-rows.js';
import { withoutTracing } from '../tracing/without-tracing.js';

/**
 * Stores the providers' daily bills as snapshots (see `providerBillsTable`): every sync appends each day it read as a
 * whole (a marker row, its cost lines, its usage lines) under one sync id, and the latest snapshot of a day is the
 * day's figures. A day whose figures are exactly those of its latest stored snapshot is not written again, so
 * repeating a sync adds no rows; a day whose figures changed (the provider revised it) gets a new snapshot, which
 * replaces the old one in every query, removed line items included.
 */

/** One line of a provider's daily report, as `@llm-cost/bills` reads it. */
export interface BillLine {
  /** `cost`: a line of the cost report (an amount); `usage`: a line of the usage report (tokens, requests). */
  kind: 'cost' | 'usage';
  /** OpenAI project / Anthropic workspace; '' where the report says null. */
  projectId: string;
  /** The cost line as the report names it; '' on usage lines. */
  lineItem: string;
  /** The model as the report names it; '' when it names none. */
  reportModel: string;
  /** Our model name (as the rollups key it); '' when the line maps to no model. */
  model: string;
  /** @default '' */
  serviceTier?: string;
  /** USD, a decimal string with at most 9 decimals (sign allowed: credits and refunds). '0' on usage lines. */
  amount: string;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  requests: number;
}

/** A day as one sync read it: every line of both reports for that UTC day (none: the provider billed nothing). */
export interface DayBill {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  lines: BillLine[];
}

export interface ProviderBillsSnapshot {
  /** `openai`, `anthropic` (as `gen_ai.provider.name` in `llm_calls`). */
  provider: string;
  /** Organization name when several are synced. @default '' */
  account?: string;
  /** Fingerprint of the admin key that read the reports (never the key). */
  keyFingerprint: string;
  /** When the reports were read; the latest snapshot of a day wins. */
  fetchedAtMs: number;
  /** @default a random UUID */
  syncId?: string;
  days: DayBill[];
}

export interface RecordBillsResult {
  syncId: string;
  /** Days whose figures changed (or were new) and were written. */
  changedDays: string[];
  /** Days whose figures equal their latest stored snapshot (nothing written). */
  unchangedDays: string[];
  /** Rows inserted (a marker row per changed day, plus its lines). */
  written: number;
}

const COLUMNS = providerBillsTable.columns.map((column) => column.name);
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function count(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidOptionError(`${name} must be a whole number >= 0, got ${String(value)}`);
  return value;
}

/** The line with every field checked and money normalised to 9 decimals (so equal figures hash alike). */
function canonicalLine(line: BillLine, where: string): Required<BillLine> {
  if (line.kind !== 'cost' && line.kind !== 'usage') throw new InvalidOptionError(`${where}.kind must be cost or usage`);
  let amount: string;
  try {
    amount = fromNanoUsd(parseNanoUsd(line.amount));
  } catch {
    throw new InvalidOptionError(`${where}.amount must be a USD decimal with at most 9 decimals, got ${JSON.stringify(line.amount)}`);
  }
  return {
    kind: line.kind,
    projectId: String(line.projectId ?? ''),
    lineItem: String(line.lineItem ?? ''),
    reportModel: String(line.reportModel ?? ''),
    model: String(line.model ?? ''),
    serviceTier: String(line.serviceTier ?? ''),
    amount,
    inputTokens: count(line.inputTokens, `${where}.inputTokens`),
    cacheReadTokens: count(line.cacheReadTokens, `${where}.cacheReadTokens`),
    cacheWriteTokens: count(line.cacheWriteTokens, `${where}.cacheWriteTokens`),
    outputTokens: count(line.outputTokens, `${where}.outputTokens`),
    requests: count(line.requests, `${where}.requests`),
  };
}

/** A hash of a day's figures that ignores the order of its lines. */
function dayHash(lines: readonly Required<BillLine>[]): string {
  const hash = createHash('sha256');
  for (const text of lines.map((line) => JSON.stringify(Object.values(line))).sort()) hash.update(text).update('\n');
  return hash.digest('hex').slice(0, 32);
}

/** The hash of each day's latest stored snapshot, for the days given. */
async function latestHashes(store: Store, provider: string, account: string, days: readonly string[]): Promise<Map<string, string>> {
  if (days.length === 0) return new Map();
  const query =
    'SELECT toString(day) AS d, argMax(snapshot_hash, (fetched_at, sync_id)) AS h ' +
    `FROM ${qualified(store.database, providerBillsTable.name)} ` +
    'WHERE provider = {provider:String} AND account = {account:String} AND day IN {days:Array(Date)} GROUP BY day';
  try {
    const result = await withoutTracing(() =>
      store.client.query({ query, query_params: { provider, account, days }, format: 'JSONEachRow' }),
    );
    return new Map((await result.json<{ d: string; h: string }>()).map((row) => [row.d, row.h]));
  } catch (error) {
    if (isMissingObject(error)) throw new SchemaNotFoundError(store.database, error);
    throw error;
  }
}

/** Appends a snapshot of each day whose figures differ from its latest stored snapshot (one insert). */
export async function recordProviderBills(store: Store, snapshot: ProviderBillsSnapshot): Promise<RecordBillsResult> {
  const provider = snapshot.provider;
  if (typeof provider !== 'string' || provider === '') throw new InvalidOptionError('provider must be a provider name, e.g. openai');
  const account = snapshot.account ?? '';
  const syncId = snapshot.syncId ?? randomUUID();
  if (!Number.isFinite(snapshot.fetchedAtMs)) throw new InvalidOptionError('fetchedAtMs must be a time in milliseconds');
  const seen = new Set<string>();
  const days = snapshot.days.map((bill, index) => {
    if (!DAY.test(bill.day)) throw new InvalidOptionError(`days[${index}].day must be YYYY-MM-DD, got ${JSON.stringify(bill.day)}`);
    if (seen.has(bill.day)) throw new InvalidOptionError(`day ${bill.day} appears twice in one snapshot`);
    seen.add(bill.day);
    const lines = bill.lines.map((line, at) => canonicalLine(line, `days[${index}].lines[${at}]`));
    return { day: bill.day, lines, hash: dayHash(lines) };
  });
  const stored = await latestHashes(
    store,
    provider,
    account,
    days.map((day) => day.day),
  );
  const changed = days.filter((day) => stored.get(day.day) !== day.hash);
  const fetchedAt = dateTime64Text(snapshot.fetchedAtMs);
  const common = { provider, account, sync_id: syncId, fetched_at: fetchedAt, key_fingerprint: snapshot.keyFingerprint };
  const rows: Record<string, unknown>[] = [];
  for (const { day, lines, hash } of changed) {
    const zero = { input_tokens: 0, cache_read_tokens: 0, cache_write_tokens: 0, output_tokens: 0, requests: 0 };
    rows.push({ ...common, day, snapshot_hash: hash, row_kind: BILL_ROW_KIND.day, project_id: '', line_item: '', report_model: '', model: '', service_tier: '', amount: '0', ...zero });
    for (const line of lines) {
      rows.push({
        ...common,
        day,
        snapshot_hash: hash,
        row_kind: line.kind === 'cost' ? BILL_ROW_KIND.cost : BILL_ROW_KIND.usage,
        project_id: line.projectId,
        line_item: line.lineItem,
        report_model: line.reportModel,
        model: line.model,
        service_tier: line.serviceTier,
        amount: line.amount,
        input_tokens: line.inputTokens,
        cache_read_tokens: line.cacheReadTokens,
        cache_write_tokens: line.cacheWriteTokens,
        output_tokens: line.outputTokens,
        requests: line.requests,
      });
    }
  }
  // A retried insert of this snapshot carries the same token and lands once.
  const token = identityToken('llm-cost-bills-v1', [syncId, ...changed.map((day) => `${day.day} ${day.hash}`)]);
  await insertJsonRows(store, providerBillsTable.name, COLUMNS, rows, token);
  return {
    syncId,
    changedDays: changed.map((day) => day.day),
    unchangedDays: days.filter((day) => !changed.includes(day)).map((day) => day.day),
    written: rows.length,
  };
}
