/**
 * Money as providers report it, made exact: OpenRouter and OpenAI send USD as JSON numbers (`9.25e-06`), Anthropic
 * sends a decimal string of cents (`"123.45"` is 1.2345 USD). Both are read through their decimal text (a number
 * through its shortest round-trip form: what the JSON said), scaled and rounded half away from zero to nano-USD once,
 * never through float arithmetic. Nano-USD is the precision of the llm-cost tables (`Decimal(18, 9)`).
 */

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/**
 * Exact nano-USD of an amount given in `1 / unitsPerUsd` USD (1 for dollars, 100 for cents), as a JSON number or a
 * decimal string; rounded half away from zero at the 9th decimal of a dollar. Throws a `RangeError` for anything
 * that is not a finite decimal.
 */
export function amountToNanoUsd(value: number | string, unitsPerUsd = 1): bigint {
  if (typeof value === 'number' && !Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const text = typeof value === 'number' ? String(value) : value.trim();
  const match = DECIMAL_TEXT.exec(text);
  if (!match || `${match[2] ?? ''}${match[3] ?? ''}` === '') throw new RangeError(`not a decimal amount: ${JSON.stringify(value)}`);
  if (!Number.isInteger(unitsPerUsd) || unitsPerUsd < 1) throw new RangeError(`unitsPerUsd must be a whole number >= 1, got ${unitsPerUsd}`);
  const digits = BigInt(`${match[2] ?? ''}${match[3] ?? ''}`.replace(/^0+(?=\d)/, '') || '0');
  // value = digits × 10^-scale units; nano-USD = value × 10^9 / unitsPerUsd.
  const scale = (match[3] ?? '').length - Number(match[4] ?? '0');
  let numerator = digits;
  let denominator = BigInt(unitsPerUsd);
  if (scale <= 9) numerator *= 10n ** BigInt(9 - scale);
  else denominator *= 10n ** BigInt(scale - 9);
  const nano = numerator / denominator + ((numerator % denominator) * 2n >= denominator ? 1n : 0n);
  return match[1] === '-' ? -nano : nano;
}

/** Exact nano-USD of a JSON number in USD (`9.25e-06` → 9250n). */
export function numberToNanoUsd(value: number): bigint {
  return amountToNanoUsd(value, 1);
}
