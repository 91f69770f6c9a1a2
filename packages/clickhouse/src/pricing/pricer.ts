import { getDefaultPricer, type PriceResult, type PriceUsageInput } from '@llm-cost/pricing';

export type { PriceResult, PriceUsageInput } from '@llm-cost/pricing';

/**
 * What the exporter needs from `@llm-cost/pricing` (a pricer from its `createPricer()` fits). `priceVersion`
 * identifies the price data; spans already priced with the same version (instrumentation option `priceSpans: true`)
 * are trusted as they are.
 */
export interface CostPricer {
  priceUsage(input: PriceUsageInput): PriceResult;
  readonly priceVersion: string;
}

/** The pricer to use: the caller's, else `@llm-cost/pricing`'s process default (configured from the environment). */
export function resolvePricer(pricer: CostPricer | undefined): CostPricer {
  return pricer ?? getDefaultPricer();
}
