import type { ClickHouseConnectionOptions, ProviderRetryEvent } from '@llm-cost/clickhouse';
import type { Pricer } from '@llm-cost/pricing';

// --- HTTP ---------------------------------------------------------------------------------------------------------

/** How to reach OpenRouter's API, and how patiently. */
export interface OpenRouterClientOptions {
  /** API key (`sk-or-v1-...`), sent as `Authorization: Bearer`. Never logged or stored: only its fingerprint. */
  apiKey: string;
  /** Base URL of the API. Env: `OPENROUTER_BASE_URL`. @default 'https://openrouter.ai/api/v1' */
  baseUrl?: string;
  /** Timeout of one request, in milliseconds. @default 30000 */
  timeoutMs?: number;
  /** Retries after a 429, a 5xx, a 408 or a network failure (the first attempt not counted). @default 4 */
  maxRetries?: number;
  /** First backoff step of the jittered exponential backoff, in milliseconds. @default 500 */
  retryBaseMs?: number;
  /** Largest backoff step, in milliseconds. @default 30000 */
  retryMaxMs?: number;
  /**
   * Longest `Retry-After` honoured; a 429 asking to wait longer fails at once with `OpenRouterRateLimitedError`
   * (a reconciler then stops its pass and tries again later). @default 120000
   */
  maxRetryAfterMs?: number;
  /** Requests in flight at once through this client. @default 4 */
  concurrency?: number;
  /** Called before each retry (for logs and metrics). */
  onRetry?: (event: RetryEvent) => void;
  /**
   * Waits between retries. Replace it only to drive time yourself (a scheduler, a test clock).
   * @default setTimeout-based (unref'd)
   */
  sleep?: (ms: number) => Promise<void>;
}

/** Told before each retry (for logs and metrics); never carries the key. */
export type RetryEvent = ProviderRetryEvent;

// --- Credits ------------------------------------------------------------------------------------------------------

/**
 * A key's state (`GET /api/v1/key`) and the account's credits (`GET /api/v1/credits`), in USD numbers as OpenRouter
 * reports them. `null` where OpenRouter says there is no limit.
 */
export interface OpenRouterCredits {
  /** Spending limit of the key; null: no limit. */
  limit: number | null;
  /** Spent through the key (since the limit last reset, when it resets). */
  usage: number;
  /** Left under the key's limit; null: no limit. */
  remaining: number | null;
  /** Spent through the key today (UTC), when OpenRouter reports it (current `/key` shape). */
  usageDaily?: number;
  usageWeekly?: number;
  usageMonthly?: number;
  /**
   * Credits bought by the account; null when `/credits` could not be read (OpenRouter documents it as needing a
   * management key; see `creditsUnavailable`).
   */
  totalCredits: number | null;
  /** Credits used by the account; null when `/credits` could not be read. */
  totalUsage: number | null;
  /** The account never bought credits. */
  isFreeTier: boolean;
  // Added by llm-cost beyond the shape:
  /** `totalCredits - totalUsage`; null when unknown. */
  accountRemaining: number | null;
  /** `…` and the key's last 4 characters. */
  keyFingerprint: string;
  /** `daily`, `weekly`, `monthly` when the limit resets; null when it does not or is not reported. */
  limitReset: string | null;
  /** Requests per interval the key may make, when reported. */
  rateLimit: { requests: number; interval: string } | null;
  /** Why `totalCredits` is null (e.g. `HTTP 403: management key required`). */
  creditsUnavailable?: string;
  /** When the state was read (ISO 8601, UTC). */
  checkedAt: string;
}

/** What OpenRouter charged for one generation (`GET /api/v1/generation?id=`), money as exact decimal strings. */
export interface GenerationRecord {
  id: string;
  /** USD charged, exact decimal string with 9 decimals. */
  totalCost: string;
  model: string;
  /** Provider that served it (`provider_name`), e.g. `Anthropic`. */
  providerName: string;
  upstreamInferenceCost: string | null;
  cacheDiscount: string | null;
  nativeTokensPrompt: number | null;
  nativeTokensCompletion: number | null;
  nativeTokensReasoning: number | null;
  nativeTokensCached: number | null;
  streamed: boolean;
  cancelled: boolean;
  isByok: boolean;
  finishReason: string;
}

// --- Alerts -------------------------------------------------------------------------------------------------------

/** `unknown`: neither the key nor the account reports a balance (no limit, no access to `/credits`). */
export type CreditLevel = 'ok' | 'warning' | 'critical' | 'unknown';

