import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import {
  createUsageQueries,
  insertCreditSnapshots,
  migrate,
  openStore,
  startSerialLoop,
  type CreditSnapshot,
  type Store,
  type UsageQueries,
} from '@llm-cost/clickhouse';

import { deliverToWebhooks, webhookHost } from '../alerts/alert-delivery.js';
import { buildAlert } from '../alerts/alert-message.js';
import { decideAlert, INITIAL_ALERT_STATE, type AlertState } from '../alerts/alert-state.js';
import type { Balance } from '../alerts/balance.js';
import { mergeThresholds } from '../alerts/thresholds.js';
import { resolveKeys, type ResolvedKey } from '../config/resolve-keys.js';
import { envMs } from '../config/env-ms.js';
import { OpenRouterConfigError } from '../errors.js';
import { usdText } from '../money/usd.js';
import { createOpenRouterClient, type OpenRouterClient } from '../openrouter-client.js';
import type { CreditCheck, CreditForecast, CreditMonitor, CreditMonitorOptions, CreditThresholds, OpenRouterCredits } from '../types.js';
import { assessCredits } from './assess-credits.js';
import { readCredits } from './check-credits.js';

interface WatchedKey {
  key: ResolvedKey;
  client: OpenRouterClient;
  thresholds: Required<CreditThresholds>;
  state: AlertState;
  /** The last check of this key failed (its problem was reported once). */
  failing: boolean;
}

type Writer = { write(text: string): unknown } | undefined;


const orNull = (value: number | null | undefined) => (value === null || value === undefined ? null : usdText(value));

/** The snapshot row of one check. */
export function snapshotOf(
  credits: OpenRouterCredits,
  tenant: string | null,
  balance: Balance,
  level: string,
  forecast: CreditForecast | null,
  nowMs: number,
): CreditSnapshot {
  return {
    timestampMs: nowMs,
    provider: GEN_AI_PROVIDER.openrouter,
    keyFingerprint: credits.keyFingerprint,
    tenantId: tenant ?? '',
    keyLimit: orNull(credits.limit),
    keyUsage: usdText(credits.usage),
    keyRemaining: orNull(credits.remaining),
    usageDaily: orNull(credits.usageDaily),
    usageWeekly: orNull(credits.usageWeekly),
    usageMonthly: orNull(credits.usageMonthly),
    totalCredits: orNull(credits.totalCredits),
    totalUsage: orNull(credits.totalUsage),
    remaining: orNull(balance.remaining),
    isFreeTier: credits.isFreeTier,
    level,
    burnRatePerHour: forecast === null ? null : usdText(forecast.burnRatePerHour),
    runsOutAtMs: forecast?.runsOutAt ? Date.parse(forecast.runsOutAt) : null,
  };
}

/**
 * Checks the credits of one or more OpenRouter keys on an interval: levels against thresholds, one alert per
 * incident (escalation and recovery alert too, reminders after the cooldown) to stdout, webhooks and `onAlert`, a
 * forecast of when the credits run out, and every reading stored in `llm_credit_snapshots`. Returns at once; the
 * first check starts right away. Keys appear everywhere by fingerprint only.
 */
