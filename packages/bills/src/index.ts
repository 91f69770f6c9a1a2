/**
 * @llm-cost/bills: read OpenAI's and Anthropic's own daily bills (their admin cost and usage reports) into the
 * llm-cost store, so every day can be compared with what the instrumented calls cost (`billDrift()` of
 * @llm-cost/clickhouse) and the spend nobody instrumented becomes visible.
 */
export { syncProviderBills, syncRange } from './sync/sync-provider-bills.js';
export { startBillSync } from './sync/start-bill-sync.js';
export { loadBillsConfig, parseBillsConfig, type BillsConfig } from './config/config-file.js';
export { parseOpenAiLineItem } from './providers/openai.js';
export { runBillsCli, type BillsCliDependencies, type BillDriftQueries } from './cli/bills-cli.js';
export { BillsAuthError, BillsRateLimitedError, BillsApiError, BillsResponseError, BillsConfigError } from './errors.js';
export type {
  BillProvider,
  AdminClientOptions,
  SyncProviderBillsOptions,
  SyncProviderBillsResult,
  BillSyncTarget,
  BillSyncOptions,
  BillSync,
} from './types.js';