/** A level is reached when any of its conditions holds. */
export interface ThresholdRule {
  /** Remaining balance at or below this many USD. */
  remainingUsd?: number;
  /** Remaining balance at or below this percent of the limit (key limit, or credits bought). */
  remainingPercent?: number;
  /** Forecast run-out within this many hours at the current burn rate. */
  hoursLeft?: number;
}

/** @default { warning: { remainingUsd: 5, remainingPercent: 20 }, critical: { remainingUsd: 1, remainingPercent: 5 } } */
export interface CreditThresholds {
  warning?: ThresholdRule;
  critical?: ThresholdRule;
}

/** When the credits run out at the current burn rate. */
export interface CreditForecast {
  /** USD per hour the forecast uses: the higher of the two rates below (the earlier warning). */
  burnRatePerHour: number;
  /** Which rate that is. */
  source: 'rollups' | 'snapshots';
  /** OpenRouter spend per hour over the window in our own rollups (the key's tenant when it has one). */
  rollupRatePerHour: number | null;
  /** Usage growth per hour between the stored balance snapshots in the window. */
  snapshotRatePerHour: number | null;
  windowHours: number;
  /** Hours until the balance is 0; null when nothing is being spent. */
  hoursLeft: number | null;
  /** ISO 8601 time the balance reaches 0; null when nothing is being spent. */
  runsOutAt: string | null;
  /** `at the current burn rate ($0.50/h), credits run out in 10.0 hours (on 2026-02-03 22:00 UTC)` */
  text: string;
}

/** Body of a JSON webhook alert (`format: 'json'`); Slack-compatible webhooks get `{ text: message }`. */
export interface CreditAlert {
  type: 'llm_cost.openrouter_credits';
  /** `recovered`: back above every threshold after a warning or critical alert. */
  level: 'warning' | 'critical' | 'recovered';
  previousLevel: CreditLevel;
  /** Sent again after the cooldown because the incident lasts. */
  reminder: boolean;
  provider: 'openrouter';
  keyFingerprint: string;
  /** Tenant of the key (config file); null when none. */
  tenant: string | null;
  remainingUsd: number | null;
  /** The limit the balance is measured against (key limit, or credits bought). */
  limitUsd: number | null;
  remainingPercent: number | null;
  /** Which balance ran lowest: the key's limit or the account's credits. */
  basis: 'key' | 'account' | null;
  /** Which threshold was reached, e.g. `remaining $3.50 <= $5.00`. */
  reason: string;
  forecast: CreditForecast | null;
  /** One line for people and chat. */
  message: string;
  /** ISO 8601. */
  at: string;
}

export interface WebhookTarget {
  url: string;
  /** `json`: the CreditAlert object; `slack`: `{ text }` (Slack incoming webhooks and compatible). @default 'json' */
  format?: 'json' | 'slack';
}

// --- Monitor ------------------------------------------------------------------------------------------------------

/** One key to watch. */
export interface MonitorKey {
  apiKey: string;
  /** Tenant the key is for: its forecast reads that tenant's spend, alerts and snapshots name it. */
  tenant?: string;
  /** Overrides the monitor's thresholds for this key (per level). */
  thresholds?: CreditThresholds;
}

/** The result of checking one key once. */
export interface CreditCheck {
  keyFingerprint: string;
  tenant: string | null;
  /** Undefined when the check failed (see `error`). */
  credits?: OpenRouterCredits;
  level: CreditLevel;
  /** Why the level is what it is. */
  reason: string;
  forecast: CreditForecast | null;
  /** Alert sent by this check, if any. */
  alert: CreditAlert | null;
  error?: Error;
}

