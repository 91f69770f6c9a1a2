/**
 * Where our spans go, decided once at registration:
 * 1. `options.tracerProvider`;
 * 2. else the TracerProvider the application registered (e.g. `@opentelemetry/sdk-node`, OpenTelemetry JS 2.x or 3.x);
 * 3. else our own provider with `options.spanProcessors` / `options.exporter`;
 * 4. else, per the OpenTelemetry conventions: `OTEL_TRACES_EXPORTER` (`otlp`, `console`, `none`) or an
 *    `OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` selects an OTLP/HTTP exporter; otherwise `@llm-cost/clickhouse`'s
 *    exporter on the embedded store when that package is installed; otherwise one warning: spans are dropped.
 * Our own provider is never registered globally, so an application may still register its own later.
 */
import { diag, ProxyTracerProvider, trace, type TracerProvider } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import {
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import { ATTR_SERVICE_NAME, INSTRUMENTATION_SCOPE_NAME } from '@llm-cost/semconv';
import type { LlmCostInstrumentationOptions } from './types.js';
import { requireOptional } from './optional-module.js';
import { errorOnce, warnOnce } from './diag-once.js';

/**
 * The exporter as our batch processor sees it. The SDK's BatchSpanProcessor reports every failed batch to the global
 * error handler, so an exporter that keeps failing (a collector down, a bug that throws) would log once per batch for
 * as long as it fails, and its `forceFlush()` would reject into the application awaiting ours. Here a failure (a throw
 * or a failed result) is logged once per incident, until an export succeeds again, and the processor is told the
 * batch is done: it never retries a batch, so the spans are dropped either way.
 */
class ContainedExporter implements SpanExporter {
  private failing = false;

  constructor(private readonly target: SpanExporter) {}

  export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
    let settled = false;
    const settle = (result: ExportResult): void => {
      if (settled) return;
      settled = true;
      if (result.code === ExportResultCode.SUCCESS) {
        this.failing = false;
      } else if (!this.failing) {
        this.failing = true;
        diag.error(`${INSTRUMENTATION_SCOPE_NAME}: exporting LLM spans failed; spans are dropped until an export succeeds`, result.error);
      }
      resultCallback({ code: ExportResultCode.SUCCESS });
    };
    try {
      this.target.export(spans, settle);
    } catch (error) {
      settle({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }

  async forceFlush(): Promise<void> {
    try {
      await this.target.forceFlush?.();
    } catch (error) {
      errorOnce('exporter:flush', 'flushing the LLM span exporter failed', error);
    }
  }

  async shutdown(): Promise<void> {
    try {
      await this.target.shutdown();
    } catch (error) {
      errorOnce('exporter:shutdown', 'shutting down the LLM span exporter failed', error);
    }
  }
}

/**
 * A BatchSpanProcessor whose `forceFlush()` also flushes its exporter. The SDK's processor only hands the queued
 * spans to `export()`; exporters that write asynchronously (the ClickHouse exporter queues and batches rows, the OTLP
 * exporter has requests in flight) finish that work in their own `forceFlush()`, and the handle's `forceFlush()`
 * promises that everything recorded so far has been delivered.
 */
class FlushingBatchSpanProcessor extends BatchSpanProcessor {
  private readonly flushTarget: ContainedExporter;

  constructor(exporter: SpanExporter) {
    const contained = new ContainedExporter(exporter);
    super(contained);
    this.flushTarget = contained;
  }

  override async forceFlush(): Promise<void> {
    await super.forceFlush();
    await this.flushTarget.forceFlush();
  }
}

export interface TracerSetup {
  provider: TracerProvider;
  /** Our own provider, which we flush and shut down; undefined when the spans go to someone else's. */
  owned: BasicTracerProvider | undefined;
  /** Where spans go, for the debug log. */
  destination: string;
}

const NOOP_DELEGATE = new ProxyTracerProvider().getDelegate();

/** Whether the application registered a global TracerProvider (through any compatible copy of the API). */
export function applicationProviderRegistered(): boolean {
  const provider = trace.getTracerProvider();
  if (provider instanceof ProxyTracerProvider) return provider.getDelegate() !== NOOP_DELEGATE;
  return true;
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function clickHouseExporter(): SpanExporter | undefined {
  const clickhouse = requireOptional('@llm-cost/clickhouse');
  if (clickhouse === undefined) return undefined;
  const Exporter = clickhouse.ClickHouseCostExporter;
  if (typeof Exporter !== 'function') {
    warnOnce('default:clickhouse-shape', '@llm-cost/clickhouse has no ClickHouseCostExporter; spans are not stored');
    return undefined;
  }
  try {
    return new (Exporter as new () => SpanExporter)();
  } catch (error) {
    warnOnce('default:clickhouse-failed', 'could not start the ClickHouse exporter; spans are dropped', error);
    return undefined;
  }
}

/** The default span processors when the options name none. */
function defaultProcessors(): { processors: SpanProcessor[]; destination: string } {
  const otlpEndpoint = env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? env('OTEL_EXPORTER_OTLP_ENDPOINT');
  const otlpDestination = `OTLP/HTTP (${otlpEndpoint ?? 'http://localhost:4318/v1/traces'})`;
  const selected = env('OTEL_TRACES_EXPORTER')
    ?.split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '');
  if (selected !== undefined && selected.length > 0) {
    const processors: SpanProcessor[] = [];
    const names: string[] = [];
    for (const name of selected) {
      if (name === 'otlp') {
        processors.push(new FlushingBatchSpanProcessor(new OTLPTraceExporter()));
        names.push(otlpDestination);
      } else if (name === 'console') {
        processors.push(new FlushingBatchSpanProcessor(new ConsoleSpanExporter()));
        names.push('the console');
      } else if (name !== 'none') {
        warnOnce(`default:exporter:${name}`, `OTEL_TRACES_EXPORTER="${name}" is not supported here (otlp, console, none)`);
      }
    }
    if (processors.length > 0) return { processors, destination: names.join(' and ') };
    if (selected.includes('none')) return { processors, destination: 'nowhere (OTEL_TRACES_EXPORTER=none)' };
  }
  if (otlpEndpoint !== undefined) {
    return {
      processors: [new FlushingBatchSpanProcessor(new OTLPTraceExporter())],
      destination: otlpDestination,
    };
  }
  const exporter = clickHouseExporter();
  if (exporter !== undefined) {
    return {
      processors: [new FlushingBatchSpanProcessor(exporter)],
      destination: '@llm-cost/clickhouse (embedded store)',
    };
  }
  const message =
    'no exporter configured and no OpenTelemetry TracerProvider registered: LLM spans are dropped. ' +
    'Set OTEL_EXPORTER_OTLP_ENDPOINT (e.g. to the llm-cost collector), install @llm-cost/clickhouse for the ' +
    'embedded store, or pass `exporter` / `tracerProvider` to registerLlmCostInstrumentation().';
  warnOnce('default:none', message);
  // diag is silent unless the application set a diag logger; this one must be seen, once.
  process.emitWarning(`@llm-cost/instrumentation: ${message}`, { code: 'LLM_COST_NO_EXPORTER' });
  return { processors: [], destination: 'nowhere (no exporter configured)' };
}

export function setupTracerProvider(options: LlmCostInstrumentationOptions): TracerSetup {
  if (options.tracerProvider !== undefined) {
    return { provider: options.tracerProvider, owned: undefined, destination: 'the given tracerProvider' };
  }
  if (applicationProviderRegistered()) {
    if (options.exporter !== undefined || options.spanProcessors !== undefined) {
      warnOnce(
        'setup:ignored-exporter',
        'an OpenTelemetry TracerProvider is already registered, so LLM spans go to it; the exporter / spanProcessors ' +
          'options are ignored (add them to your provider, or pass tracerProvider)',
      );
    }
    return { provider: trace.getTracerProvider(), owned: undefined, destination: 'the registered TracerProvider' };
  }
  let processors: SpanProcessor[];
  let destination: string;
  if (options.spanProcessors !== undefined) {
    processors = [...options.spanProcessors];
    destination = 'the given span processors';
  } else if (options.exporter !== undefined) {
    processors = [new FlushingBatchSpanProcessor(options.exporter)];
    destination = 'the given exporter';
  } else {
    ({ processors, destination } = defaultProcessors());
  }
  const serviceName = options.serviceName ?? env('OTEL_SERVICE_NAME');
  const resource =
    serviceName === undefined
      ? defaultResource()
      : defaultResource().merge(resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }));
  const owned = new BasicTracerProvider({ resource, spanProcessors: processors });
  return { provider: owned, owned, destination };
}
