import type { OpenRouterCredits } from '../types.js';

/** The balance that runs out first, and what it is measured against. */
export interface Balance {
  /** USD left; null when neither the key nor the account reports a balance. */
  remaining: number | null;
  /** The key's limit or the account's credits bought; null when unknown. */
  cap: number | null;
  /** `remaining` as a percent of `cap`; null when there is no cap above 0. */
  percent: number | null;
  basis: 'key' | 'account' | null;
}

/**
 * A key with a limit stops at its limit; every key stops when the account's credits are gone. The effective
 * balance is the smaller of the two that are known.
 */
export function effectiveBalance(credits: OpenRouterCredits): Balance {
  const candidates: Balance[] = [];
  if (credits.limit !== null && credits.remaining !== null) {
    candidates.push(balance(credits.remaining, credits.limit, 'key'));
  }
  if (credits.accountRemaining !== null && credits.totalCredits !== null) {
    candidates.push(balance(credits.accountRemaining, credits.totalCredits, 'account'));
  }
  if (candidates.length === 0) return { remaining: null, cap: null, percent: null, basis: null };
  return candidates.reduce((lowest, next) => (next.remaining! < lowest.remaining! ? next : lowest));
}

function balance(remaining: number, cap: number, basis: 'key' | 'account'): Balance {
  return { remaining, cap, percent: cap > 0 ? (Math.max(0, remaining) / cap) * 100 : null, basis };
}