export interface CreditMonitorOptions extends Omit<OpenRouterClientOptions, 'apiKey'> {
  /** One key (else `keys`, else env `OPENROUTER_API_KEY`). */
  apiKey?: string;
  /** Several keys, e.g. one per tenant (see `loadOpenRouterConfig`). */
  keys?: MonitorKey[];
  /** Time between checks. Env: `LLM_COST_CREDITS_INTERVAL_MS`. @default 300000 (5 minutes) */
  intervalMs?: number;
  /** Stop by itself after this many checks of every key. @default unlimited */
  maxChecks?: number;
  /** Check on the interval (the first check right away); `false`: only when `checkNow()` is called. @default true */
  schedule?: boolean;
  thresholds?: CreditThresholds;
  /** While an incident lasts, the same alert is repeated at most this often. @default 86400000 (24 hours) */
  cooldownMs?: number;
  /** Send a `recovered` alert when the balance is back above every threshold. @default true */
  notifyRecovery?: boolean;
  webhooks?: WebhookTarget[];
  /** Where alert lines are written; `false` for nowhere. @default process.stdout */
  stdout?: { write(text: string): unknown } | false;
  /**
   * Where problems are written (a key refused, a webhook failing, the store unreachable), once per incident;
   * `false` for nowhere. @default process.stderr
   */
  stderr?: { write(text: string): unknown } | false;
  onAlert?: (alert: CreditAlert) => void;
  onCheck?: (check: CreditCheck) => void;
  /**
   * Store for snapshots (and the spend rollups the forecast reads); `false`: no store (forecast from nothing, no
   * history). @default {} (the default store of @llm-cost/clickhouse)
   */
  clickhouse?: ClickHouseConnectionOptions | false;
  /** Apply pending migrations to the store before the first snapshot. @default true */
  autoMigrate?: boolean;
  /** How far back the burn rate looks. @default 86400000 (24 hours) */
  forecastWindowMs?: number;
  /** Timeout of one webhook delivery. @default 10000 */
  webhookTimeoutMs?: number;
  /** The clock. Replace it only to drive time yourself. @default Date.now */
  now?: () => number;
}

export interface CreditMonitor {
  /** Checks every key now (also between scheduled checks). */
  checkNow(): Promise<CreditCheck[]>;
  /** Stops checking, waits for a check in progress, closes the store it opened. Safe to call twice. */
  stop(): Promise<void>;
  /** Resolves when the monitor stopped (by `stop()` or after `maxChecks`). */
  readonly done: Promise<void>;
  stats(): { checks: number; alerts: number; failures: number; webhookFailures: number };
}

// --- Reconciliation -----------------------------------------------------------------------------------------------

/** A key reconciliation may use; calls of a tenant are looked up with that tenant's key. */
export interface ReconcileKey {
  apiKey: string;
  /** Calls tagged with this tenant use this key; a key without a tenant serves every other call. */
  tenant?: string;
}

export interface ReconcileOptions extends Omit<OpenRouterClientOptions, 'apiKey'> {
  /** One key (else `keys`, else env `OPENROUTER_API_KEY`). */
  apiKey?: string;
  keys?: ReconcileKey[];
  /** Store holding the calls. @default {} (the default store of @llm-cost/clickhouse) */
  clickhouse?: ClickHouseConnectionOptions;
  /** Calls that started in the last this many milliseconds. @default 86400000 (24 hours) */
  lookbackMs?: number;
  /**
   * Calls are looked up only this long after they ended (OpenRouter's record appears with a lag; a record not found
   * yet is tried again by the next run). @default 60000
   */
  delayMs?: number;
  /** Calls read from the store per page. @default 200 */
  batchSize?: number;
  /** Most calls looked up in one run. @default 10000 */
  maxCalls?: number;
  /** Prices the billed cost (tenant markups) of the charged amounts. @default the process default pricer */
  pricer?: Pricer;
  /** Look the calls up but write nothing. @default false */
  dryRun?: boolean;
  /** Apply pending migrations first. @default true */
  autoMigrate?: boolean;
  /** The clock. @default Date.now */
  now?: () => number;
}

export interface ReconcileResult {
  /** Unreconciled calls found in the window. */
  calls: number;
  /** Calls whose charge was recorded. */
  reconciled: number;
  /** Of those, calls that needed an adjustment row. */
  adjusted: number;
  /** Calls OpenRouter has no record of yet (404); tried again by the next run. */
  pending: number;
  /** Calls whose lookup failed (after retries). */
  failed: number;
  /** Sum of the cost adjustments written, USD decimal string (negative: estimates were high). */
  costDelta: string;
  /** One line per failure kind (never a key). */
  errors: string[];
  /** Set when the run stopped before the end (rate limited for long, key refused). */
  stoppedEarly?: string;
  dryRun: boolean;
}

export interface ReconcilerOptions extends ReconcileOptions {
  /** Time between runs. Env: `LLM_COST_RECONCILE_INTERVAL_MS`. @default 300000 (5 minutes) */
  intervalMs?: number;
  onRun?: (result: ReconcileResult) => void;
  /** A run that failed as a whole (store unreachable, ...); the reconciler keeps going. */
  onError?: (error: Error) => void;
}

export interface Reconciler {
  /** Runs a pass now (or waits for the one in progress). */
  runNow(): Promise<ReconcileResult>;
  /** Stops after the run in progress. Safe to call twice. */
  stop(): Promise<void>;
  stats(): { runs: number; reconciled: number; adjusted: number; failedRuns: number; lastRun: ReconcileResult | null };
}
