/**
 * OpenAI Priority processing prices (`service_tier: "priority"`), USD per million tokens, for the models OpenAI
 * lists. The price data has no priority prices, and the premium is not one multiplier (1.7x for gpt-4o, 1.75x for
 * gpt-4.1, 2x for gpt-5, 2.5x for gpt-5.5), so these are prices of our own, keyed by the price data's model id.
 *
 * Source: https://openai.com/api-priority-processing/ (table "Price per 1M input tokens / cached input / output";
 * every row is marked "excludes long context").
 */
export const OPENAI_PRIORITY_PRICES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'gpt-5.5': { input_mtok: '12.5', cache_read_mtok: '1.25', output_mtok: '75' },
  'gpt-5.4': { input_mtok: '5', cache_read_mtok: '0.5', output_mtok: '30' },
  'gpt-5.4-mini': { input_mtok: '1.5', cache_read_mtok: '0.15', output_mtok: '9' },
  'gpt-5.2': { input_mtok: '3.5', cache_read_mtok: '0.35', output_mtok: '28' },
  'gpt-5.1': { input_mtok: '2.5', cache_read_mtok: '0.25', output_mtok: '20' },
  'gpt-5': { input_mtok: '2.5', cache_read_mtok: '0.25', output_mtok: '20' },
  'gpt-5-mini': { input_mtok: '0.45', cache_read_mtok: '0.045', output_mtok: '3.6' },
  'gpt-4.1': { input_mtok: '3.5', cache_read_mtok: '0.875', output_mtok: '14' },
  'gpt-4.1-mini': { input_mtok: '0.7', cache_read_mtok: '0.175', output_mtok: '2.8' },
  'gpt-4.1-nano': { input_mtok: '0.2', cache_read_mtok: '0.05', output_mtok: '0.8' },
  'gpt-4o': { input_mtok: '4.25', cache_read_mtok: '2.125', output_mtok: '17' },
  'gpt-4o-2024-05-13': { input_mtok: '8.75', output_mtok: '26.25' },
  'gpt-4o-mini': { input_mtok: '0.25', cache_read_mtok: '0.125', output_mtok: '1' },
  o3: { input_mtok: '3.5', cache_read_mtok: '0.875', output_mtok: '14' },
  'o4-mini': { input_mtok: '2', cache_read_mtok: '0.5', output_mtok: '8' },
};

/**
 * Multiplier for an OpenAI model priority-priced but missing from the table above: 2x, the premium of most of the
 * GPT-5 family on the same page (gpt-5, gpt-5.1, gpt-5.2, gpt-5.4, gpt-5.4-mini, gpt-4.1-nano). Results priced with
 * it carry the flag `priority_multiplier_assumed`.
 */
export const OPENAI_PRIORITY_FALLBACK_MULTIPLIER = '2';
