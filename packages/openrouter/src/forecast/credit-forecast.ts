import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { readCreditSnapshots, type Store, type UsageQueries } from '@llm-cost/clickhouse';

import type { Balance } from '../alerts/balance.js';
import type { CreditForecast, OpenRouterCredits } from '../types.js';
import { describeForecast, forecastRunOut, rateFromSnapshots, rateFromSpend } from './burn-rate.js';

/** Where the spend rates come from; either may be missing (no store, no snapshots yet). */
export interface ForecastSources {
  queries?: Pick<UsageQueries, 'usageInPeriod'>;
  store?: Store;
}

export interface ForecastInput {
  credits: OpenRouterCredits;
  balance: Balance;
  /** Tenant of the key: a key's own balance burns at its tenant's spend. */
  tenant: string | null;
  nowMs: number;
  windowMs: number;
}

/**
 * Two burn rates over the window: OpenRouter spend in our rollups (the key's tenant when the key has one and its own
 * limit is what runs out; all OpenRouter spend when the account's credits do), and the growth of the stored balance
 * snapshots (the key's usage, or the account's). The forecast uses the higher one, so it warns early rather than
 * late; a rate that cannot be read (no store, fewer than two snapshots) is left out. Null when neither exists or
 * there is no balance.
 */
export async function computeForecast(sources: ForecastSources, input: ForecastInput): Promise<CreditForecast | null> {
  const { credits, balance, nowMs, windowMs } = input;
  if (balance.remaining === null) return null;
  const from = nowMs - windowMs;
  let rollupRate: number | null = null;
  if (sources.queries) {
    const tenantId = balance.basis === 'key' && input.tenant ? input.tenant : undefined;
    const spent = await sources.queries.usageInPeriod({ provider: GEN_AI_PROVIDER.openrouter, from, to: nowMs, ...(tenantId ? { tenantId } : {}) });
    rollupRate = rateFromSpend(Number(spent.cost), windowMs);
  }
  let snapshotRate: number | null = null;
  if (sources.store) {
    const snapshots = await readCreditSnapshots(sources.store, { from, to: nowMs, keyFingerprint: credits.keyFingerprint });
    const usageOf = (snapshot: { keyUsage: string; totalUsage: string | null }) =>
      balance.basis === 'account' ? (snapshot.totalUsage === null ? null : Number(snapshot.totalUsage)) : Number(snapshot.keyUsage);
    const points = snapshots
      .map((snapshot) => ({ atMs: snapshot.timestampMs, usageUsd: usageOf(snapshot) }))
      .filter((point): point is { atMs: number; usageUsd: number } => point.usageUsd !== null);
    const current = balance.basis === 'account' ? credits.totalUsage : credits.usage;
    if (current !== null) points.push({ atMs: nowMs, usageUsd: current });
    snapshotRate = rateFromSnapshots(points);
  }
  if (rollupRate === null && snapshotRate === null) return null;
  const useSnapshots = snapshotRate !== null && (rollupRate === null || snapshotRate > rollupRate);
  const rate = (useSnapshots ? snapshotRate : rollupRate) ?? 0;
  const run = forecastRunOut(balance.remaining, rate, nowMs);
  const windowHours = windowMs / 3_600_000;
  return {
    burnRatePerHour: rate,
    source: useSnapshots ? 'snapshots' : 'rollups',
    rollupRatePerHour: rollupRate,
    snapshotRatePerHour: snapshotRate,
    windowHours,
    hoursLeft: run.hoursLeft,
    runsOutAt: run.runsOutAtMs === null ? null : new Date(run.runsOutAtMs).toISOString(),
    text: describeForecast(balance.remaining, rate, run, windowHours),
  };
}
