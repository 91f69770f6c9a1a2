import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let storePath: string | undefined;

/**
 * One embedded store directory per test file: the engine binds one data directory per process and vitest runs each
 * file in its own process. Tests isolate themselves by database instead (see {@link uniqueDatabase}).
 */
export function testStorePath(): string {
  storePath ??= mkdtempSync(join(tmpdir(), 'llm-cost-ch-test-'));
  return storePath;
}

let counter = 0;

/** A fresh database name for one test. */
export function uniqueDatabase(prefix = 't'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}
