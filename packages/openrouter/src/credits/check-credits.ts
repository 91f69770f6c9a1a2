import { OpenRouterAuthError } from '../errors.js';
import { createOpenRouterClient, type OpenRouterClient } from '../openrouter-client.js';
import type { OpenRouterClientOptions, OpenRouterCredits } from '../types.js';

/** Difference of two USD floats, rounded to the nano-dollar (so 10 - 7.35 prints 2.65, not 2.6500000000000004). */
function minus(a: number, b: number): number {
  return Math.round((a - b) * 1e9) / 1e9;
}

/**
 * Reads a key's state and its account's credits. `/credits` may refuse a key that is not a management key; then
 * `totalCredits` and `totalUsage` are null and `creditsUnavailable` says why, while the key's own figures stand.
 * A refused `/key` (wrong or revoked key) throws `OpenRouterAuthError`.
 */
export async function readCredits(client: OpenRouterClient, nowMs = Date.now()): Promise<OpenRouterCredits> {
  const [key, account] = await Promise.all([
    client.getKey(),
    client.getCredits().then(
      (credits) => ({ credits, unavailable: undefined }),
      (error: unknown) => {
        if (error instanceof OpenRouterAuthError) return { credits: undefined, unavailable: `HTTP ${error.status}: ${error.message}` };
        throw error;
      },
    ),
  ]);
  const result: OpenRouterCredits = {
    limit: key.limit,
    usage: key.usage,
    remaining: key.remaining,
    totalCredits: account.credits?.totalCredits ?? null,
    totalUsage: account.credits?.totalUsage ?? null,
    isFreeTier: key.isFreeTier,
    accountRemaining: account.credits ? minus(account.credits.totalCredits, account.credits.totalUsage) : null,
    keyFingerprint: client.keyFingerprint,
    limitReset: key.limitReset,
    rateLimit: key.rateLimit,
    checkedAt: new Date(nowMs).toISOString(),
  };
  if (key.usageDaily !== undefined) result.usageDaily = key.usageDaily;
  if (key.usageWeekly !== undefined) result.usageWeekly = key.usageWeekly;
  if (key.usageMonthly !== undefined) result.usageMonthly = key.usageMonthly;
  if (account.unavailable !== undefined) result.creditsUnavailable = account.unavailable;
  return result;
}

/**
 * `checkOpenRouterCredits({ apiKey, baseUrl? })`: the key's limit, usage, remaining credit and daily / weekly /
 * monthly usage (`GET /api/v1/key`) with the account's total credits and usage (`GET /api/v1/credits`), in USD.
 */
export function checkOpenRouterCredits(options: OpenRouterClientOptions): Promise<OpenRouterCredits> {
  return readCredits(createOpenRouterClient(options));
}
