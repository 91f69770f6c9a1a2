import { formatHours } from '../forecast/burn-rate.js';
import { displayUsd } from '../money/usd.js';
import { OpenRouterConfigError } from '../errors.js';
import type { CreditLevel, CreditThresholds, ThresholdRule } from '../types.js';
import type { Balance } from './balance.js';

export const DEFAULT_THRESHOLDS: Required<CreditThresholds> = Object.freeze({
  warning: Object.freeze({ remainingUsd: 5, remainingPercent: 20 }),
  critical: Object.freeze({ remainingUsd: 1, remainingPercent: 5 }),
});

/** Later sources win, level by level: a rule given for `warning` replaces the whole default `warning` rule. */
export function mergeThresholds(...sources: Array<CreditThresholds | undefined>): Required<CreditThresholds> {
  const merged = { ...DEFAULT_THRESHOLDS };
  for (const source of sources) {
    if (source?.warning !== undefined) merged.warning = checkRule(source.warning, 'warning');
    if (source?.critical !== undefined) merged.critical = checkRule(source.critical, 'critical');
  }
  return merged;
}

function checkRule(rule: ThresholdRule, level: string): ThresholdRule {
  for (const [name, value] of Object.entries(rule)) {
    if (!['remainingUsd', 'remainingPercent', 'hoursLeft'].includes(name)) {
      throw new OpenRouterConfigError(`thresholds.${level}.${name} is not a threshold (remainingUsd, remainingPercent, hoursLeft)`);
    }
    if (value !== undefined && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new OpenRouterConfigError(`thresholds.${level}.${name} must be a number >= 0, got ${JSON.stringify(value)}`);
    }
  }
  return rule;
}

/** The first condition of the rule that holds, described; undefined when none does. */
function reached(rule: ThresholdRule, balance: Balance, hoursLeft: number | null): string | undefined {
  const { remaining, percent } = balance;
  if (remaining !== null && rule.remainingUsd !== undefined && remaining <= rule.remainingUsd) {
    return `remaining ${displayUsd(remaining)} <= ${displayUsd(rule.remainingUsd)}`;
  }
  if (percent !== null && rule.remainingPercent !== undefined && percent <= rule.remainingPercent) {
    return `remaining ${percent.toFixed(1)}% of ${displayUsd(balance.cap ?? 0)} <= ${rule.remainingPercent}%`;
  }
  if (hoursLeft !== null && rule.hoursLeft !== undefined && hoursLeft <= rule.hoursLeft) {
    return `runs out in ${formatHours(hoursLeft)} <= ${formatHours(rule.hoursLeft)}`;
  }
  return undefined;
}

/** The level of a balance: critical, else warning, else ok; unknown without a balance. */
export function evaluateLevel(
  balance: Balance,
  hoursLeft: number | null,
  thresholds: Required<CreditThresholds>,
): { level: CreditLevel; reason: string } {
  if (balance.remaining === null) {
    return { level: 'unknown', reason: 'the key has no limit and the account credits are not readable (management key needed)' };
  }
  const critical = reached(thresholds.critical, balance, hoursLeft);
  if (critical !== undefined) return { level: 'critical', reason: critical };
  const warning = reached(thresholds.warning, balance, hoursLeft);
  if (warning !== undefined) return { level: 'warning', reason: warning };
  const share = balance.percent === null ? '' : ` (${balance.percent.toFixed(1)}% of ${displayUsd(balance.cap ?? 0)})`;
  return { level: 'ok', reason: `remaining ${displayUsd(balance.remaining)}${share}` };
}
