/**
 * The OpenRouter jobs a collector can run beside ingestion (issue 6): continuous reconciliation of every generation's
 * charged cost and, when the configuration has a `monitor` section, the credit monitor with its alerts. They run
 * inside the collector because the collector owns the store (an embedded store admits one process).
 */
import type { Store } from '@llm-cost/clickhouse';
import {
  loadOpenRouterConfig,
  startCreditMonitor,
  startReconciler,
  type CreditMonitor,
  type OpenRouterConfig,
  type Reconciler,
} from '@llm-cost/openrouter';

import type { Logger } from '../log.js';

export interface OpenRouterJobs {
  reconciler: Reconciler;
  monitor: CreditMonitor | undefined;
  /** Stops both after the pass in progress. */
  stop(): Promise<void>;
}

/** Starts the jobs of `config` (a parsed configuration, or the path of a YAML / JSON file) on the collector's store. */
export function startOpenRouterJobs(config: OpenRouterConfig | string, store: Store, logger: Logger): OpenRouterJobs {
  const resolved = typeof config === 'string' ? loadOpenRouterConfig(config) : config;
  const clickhouse = { client: store.client, database: store.database, cluster: store.cluster };
  const reconciler = startReconciler({
    keys: resolved.keys,
    baseUrl: resolved.baseUrl,
    ...resolved.reconcile,
    clickhouse,
    // The collector migrated the store at start.
    autoMigrate: false,
    onRun: (result) => logger.info('openrouter reconciled', { ...result }),
    onError: (error) => logger.warn('openrouter reconciliation failed', { error: error.message }),
  });
  // The monitor runs when the configuration asks for it (a `monitor:` section sets its interval).
  const monitor =
    resolved.intervalMs === undefined
      ? undefined
      : startCreditMonitor({
          keys: resolved.keys,
          baseUrl: resolved.baseUrl,
          thresholds: resolved.thresholds,
          webhooks: resolved.webhooks,
          cooldownMs: resolved.cooldownMs,
          notifyRecovery: resolved.notifyRecovery,
          intervalMs: resolved.intervalMs,
          forecastWindowMs: resolved.forecastWindowMs,
          clickhouse,
          autoMigrate: false,
          // Alerts and problems go to the collector's structured log, not to raw stdout lines.
          stdout: false,
          stderr: false,
          onAlert: ({ forecast, ...alert }) =>
            logger.warn('openrouter credit alert', {
              ...alert,
              hoursLeft: forecast?.hoursLeft ?? null,
              burnRatePerHour: forecast?.burnRatePerHour ?? null,
            }),
        });
  logger.info('openrouter jobs started', {
    keys: resolved.keys.length,
    reconcile: true,
    monitor: monitor !== undefined,
  });
  return {
    reconciler,
    monitor,
    async stop() {
      await Promise.all([reconciler.stop(), monitor?.stop()]);
    },
  };
}
