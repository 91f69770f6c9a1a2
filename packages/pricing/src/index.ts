export { createPricer } from './pricer.js';
export {
  priceUsage,
  getDefaultPricer,
  setDefaultPricer,
  pricerOptionsFromEnv,
  ENV_PRICES_FILE,
  ENV_PRICE_OVERRIDES_FILE,
} from './default-pricer.js';
export { ENGINE_VERSION } from './bundled-data.js';
export { PriceConfigError, PriceDataError, PriceSourceError } from './errors.js';
export { PRICED_KEYS, NON_PRICED_KEYS } from './price-keys.js';
export { PRICING_FLAGS } from './flags.js';
export type { PricingFlag } from './flags.js';
export { BATCH_MULTIPLIER, FLEX_MULTIPLIER } from './modes.js';
export { OPENAI_PRIORITY_PRICES, OPENAI_PRIORITY_FALLBACK_MULTIPLIER } from './priority-prices.js';
export { PROVIDER_ALIASES } from './provider-aliases.js';
export { DEFAULT_PRICES_URL } from './price-source.js';
export { checkPriceSnapshot } from './price-check.js';
export { syncPriceSnapshot } from './price-sync.js';
export { runPricesCli } from './cli.js';
export { LARGE_MOVE_FACTOR } from './price-diff.js';
export { REFERENCE_CALLS } from './reference-prices.js';
export type { CheckPriceSnapshotOptions, PriceCheckResult } from './price-check.js';
export type { SyncPriceSnapshotOptions, PriceSyncResult, LargeMove } from './price-sync.js';
export type { ModelDiff, PriceChange } from './price-diff.js';
export type { ReferenceCall } from './reference-prices.js';
export type { CliIo } from './cli.js';
export type { TokenUsage, PricingMode } from '@llm-cost/semconv';
export type {
  PriceUsageInput,
  PricingStatus,
  UsdAmount,
  PriceResult,
  PriceValue,
  TieredPriceValue,
  ModelPrices,
  ConditionalModelPrices,
  PriceOverride,
  PricerOptions,
  Pricer,
} from './types.js';
