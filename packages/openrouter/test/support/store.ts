import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let storePath: string | undefined;

/** One embedded store directory per test file (the engine binds one directory per process). */
export function testStorePath(): string {
  storePath ??= mkdtempSync(join(tmpdir(), 'llm-cost-openrouter-test-'));
  return storePath;
}

let counter = 0;

/** A fresh database for one test. */
export function uniqueDatabase(prefix = 'or'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}

/** A CliIo that keeps what a command writes. */
export function captureIo() {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}
