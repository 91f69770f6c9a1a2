/** Resolves the `priceSpans` option to a pricer, loading `@llm-cost/pricing` lazily on the first priced span. */
import type { SpanPricer } from './types.js';
import { requireOptional } from './optional-module.js';
import { warnOnce } from './diag-once.js';

function isPricer(value: unknown): value is SpanPricer {
  return typeof value === 'object' && value !== null && typeof (value as SpanPricer).priceUsage === 'function';
}

function loadPricing(): SpanPricer | undefined {
  const pricing = requireOptional('@llm-cost/pricing');
  if (pricing === undefined) {
    warnOnce('pricing:missing', 'priceSpans is on but @llm-cost/pricing is not installed; spans are not priced');
    return undefined;
  }
  if (typeof pricing.priceUsage === 'function') return { priceUsage: pricing.priceUsage as SpanPricer['priceUsage'] };
  if (typeof pricing.createPricer === 'function') {
    const pricer: unknown = (pricing.createPricer as () => unknown)();
    if (isPricer(pricer)) return pricer;
  }
  warnOnce('pricing:shape', '@llm-cost/pricing has no priceUsage(); spans are not priced');
  return undefined;
}

/** A function returning the pricer (or undefined); the module is loaded at most once. */
export function pricerResolver(option: boolean | SpanPricer | undefined): () => SpanPricer | undefined {
  if (option === undefined || option === false) return () => undefined;
  if (option !== true) {
    if (isPricer(option)) return () => option;
    warnOnce('pricing:option', 'priceSpans must be true or an object with priceUsage(); spans are not priced');
    return () => undefined;
  }
  let loaded = false;
  let pricer: SpanPricer | undefined;
  return () => {
    if (!loaded) {
      loaded = true;
      pricer = loadPricing();
    }
    return pricer;
  };
}
