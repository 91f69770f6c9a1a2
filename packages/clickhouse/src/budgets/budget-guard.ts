import { diag } from '@opentelemetry/api';

import { BudgetExceededError } from '../errors.js';
import { resolvePricer, type CostPricer } from '../pricing/pricer.js';
import type { UsageQueries } from '../queries/usage-queries.js';
import { postBudgetWebhook } from './budget-webhook.js';
import {
  compileBudgets,
  periodOf,
  ruleMatches,
  scopeTagKey,
  scopeText,
  scopeValue,
  type BudgetRule,
} from './budget-rules.js';
import type {
  Budget,
  BudgetCheckRequest,
  BudgetDecision,
  BudgetExceededEvent,
  BudgetGuard,
  RecordedLlmCall,
} from './budget-types.js';
import { displayUsd, fromNanoUsd, toNanoUsd } from './nano-usd.js';
import { checkOptionShapes, PRICER_SHAPE, shape, type OptionShapes } from '../options/option-shapes.js';

export interface BudgetGuardOptions {
  /** Where spend is read from: `createUsageQueries(...)` over the store the exporter writes to. */
  queries: Pick<UsageQueries, 'usageInPeriod'>;
  budgets: Budget[];
  /** Called once per budget, scope value and period when it is exceeded (`notify` and `block` budgets alike). */
  onExceeded?: (event: BudgetExceededEvent) => void;
  /** Also POST each event as JSON to this URL. @default undefined */
  webhookUrl?: string;
  /** Prices recorded calls (the same pricer as the exporter's, for the same figures). @default the process default */
  pricer?: CostPricer;
  /** How long spend read from ClickHouse is used before it is read again (in the background). @default 10000 */
  cacheTtlMs?: number;
  /**
   * How long after a call is recorded it may take to show in ClickHouse (span export + deduplication hold + batch).
   * Calls recorded within this window before a read are added to what the read returned, so spend is never
   * under-counted; it can be over-counted by the calls of that window that had already landed. @default 30000
   */
  writeLagMs?: number;
  /** Clock, for tests. @default Date.now */
  now?: () => number;
}

const BUDGET_SHAPE = shape.object('a budget object ({ scope, period, maxCost?, maxTokens?, action })', {
  'scope!': shape.anyOf("'global', 'user', 'tenant' or { tag: '<key>' }", shape.oneOf('global', 'user', 'tenant'), shape.object('', { 'tag!': shape.string })),
  'period!': shape.oneOf('call', 'day', 'month'),
  'action!': shape.oneOf('notify', 'block'),
  name: shape.string,
  maxCost: shape.anyOf('a USD amount (a decimal string or a number)', shape.string, shape.number),
  maxTokens: shape.number,
  provider: shape.string,
  model: shape.string,
});

const BUDGET_GUARD_OPTION_SHAPES: OptionShapes = {
  'queries!': shape.withMethods('usage queries from createUsageQueries() (with usageInPeriod)', 'usageInPeriod'),
  'budgets!': shape.arrayOf('an array of budgets ({ scope, period, maxCost?, maxTokens?, action })', BUDGET_SHAPE),
  onExceeded: shape.function,
  webhookUrl: shape.string,
  pricer: PRICER_SHAPE,
  cacheTtlMs: shape.number,
  writeLagMs: shape.number,
  now: shape.function,
};

interface SpendEntry {
  costNano: bigint;
  tokens: number;
  /** When the read started; local records after `fetchedAt - writeLagMs` are added to it. -Infinity: read failed. */
  fetchedAt: number;
  /** A read has finished (successfully or not). */
  settled: boolean;
  loading: Promise<void> | undefined;
}

interface Exceeded {
  event: BudgetExceededEvent;
  message: string;
}

interface LocalRecord {
  at: number;
  costNano: bigint;
  tokens: number;
}

interface Applicable {
  rule: BudgetRule;
  value: string;
  key: string;
  period: { key: string; from: number; to: number };
}

/**
 * A budget guard for `registerLlmCostInstrumentation({ budgetGuard })`.
 *
 * `check` runs before each instrumented request: it adds the spend ClickHouse showed at the last read (daily
 * rollups, cached for `cacheTtlMs`) to the spend this process recorded since (`record`, called after each call), and
 * answers synchronously when the cache is warm. A `block` budget that is used up rejects the call with
 * `BudgetExceededError` before the request leaves; `notify` budgets call `onExceeded` / the webhook once per period.
 *
 * Guarantee: one process cannot overshoot a budget by more than the calls already in flight when it was reached.
 * Across processes, each sees the others' spend once it is in ClickHouse (their export delay plus this guard's
 * `cacheTtlMs`), so together they can overshoot by what they spend within that window.
 */
