export { ClickHouseCostExporter, type ClickHouseCostExporterOptions } from './exporter.js';
export {
  CostPipeline,
  type SubmitOptions,
  type SubmitResult,
  type FlushResult,
  type RowListener,
} from './pipeline/cost-pipeline.js';
export type { CostPipelineOptions } from './pipeline/pipeline-options.js';
export type { CostPipelineStats } from './pipeline/pipeline-stats.js';
export { mapSpan, isGenAiAttributes, type MapSpanOptions } from './mapping/map-span.js';
export type { LlmCall, SpanPrice } from './mapping/llm-call.js';
export { spanLikeFromReadableSpan, type SpanLike, type ReadableSpanLike, type HrTime } from './spans/span-like.js';
export type { CostPricer } from './pricing/pricer.js';
export type { LlmCallRow } from './writer/llm-call-row.js';
export { createUsageQueries, type UsageQueries, type UsageQueriesOptions } from './queries/usage-queries.js';
export { MAX_CALLS_PAGE, MAX_CALLS_RANGE_DAYS } from './queries/recent-calls.js';
export type {
  UsageTotals,
  UsageBreakdownEntry,
  UsageFilter,
  PeriodInput,
  TimeInput,
  BreakdownDimension,
  GroupDimension,
  DailyCostEntry,
  DailySeries,
  CacheSavings,
  CacheSavingsEntry,
  CallRecord,
  RecentCallsInput,
  RecentCallsPage,
  LatencyEntry,
  DataQualityReport,
  ReconciliationReport,
  ReconciliationModelEntry,
  BillDriftInput,
  BillDriftThresholds,
  BillDriftEntry,
  BillDriftCause,
  BillCoverageReport,
} from './queries/query-types.js';
export {
  recordProviderBills,
  type BillLine,
  type DayBill,
  type ProviderBillsSnapshot,
  type RecordBillsResult,
} from './bills/provider-bills.js';
export { createBudgetGuard, type BudgetGuardOptions } from './budgets/budget-guard.js';
export type {
  Budget,
  BudgetScope,
  BudgetPeriod,
  BudgetExceededEvent,
  BudgetGuard,
  BudgetCheckRequest,
  BudgetDecision,
  RecordedLlmCall,
} from './budgets/budget-types.js';
export { runMigrateCli } from './cli/migrate-cli.js';
export { runReportCli, type ReportCliDependencies, type ReportQueries } from './cli/report-cli.js';
export { runDoctorCli } from './cli/doctor-cli.js';
export { runForgetCli } from './cli/forget-cli.js';
export type { CliIo, CliCommand } from './cli/cli-io.js';
// Building blocks for the commands of other llm-cost packages (same flags, same output formats).
export { parseCommand, CONNECTION_HELP, errorMessage, type ParsedCommand } from './cli/connection-flags.js';
export { parseDuration } from './cli/duration.js';
export { startSerialLoop, type SerialLoop, type SerialLoopOptions } from './jobs/serial-loop.js';
export { formatRows, isOutputFormat, type Column, type OutputFormat } from './cli/format-output.js';
export { runDoctor, type DoctorReport, type DoctorCheck, type DoctorOptions, type CheckStatus } from './maintenance/doctor.js';
export { forgetUser, type ForgetUserResult } from './maintenance/forget-user.js';
export { connectClickHouse, openStore, type Store } from './connection/connect.js';
export { RECONCILABLE_PROVIDERS } from './reconciliation/reconcilable.js';
export {
  findUnreconciledCalls,
  readRecordedCosts,
  type UnreconciledCall,
  type FindUnreconciledOptions,
  type RecordedCost,
} from './reconciliation/unreconciled-calls.js';
export {
  recordProviderCharges,
  type ProviderCharge,
  type ChargeToRecord,
  type RecordChargesResult,
  type WrittenAdjustment,
} from './reconciliation/record-charges.js';
export {
  insertCreditSnapshots,
  readCreditSnapshots,
  type CreditSnapshot,
  type ReadCreditSnapshotsOptions,
} from './credits/credit-snapshots.js';
// Building blocks for the clients of provider APIs in other llm-cost packages (OpenRouter's account endpoints,
// OpenAI's and Anthropic's admin reports): one retry policy, one key fingerprint, one way to make money exact.
export { keyFingerprint, redactKey } from './provider-api/key-fingerprint.js';
export {
  classifyStatus,
  classifyNetworkError,
  parseRetryAfter,
  backoffDelay,
  type ResponseOutcome,
} from './provider-api/response-outcome.js';
export {
  getWithRetries,
  retryPolicy,
  errorDetail,
  type RetryPolicy,
  type RetryOptions,
  type ProviderRetryEvent,
  type ProviderGetOptions,
  type ProviderGetResult,
} from './provider-api/get-with-retries.js';
export { amountToNanoUsd, numberToNanoUsd } from './provider-api/usd-amounts.js';
export { fromNanoUsd, parseNanoUsd } from './budgets/nano-usd.js';
export type { ClickHouseConnectionOptions } from './connection/connection-options.js';
export { migrate, migrateStore, type MigrateOptions, type MigrateResult, type RetentionOptions } from './schema/migrate.js';
export { SCHEMA_VERSION } from './schema/migrations.js';
export { renderSchemaDdl, type DdlTarget } from './schema/render-ddl.js';
export {
  InvalidOptionError,
  EmbeddedStoreLockedError,
  EmbeddedStorePathConflictError,
  MigrationError,
  SchemaNotFoundError,
  BudgetExceededError,
} from './errors.js';
// Option shape checks, shared with the collector's startCollector (one message format for every entry point).
export { checkOptionShapes, shape as optionShape, kindOf, CONNECTION_OPTION_SHAPES } from './options/option-shapes.js';
export type { OptionShape, OptionShapes } from './options/option-shapes.js';
