/**
 * Pricing modes beyond the standard rate. The price data (genai-prices 0.1.8 and the v2 schema) has no batch, flex
 * or priority prices, so each mode is a multiplier or a price table of our own:
 *
 * | mode       | providers               | how priced                                  | source |
 * |------------|-------------------------|---------------------------------------------|--------|
 * | `batch`    | all                     | every token rate x 0.5 (cache rates too)    | OpenAI Batch API ("50% lower costs", https://platform.openai.com/docs/guides/batch); Anthropic Message Batches (50% of standard, https://docs.anthropic.com/en/docs/build-with-claude/batch-processing#pricing); Gemini Batch Mode (50%, https://ai.google.dev/gemini-api/docs/batch-mode) |
 * | `flex`     | `openai`, `azure`       | every token rate x 0.5                      | "Tokens are priced at Batch API rates" (https://developers.openai.com/api/docs/guides/flex-processing); Azure OpenAI flex: "a 50% discount" (https://learn.microsoft.com/azure/foundry/openai/how-to/flex-processing) |
 * | `flex`     | `groq`                  | standard rates (x 1)                        | "Pricing matches the on-demand tier" (https://console.groq.com/docs/flex-processing) |
 * | `priority` | `openai`                | OpenAI's priority price table               | https://openai.com/api-priority-processing/ (see `priority-prices.ts`); a model missing there: x 2, flagged `priority_multiplier_assumed`; a request above the model's long-context threshold: standard long-context rates, flagged `priority_long_context_at_standard` ("excludes long context") |
 * | other      | other providers         | standard rates, flagged `mode_not_priced_for_provider` | — |
 *
 * Per-request fees (`requests_kcount`) are multiplied like token rates.
 */
import { type Decimal, parseDecimal } from './decimal.js';
import { type PriceEntry, readPriceEntry } from './price-entry.js';
import { OPENAI_PRIORITY_FALLBACK_MULTIPLIER, OPENAI_PRIORITY_PRICES } from './priority-prices.js';
import type { PricingMode } from '@llm-cost/semconv';

export const BATCH_MULTIPLIER = '0.5';
export const FLEX_MULTIPLIER = '0.5';

/** Flags the mode logic may add to a result. */
export const MODE_FLAGS = [
  'mode_not_priced_for_provider',
  'unknown_mode',
  'priority_multiplier_assumed',
  'priority_long_context_at_standard',
] as const;

export interface ModePlan {
  readonly entry: PriceEntry;
  readonly multiplier: Decimal;
  /** Cache key of the compiled rates for this multiplier (its decimal text). */
  readonly key: string;
}

function decimal(text: string): Decimal {
  return parseDecimal(text) as Decimal;
}

const ONE = decimal('1');
const HALF_BATCH = decimal(BATCH_MULTIPLIER);
const HALF_FLEX = decimal(FLEX_MULTIPLIER);
const PRIORITY_FALLBACK = decimal(OPENAI_PRIORITY_FALLBACK_MULTIPLIER);

const priorityEntries = new Map<string, PriceEntry>(
  Object.entries(OPENAI_PRIORITY_PRICES).map(([id, prices]) => [id, readPriceEntry(prices)]),
);

/**
 * How to price `entry` in `mode` for a call to `providerKey`. `modelId` is the price data's model id when the
 * entry came from the data (`null` for overrides), used to look up priority prices.
 */
export function planMode(
  mode: PricingMode | string | undefined,
  providerKey: string,
  modelId: string | null,
  entry: PriceEntry,
  inputTokens: number,
  flags: string[],
): ModePlan {
  if (mode === undefined || mode === null || mode === 'standard') return { entry, multiplier: ONE, key: '1' };
  switch (mode) {
    case 'batch':
      return { entry, multiplier: HALF_BATCH, key: BATCH_MULTIPLIER };
    case 'flex':
      if (providerKey === 'openai' || providerKey === 'azure') return { entry, multiplier: HALF_FLEX, key: FLEX_MULTIPLIER };
      if (providerKey !== 'groq') flags.push('mode_not_priced_for_provider');
      return { entry, multiplier: ONE, key: '1' };
    case 'priority': {
      if (providerKey !== 'openai') {
        flags.push('mode_not_priced_for_provider');
        return { entry, multiplier: ONE, key: '1' };
      }
      if (inputTokens > entry.firstTierStart) {
        flags.push('priority_long_context_at_standard');
        return { entry, multiplier: ONE, key: '1' };
      }
      const own = modelId === null ? undefined : priorityEntries.get(modelId);
      if (own) return { entry: own, multiplier: ONE, key: '1' };
      flags.push('priority_multiplier_assumed');
      return { entry, multiplier: PRIORITY_FALLBACK, key: OPENAI_PRIORITY_FALLBACK_MULTIPLIER };
    }
    default:
      flags.push('unknown_mode');
      return { entry, multiplier: ONE, key: '1' };
  }
}
