import { fromNanoUsd, numberToNanoUsd } from '@llm-cost/clickhouse';

/**
 * OpenRouter reports money as JSON numbers (USD). They become exact decimal strings with 9 decimals (nano-USD, the
 * precision of the llm-cost tables) through `@llm-cost/clickhouse`'s exact conversion (never float arithmetic).
 */

/** A JSON number in USD as an exact decimal string with 9 decimals. */
export function usdText(value: number): string {
  return fromNanoUsd(numberToNanoUsd(value));
}

/** For people: `$12.35`, `$0.0042` (2 significant decimals below a cent), `-$1.00`. */
export function displayUsd(value: number): string {
  const abs = Math.abs(value);
  const decimals = abs === 0 || abs >= 0.01 ? 2 : Math.min(9, 1 - Math.floor(Math.log10(abs)));
  return `${value < 0 ? '-' : ''}$${abs.toFixed(decimals)}`;
}
