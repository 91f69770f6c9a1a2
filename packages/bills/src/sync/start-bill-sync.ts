import { keyFingerprint, migrate, openStore, startSerialLoop } from '@llm-cost/clickhouse';

import { BillsConfigError } from '../errors.js';
import type { BillSync, BillSyncOptions, SyncProviderBillsResult } from '../types.js';
import { syncProviderBills } from './sync-provider-bills.js';

const DAY_MS = 86_400_000;

/**
 * Syncs the bills of every target right away and then every `intervalMs` (a day by default), each over the last
 * `lookbackMs` (providers revise recent days), never two runs at once. Meant for the process that holds the store
 * (the collector passes `clickhouse: { client }`). A target that fails goes to `onError` and does not stop the
 * others; the next run tries it again. Timers are unref'd.
 */
export function startBillSync(options: BillSyncOptions): BillSync {
  const intervalMs = options.intervalMs ?? DAY_MS;
  const lookbackMs = options.lookbackMs ?? 30 * DAY_MS;
  if (!(intervalMs > 0)) throw new BillsConfigError(`intervalMs must be > 0, got ${intervalMs}`);
  if (!(lookbackMs > 0)) throw new BillsConfigError(`lookbackMs must be > 0, got ${lookbackMs}`);
  if (options.targets.length === 0) throw new BillsConfigError('no organization to sync: list at least one under bills.organizations');
  const now = options.now ?? Date.now;
  const store = openStore(options.clickhouse ?? {});
  const connection = { client: store.client, database: store.database, ...(store.cluster ? { cluster: store.cluster } : {}) };
  let migrated: Promise<unknown> | undefined;
  const stats = { runs: 0, syncs: 0, failures: 0, lastRun: null as SyncProviderBillsResult[] | null };

  async function run(): Promise<SyncProviderBillsResult[]> {
    if (options.autoMigrate !== false) {
      migrated ??= migrate(connection);
      await migrated.catch((error: unknown) => {
        migrated = undefined;
        throw error;
      });
    }
    const results: SyncProviderBillsResult[] = [];
    for (const target of options.targets) {
      try {
        const result = await syncProviderBills({ ...target, since: now() - lookbackMs, clickhouse: connection, autoMigrate: false, now });
        stats.syncs += 1;
        results.push(result);
        options.onSync?.(result);
      } catch (error) {
        stats.failures += 1;
        options.onError?.(error as Error, { provider: target.provider, account: target.account ?? '', keyFingerprint: keyFingerprint(target.adminKey) });
      }
    }
    stats.runs += 1;
    stats.lastRun = results;
    return results;
  }

  const loop = startSerialLoop(run, {
    intervalMs,
    schedule: options.schedule ?? true,
    onError: (error) => {
      stats.failures += 1;
      options.onError?.(error as Error);
    },
    onStop: () => store.close().catch(() => undefined),
  });
  return { runNow: () => loop.runNow(), stop: () => loop.stop(), stats: () => ({ ...stats }) };
}
