/**
 * The instrumentation modes of the overhead benchmark. Each sets up its OpenTelemetry state in a fresh process,
 * before the `openai` SDK is loaded (through `require`, as an application would, so the peers' require hooks see it).
 *
 * Every OpenTelemetry mode uses the same pipeline: a `NodeTracerProvider` (AsyncLocalStorage context manager,
 * registered globally) with one `BatchSpanProcessor` (SDK defaults) feeding an exporter that counts spans and
 * discards them. Peers run with their default configuration (what an application gets by installing them).
 */
'use strict';
const path = require('node:path');

const repoRoot = path.join(__dirname, '..', '..');
/** Our built package; `LLM_COST_BENCH_INSTRUMENTATION` points at another build (to compare two builds of it). */
const oursEntry = process.env.LLM_COST_BENCH_INSTRUMENTATION ?? path.join(repoRoot, 'packages/instrumentation/dist/index.cjs');
const semconv = require(path.join(repoRoot, 'packages/semconv/dist/index.cjs'));

/** Counts spans by instrumentation scope, and those that carry token usage; keeps nothing. */
class CountingExporter {
  constructor() {
    this.spans = 0;
    this.withUsage = 0;
    this.scopes = {};
  }

  export(spans, done) {
    for (const span of spans) {
      this.spans += 1;
      const scope = (span.instrumentationScope ?? span.instrumentationLibrary)?.name ?? 'unknown';
      this.scopes[scope] = (this.scopes[scope] ?? 0) + 1;
      const a = span.attributes;
      if (
        a[semconv.ATTR_GEN_AI_USAGE_INPUT_TOKENS] !== undefined ||
        a[semconv.ATTR_GEN_AI_USAGE_PROMPT_TOKENS] !== undefined ||
        a[semconv.ATTR_OPENINFERENCE_PROMPT_TOKENS] !== undefined
      ) {
        this.withUsage += 1;
      }
    }
    done({ code: 0 });
  }

  shutdown() {
    return Promise.resolve();
  }

  forceFlush() {
    return Promise.resolve();
  }
}

const OTEL_MODES = new Set(['otel-sdk', 'otel-sdk-als', 'bare-span', 'ours', 'ours-metrics', 'ours-no-metrics', 'otel-openai', 'openllmetry', 'openinference']);

/** Names in the order modes are run in a round, and the labels of the report. */
const MODES = [
  ['baseline', 'baseline (no OpenTelemetry)'],
  ['otel-sdk', 'OpenTelemetry SDK alone'],
  ['otel-sdk-als', 'OpenTelemetry SDK, context manager in use (no LLM spans)'],
  ['bare-span', 'bare-span floor (1 active CLIENT span)'],
  ['ours', '@llm-cost/instrumentation (under the registered SDK)'],
  ['ours-own-provider', '@llm-cost/instrumentation, own provider (no SDK registered)'],
  ['ours-metrics', '@llm-cost/instrumentation, GenAI metrics to a registered MeterProvider'],
  ['ours-no-metrics', '@llm-cost/instrumentation, metrics: false'],
  ['otel-openai', '@opentelemetry/instrumentation-openai'],
  ['openllmetry', 'OpenLLMetry @traceloop/instrumentation-openai'],
  ['openinference', 'OpenInference @arizeai/openinference-instrumentation-openai'],
];

/**
 * Sets up `mode` and returns what the harness needs: the OpenAI class, a `wrap(fn)` that runs one call (the bare span
 * wraps it in an active span), `flush()`, and the exporter's counts.
 * @param {string} mode
 * @param {{ hosts: Record<string, string> }} options
 */
