/**
 * Steps run when the process exits without a flush (`process.exit()`, an uncaught exception), before an exporter
 * that can still write synchronously writes what it holds (`@llm-cost/clickhouse` on its embedded store runs them
 * from its `'exit'` listener). A step hands spans still buffered in a span processor over to its exporter: the first,
 * synchronous part of a processor's `forceFlush()` does that. Kept on `globalThis` under a registered symbol so the
 * two packages share the set without depending on each other.
 */
const HAND_OVERS_KEY = Symbol.for('@llm-cost/exit.hand-overs');

type GlobalWithHandOvers = typeof globalThis & { [HAND_OVERS_KEY]?: Set<() => void> };

export const exitHandOvers: Set<() => void> = ((globalThis as GlobalWithHandOvers)[HAND_OVERS_KEY] ??= new Set());
