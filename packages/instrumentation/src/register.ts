/**
 * `registerLlmCostInstrumentation()`: resolves the options once, chooses where spans go, patches the global fetch,
 * and returns the process-wide handle (the same handle on every call, also across the ESM and CommonJS builds).
 */
import { diag, type TracerProvider } from '@opentelemetry/api';
import { INSTRUMENTATION_SCOPE_NAME } from '@llm-cost/semconv';
import type { LlmCostInstrumentation, LlmCostInstrumentationOptions } from './types.js';
import { buildHostTable } from './host-table.js';
import { patchReadableFromWeb } from './capture/fetch/body-observer.js';
import { instrumentFetch } from './capture/fetch/fetch-capture.js';
import { patchNodeHttp } from './capture/http/patch.js';
import { patchNodeHttp2 } from './capture/http2/patch.js';
import type { Runtime } from './runtime.js';
import { sharedState, DEFAULT_TAG_LIMITS } from './runtime-state.js';
import { EMPTY_TAG_SET, extendTagSet, type TagLimits, type TagSet } from './tag-validation.js';
import { setupTracerProvider } from './tracer-setup.js';
import { pricerResolver } from './price-spans.js';
import { GenAiMetrics } from './genai-metrics.js';
import { errorOnce, warnOnce } from './diag-once.js';
import { exitHandOvers } from './exit-hand-over.js';
import { VERSION } from './version.js';

type FetchFn = typeof globalThis.fetch;

interface ActiveInstrumentation {
  runtime: Runtime;
  handle: LlmCostInstrumentation;
}

function envFlag(name: string): boolean | undefined {
  const value = process.env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  warnOnce(`env:${name}`, `${name}="${value}" is not a boolean (true/false); ignored`);
  return undefined;
}

function limit(value: unknown, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return Math.min(value, 10_000);
  warnOnce(`option:${name}`, `${name} must be a positive integer; using ${fallback}`);
  return fallback;
}

/** GenAI client metrics, unless `metrics: false` (or `LLM_COST_METRICS=false`). */
function metricsOf(options: LlmCostInstrumentationOptions): GenAiMetrics | undefined {
  const option = options.metrics;
  if (option !== undefined && typeof option !== 'boolean') warnOnce('option:metrics', 'metrics must be true or false; using true');
  const enabled = typeof option === 'boolean' ? option : (envFlag('LLM_COST_METRICS') ?? true);
  if (!enabled) return undefined;
  const tags = options.metricTags;
  if (tags === undefined) return new GenAiMetrics([]);
  if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string' && tag !== '')) {
    warnOnce('option:metricTags', 'metricTags must be an array of tag names (e.g. [\'feature\']); no tags on metrics');
    return new GenAiMetrics([]);
  }
  return new GenAiMetrics([...new Set(tags)]);
}

function tagLimitsOf(options: LlmCostInstrumentationOptions): TagLimits {
  return Object.freeze({
    maxTags: limit(options.maxTags, DEFAULT_TAG_LIMITS.maxTags, 'maxTags'),
    maxKeyLength: limit(options.maxTagKeyLength, DEFAULT_TAG_LIMITS.maxKeyLength, 'maxTagKeyLength'),
    maxValueLength: limit(options.maxTagValueLength, DEFAULT_TAG_LIMITS.maxValueLength, 'maxTagValueLength'),
  });
}

/** The default tags resolver: an object is validated once; a function is called (and validated) per call. */
function defaultTagsResolver(
  defaultTags: LlmCostInstrumentationOptions['defaultTags'],
): (() => TagSet | undefined) | undefined {
  if (defaultTags === undefined || defaultTags === null) return undefined;
  if (typeof defaultTags === 'function') {
    return () => {
      // Reading the returned object runs the application's code too (getters, proxies): both inside the try.
      try {
        return extendTagSet(EMPTY_TAG_SET, defaultTags(), sharedState.tagLimits);
      } catch (error) {
        errorOnce('tags:default-function', 'the defaultTags function threw; calls go on without default tags', error);
        return undefined;
      }
    };
  }
  let set: TagSet;
  try {
    set = extendTagSet(EMPTY_TAG_SET, defaultTags, sharedState.tagLimits);
  } catch (error) {
    errorOnce('tags:default-object', 'the defaultTags object could not be read; calls go on without default tags', error);
    return undefined;
  }
  return set.count === 0 ? undefined : () => set;
}

