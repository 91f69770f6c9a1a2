import { InvalidOptionError } from '../errors.js';

const DECIMAL = /^(\d+)(?:\.(\d{1,9}))?$/;

/** Exact nano-USD (bigint) from a non-negative decimal string or number with at most 9 decimals. */
export function toNanoUsd(value: string | number, name = 'amount'): bigint {
  const text = typeof value === 'number' ? numberText(value) : value.trim();
  const match = DECIMAL.exec(text);
  if (!match) throw new InvalidOptionError(`${name} must be a non-negative USD amount with at most 9 decimals, got ${String(value)}`);
  return BigInt(match[1]!) * 1_000_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
}

function numberText(value: number): string {
  // Numbers like 1e-7 print in exponent form; fixed notation with 9 decimals is exact enough for a limit.
  return Number.isFinite(value) && value >= 0 ? value.toFixed(9) : String(value);
}

/** `12.345000000` from nano-USD. */
export function fromNanoUsd(nano: bigint): string {
  const sign = nano < 0n ? '-' : '';
  const abs = nano < 0n ? -nano : nano;
  return `${sign}${abs / 1_000_000_000n}.${(abs % 1_000_000_000n).toString().padStart(9, '0')}`;
}

/**
 * For messages: 2 decimals, or as many as the limit needs, and more when fewer would make a spend above the limit
 * print the same as the limit (`0.0021 USD > 0.002 USD`, not `0.002 USD > 0.002 USD`).
 */
export function displayUsd(nano: bigint, limitNano: bigint): string {
  const limitFraction = (fromNanoUsd(limitNano).split('.')[1] ?? '').replace(/0+$/, '');
  let decimals = Math.max(2, limitFraction.length);
  const cut = (value: bigint, places: number) => {
    const [whole, fraction = ''] = fromNanoUsd(value).split('.');
    return `${whole}.${fraction.slice(0, places)}`;
  };
  while (decimals < 9 && nano !== limitNano && cut(nano, decimals) === cut(limitNano, decimals)) decimals += 1;
  return cut(nano, decimals);
}

const SIGNED_DECIMAL = /^(-?)(\d+)(?:\.(\d{1,9}))?$/;

/** Exact nano-USD from a decimal string ClickHouse returned (`toDecimalString(..., 9)`), sign included. */
export function parseNanoUsd(text: string): bigint {
  const match = SIGNED_DECIMAL.exec(text.trim());
  if (!match) throw new InvalidOptionError(`not a USD decimal: ${text}`);
  const abs = BigInt(match[2]!) * 1_000_000_000n + BigInt((match[3] ?? '').padEnd(9, '0'));
  return match[1] === '-' ? -abs : abs;
}
