import { context } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Runs `fn` with tracing suppressed, so HTTP instrumentations (and our own fetch instrumentation) do not trace
 * llm-cost's own ClickHouse requests and webhooks back into the application's telemetry.
 */
export function withoutTracing<T>(fn: () => T): T {
  return context.with(suppressTracing(context.active()), fn);
}
