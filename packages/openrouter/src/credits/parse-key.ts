import { dataObject, nullableNumber, optionalBoolean, requiredNumber } from '../http/json-fields.js';

/** What `GET /api/v1/key` says about the key (both its current shape and the older `/auth/key` one). */
export interface KeyState {
  limit: number | null;
  usage: number;
  remaining: number | null;
  usageDaily?: number;
  usageWeekly?: number;
  usageMonthly?: number;
  isFreeTier: boolean;
  limitReset: string | null;
  rateLimit: { requests: number; interval: string } | null;
}

const WHAT = 'GET /key';

/**
 * Reads the key record. `label` is not read: OpenRouter puts a masked form of the key there, and nothing of the key
 * may reach our rows or logs. A limit without `limit_remaining` (not seen, but not promised either) leaves
 * `limit - usage`.
 */
export function parseKeyState(body: unknown): KeyState {
  const data = dataObject(body, WHAT);
  const limit = nullableNumber(data, 'limit', WHAT);
  const usage = requiredNumber(data, 'usage', WHAT);
  const reported = nullableNumber(data, 'limit_remaining', WHAT);
  const remaining = limit === null ? null : (reported ?? Math.max(0, limit - usage));
  const state: KeyState = {
    limit,
    usage,
    remaining,
    isFreeTier: optionalBoolean(data, 'is_free_tier'),
    limitReset: typeof data.limit_reset === 'string' ? data.limit_reset : null,
    rateLimit: null,
  };
  const daily = nullableNumber(data, 'usage_daily', WHAT);
  const weekly = nullableNumber(data, 'usage_weekly', WHAT);
  const monthly = nullableNumber(data, 'usage_monthly', WHAT);
  if (daily !== null) state.usageDaily = daily;
  if (weekly !== null) state.usageWeekly = weekly;
  if (monthly !== null) state.usageMonthly = monthly;
  const rate = data.rate_limit as { requests?: unknown; interval?: unknown } | undefined;
  if (rate && typeof rate.requests === 'number' && typeof rate.interval === 'string') {
    state.rateLimit = { requests: rate.requests, interval: rate.interval };
  }
  return state;
}
