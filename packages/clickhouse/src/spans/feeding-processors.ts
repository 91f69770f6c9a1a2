import { trace } from '@opentelemetry/api';

import { processExiting } from '../exit/exit-listener.js';

/**
 * The OpenTelemetry SDK span processors that feed an exporter, found so that a provider-level flush reaches the
 * exporter's own queue.
 *
 * Why: `provider.forceFlush()` asks each span processor to flush. The SDK's `SimpleSpanProcessor` waits for its
 * exports and then calls the exporter's `forceFlush()`. Its `BatchSpanProcessor` (JS 1.x, 2.x and 3.x alike) only
 * hands the spans it buffered to `export()` and waits for those export callbacks: it never calls the exporter's
 * `forceFlush()`, and with an empty buffer it waits for nothing. Our `export()` answers as soon as the calls are
 * accepted (queued for the next batch insert, or held a moment by the one-charge filter), which keeps the processor
 * from stalling on every insert; so without help the provider's flush would resolve before the rows exist.
 *
 * How: the spans an export receives are the SDK's own span objects, which point to the provider's composite
 * processor (`_spanProcessor`), which lists its processors (`_spanProcessors`), each holding its exporter
 * (`_exporter`); the same names in 1.x, 2.x and 3.x. The registered global provider leads to the same list before
 * any export. Each processor whose exporter is ours gets, on that one instance:
 * - `forceFlush()`: one turn of the event loop first (when the application read a response body as text or bytes,
 *   the instrumentation reads the usage from it, and ends the span, on the next turn), then the processor's own
 *   flush (its buffer reaches `export()`), then the exporter's `forceFlush()`, which writes every accepted call,
 *   held spans included; while the process exits, the processor's own flush at once (no turn comes any more);
 * - `shutdown()`: the same turn first, for the same spans.
 * A flush that reaches `export()` before the processor was known (the first one) is recognised by the batch
 * processor not running an export of its own (`_isExporting` false, not shutting down); that export is answered
 * once the (now wrapped) processor has been flushed through, so the first flush waits for the rows too.
 *
 * Anything else (a processor of another kind wrapping our exporter, an SDK that renamed these fields) is left alone:
 * the provider's flush then does not wait for the rows, and the exporter's `forceFlush()` must be awaited after it.
 */

/** The SDK internals read here. */
interface SdkProcessor {
  _exporter?: unknown;
  /** BatchSpanProcessorBase: true while an export it started itself (timer or full batch) is running. */
  _isExporting?: unknown;
  _shutdownOnce?: { isCalled?: unknown };
  forceFlush(): Promise<void>;
  shutdown(): Promise<void>;
}

interface Originals {
  forceFlush: () => Promise<void>;
  shutdown: () => Promise<void>;
}

/** Resolves on the next turn of the event loop, after the callbacks `setImmediate` queued before it. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export class FeedingProcessors {
  private readonly originals = new Map<SdkProcessor, Originals>();
  /** Composite processors already searched (the processors of a provider are fixed when it is built). */
  private readonly searched = new WeakSet<object>();
  /** Wrapped flushes running: an export made inside one is answered at once (the wrapper flushes after it). */
  private wrappedFlushes = 0;

  /**
   * @param exporter the exporter the processors must hold
   * @param flushExporter the exporter's own flush: resolves when every call it accepted is written
   */
  constructor(
    private readonly exporter: object,
    private readonly flushExporter: () => Promise<void>,
  ) {}

  /** Processors found feeding the exporter. */
  get count(): number {
    return this.originals.size;
  }

  /**
   * Learns from the spans of an export which processors feed the exporter. Returns the batch processor when this
   * export is part of a flush that no wrapper is around (the caller then answers it after flushing through).
   */
  observeExport(spans: readonly unknown[]): SdkProcessor | undefined {
    const first = spans[0];
    if (isObject(first)) this.search(first['_spanProcessor']);
    if (this.wrappedFlushes > 0 || this.originals.size === 0) return undefined;
    for (const processor of this.originals.keys()) {
      if (processor._isExporting === false && processor._shutdownOnce?.isCalled !== true) return processor;
    }
    return undefined;
  }

  /** Looks for the processors in the globally registered provider (NodeSDK, `NodeTracerProvider.register()`, ...). */
  observeGlobalProvider(): void {
    const global = trace.getTracerProvider() as unknown as Record<string, unknown>;
    const delegate = typeof global['getDelegate'] === 'function' ? (global['getDelegate'] as () => unknown).call(global) : global;
    if (!isObject(delegate)) return;
    // 2.x and 3.x keep the composite in `_activeSpanProcessor`, 1.x in `activeSpanProcessor`.
    this.search(delegate['_activeSpanProcessor'] ?? delegate['activeSpanProcessor']);
  }

  /**
   * At exit: the processors hand what they buffer to `export()`, synchronously (the first part of their own
   * `forceFlush()`: the wrapper would wait a turn that never comes).
   */
  handOverAtExit(): void {
    this.observeGlobalProvider();
    for (const [processor, originals] of this.originals) {
      try {
        originals.forceFlush.call(processor).catch(() => {});
      } catch {
        // Nothing more can be done at exit.
      }
    }
  }

  private search(composite: unknown): void {
    if (!isObject(composite) || this.searched.has(composite)) return;
    this.searched.add(composite);
    const list = composite['_spanProcessors'];
    const processors = Array.isArray(list) ? list : [composite];
    for (const processor of processors) {
      if (isObject(processor) && processor['_exporter'] === this.exporter) this.wrap(processor as unknown as SdkProcessor);
    }
  }

  private wrap(processor: SdkProcessor): void {
    if (this.originals.has(processor) || typeof processor.forceFlush !== 'function' || typeof processor.shutdown !== 'function') {
      return;
    }
    const originals: Originals = { forceFlush: processor.forceFlush, shutdown: processor.shutdown };
    this.originals.set(processor, originals);
    // At exit no turn comes: the processor's own flush starts at once, so its buffer still reaches export().
    processor.forceFlush = () =>
      processExiting() ? originals.forceFlush.call(processor) : this.flushThrough(() => originals.forceFlush.call(processor));
    processor.shutdown = async () => {
      await nextTurn();
      return originals.shutdown.call(processor);
    };
  }

  private async flushThrough(flushProcessor: () => Promise<void>): Promise<void> {
    this.wrappedFlushes += 1;
    try {
      await nextTurn();
      let failure: { error: unknown } | undefined;
      try {
        await flushProcessor();
      } catch (error) {
        failure = { error };
      }
      await this.flushExporter();
      if (failure) throw failure.error;
    } finally {
      this.wrappedFlushes -= 1;
    }
  }
}
