/**
 * What the request path reads on every call, resolved once from the options: the host table, the tracer, and the
 * hooks a span needs when it ends. Without `registerLlmCostInstrumentation()` (a bare `wrapFetch`), the built-in
 * hosts and the globally registered tracer provider are used.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE_NAME } from '@llm-cost/semconv';
import { GenAiMetrics } from './genai-metrics.js';
import { buildHostTable, type HostTable } from './host-table.js';
import type { SpanSinks } from './llm-span.js';
import { sharedState } from './runtime-state.js';
import { VERSION } from './version.js';

export interface Runtime {
  enabled: boolean;
  readonly hosts: HostTable;
  readonly tracer: Tracer;
  readonly captureStreamUsage: boolean;
  readonly sinks: SpanSinks;
}

let defaultRuntime: Runtime | undefined;

function getDefaultRuntime(): Runtime {
  return (defaultRuntime ??= {
    enabled: true,
    hosts: buildHostTable(undefined),
    // A ProxyTracer: follows whatever provider the application registers, now or later.
    tracer: trace.getTracer(INSTRUMENTATION_SCOPE_NAME, VERSION),
    captureStreamUsage: false,
    sinks: { budgetGuard: undefined, pricer: () => undefined, metrics: new GenAiMetrics([]) },
  });
}

/** The registered runtime (or the default one), or undefined while capture is disabled. */
export function currentRuntime(): Runtime | undefined {
  const active = sharedState.active as { runtime: Runtime } | undefined;
  const runtime = active === undefined ? getDefaultRuntime() : active.runtime;
  return runtime.enabled ? runtime : undefined;
}
