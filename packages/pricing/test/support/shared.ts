import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root (this file is packages/pricing/test/support/shared.ts). */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/**
 * The real genai-prices v2 data file in the shared folder beside the repository (never copied into the project):
 * `$LLM_COST_SHARED_DATA/genai-prices/...` or `<repo>/../shared/data/genai-prices/...`.
 */
export const sharedDataDir = process.env.LLM_COST_SHARED_DATA ?? resolve(repoRoot, '../shared/data');
export const sharedPriceFile = join(sharedDataDir, 'genai-prices', 'data-v2-2026-08-21.json');
export const sharedPriceFileExists = existsSync(sharedPriceFile);

/** Real recorded provider responses: `$LLM_COST_SHARED_FIXTURES` or `<repo>/../shared/fixtures/providers`. */
export const sharedFixturesDir = process.env.LLM_COST_SHARED_FIXTURES ?? resolve(repoRoot, '../shared/fixtures/providers');
export const sharedFixturesExist = existsSync(sharedFixturesDir);

/** Say loudly, once per file, that a suite did not run because shared material is missing. */
export function reportMissing(what: string, path: string): void {
  console.warn(`[pricing tests] ${what} not found at ${path}: the tests that need it DID NOT RUN.`);
}
