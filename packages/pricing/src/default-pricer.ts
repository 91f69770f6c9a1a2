/**
 * The process-default pricer behind `priceUsage()`, created on first use from the environment:
 * - `LLM_COST_PRICES_FILE`: a price data snapshot (what `llm-cost prices sync` writes) instead of the bundled data;
 * - `LLM_COST_PRICE_OVERRIDES_FILE`: a YAML or JSON overrides file.
 * Configure it in code with `setDefaultPricer(createPricer({...}))`.
 */
import { createPricer } from './pricer.js';
import type { PriceResult, PriceUsageInput, Pricer, PricerOptions } from './types.js';

/** Environment variable naming a price data snapshot file. */
export const ENV_PRICES_FILE = 'LLM_COST_PRICES_FILE';
/** Environment variable naming a price overrides file (YAML or JSON). */
export const ENV_PRICE_OVERRIDES_FILE = 'LLM_COST_PRICE_OVERRIDES_FILE';

/** Pricer options taken from the environment (`LLM_COST_PRICES_FILE`, `LLM_COST_PRICE_OVERRIDES_FILE`). */
export function pricerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PricerOptions {
  const options: PricerOptions = {};
  const snapshotFile = env[ENV_PRICES_FILE]?.trim();
  const overridesFile = env[ENV_PRICE_OVERRIDES_FILE]?.trim();
  if (snapshotFile) options.snapshotFile = snapshotFile;
  if (overridesFile) options.overridesFile = overridesFile;
  return options;
}

let defaultPricer: Pricer | undefined;

/** The process-default pricer, created from the environment on first call (throws if its files are invalid). */
export function getDefaultPricer(): Pricer {
  defaultPricer ??= createPricer(pricerOptionsFromEnv());
  return defaultPricer;
}

/** Replace the process-default pricer (or pass `undefined` to recreate it from the environment on next use). */
export function setDefaultPricer(pricer: Pricer | undefined): void {
  defaultPricer = pricer;
}

/**
 * Price one call with the process-default pricer: exact USD decimal strings, `priceVersion`, `matchedModel`.
 * Never throws for bad usage or an unknown model; throws `PriceDataError` / `PriceConfigError` /
 * `PriceSourceError` on first use if the files named in the environment are invalid.
 */
export function priceUsage(input: PriceUsageInput): PriceResult {
  return getDefaultPricer().priceUsage(input);
}
