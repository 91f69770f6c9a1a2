/**
 * The daily provider-bill sync a collector can run beside ingestion (issue 14): OpenAI's and Anthropic's own cost and
 * usage reports of the last days, read with each organization's admin key into the collector's store, so
 * `billDrift()`, `dataQuality()`, `llm-cost doctor` and the Grafana dashboard can compare the bill with the calls.
 * It runs inside the collector because the collector owns the store (an embedded store admits one process).
 */
import type { Store } from '@llm-cost/clickhouse';
import { loadBillsConfig, startBillSync, type BillSync, type BillsConfig } from '@llm-cost/bills';

import type { Logger } from '../log.js';

/** Starts the sync of `config` (a parsed configuration, or the path of a YAML / JSON file) on the collector's store. */
export function startBillJobs(config: BillsConfig | string, store: Store, logger: Logger): BillSync {
  const resolved = typeof config === 'string' ? loadBillsConfig(config) : config;
  const sync = startBillSync({
    targets: resolved.targets,
    intervalMs: resolved.intervalMs,
    lookbackMs: resolved.lookbackMs,
    clickhouse: { client: store.client, database: store.database, cluster: store.cluster },
    // The collector migrated the store at start.
    autoMigrate: false,
    onSync: (result) =>
      logger.info('provider bills synced', {
        provider: result.provider,
        account: result.account,
        keyFingerprint: result.keyFingerprint,
        days: result.days,
        rows: result.rows,
        written: result.written,
        changedDays: result.changedDays,
        missingDays: result.missingDays,
        unmappedLineItems: result.unmappedLineItems,
        billedCost: result.billedCost,
      }),
    onError: (error, target) =>
      logger.warn('provider bill sync failed', {
        error: error.message,
        provider: target?.provider,
        account: target?.account,
        keyFingerprint: target?.keyFingerprint,
      }),
  });
  logger.info('provider bill sync started', {
    organizations: resolved.targets.map((target) => `${target.provider}${target.account ? `/${target.account}` : ''}`),
    intervalMs: resolved.intervalMs ?? 86_400_000,
  });
  return sync;
}
