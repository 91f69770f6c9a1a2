import type { ClickHouseConnectionOptions, ProviderRetryEvent, RetryOptions, TimeInput } from '@llm-cost/clickhouse';

/** Providers whose own bill can be read: by `gen_ai.provider.name`, as `llm_calls` names them. */
export type BillProvider = 'openai' | 'anthropic';

/** How to reach a provider's admin API, and how patiently. */
export interface AdminClientOptions extends RetryOptions {
  /**
   * The admin key: OpenAI Admin key (`sk-admin-...`, env `OPENAI_ADMIN_KEY`) or Anthropic Admin API key
   * (`sk-ant-admin...`, env `ANTHROPIC_ADMIN_KEY`). Sent to the provider only; never stored or logged (its
   * fingerprint `…abcd` is).
   */
  adminKey: string;
  /** API base URL. @default 'https://api.openai.com/v1' / 'https://api.anthropic.com/v1' */
  baseUrl?: string;
  /** Day buckets asked per page (both providers allow at most 31 daily buckets per page of usage). @default 31 */
  pageSize?: number;
  /** Called before each retry (for logs and metrics); never carries the key. */
  onRetry?: (event: ProviderRetryEvent) => void;
}

export interface SyncProviderBillsOptions extends Omit<AdminClientOptions, 'adminKey'> {
  provider: BillProvider;
  /** @default env `OPENAI_ADMIN_KEY` / `ANTHROPIC_ADMIN_KEY` */
  adminKey?: string;
  /**
   * First day to read: a time (`Date`, ms, ISO string; its whole UTC day is read) or a duration back from now
   * (`30d`, `36h`).
   */
  since: TimeInput;
  /** End of the range, exclusive; a time inside a day includes that day. @default now (today included) */
  until?: TimeInput;
  /** Names the organization when several are synced into one store (`llm_provider_bills.account`). @default '' */
  account?: string;
  /**
   * Explicit mapping of the report's names to our model names, checked first: a line item (`"gpt-4o, input"`,
   * `"Claude Sonnet 4 Usage - Input Tokens"`) or a model as the report names it → the model as `llm_calls` names it;
   * `''` keeps a line item unmapped. See the README for the built-in rules.
   */
  modelMapping?: Record<string, string>;
  /** Store to write to. @default {} (the default store of @llm-cost/clickhouse) */
  clickhouse?: ClickHouseConnectionOptions;
  /** Apply pending migrations first. @default true */
  autoMigrate?: boolean;
  /** Read the reports, write nothing. @default false */
  dryRun?: boolean;
  /** The clock. @default Date.now */
  now?: () => number;
}

export interface SyncProviderBillsResult {
  provider: BillProvider;
  account: string;
  /** `…` and the last 4 characters of the admin key. */
  keyFingerprint: string;
  /** Id of the snapshot written (`llm_provider_bills.sync_id`). */
  syncId: string;
  /** Whole UTC days read (both reports had them). */
  days: number;
  /** Report lines read (cost and usage lines of those days). */
  rows: number;
  /** Rows written to `llm_provider_bills`: 0 when every day equals what is stored (or in a dry run). */
  written: number;
  /** Days written because their figures changed (or were new). */
  changedDays: string[];
  /** Days whose figures equal what is stored: nothing written. */
  unchangedDays: string[];
  /** Days of the range a report did not return (not reached yet): left as they are, tried again next time. */
  missingDays: string[];
  /** Line items that map to no model (stored as their own rows, never dropped). */
  unmappedLineItems: string[];
  /** Sum of the cost lines read, USD. */
  billedCost: string;
  dryRun: boolean;
}

/** The daily sync of one organization, as the collector runs it (see `startBillSync`). */
export interface BillSyncTarget extends Omit<SyncProviderBillsOptions, 'since' | 'until' | 'clickhouse' | 'autoMigrate' | 'now'> {
  adminKey: string;
}

export interface BillSyncOptions {
  targets: BillSyncTarget[];
  /** Time between syncs. @default 86400000 (a day) */
  intervalMs?: number;
  /** Each sync reads this far back (providers revise recent days). @default 2592000000 (30 days) */
  lookbackMs?: number;
  clickhouse?: ClickHouseConnectionOptions;
  /** @default true */
  autoMigrate?: boolean;
  /** `false`: no timer, sync only on `runNow()`. @default true */
  schedule?: boolean;
  onSync?: (result: SyncProviderBillsResult) => void;
  /**
   * A target whose sync failed (the others go on; the next run tries it again), or, without `target`, a run that
   * failed as a whole (the store could not be migrated).
   */
  onError?: (error: Error, target?: { provider: BillProvider; account: string; keyFingerprint: string }) => void;
  now?: () => number;
}

export interface BillSync {
  /** Syncs every target now (after the run in progress). */
  runNow(): Promise<SyncProviderBillsResult[]>;
  /** Stops after the run in progress. Safe to call twice. */
  stop(): Promise<void>;
  stats(): { runs: number; syncs: number; failures: number; lastRun: SyncProviderBillsResult[] | null };
}
