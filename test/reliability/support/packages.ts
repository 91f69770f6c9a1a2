/**
 * The packages under test, as an application gets them: their built entry points (`pnpm test` builds first). The
 * reliability suites live outside any package, so they import the builds by path; each package's own imports of the
 * others resolve to the same files, so there is one copy of each module.
 */
export {
  registerLlmCostInstrumentation,
  withTags,
  wrapFetch,
  type BudgetGuard,
  type LlmCostInstrumentation,
  type LlmCostInstrumentationOptions,
} from '../../../packages/instrumentation/dist/index.js';
export {
  ClickHouseCostExporter,
  CostPipeline,
  createBudgetGuard,
  createUsageQueries,
  migrate,
  type CostPipelineStats,
  type SpanLike,
} from '../../../packages/clickhouse/dist/index.js';
export {
  startCollector,
  decodeTraceRequestJson,
  decodeTraceRequestProtobuf,
  createJsonLogger,
  OtlpDecodeError,
  type CollectorOptions,
  type RunningCollector,
} from '../../../packages/collector/dist/index.js';
