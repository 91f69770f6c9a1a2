import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    // Each test file runs in its own child process: embedded ClickHouse (chdb) binds one data directory per process,
    // and fetch patches must not leak between files.
    pool: 'forks',
    isolate: true,
    // No test may write into the checkout's default store (./.llm-cost): checked around the whole run.
    globalSetup: ['test/support/default-store-guard.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Benchmarks are not tests (docs/benchmarks.md); long-running reliability suites opt in through their own config.
    exclude: ['**/node_modules/**', '**/dist/**'],
  },
});
