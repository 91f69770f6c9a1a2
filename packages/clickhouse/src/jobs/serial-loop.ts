/** A task run now and on an interval, never two at once. */
export interface SerialLoop<T> {
  /** Runs the task after the one in progress (if any). */
  runNow(): Promise<T>;
  /** No more runs; waits for the one in progress, then `onStop`. Safe to call twice. */
  stop(): Promise<void>;
}

export interface SerialLoopOptions {
  intervalMs: number;
  /** Run right away and then every `intervalMs` after the previous run ended; `false`: only on `runNow()`. */
  schedule: boolean;
  /** A scheduled run failed (runs from `runNow()` reject to their caller instead). */
  onError(error: unknown): void;
  /** Asked after each scheduled run: true stops the loop. */
  shouldStop?(): boolean;
  onStop?(): Promise<void>;
}

/**
 * The timer loop of the background jobs beside a store (the OpenRouter credit monitor and reconciler, the daily
 * provider-bill sync). The next run is planned when a run ends (no overlap, no
 * backlog after a slow run); timers are unref'd so the loop never keeps a process alive on its own.
 */
export function startSerialLoop<T>(task: () => Promise<T>, options: SerialLoopOptions): SerialLoop<T> {
  let chain: Promise<unknown> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let stopping: Promise<void> | undefined;

  const runNow = (): Promise<T> => {
    const next = chain.then(task);
    chain = next.catch(() => undefined);
    return next;
  };

  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await chain;
      await options.onStop?.();
    })());

  const tick = async (): Promise<void> => {
    timer = undefined;
    if (stopped) return;
    await runNow().catch((error: unknown) => options.onError(error));
    if (options.shouldStop?.()) {
      void stop();
      return;
    }
    if (!stopped) timer = setTimeout(() => void tick(), options.intervalMs).unref();
  };

  if (options.schedule) setImmediate(() => void tick());
  return { runNow, stop };
}
