import { migrate, openStore, startSerialLoop } from '@llm-cost/clickhouse';

import { envMs } from '../config/env-ms.js';
import { OpenRouterConfigError } from '../errors.js';
import type { ReconcileResult, Reconciler, ReconcilerOptions } from '../types.js';
import { createReconcileContext, runReconciliation, type ReconcileContext } from './reconcile-openrouter.js';

/**
 * Reconciles OpenRouter calls continuously: a run right away, then one every `intervalMs` (never two at once), each
 * over the last `lookbackMs` of calls that ended at least `delayMs` ago. Meant to run inside the process that holds
 * the store (the collector: pass `clickhouse: { client }`). Never throws from its timer: a failed run goes to
 * `onError` and the next run tries again. Timers are unref'd.
 */
export function startReconciler(options: ReconcilerOptions = {}): Reconciler {
  const intervalMs = options.intervalMs ?? envMs('LLM_COST_RECONCILE_INTERVAL_MS') ?? 300_000;
  if (!(intervalMs > 0)) throw new OpenRouterConfigError(`intervalMs must be > 0, got ${intervalMs}`);
  const store = openStore(options.clickhouse ?? {});
  let context: ReconcileContext;
  try {
    context = createReconcileContext(store, options);
  } catch (error) {
    void store.close();
    throw error;
  }
  let migrated: Promise<unknown> | undefined;
  const stats = { runs: 0, reconciled: 0, adjusted: 0, failedRuns: 0, lastRun: null as ReconcileResult | null };

  async function run(): Promise<ReconcileResult> {
    if (options.autoMigrate !== false) {
      migrated ??= migrate({ client: store.client, database: store.database, ...(store.cluster ? { cluster: store.cluster } : {}) });
      await migrated.catch((error: unknown) => {
        // A failed migration is tried again by the next run.
        migrated = undefined;
        throw error;
      });
    }
    const result = await runReconciliation(context, options);
    stats.runs += 1;
    stats.reconciled += result.reconciled;
    stats.adjusted += result.adjusted;
    stats.lastRun = result;
    options.onRun?.(result);
    return result;
  }

  const loop = startSerialLoop(run, {
    intervalMs,
    schedule: true,
    onError: (error) => {
      stats.failedRuns += 1;
      options.onError?.(error as Error);
    },
    onStop: () => store.close().catch(() => undefined),
  });
  return { runNow: () => loop.runNow(), stop: () => loop.stop(), stats: () => ({ ...stats }) };
}
