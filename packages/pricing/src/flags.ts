/**
 * Every flag a `PriceResult` may carry: what was corrected in the input or assumed in pricing. A result with flags
 * is still exact for what it says; the flags say what it had to say it about.
 */
import { MODE_FLAGS } from './modes.js';
import { USAGE_FLAGS } from './usage.js';

export const PRICING_FLAGS = [
  ...USAGE_FLAGS,
  ...MODE_FLAGS,
  /** The call was not an object. */
  'invalid_input',
  /** `timestamp` was not a date; priced at the current time. */
  'invalid_timestamp',
  /** `providerReportedCost` was not a non-negative decimal; priced locally. */
  'invalid_provider_reported_cost',
  /** The model is priced only in units `TokenUsage` does not carry (hours, pages); reported unknown, not zero. */
  'unsupported_price_units',
  /** An unknown provider's model matched several providers; reported unknown rather than guessed. */
  'ambiguous_model',
] as const;

export type PricingFlag = (typeof PRICING_FLAGS)[number];
