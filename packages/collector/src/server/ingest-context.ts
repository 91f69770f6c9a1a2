import type { TokenTable } from '../auth/tokens.js';
import type { ByteBudget } from '../http/byte-budget.js';
import type { Logger } from '../log.js';
import type { MetricsRegistry } from '../metrics.js';
import type { DecodeLimits } from '../span.js';
import type { CostPipeline } from './pipeline.js';

/** What an export needs, whichever transport carried it (OTLP/HTTP route, OTLP/gRPC service). */
export interface IngestContext {
  tokens: TokenTable;
  pipeline: CostPipeline;
  metrics: MetricsRegistry;
  logger: Logger;
  maxBodyBytes: number;
  decodeLimits: DecodeLimits;
  retryAfterSeconds: number;
  /** Memory bound on the bodies being read and decoded at once. */
  bodyBudget: ByteBudget;
  /** True once shutdown began: new exports are refused with 503 so the client retries elsewhere or later. */
  isDraining(): boolean;
}
