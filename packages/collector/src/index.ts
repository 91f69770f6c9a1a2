export { startCollector } from './server/start-collector.js';
export type { CollectorOptions, ReadTokenEntry, RunningCollector, TenantToken } from './types.js';
export { startDashboard } from './dashboard/dashboard-server.js';
export type { DashboardOptions, RunningDashboard } from './dashboard/dashboard-server.js';
export { CONTENT_SECURITY_POLICY } from './dashboard/security-headers.js';
export { createCollectorQueries } from './query-client.js';
export type { CollectorQueries, CollectorQueriesOptions } from './query-client.js';
export { QUERY_NAMES } from './server/query-params.js';
export type { QueryName } from './server/query-params.js';
export { runCli, COMMANDS } from './cli/main.js';
export { runCollectorCli } from './cli/collector-command.js';
export { runDashboardCli } from './cli/dashboard-command.js';
export type { CliIo, CliCommand } from './cli/io.js';
export { collectorConfigFromArgs, parseEnvFile, COLLECTOR_FLAGS } from './config/collector-config.js';
export type { CollectorCommandConfig } from './config/collector-config.js';
export { parseTenantTokens } from './auth/tokens.js';
export { createJsonLogger, silentLogger } from './log.js';
export type { Logger, LogLevel, LogFields, JsonLoggerOptions } from './log.js';
export { decodeTraceRequestProtobuf } from './otlp/decode-protobuf.js';
export { decodeTraceRequestJson } from './otlp/decode-json.js';
export { encodeExportResponse, encodeStatus } from './otlp/responses.js';
export type { OtlpEncoding } from './otlp/responses.js';
export type {
  Attributes,
  AttributeValue,
  DecodeLimits,
  DecodedTraceRequest,
  HrTime,
  OtlpResource,
  OtlpScope,
  OtlpSpan,
  OtlpSpanKind,
} from './span.js';
export { DEFAULT_DECODE_LIMITS } from './span.js';
export {
  CollectorConfigError,
  CollectorQueryError,
  OtlpDecodeError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from './errors.js';
