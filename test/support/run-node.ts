/**
 * Runs a small consumer script in a child `node` process (an ESM or CommonJS application using the built packages),
 * so that module loading, the global fetch patch and the SDKs are exercised exactly as in an application.
 */
import { spawn } from 'node:child_process';

export interface NodeScriptResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runNodeScript(
  script: string,
  options: { cwd?: string; env?: Record<string, string | undefined>; args?: string[]; timeoutMs?: number } = {},
): Promise<NodeScriptResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.args ?? []), script], {
      cwd: options.cwd,
      // NODE_PATH is dropped: package-manager shims (pnpm's vitest bin) set it to a folder of every hoisted package,
      // which would let the child resolve modules an application could not.
      env: { ...process.env, NODE_PATH: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString('utf8')));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not finish within ${options.timeoutMs ?? 60_000} ms\n${stderr}`));
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