function createInstrumentation(options: LlmCostInstrumentationOptions): ActiveInstrumentation {
  sharedState.tagLimits = tagLimitsOf(options);
  const setup = setupTracerProvider(options);
  diag.debug(`${INSTRUMENTATION_SCOPE_NAME}: LLM spans go to ${setup.destination}`);
  const runtime: Runtime = {
    enabled: false,
    hosts: buildHostTable(options.hosts),
    tracer: setup.provider.getTracer(INSTRUMENTATION_SCOPE_NAME, VERSION),
    captureStreamUsage: options.captureStreamUsage ?? envFlag('LLM_COST_CAPTURE_STREAM_USAGE') ?? false,
    sinks: { budgetGuard: options.budgetGuard, pricer: pricerResolver(options.priceSpans), metrics: metricsOf(options) },
  };
  if (options.budgetGuard !== undefined && typeof options.budgetGuard?.check !== 'function') {
    warnOnce('option:budgetGuard', 'budgetGuard must have check() and record(); ignored');
    (runtime.sinks as { budgetGuard: unknown }).budgetGuard = undefined;
  }
  const patchGlobal = options.patchGlobalFetch !== false;
  const patchHttp = options.patchNodeHttp ?? envFlag('LLM_COST_PATCH_NODE_HTTP') ?? true;
  let unpatchHttp: (() => void) | undefined;
  let unpatchFromWeb: (() => void) | undefined;
  let original: FetchFn | undefined;
  let patched: FetchFn | undefined;
  let shutDown = false;
  let flushOnExit: (() => void) | undefined;

  const enable = (): void => {
    if (shutDown) return;
    runtime.enabled = true;
    if (patchHttp && unpatchHttp === undefined) {
      const undoHttp = patchNodeHttp();
      const undoHttp2 = patchNodeHttp2();
      unpatchHttp = () => {
        undoHttp();
        undoHttp2();
      };
    }
    unpatchFromWeb ??= patchReadableFromWeb();
    if (!patchGlobal || typeof globalThis.fetch !== 'function') return;
    if (patched !== undefined && globalThis.fetch === patched) return;
    original = globalThis.fetch;
    patched = instrumentFetch(original);
    globalThis.fetch = patched;
  };

  const disable = (): void => {
    runtime.enabled = false;
    unpatchHttp?.();
    unpatchHttp = undefined;
    unpatchFromWeb?.();
    unpatchFromWeb = undefined;
    // Only undo our own patch: if someone wrapped fetch after us, our wrapper stays inside theirs, passing through.
    if (patched !== undefined && globalThis.fetch === patched && original !== undefined) globalThis.fetch = original;
    patched = undefined;
  };

  const forceFlush = async (): Promise<void> => {
    // A JSON body is parsed on the turn after the application received it (setImmediate in
    // capture/response/usage-sinks.ts), so a call awaited just before forceFlush() may not have ended its span yet:
    // let those parses run first.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const provider = setup.provider as TracerProvider & { forceFlush?: () => Promise<void>; getDelegate?: () => unknown };
    const target = (provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
    // A failing exporter or span processor is ours to contain: the application awaiting forceFlush() is not told.
    try {
      if (typeof target.forceFlush === 'function') await target.forceFlush();
    } catch (error) {
      errorOnce('handle:flush', 'flushing LLM spans failed', error);
    }
  };

  const handle: LlmCostInstrumentation = {
    get tracerProvider() {
      return setup.provider;
    },
    get enabled() {
      return runtime.enabled;
    },
    enable,
    disable,
    forceFlush,
    async shutdown() {
      if (shutDown) return;
      disable();
      shutDown = true;
      if (flushOnExit !== undefined) process.removeListener('beforeExit', flushOnExit);
      exitHandOvers.delete(handOverOnExit);
      if ((sharedState.active as ActiveInstrumentation | undefined)?.handle === handle) sharedState.active = undefined;
      sharedState.defaultTags = undefined;
      if (setup.owned !== undefined) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        try {
          await setup.owned.shutdown();
        } catch (error) {
          errorOnce('handle:shutdown', 'shutting down the LLM span exporter failed', error);
        }
      } else {
        await forceFlush();
      }
    },
  };

  if (setup.owned !== undefined) {
    // A short script that makes a few calls and ends must not lose the spans still in the batch queue.
    const owned = setup.owned;
    flushOnExit = () => {
      owned.forceFlush().catch((error: unknown) => errorOnce('exit:flush', 'flushing LLM spans at exit failed', error));
    };
    process.once('beforeExit', flushOnExit);
  }
  // process.exit() and uncaught exceptions skip 'beforeExit'. At 'exit' nothing asynchronous runs any more, but the
  // start of a provider's forceFlush() still hands its batch queue to its exporters, synchronously: an exporter that
  // can write at exit (the ClickHouse exporter's embedded store) then stores those calls too. The provider is ours or
  // the application's (the one our spans go to).
  const handOverOnExit = (): void => {
    const provider = setup.provider as TracerProvider & { getDelegate?: () => unknown };
    const target = (setup.owned ?? provider.getDelegate?.() ?? provider) as { forceFlush?: () => Promise<void> };
    target.forceFlush?.().catch(() => {});
  };
  exitHandOvers.add(handOverOnExit);

  sharedState.defaultTags = defaultTagsResolver(options.defaultTags);
  const enabled = options.enabled ?? envFlag('LLM_COST_ENABLED') ?? true;
  if (enabled) enable();
  return { runtime, handle };
}

/**
 * Starts capturing LLM calls: call once at startup, before creating SDK clients (the OpenAI and Anthropic SDKs keep
 * the fetch they find when constructed). A second call returns the same handle and ignores its options.
 */
export function registerLlmCostInstrumentation(options: LlmCostInstrumentationOptions = {}): LlmCostInstrumentation {
  const existing = sharedState.active as ActiveInstrumentation | undefined;
  if (existing !== undefined) {
    if (Object.keys(options ?? {}).length > 0) {
      diag.debug(`${INSTRUMENTATION_SCOPE_NAME}: already registered; the options of this call are ignored`);
    }
    return existing.handle;
  }
  const active = createInstrumentation(options ?? {});
  sharedState.active = active;
  return active.handle;
}
