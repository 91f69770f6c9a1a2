/**
 * Budget configuration and the hook types of `@llm-cost/instrumentation` the guard satisfies. The hook types are
 * declared structurally here (the instrumentation declares the same shapes in its `types.ts`), so this package
 * builds without importing the instrumentation's runtime.
 */

/** Who a budget applies to: everything, each user, each tenant, or each value of a tag. */
export type BudgetScope = 'global' | 'user' | 'tenant' | { tag: string };

/** `call`: each call on its own (notify only: a call's cost is known when it returns); `day`, `month`: UTC. */
export type BudgetPeriod = 'call' | 'day' | 'month';

export interface Budget {
  /** Name used in messages and notifications. @default derived from scope and period */
  name?: string;
  scope: BudgetScope;
  period: BudgetPeriod;
  /** Limit on list cost in USD (decimal string or number). */
  maxCost?: string | number;
  /** Limit on input + output tokens. */
  maxTokens?: number;
  /**
   * `notify`: call `onExceeded` (and the webhook) once per scope value and period, let calls through.
   * `block`: also reject further calls with `BudgetExceededError` before they are sent.
   */
  action: 'notify' | 'block';
  /** Only calls to this provider count (and are blocked). @default every provider */
  provider?: string;
  /** Only calls of this model count (and are blocked). @default every model */
  model?: string;
}

/** What `onExceeded` and the webhook receive. */
export interface BudgetExceededEvent {
  budget: string;
  /** `global`, `user_id=42`, `tenant_id=acme`, `feature=search`. */
  scope: string;
  period: BudgetPeriod;
  /** `cost` (USD) or `tokens`. */
  kind: 'cost' | 'tokens';
  /** Spent so far: USD decimal string (9 decimals) or a token count as a string. */
  spent: string;
  limit: string;
  action: 'notify' | 'block';
  /** ISO time of the event. */
  at: string;
}

// --- The instrumentation's hook (structurally identical to @llm-cost/instrumentation's types) -------------------

export type TagValue = string | number | boolean;

export interface BudgetCheckRequest {
  provider: string;
  model?: string;
  operation?: string;
  tags: Record<string, TagValue>;
}

export type BudgetDecision = { action: 'allow' } | { action: 'block'; error: Error };

export interface RecordedLlmCall {
  provider: string;
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  usage:
    | {
        inputTokens: number;
        cacheReadTokens?: number;
        cacheWriteTokens?: number;
        cacheWrite5mTokens?: number;
        cacheWrite1hTokens?: number;
        outputTokens: number;
        reasoningTokens?: number;
      }
    | undefined;
  tags: Record<string, TagValue>;
  timestamp: number;
  providerReportedCost?: string;
  pricingMode?: 'standard' | 'batch' | 'flex' | 'priority';
}

export interface BudgetGuard {
  check(request: BudgetCheckRequest): BudgetDecision | undefined | Promise<BudgetDecision | undefined>;
  record(call: RecordedLlmCall): void;
}
