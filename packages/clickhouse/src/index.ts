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
export { createUsageQueries, type UsageQueries } from './queries/usage-queries.js';
export type {
  UsageTotals,
  UsageBreakdownEntry,
  UsageFilter,
  PeriodInput,
  TimeInput,
  BreakdownDimension,
  DailyCostEntry,
  LatencyEntry,
  DataQualityReport,
} from './queries/query-types.js';
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
export { runDoctor, type DoctorReport, type DoctorCheck, type DoctorOptions, type CheckStatus } from './maintenance/doctor.js';
export { forgetUser, type ForgetUserResult } from './maintenance/forget-user.js';
export { connectClickHouse } from './connection/connect.js';
export type { ClickHouseConnectionOptions } from './connection/connection-options.js';
export { migrate, type MigrateOptions, type MigrateResult, type RetentionOptions } from './schema/migrate.js';
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
