/**
 * The last chance for calls that were accepted but not written when the process exits without a flush:
 * `process.exit()`, an uncaught exception, an unhandled rejection. Node then runs the `'exit'` listeners
 * synchronously and nothing asynchronous ever again (no timer, no promise, no socket), so whatever happens here
 * happens synchronously.
 *
 * Two steps, in this order, whatever order things were registered in:
 * 1. hand-overs: span processors that still buffer spans for one of our exporters hand them over (the first,
 *    synchronous part of a processor's `forceFlush()` calls `export()`); `@llm-cost/instrumentation` registers the
 *    provider it owns, the exporter the SDK processors it found feeding it;
 * 2. writers: each pipeline writes what it holds (embedded store) or says how many calls it could not write.
 *
 * The listener is prepended: the embedded engine (chdb) closes its sessions from an `'exit'` listener of its own,
 * registered when the first store was opened, and the writers need the engine open.
 */

/** A synchronous step run at exit; its errors are contained (one failing step does not stop the others). */
export type ExitStep = () => void;

// On globalThis under a registered symbol: @llm-cost/instrumentation adds to the same set without importing this
// package (it must not depend on it), and the ESM and CommonJS builds of this package share it too.
const HAND_OVERS_KEY = Symbol.for('@llm-cost/exit.hand-overs');
type GlobalWithHandOvers = typeof globalThis & { [HAND_OVERS_KEY]?: Set<ExitStep> };

/** Steps that hand buffered spans over to their exporters, run before any writer. */
export const exitHandOvers: Set<ExitStep> = ((globalThis as GlobalWithHandOvers)[HAND_OVERS_KEY] ??= new Set());

const writers = new Set<ExitStep>();
let listening = false;
let exiting = false;

/** True once the exit steps started: code that would wait a turn must act synchronously now or never. */
export function processExiting(): boolean {
  return exiting;
}

/** Registers a writer run at exit (after every hand-over); returns a function that unregisters it. */
export function onProcessExit(writer: ExitStep): () => void {
  writers.add(writer);
  if (!listening) {
    listening = true;
    process.prependListener('exit', runExitSteps);
  }
  return () => writers.delete(writer);
}

function runExitSteps(): void {
  if (writers.size === 0) return;
  exiting = true;
  for (const step of [...exitHandOvers, ...writers]) {
    try {
      step();
    } catch {
      // A step reports its own failures; a throw here would replace the process's exit code.
    }
  }
}
