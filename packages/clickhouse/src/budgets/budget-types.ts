/** Budget configuration, and the hook types of `@llm-cost/instrumentation` the guard implements. */

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

// --- The instrumentation's hook, which the guard implements --------------------------------------------------------
export type {
  TagValue,
  BudgetCheckRequest,
  BudgetDecision,
  BudgetGuard,
  RecordedLlmCall,
} from '@llm-cost/instrumentation';
