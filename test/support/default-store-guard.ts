/**
 * Vitest global setup: the tests must never write into the checkout's default embedded store (`./.llm-cost/` at the
 * repository root, or in a package or example folder a test runs from), which the demo and `llm-cost report` read as
 * the user's own spending. The folders are listed before the run and compared after it; any change fails the run
 * with the files that changed.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './fixtures.js';

const STORE_DIR = '.llm-cost';

/** Every `.llm-cost` folder a test could create by using the default path from its working directory. */
function storeDirs(): string[] {
  const dirs = [join(repoRoot, STORE_DIR)];
  for (const group of ['packages', 'examples']) {
    const base = join(repoRoot, group);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      if (entry.isDirectory()) dirs.push(join(base, entry.name, STORE_DIR));
    }
  }
  return dirs;
}

/** path → size and modification time of every file under the store folders. */
function snapshot(): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        files.set(`${path}/`, 'dir');
        walk(path);
      } else {
        try {
          const stat = statSync(path);
          files.set(path, `${stat.size}:${stat.mtimeMs}`);
        } catch {
          // Removed while listing: the comparison reports it.
        }
      }
    }
  };
  for (const dir of storeDirs()) walk(dir);
  return files;
}

export function changedFiles(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [path, state] of after) if (before.get(path) !== state) changed.push(relative(repoRoot, path));
  for (const path of before.keys()) if (!after.has(path)) changed.push(`${relative(repoRoot, path)} (removed)`);
  return changed;
}

export default function setup(): () => void {
  const before = snapshot();
  return () => {
    const changed = changedFiles(before, snapshot());
    if (changed.length > 0) {
      // Vitest reports an error thrown here but still exits 0; the exit code is what CI reads.
      process.exitCode = 1;
      throw new Error(
        `the tests changed the checkout's default store (${changed.length} files), which the demo and ` +
          `\`llm-cost report\` read as the user's data: ${changed.slice(0, 10).join(', ')}. ` +
          'Give every test its own store directory.',
      );
    }
  };
}
