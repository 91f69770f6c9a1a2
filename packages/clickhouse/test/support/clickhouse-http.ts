import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

const SCRIPT = fileURLToPath(new URL('./clickhouse-http-server.mjs', import.meta.url));

export type FaultMode = 'none' | 'fail_after_insert' | 'reset_after_insert' | 'unavailable' | 'garbage' | 'delay';

export interface FaultCounters {
  requests: number;
  inserts: number;
  insertsRun: number;
  faultsInjected: number;
}

/**
 * A ClickHouse HTTP endpoint served by a child process on top of the embedded engine (see
 * clickhouse-http-server.mjs). `stop()` kills it (the store becomes unreachable), `start()` brings it back on the
 * same port and data directory, `setFault()` breaks it at the transport boundary.
 */
export class ClickHouseHttpServer {
  private child: ChildProcess | undefined;
  port = 0;

  constructor(readonly path: string) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  /** Process id of the running server. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  async start(): Promise<void> {
    const child = spawn(process.execPath, [SCRIPT, '--path', this.path, '--port', String(this.port)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const lines = createInterface({ input: child.stdout! });
    const exited = once(child, 'exit').then(([code]) => {
      throw new Error(`ClickHouse HTTP test server exited (${String(code)}): ${stderr}`);
    });
    const ready = (async () => {
      for await (const line of lines) return JSON.parse(line) as { port: number };
      throw new Error(`ClickHouse HTTP test server closed stdout: ${stderr}`);
    })();
    const { port } = await Promise.race([ready, exited]);
    exited.catch(() => {});
    this.port = port;
    this.child = child;
  }

  /** Kills the server and waits until the process is gone (its data directory is released). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  async setFault(fault: { mode: FaultMode; times?: number; ms?: number }): Promise<void> {
    const response = await fetch(`${this.url}/__faults`, { method: 'POST', body: JSON.stringify(fault) });
    if (!response.ok) throw new Error(`setFault failed: ${response.status}`);
  }

  async counters(): Promise<FaultCounters> {
    const response = await fetch(`${this.url}/__faults`);
    return ((await response.json()) as { counters: FaultCounters }).counters;
  }
}
