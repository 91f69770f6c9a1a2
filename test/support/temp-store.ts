/**
 * A temporary embedded store for one test file (the engine binds one data directory per process, and vitest runs each
 * file in its own process), a fresh database per test, and a CliIo that keeps what a command writes. Tests never touch
 * the checkout's default store.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let storePath: string | undefined;

/** One embedded store directory per test file, under the OS temp directory. */
export function testStorePath(prefix = 'llm-cost-test-'): string {
  storePath ??= mkdtempSync(join(tmpdir(), prefix));
  return storePath;
}

let counter = 0;

/** A fresh database name for one test. */
export function uniqueDatabase(prefix = 't'): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}

export interface CapturedIo {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  out(): string;
  err(): string;
}

/** A CliIo that keeps what a command writes. */
export function captureIo(): CapturedIo {
  let out = '';
  let err = '';
  return {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    out: () => out,
    err: () => err,
  };
}
