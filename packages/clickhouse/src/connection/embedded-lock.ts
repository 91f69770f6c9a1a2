import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { EmbeddedStoreLockedError, EmbeddedStorePathConflictError } from '../errors.js';

/**
 * The engine writes `PID: <n>` into `<path>/status` and locks that file while it runs (a crashed holder releases
 * the lock with its process), so the pid there names the holder when the lock is refused.
 */
export function readHolderPid(path: string): number | undefined {
  try {
    const match = /^PID:\s*(\d+)/m.exec(readFileSync(join(path, 'status'), 'utf8'));
    const pid = match ? Number(match[1]) : undefined;
    return pid !== undefined && pid !== process.pid && isAlive(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const SAME_PROCESS_CONFLICT = /only one active data directory per process.*path='([^']*)'/;

/**
 * Turns chdb's refusal to open a directory into one of our errors with the path, the holder and what to do.
 * Returns the original error when it is about something else.
 */
export function explainOpenFailure(path: string, error: unknown): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const conflict = SAME_PROCESS_CONFLICT.exec(message);
  if (conflict) return new EmbeddedStorePathConflictError(path, conflict[1] ?? 'another path');
  // chdb reports "Failed to create connection for path ..." and prints the engine's "Cannot lock file .../status.
  // Another server instance in same directory is already running." (code 76) on stderr only.
  if (/Failed to create connection|Cannot lock file|Another server instance/i.test(message)) {
    const pid = readHolderPid(path);
    if (pid !== undefined || /Cannot lock file|Another server instance/i.test(message)) {
      return new EmbeddedStoreLockedError(path, pid, { cause: error });
    }
  }
  return error;
}
