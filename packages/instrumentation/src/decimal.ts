/**
 * Exact decimal strings for provider-reported costs. A float like `9.25e-06` or `0.1 + 0.2` must not reach a bill:
 * numbers are converted through their shortest round-trip representation (what the provider wrote in its JSON),
 * integers of ticks by moving the decimal point.
 */

/** `1399000` ticks of 1e-10 USD → `"0.0001399"` (xAI `cost_in_usd_ticks`). Undefined for a non-integer or negative. */
export function ticksToUsd(ticks: unknown, decimals = 10): string | undefined {
  let digits: string;
  if (typeof ticks === 'number') {
    if (!Number.isSafeInteger(ticks) || ticks < 0) return undefined;
    digits = String(ticks);
  } else if (typeof ticks === 'string' && /^\d+$/.test(ticks)) {
    digits = ticks.replace(/^0+(?=\d)/, '');
  } else {
    return undefined;
  }
  return shiftPoint(digits, decimals);
}

/** A JSON number or numeric string in USD → plain decimal string (`9.25e-06` → `"0.00000925"`). */
export function toDecimalString(value: unknown): string | undefined {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return undefined;
    text = String(value); // shortest round-trip form: what the JSON said
  } else if (typeof value === 'string' && value.trim() !== '') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = /^(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(text);
  if (!match || (match[1] === '' && (match[2] ?? '') === '')) return undefined;
  const intPart = match[1] ?? '';
  const fracPart = match[2] ?? '';
  const exponent = Number(match[3] ?? '0');
  // digits × 10^(exponent - fracPart.length)
  const digits = (intPart + fracPart).replace(/^0+(?=\d)/, '');
  const scale = fracPart.length - exponent;
  if (scale <= 0) return trimZeros(digits + '0'.repeat(-scale));
  return shiftPoint(digits, scale);
}

function shiftPoint(digits: string, decimals: number): string {
  const padded = digits.padStart(decimals + 1, '0');
  const whole = padded.slice(0, padded.length - decimals);
  const frac = padded.slice(padded.length - decimals).replace(/0+$/, '');
  return frac === '' ? trimZeros(whole) : `${trimZeros(whole)}.${frac}`;
}

function trimZeros(whole: string): string {
  const t = whole.replace(/^0+(?=\d)/, '');
  return t === '' ? '0' : t;
}
