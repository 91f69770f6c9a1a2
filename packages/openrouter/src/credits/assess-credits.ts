import { effectiveBalance, type Balance } from '../alerts/balance.js';
import { evaluateLevel } from '../alerts/thresholds.js';
import { computeForecast, type ForecastSources } from '../forecast/credit-forecast.js';
import type { CreditForecast, CreditLevel, CreditThresholds, OpenRouterCredits } from '../types.js';

export interface Assessment {
  balance: Balance;
  forecast: CreditForecast | null;
  level: CreditLevel;
  reason: string;
  /** Why there is no forecast although there is a balance (the store could not be read). */
  forecastError?: Error;
}

/**
 * What a reading means: the balance that runs out first, the forecast from the store's spend and snapshots (left
 * out, with the reason, when the store cannot be read), and the level against the thresholds.
 */
export async function assessCredits(
  credits: OpenRouterCredits,
  input: { tenant: string | null; thresholds: Required<CreditThresholds>; sources: ForecastSources; windowMs: number; nowMs: number },
): Promise<Assessment> {
  const balance = effectiveBalance(credits);
  let forecast: CreditForecast | null = null;
  let forecastError: Error | undefined;
  try {
    forecast = await computeForecast(input.sources, { credits, balance, tenant: input.tenant, nowMs: input.nowMs, windowMs: input.windowMs });
  } catch (error) {
    forecastError = error as Error;
  }
  const { level, reason } = evaluateLevel(balance, forecast?.hoursLeft ?? null, input.thresholds);
  return { balance, forecast, level, reason, ...(forecastError ? { forecastError } : {}) };
}