export function startCreditMonitor(options: CreditMonitorOptions = {}): CreditMonitor {
  const keys = resolveKeys(options);
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? envMs('LLM_COST_CREDITS_INTERVAL_MS') ?? 300_000;
  if (!(intervalMs > 0)) throw new OpenRouterConfigError(`intervalMs must be > 0, got ${intervalMs}`);
  const cooldownMs = options.cooldownMs ?? 86_400_000;
  const notifyRecovery = options.notifyRecovery ?? true;
  const windowMs = options.forecastWindowMs ?? 86_400_000;
  const webhooks = options.webhooks ?? [];
  for (const target of webhooks) {
    if (webhookHost(target.url) === '(invalid url)') throw new OpenRouterConfigError('a webhook URL is not a valid URL');
  }
  const stdout: Writer = options.stdout === false ? undefined : (options.stdout ?? process.stdout);
  const stderr: Writer = options.stderr === false ? undefined : (options.stderr ?? process.stderr);
  const watched: WatchedKey[] = keys.map((key) => ({
    key,
    client: createOpenRouterClient({ ...options, apiKey: key.apiKey }),
    thresholds: mergeThresholds(options.thresholds, key.thresholds),
    state: INITIAL_ALERT_STATE,
    failing: false,
  }));

  const store: Store | undefined = options.clickhouse === false ? undefined : openStore(options.clickhouse ?? {});
  const queries: UsageQueries | undefined = store
    ? createUsageQueries({ client: store.client, database: store.database, ...(store.cluster ? { cluster: store.cluster } : {}) })
    : undefined;
  let schemaReady: Promise<unknown> | undefined;
  let storeFailing = false;

  const stats = { checks: 0, alerts: 0, failures: 0, webhookFailures: 0 };
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => (resolveDone = resolve));

  const problem = (text: string) => stderr?.write(`[llm-cost] ${text}\n`);

  async function checkKey(entry: WatchedKey, nowMs: number): Promise<{ check: CreditCheck; snapshot?: CreditSnapshot }> {
    const tenant = entry.key.tenant;
    let credits: OpenRouterCredits;
    try {
      credits = await readCredits(entry.client, nowMs);
    } catch (error) {
      stats.failures += 1;
      if (!entry.failing) problem(`OpenRouter credits check failed for key ${entry.key.fingerprint}: ${(error as Error).message}`);
      entry.failing = true;
      const check: CreditCheck = {
        keyFingerprint: entry.key.fingerprint,
        tenant,
        level: 'unknown',
        reason: 'check failed',
        forecast: null,
        alert: null,
        error: error as Error,
      };
      return { check };
    }
    if (entry.failing) problem(`OpenRouter credits check works again for key ${entry.key.fingerprint}`);
    entry.failing = false;
    const { balance, forecast, level, reason, forecastError } = await assessCredits(credits, {
      tenant,
      thresholds: entry.thresholds,
      sources: { ...(queries ? { queries } : {}), ...(store ? { store } : {}) },
      windowMs,
      nowMs,
    });
    if (forecastError && !storeFailing) problem(`credit forecast unavailable (store): ${forecastError.message}`);
    if (forecastError) storeFailing = true;
    const previousLevel = entry.state.previous;
    const decision = decideAlert(entry.state, level, nowMs, { cooldownMs, notifyRecovery });
    entry.state = decision.state;
    const alert =
      decision.alert === null
        ? null
        : buildAlert({
            level: decision.alert,
            previousLevel,
            reminder: decision.reminder,
            keyFingerprint: credits.keyFingerprint,
            tenant,
            balance,
            reason,
            forecast,
            nowMs,
          });
    if (alert) {
      stats.alerts += 1;
      stdout?.write(`[llm-cost] ${alert.message}\n`);
      try {
        options.onAlert?.(alert);
      } catch (error) {
        problem(`onAlert threw: ${(error as Error).message}`);
      }
      for (const result of await deliverToWebhooks(alert, webhooks, options.webhookTimeoutMs ?? 10_000)) {
        if (result.ok) continue;
        stats.webhookFailures += 1;
        problem(`alert webhook ${result.host} failed: ${result.status === 0 ? (result.error ?? 'no answer') : `HTTP ${result.status}`}`);
      }
    }
    const check: CreditCheck = { keyFingerprint: credits.keyFingerprint, tenant, credits, level, reason, forecast, alert };
    return { check, snapshot: snapshotOf(credits, tenant, balance, level, forecast, nowMs) };
  }

  async function round(): Promise<CreditCheck[]> {
    if (store && options.autoMigrate !== false) {
      schemaReady ??= migrate({ client: store.client, database: store.database, ...(store.cluster ? { cluster: store.cluster } : {}) });
      // A store that cannot be migrated now is reported when the snapshots fail to insert, and tried again next round.
      await schemaReady.catch(() => {
        schemaReady = undefined;
      });
    }
    const nowMs = now();
    const results = [];
    for (const entry of watched) results.push(await checkKey(entry, nowMs));
    const snapshots = results.flatMap((result) => (result.snapshot ? [result.snapshot] : []));
    if (store && snapshots.length > 0) {
      try {
        await insertCreditSnapshots(store, snapshots);
        if (storeFailing) problem('credit snapshots are stored again');
        storeFailing = false;
      } catch (error) {
        if (!storeFailing) problem(`credit snapshots could not be stored: ${(error as Error).message}`);
        storeFailing = true;
      }
    }
    stats.checks += 1;
    for (const { check } of results) {
      try {
        options.onCheck?.(check);
      } catch (error) {
        problem(`onCheck threw: ${(error as Error).message}`);
      }
    }
    return results.map((result) => result.check);
  }

  const loop = startSerialLoop(round, {
    intervalMs,
    schedule: options.schedule !== false,
    onError: (error) => problem(`credit check failed: ${(error as Error).message}`),
    shouldStop: () => options.maxChecks !== undefined && stats.checks >= options.maxChecks,
    onStop: async () => {
      await store?.close().catch(() => undefined);
      resolveDone();
    },
  });
  return {
    checkNow: () => loop.runNow(),
    stop: () => loop.stop(),
    done,
    stats: () => ({ ...stats }),
  };
}
