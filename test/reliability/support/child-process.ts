/**
 * Long-running child processes of a test (the collector's `llm-cost` binary, load senders, applications): started
 * with `node`, their stdout read as JSON lines (other lines kept as text), everything they print captured for the
 * privacy and log checks, and waited for with deadlines.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { repoRoot } from '../../support/fixtures.js';

export const COLLECTOR_BIN = resolve(repoRoot, 'packages/collector/dist/bin.js');

export interface NodeChild {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Every stdout line that parsed as a JSON object, in order. */
  readonly messages: Array<Record<string, unknown>>;
  /** Everything printed so far. */
  stdout(): string;
  stderr(): string;
  /** Resolves with the first JSON line matching `predicate` (also one printed earlier); rejects at the deadline or exit. */
  waitFor(predicate: (message: Record<string, unknown>) => boolean, what: string, timeoutMs?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code (or the signal name). */
  readonly exited: Promise<number | string | null>;
  /** Sends SIGKILL if it is still running and waits for it to exit. */
  kill(): Promise<void>;
}

export function startNode(script: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): NodeChild {
  const child = spawn(process.execPath, [script, ...args], {
    // NODE_PATH is dropped: pnpm's shims point it at every hoisted package, which an application would not see.
    env: { ...process.env, NODE_PATH: undefined, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  let out = '';
  let err = '';
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    out += text;
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed === 'object' && parsed !== null) messages.push(parsed as Record<string, unknown>);
      } catch {
        // not a JSON line
      }
    }
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  let exitedFlag = false;
  const exited = new Promise<number | string | null>((done) =>
    child.once('exit', (code, signal) => {
      exitedFlag = true;
      for (const wake of waiters.splice(0)) wake();
      done(code ?? signal);
    }),
  );
  return {
    child,
    pid: child.pid!,
    messages,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitFor(predicate, what, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = messages.find(predicate);
        if (found !== undefined) return found;
        if (exitedFlag) throw new Error(`${script} exited before ${what}\nstdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`);
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}\nstderr: ${err.slice(-2000)}`);
        await new Promise<void>((wake) => {
          const timer = setTimeout(wake, left);
          waiters.push(() => {
            clearTimeout(timer);
            wake();
          });
        });
      }
    },
    async kill() {
      if (!exitedFlag) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Starts `llm-cost collector` with `args` and resolves once it listens, with its URL. */
export async function startCollectorProcess(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<NodeChild & { url: string }> {
  const collector = startNode(COLLECTOR_BIN, ['collector', ...args], env);
  const listening = await collector.waitFor((m) => m.msg === 'collector listening', 'the collector to listen');
  return Object.assign(collector, { url: String(listening.url) });
}

/** Peak resident set size of a running process in bytes (Linux `VmHWM`), or undefined elsewhere. */
export function peakRssBytes(pid: number): number | undefined {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