export function createBudgetGuard(options: BudgetGuardOptions): BudgetGuard {
  checkOptionShapes('createBudgetGuard', options ?? {}, BUDGET_GUARD_OPTION_SHAPES);
  const rules = compileBudgets(options.budgets);
  const periodRules = rules.filter((rule) => rule.period !== 'call');
  const callRules = rules.filter((rule) => rule.period === 'call');
  const now = options.now ?? Date.now;
  const ttl = options.cacheTtlMs ?? 10_000;
  const writeLag = options.writeLagMs ?? 30_000;
  const cache = new Map<string, SpendEntry>();
  const local = new Map<string, LocalRecord[]>();
  const notified = new Set<string>();
  // When each budget key's period ends: its cached spend, local records and notifications are dropped after that,
  // so a long-running process keeps only the current day's and month's entries.
  const periodEnds = new Map<string, number>();
  let nextSweep = Infinity;
  let pricer: CostPricer | undefined = options.pricer;
  let readFailing = false;
  let onExceededFailing = false;

  function applicable(provider: string, models: Array<string | undefined>, tags: Readonly<Record<string, unknown>>, at: number): Applicable[] {
    const result: Applicable[] = [];
    for (const rule of periodRules) {
      if (!ruleMatches(rule, provider, models)) continue;
      const value = scopeValue(rule, tags as Record<string, string>);
      if (value === undefined) continue;
      const period = periodOf(rule.period as 'day' | 'month', at);
      const key = `${rule.index}|${value}|${period.key}`;
      if (!periodEnds.has(key)) {
        periodEnds.set(key, period.to);
        if (period.to < nextSweep) nextSweep = period.to;
      }
      result.push({ rule, value, period, key });
    }
    return result;
  }

  /** Forgets every key whose period has ended (checked at most once per period end, not per call). */
  function sweep(at: number): void {
    if (at < nextSweep) return;
    nextSweep = Infinity;
    for (const [key, end] of periodEnds) {
      if (end <= at) {
        periodEnds.delete(key);
        cache.delete(key);
        local.delete(key);
        notified.delete(`${key}|cost`);
        notified.delete(`${key}|tokens`);
      } else if (end < nextSweep) {
        nextSweep = end;
      }
    }
  }

  function load(item: Applicable): Promise<void> {
    const existing = cache.get(item.key);
    if (existing?.loading) return existing.loading;
    const started = now();
    const { rule, value } = item;
    const tagKey = scopeTagKey(rule.scope);
    const filter = {
      ...(rule.scope === 'user' ? { userId: value } : {}),
      ...(rule.scope === 'tenant' ? { tenantId: value } : {}),
      ...(typeof rule.scope === 'object' && tagKey !== undefined ? { tags: { [tagKey]: value } } : {}),
      ...(rule.provider !== undefined ? { provider: rule.provider } : {}),
      ...(rule.model !== undefined ? { model: rule.model } : {}),
    };
    const loading = options.queries
      .usageInPeriod({ ...filter, from: item.period.from, to: item.period.to })
      .then((totals) => {
        cache.set(item.key, { costNano: toNanoUsd(totals.cost), tokens: totals.totalTokens, fetchedAt: started, settled: true, loading: undefined });
        readFailing = false;
        prune(item.key, started);
      })
      .catch((error: unknown) => {
        // Fail open: the guard must not stop the application; it counts what this process recorded instead.
        if (!readFailing) diag.warn(`@llm-cost/clickhouse: budget guard could not read spend, using local spend only: ${String(error)}`);
        readFailing = true;
        cache.set(item.key, { costNano: 0n, tokens: 0, fetchedAt: -Infinity, settled: true, loading: undefined });
      });
    cache.set(item.key, { ...(existing ?? { costNano: 0n, tokens: 0, fetchedAt: -Infinity, settled: false }), loading });
    return loading;
  }

  function prune(key: string, fetchedAt: number): void {
    const records = local.get(key);
    if (!records) return;
    const kept = records.filter((record) => record.at > fetchedAt - writeLag);
    if (kept.length === 0) local.delete(key);
    else local.set(key, kept);
  }

  function spent(item: Applicable): { costNano: bigint; tokens: number } {
    const entry = cache.get(item.key);
    let costNano = entry?.costNano ?? 0n;
    let tokens = entry?.tokens ?? 0;
    const since = (entry?.fetchedAt ?? -Infinity) - writeLag;
    for (const record of local.get(item.key) ?? []) {
      if (record.at <= since) continue;
      costNano += record.costNano;
      tokens += record.tokens;
    }
    return { costNano, tokens };
  }

  function exceeded(rule: BudgetRule, value: string, costNano: bigint, tokens: number): Exceeded | undefined {
    const periodWord = rule.period === 'day' ? 'daily' : rule.period === 'month' ? 'monthly' : 'per-call';
    const scope = scopeText(rule, value);
    const make = (kind: 'cost' | 'tokens', spentText: string, limitText: string, message: string): Exceeded => ({
      event: {
        budget: rule.name,
        scope,
        period: rule.period,
        kind,
        spent: spentText,
        limit: limitText,
        action: rule.action,
        at: new Date(now()).toISOString(),
      },
      message,
    });
    if (rule.maxCostNano !== undefined && costNano >= rule.maxCostNano) {
      const relation = costNano > rule.maxCostNano ? '>' : '>=';
      return make(
        'cost',
        fromNanoUsd(costNano),
        fromNanoUsd(rule.maxCostNano),
        `Budget exceeded for ${scope}: ${periodWord} cost ${displayUsd(costNano, rule.maxCostNano)} USD ${relation} ` +
          `${displayUsd(rule.maxCostNano, rule.maxCostNano)} USD`,
      );
    }
    if (rule.maxTokens !== undefined && tokens >= rule.maxTokens) {
      const relation = tokens > rule.maxTokens ? '>' : '>=';
      return make(
        'tokens',
        String(tokens),
        String(rule.maxTokens),
        `Budget exceeded for ${scope}: ${periodWord} tokens ${tokens} ${relation} ${rule.maxTokens}`,
      );
    }
    return undefined;
  }

  /** `onceKey`: notify once per budget, scope value and period; undefined: every time (per-call budgets). */
  function notify(event: BudgetExceededEvent, onceKey: string | undefined): void {
    if (onceKey !== undefined) {
      if (notified.has(onceKey)) return;
      notified.add(onceKey);
    }
    try {
      options.onExceeded?.(event);
      onExceededFailing = false;
    } catch (error) {
      // Once per incident (until it succeeds again): a per-call budget notifies on every call over it.
      if (!onExceededFailing) diag.error('@llm-cost/clickhouse: onExceeded threw', error);
      onExceededFailing = true;
    }
    if (options.webhookUrl) void postBudgetWebhook(options.webhookUrl, event);
  }

  function decide(items: Applicable[]): BudgetDecision {
    let block: BudgetDecision | undefined;
    for (const item of items) {
      const { costNano, tokens } = spent(item);
      const found = exceeded(item.rule, item.value, costNano, tokens);
      if (!found) continue;
      const { event, message } = found;
      notify(event, `${item.key}|${event.kind}`);
      if (item.rule.action === 'block' && !block) {
        block = {
          action: 'block',
          error: new BudgetExceededError({
            budget: event.budget,
            scope: event.scope,
            period: item.rule.period as 'day' | 'month',
            kind: event.kind,
            spent: event.spent,
            limit: event.limit,
            message,
          }),
        };
      }
    }
    return block ?? { action: 'allow' };
  }

  function priceRecorded(call: RecordedLlmCall): bigint | undefined {
    if (call.usage === undefined && call.providerReportedCost === undefined) return undefined;
    pricer ??= resolvePricer(undefined);
    const tenant = call.tags.tenant_id;
    const input = {
      provider: call.provider,
      usage: call.usage ?? { inputTokens: 0, outputTokens: 0 },
      timestamp: call.timestamp,
      ...(call.pricingMode ? { mode: call.pricingMode } : {}),
      ...(call.providerReportedCost !== undefined ? { providerReportedCost: call.providerReportedCost } : {}),
      ...(tenant !== undefined ? { tenant: String(tenant) } : {}),
    };
    const model = call.responseModel || call.requestModel || '';
    let result = pricer.priceUsage({ ...input, model });
    if (result.status === 'unknown_model' && call.requestModel && call.requestModel !== model) {
      result = pricer.priceUsage({ ...input, model: call.requestModel });
    }
    return result.totalCost === null ? undefined : toNanoUsd(result.totalCost);
  }

  return {
    check(request: BudgetCheckRequest) {
      if (periodRules.length === 0) return undefined;
      sweep(now());
      const items = applicable(request.provider, [request.model], request.tags, now());
      if (items.length === 0) return undefined;
      const missing: Applicable[] = [];
      for (const item of items) {
        const entry = cache.get(item.key);
        if (!entry || !entry.settled) missing.push(item);
        else if (!entry.loading && now() - entry.fetchedAt > ttl) void load(item);
      }
      // Warm cache: answer synchronously, so the instrumented fetch adds no await.
      if (missing.length === 0) return decide(items);
      return Promise.all(missing.map(load)).then(() => decide(items));
    },

    record(call: RecordedLlmCall) {
      const costNano = priceRecorded(call);
      const tokens = (call.usage?.inputTokens ?? 0) + (call.usage?.outputTokens ?? 0);
      const models = [call.requestModel, call.responseModel];
      for (const rule of callRules) {
        if (!ruleMatches(rule, call.provider, models)) continue;
        const value = scopeValue(rule, call.tags);
        if (value === undefined) continue;
        const found = exceeded(rule, value, costNano ?? 0n, tokens);
        // Per-call budgets notify for every call over the limit.
        // Not remembered: a key per call would grow without bound in a long-running process.
        if (found) notify(found.event, undefined);
      }
      sweep(now());
      const items = applicable(call.provider, models, call.tags, call.timestamp);
      for (const item of items) {
        const records = local.get(item.key);
        const record = { at: now(), costNano: costNano ?? 0n, tokens };
        if (records) records.push(record);
        else local.set(item.key, [record]);
      }
      // Notify as soon as a recorded call uses a budget up, not only at the next check (for budgets whose spend has
      // been read at least once: without it the local figure alone is too low to judge).
      const known = items.filter((item) => cache.get(item.key)?.settled);
      if (known.length > 0) decide(known);
    },
  };
}
