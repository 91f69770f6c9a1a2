import { randomUUID } from 'node:crypto';

import { fromNanoUsd, migrate, openStore, parseDuration, recordProviderBills, type TimeInput } from '@llm-cost/clickhouse';

import { BillsConfigError } from '../errors.js';
import { createAdminClient } from '../http/admin-client.js';
import { billLines, checkModelMapping } from '../mapping/bill-lines.js';
import { anthropicReports } from '../providers/anthropic.js';
import { openAiReports } from '../providers/openai.js';
import type { ProviderReports } from '../providers/provider-reports.js';
import type { DayRange } from '../reports/report-pages.js';
import type { BillProvider, SyncProviderBillsOptions, SyncProviderBillsResult } from '../types.js';

const DAY_MS = 86_400_000;
const DURATION = /^\s*\d+(\.\d+)?\s*(ms|s|m|h|d)\s*$/;

export const PROVIDER_REPORTS: Readonly<Record<BillProvider, ProviderReports>> = {
  openai: openAiReports,
  anthropic: anthropicReports,
};

export function providerReports(provider: unknown): ProviderReports {
  if (provider !== 'openai' && provider !== 'anthropic') {
    throw new BillsConfigError(`provider must be openai or anthropic, got ${JSON.stringify(provider)}`);
  }
  return PROVIDER_REPORTS[provider];
}

function timeMs(value: TimeInput, name: string, nowMs: number): number {
  if (typeof value === 'string' && DURATION.test(value)) return nowMs - parseDuration(value, name);
  const ms = value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) throw new BillsConfigError(`${name} must be a time (Date, ms, ISO 8601) or a duration like 30d, got ${JSON.stringify(value)}`);
  return ms;
}

/** The whole UTC days a sync reads: from the day of `since` to the day of `until` (included when inside it). */
export function syncRange(since: TimeInput, until: TimeInput | undefined, nowMs: number): DayRange {
  const sinceMs = timeMs(since, 'since', nowMs);
  const untilMs = until === undefined ? nowMs : timeMs(until, 'until', nowMs);
  const firstMs = Math.floor(sinceMs / DAY_MS) * DAY_MS;
  const endMs = Math.ceil(untilMs / DAY_MS) * DAY_MS;
  if (endMs <= firstMs) {
    throw new BillsConfigError(`until (${new Date(untilMs).toISOString()}) must be after since (${new Date(sinceMs).toISOString()})`);
  }
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return { first: day(firstMs), end: day(endMs), firstMs, endMs };
}

function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  for (let ms = range.firstMs; ms < range.endMs; ms += DAY_MS) days.push(new Date(ms).toISOString().slice(0, 10));
  return days;
}

function pageSizeOf(value: number | undefined): number {
  const size = value ?? 31;
  if (!Number.isInteger(size) || size < 1 || size > 31) throw new BillsConfigError(`pageSize must be a whole number from 1 to 31, got ${String(value)}`);
  return size;
}

/**
 * Reads a provider's own daily bill (its cost report and its usage report, with an admin key) for the whole UTC days
 * from `since` to `until`, and stores each day as a snapshot in `llm_provider_bills` (see docs/SCHEMA.md): a day whose
 * figures equal its latest stored snapshot is not written again, a revised day replaces the old figures. Every
 * report is read completely before anything is written, so a failure leaves the store as it was. The admin key is
 * only sent to the provider: rows, results and errors carry its fingerprint.
 */
export async function syncProviderBills(options: SyncProviderBillsOptions): Promise<SyncProviderBillsResult> {
  const provider = providerReports(options.provider);
  const adminKey = options.adminKey ?? process.env[provider.keyEnv];
  if (adminKey === undefined || adminKey.trim() === '') {
    throw new BillsConfigError(`No ${provider.api.label} admin key: pass adminKey or set ${provider.keyEnv}. ${provider.api.keyNeeded}.`);
  }
  const now = options.now ?? Date.now;
  const range = syncRange(options.since, options.until, now());
  const pageSize = pageSizeOf(options.pageSize);
  const mapping = checkModelMapping(options.modelMapping);
  const account = options.account ?? '';
  const client = createAdminClient(provider.api, { ...options, adminKey: adminKey.trim() });

  const fetchedAtMs = now();
  const reports = await provider.read(client, range, pageSize);
  const bill = billLines(provider, reports, mapping);
  const result: SyncProviderBillsResult = {
    provider: provider.api.provider,
    account,
    keyFingerprint: client.keyFingerprint,
    syncId: randomUUID(),
    days: bill.days.length,
    rows: bill.lines,
    written: 0,
    changedDays: [],
    unchangedDays: [],
    missingDays: daysOf(range).filter((day) => !reports.days.includes(day)),
    unmappedLineItems: bill.unmapped,
    billedCost: fromNanoUsd(bill.billedNano),
    dryRun: options.dryRun === true,
  };
  if (result.dryRun || bill.days.length === 0) return result;

  const store = openStore(options.clickhouse ?? {});
  try {
    if (options.autoMigrate !== false) {
      await migrate({ client: store.client, database: store.database, ...(store.cluster ? { cluster: store.cluster } : {}) });
    }
    const recorded = await recordProviderBills(store, {
      provider: result.provider,
      account,
      keyFingerprint: client.keyFingerprint,
      fetchedAtMs,
      syncId: result.syncId,
      days: bill.days,
    });
    return { ...result, written: recorded.written, changedDays: recorded.changedDays, unchangedDays: recorded.unchangedDays };
  } finally {
    await store.close().catch(() => undefined);
  }
}
