/**
 * OpenRouter reports money as JSON numbers (USD). They are turned into exact decimal strings through their shortest
 * round-trip form (what the JSON said: `9.25e-06` is `0.00000925`), rounded half-up to 9 decimals (nano-USD, the
 * precision of the llm-cost tables), never through float arithmetic.
 */

const NANO = 1_000_000_000n;

/** Exact nano-USD of a finite JSON number, rounded half away from zero at the 9th decimal. */
export function numberToNanoUsd(value: number): bigint {
  if (!Number.isFinite(value)) throw new RangeError(`not a finite amount: ${value}`);
  const negative = value < 0;
  const match = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(String(Math.abs(value)));
  if (!match) throw new RangeError(`not a decimal amount: ${value}`);
  const digits = `${match[1] ?? ''}${match[2] ?? ''}`.replace(/^0+(?=\d)/, '') || '0';
  // value = digits × 10^-scale
  const scale = (match[2] ?? '').length - Number(match[3] ?? '0');
  let nano: bigint;
  if (scale <= 9) {
    nano = BigInt(digits) * 10n ** BigInt(9 - scale);
  } else {
    const divisor = 10n ** BigInt(scale - 9);
    const whole = BigInt(digits);
    nano = whole / divisor + ((whole % divisor) * 2n >= divisor ? 1n : 0n);
  }
  return negative ? -nano : nano;
}

/** `12.5` → `"12.500000000"`; negative amounts keep their sign. */
export function formatNanoUsd(nano: bigint): string {
  const sign = nano < 0n ? '-' : '';
  const abs = nano < 0n ? -nano : nano;
  return `${sign}${abs / NANO}.${(abs % NANO).toString().padStart(9, '0')}`;
}

/** Nano-USD of a decimal string with at most 9 decimals (`"-0.000028500"`), as the store returns them. */
export function usdTextToNano(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a USD decimal: ${text}`);
  const value = BigInt(match[2]!) * NANO + BigInt((match[3] ?? '').padEnd(9, '0'));
  return match[1] === '-' ? -value : value;
}

/** A JSON number in USD as an exact decimal string with 9 decimals. */
export function usdText(value: number): string {
  return formatNanoUsd(numberToNanoUsd(value));
}

/** For people: `$12.35`, `$0.0042` (2 significant decimals below a cent), `-$1.00`. */
export function displayUsd(value: number): string {
  const abs = Math.abs(value);
  const decimals = abs === 0 || abs >= 0.01 ? 2 : Math.min(9, 1 - Math.floor(Math.log10(abs)));
  return `${value < 0 ? '-' : ''}$${abs.toFixed(decimals)}`;
}
