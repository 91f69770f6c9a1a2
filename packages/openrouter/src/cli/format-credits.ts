import { displayUsd } from '../money/usd.js';
import type { CreditCheck } from '../types.js';

/** The summary `llm-cost credits check` prints for one key. */
export function formatCheck(check: CreditCheck): string {
  const lines = [`OpenRouter key ${check.keyFingerprint}${check.tenant ? ` (tenant ${check.tenant})` : ''}`];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(11)}${value}`);
  if (check.error) {
    row('error', check.error.message);
    return `${lines.join('\n')}\n`;
  }
  const credits = check.credits!;
  row('level', `${check.level.toUpperCase()}: ${check.reason}`);
  row('limit', credits.limit === null ? 'none' : `${displayUsd(credits.limit)}${credits.limitReset ? ` (resets ${credits.limitReset})` : ''}`);
  const periods = [
    credits.usageDaily === undefined ? undefined : `today ${displayUsd(credits.usageDaily)}`,
    credits.usageWeekly === undefined ? undefined : `this week ${displayUsd(credits.usageWeekly)}`,
    credits.usageMonthly === undefined ? undefined : `this month ${displayUsd(credits.usageMonthly)}`,
  ].filter((part) => part !== undefined);
  row('usage', `${displayUsd(credits.usage)}${periods.length > 0 ? ` (${periods.join(', ')})` : ''}`);
  row('remaining', credits.remaining === null ? 'no limit' : displayUsd(credits.remaining));
  row(
    'account',
    credits.totalCredits === null || credits.totalUsage === null
      ? `not readable (${credits.creditsUnavailable ?? 'no answer'})`
      : `${displayUsd(credits.totalCredits)} bought, ${displayUsd(credits.totalUsage)} used, ${displayUsd(credits.accountRemaining ?? 0)} left`,
  );
  row('free tier', credits.isFreeTier ? 'yes' : 'no');
  if (credits.rateLimit) row('rate limit', `${credits.rateLimit.requests} requests / ${credits.rateLimit.interval}`);
  row('forecast', check.forecast?.text ?? 'no spend data (no store, or nothing recorded yet)');
  return `${lines.join('\n')}\n`;
}

/** One line per check of `llm-cost credits monitor`. */
export function formatCheckLine(check: CreditCheck, atMs: number): string {
  const who = `${check.keyFingerprint}${check.tenant ? ` (${check.tenant})` : ''}`;
  const time = new Date(atMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (check.error) return `${time} ${who}: check failed: ${check.error.message}\n`;
  return `${time} ${who}: ${check.level}, ${check.reason}${check.forecast ? `; ${check.forecast.text}` : ''}\n`;
}
