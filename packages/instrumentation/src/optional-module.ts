/**
 * Loads an optional peer dependency (`@llm-cost/pricing`, `@llm-cost/clickhouse`) synchronously and only when an
 * option needs it, from this package's location, then from the application's entry script and its working directory
 * (strict installs such as pnpm link an optional peer next to the application, not next to us).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { warnOnce } from './diag-once.js';

function isNotFound(error: unknown, name: string): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { code?: unknown }).code === 'MODULE_NOT_FOUND' &&
    String((error as { message?: unknown }).message).includes(name)
  );
}

/** The module's exports, or undefined when it is not installed (a module that fails to load is logged once). */
export function requireOptional(name: string): Record<string, unknown> | undefined {
  const entry = process.argv[1];
  const bases = [import.meta.url, ...(entry ? [entry] : []), join(process.cwd(), 'noop.js')];
  for (const base of bases) {
    try {
      return createRequire(base)(name) as Record<string, unknown>;
    } catch (error) {
      if (isNotFound(error, name)) continue;
      warnOnce(`optional:${name}`, `${name} is installed but failed to load`, error);
      return undefined;
    }
  }
  return undefined;
}
