/**
 * Price overrides: prices of your own for a model (a fine-tune, a negotiated rate, a model the data does not know
 * yet), in code or in a YAML/JSON file. Validated on pricer creation with the same rules as the price data.
 *
 * File format (YAML shown; the same shape in JSON, or a bare list):
 * ```yaml
 * overrides:
 *   - provider: openai          # optional: without it the entry applies to the model from any provider
 *     model: ft:gpt-4o-mini:acme
 *     prices: { input_mtok: "0.30", output_mtok: "1.20" }
 *   - model: my-local-llama
 *     match: { starts_with: my-local-llama }   # optional: an engine match rule instead of the exact id
 *     prices: { input_mtok: 0, output_mtok: 0 }
 * ```
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PriceConfigError, PriceSourceError } from './errors.js';
import { compileMatch } from './match-logic.js';
import type { OverrideModel } from './model-resolver.js';
import { readModelPrices } from './price-table.js';

const ENTRY_FIELDS = new Set(['provider', 'model', 'match', 'prices']);

/** Read the overrides file at `path` (YAML, or JSON for `.json`) and return its list of entries, unvalidated. */
export function readOverridesFile(path: string): unknown[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PriceSourceError(`Cannot read the price overrides file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new PriceConfigError(`The price overrides file ${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  if (parsed === null || parsed === undefined) return [];
  if (Array.isArray(parsed)) return parsed;
  if (typeof parsed === 'object' && Array.isArray((parsed as { overrides?: unknown }).overrides)) {
    return (parsed as { overrides: unknown[] }).overrides;
  }
  throw new PriceConfigError(`The price overrides file ${path} must hold a list, or an object with an "overrides" list`);
}

/**
 * Validate overrides and compile them. `source` names them in errors (`overrides[2]` or the file path);
 * `normalizeProvider` maps a provider name to the key calls are compared with.
 */
export function compileOverrides(
  entries: readonly unknown[],
  source: string,
  normalizeProvider: (name: string) => string,
): OverrideModel[] {
  return entries.map((raw, i) => {
    const where = `${source}[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new PriceConfigError(`${where}: an override must be an object { provider?, model, prices }`);
    }
    const entry = raw as Record<string, unknown>;
    const extra = Object.keys(entry).filter((k) => !ENTRY_FIELDS.has(k));
    if (extra.length > 0) throw new PriceConfigError(`${where}: unknown field(s) ${extra.join(', ')}`);
    if (typeof entry.model !== 'string' || entry.model.trim() === '') {
      throw new PriceConfigError(`${where}: "model" must be a non-empty string`);
    }
    if (entry.provider !== undefined && (typeof entry.provider !== 'string' || entry.provider.trim() === '')) {
      throw new PriceConfigError(`${where}: "provider" must be a non-empty string when given`);
    }
    const model = entry.model.trim().toLowerCase();
    const qualifiedProvider = typeof entry.provider === 'string' ? normalizeProvider(entry.provider) : null;
    try {
      const match = entry.match === undefined ? (id: string) => id === model : compileMatch(entry.match);
      const { constraints, entries: priceEntries } = readModelPrices(entry.prices);
      return {
        providerId: qualifiedProvider ?? '*',
        id: model,
        match,
        constraints,
        entries: priceEntries,
        rawPrices: entry.prices,
        qualifiedProvider,
      };
    } catch (error) {
      throw new PriceConfigError(`${where} (${entry.model}): ${(error as Error).message}`, { cause: error });
    }
  });
}