function setupMode(mode, options) {
  let provider;
  let exporter;
  /** Turns the instrumentation on or off in place (for the paired A/B measurement); undefined: not possible. */
  let toggle;
  if (mode === 'ours-own-provider') {
    // The README's smallest deployment: no SDK registered, our provider with the same processor and exporter.
    const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
    const { registerLlmCostInstrumentation } = require(oursEntry);
    exporter = new CountingExporter();
    provider = registerLlmCostInstrumentation({ hosts: options.hosts, spanProcessors: [new BatchSpanProcessor(exporter)] });
    toggle = (on) => (on ? provider.enable() : provider.disable());
  }
  if (OTEL_MODES.has(mode)) {
    const { NodeTracerProvider } = require('@opentelemetry/sdk-trace-node');
    const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace-base');
    exporter = new CountingExporter();
    provider = new NodeTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter)] });
    provider.register();
  }
  let wrap = (fn) => fn();
  let bareOn = true;
  if (mode === 'otel-sdk-als') {
    // What every application exporting spans through the SDK has: the span processor's export (and any server
    // instrumentation) enters a context, which on Node 20 switches AsyncLocalStorage's promise hooks on for good.
    const { context, ROOT_CONTEXT } = require('@opentelemetry/api');
    context.with(ROOT_CONTEXT.setValue(Symbol('bench'), 1), () => {});
  } else if (mode === 'bare-span') {
    const { SpanKind, trace } = require('@opentelemetry/api');
    const tracer = trace.getTracer('bench-bare-span');
    const options = { kind: SpanKind.CLIENT };
    wrap = (fn) =>
      bareOn
        ? tracer.startActiveSpan('chat gpt-4o-mini', options, (span) =>
            fn().finally(() => {
              span.end();
            }),
          )
        : fn();
    toggle = (on) => {
      bareOn = on;
    };
  } else if (mode === 'ours' || mode === 'ours-metrics' || mode === 'ours-no-metrics') {
    if (mode === 'ours-metrics') {
      // The metrics SDK as an application sets it up: a MeterProvider with a periodic reader (it exports after the
      // measurement; recording, what a call pays, is what is measured).
      const { metrics } = require('@opentelemetry/api');
      const { MeterProvider, PeriodicExportingMetricReader, AggregationTemporality } = require('@opentelemetry/sdk-metrics');
      const metricExporter = {
        export: (_batch, done) => done({ code: 0 }),
        forceFlush: () => Promise.resolve(),
        shutdown: () => Promise.resolve(),
        selectAggregationTemporality: () => AggregationTemporality.CUMULATIVE,
      };
      const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 600_000 });
      metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    }
    const { registerLlmCostInstrumentation } = require(oursEntry);
    const handle = registerLlmCostInstrumentation({ hosts: options.hosts, ...(mode === 'ours-no-metrics' ? { metrics: false } : {}) });
    toggle = (on) => (on ? handle.enable() : handle.disable());
  } else if (mode === 'otel-openai' || mode === 'openllmetry' || mode === 'openinference') {
    const { registerInstrumentations } = require('@opentelemetry/instrumentation');
    const pkg = {
      'otel-openai': '@opentelemetry/instrumentation-openai',
      openllmetry: '@traceloop/instrumentation-openai',
      openinference: '@arizeai/openinference-instrumentation-openai',
    }[mode];
    const { OpenAIInstrumentation } = require(pkg);
    const instrumentation = new OpenAIInstrumentation();
    registerInstrumentations({ instrumentations: [instrumentation] });
    // disable() unwraps the SDK's methods, enable() wraps the loaded module again.
    toggle = (on) => (on ? instrumentation.enable() : instrumentation.disable());
  }
  const { OpenAI } = require('openai');
  // openai 4.x (the last 4.x, installed as `openai-v4`) sends through node-fetch, i.e. node:http: our node:http path
  // (and @opentelemetry/instrumentation-openai, which patches it by module: its package name is `openai`).
  const OpenAI4 = require('openai-v4');
  return {
    OpenAI,
    OpenAI4,
    wrap,
    toggle,
    expectsSpans: mode !== 'baseline' && mode !== 'otel-sdk' && mode !== 'otel-sdk-als',
    // One turn of the event loop first, in every mode: work an instrumentation defers to the next turn (a span made
    // after the application got its result) then lands inside the measured block that caused it.
    flush: () => new Promise((resolve) => setImmediate(resolve)).then(() => (provider ? provider.forceFlush() : undefined)),
    counts: () => (exporter ? { spans: exporter.spans, withUsage: exporter.withUsage, scopes: exporter.scopes } : { spans: 0, withUsage: 0, scopes: {} }),
  };
}

/** Modes that also run the openai 4.x scenarios (node:http path): ours, the peer that patches openai 4 by module, the baseline. */
const V4_MODES = new Set(['baseline', 'ours', 'ours-own-provider', 'otel-openai']);

module.exports = { MODES, V4_MODES, setupMode };
