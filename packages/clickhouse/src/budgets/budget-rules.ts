import { InvalidOptionError } from '../errors.js';
import { normalizeProviderName } from '../mapping/provider-names.js';
import type { Budget, BudgetPeriod, TagValue } from './budget-types.js';
import { toNanoUsd } from './nano-usd.js';

/** A budget checked and normalised once, at guard creation. */
export interface BudgetRule {
  index: number;
  name: string;
  scope: Budget['scope'];
  period: BudgetPeriod;
  maxCostNano: bigint | undefined;
  maxTokens: number | undefined;
  action: 'notify' | 'block';
  provider: string | undefined;
  model: string | undefined;
}

function scopeLabel(scope: Budget['scope']): string {
  return typeof scope === 'object' ? `tag ${scope.tag}` : scope;
}

export function compileBudgets(budgets: readonly Budget[]): BudgetRule[] {
  return budgets.map((budget, index) => {
    const name = budget.name ?? `${scopeLabel(budget.scope)} ${budget.period} budget`;
    if (!['call', 'day', 'month'].includes(budget.period)) {
      throw new InvalidOptionError(`budget "${name}": period must be 'call', 'day' or 'month'`);
    }
    if (!['notify', 'block'].includes(budget.action)) {
      throw new InvalidOptionError(`budget "${name}": action must be 'notify' or 'block'`);
    }
    if (budget.maxCost === undefined && budget.maxTokens === undefined) {
      throw new InvalidOptionError(`budget "${name}": set maxCost, maxTokens or both`);
    }
    if (budget.maxTokens !== undefined && !(Number.isInteger(budget.maxTokens) && budget.maxTokens >= 0)) {
      throw new InvalidOptionError(`budget "${name}": maxTokens must be a non-negative integer`);
    }
    if (budget.period === 'call' && budget.action === 'block') {
      // The instrumentation asks before the request is sent, when the call's cost is not known yet.
      throw new InvalidOptionError(
        `budget "${name}": a per-call budget can only notify (a call's cost is known after it returns); ` +
          `use a day or month budget to block`,
      );
    }
    const scope = budget.scope;
    if (!(scope === 'global' || scope === 'user' || scope === 'tenant' || (typeof scope === 'object' && scope.tag))) {
      throw new InvalidOptionError(`budget "${name}": scope must be 'global', 'user', 'tenant' or { tag: '<key>' }`);
    }
    return {
      index,
      name,
      scope,
      period: budget.period,
      maxCostNano: budget.maxCost === undefined ? undefined : toNanoUsd(budget.maxCost, `budget "${name}" maxCost`),
      maxTokens: budget.maxTokens,
      action: budget.action,
      provider: budget.provider === undefined ? undefined : normalizeProviderName(budget.provider),
      model: budget.model,
    };
  });
}

/** The tag a scope reads, or undefined for `global`. */
export function scopeTagKey(scope: Budget['scope']): string | undefined {
  if (scope === 'global') return undefined;
  if (scope === 'user') return 'user_id';
  if (scope === 'tenant') return 'tenant_id';
  return scope.tag;
}

/** The scope value of a call (`''` for global), or undefined when the call is outside the scope (no such tag). */
export function scopeValue(rule: BudgetRule, tags: Readonly<Record<string, TagValue>>): string | undefined {
  const key = scopeTagKey(rule.scope);
  if (key === undefined) return '';
  const value = tags[key];
  return value === undefined || value === '' ? undefined : String(value);
}

/** `global`, `user_id=42`, `feature=search`. */
export function scopeText(rule: BudgetRule, value: string): string {
  const key = scopeTagKey(rule.scope);
  return key === undefined ? 'global' : `${key}=${value}`;
}

export function ruleMatches(rule: BudgetRule, provider: string, models: ReadonlyArray<string | undefined>): boolean {
  if (rule.provider !== undefined && normalizeProviderName(provider) !== rule.provider) return false;
  if (rule.model !== undefined && !models.includes(rule.model)) return false;
  return true;
}

/** UTC day or month containing `ms`: its key and `[from, to)`. */
export function periodOf(period: 'day' | 'month', ms: number): { key: string; from: number; to: number } {
  const date = new Date(ms);
  if (period === 'day') {
    const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
    return { key: new Date(from).toISOString().slice(0, 10), from, to: from + 86_400_000 };
  }
  const from = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  const to = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
  return { key: new Date(from).toISOString().slice(0, 7), from, to };
}
