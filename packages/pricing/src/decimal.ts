/**
 * Exact decimal arithmetic for money: parsing prices and reported costs, rounding once to nano-USD, and formatting.
 *
 * Money inside the package is an integer number of nano-USD (1e-9 USD). Rounding is **half-up** (away from zero;
 * every amount here is non-negative), applied once per cost component. JavaScript numbers are used while an integer
 * stays below 2^53 (exact), BigInt beyond; no fractional floating-point value ever carries money.
 */

/** A non-negative decimal `digits / 10^scale`, exactly. */
export interface Decimal {
  readonly digits: bigint;
  readonly scale: number;
}

const DECIMAL_RE = /^\+?(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** 10^n as a bigint (cached: only a handful of exponents are ever used). */
const BIG_POW10: bigint[] = [];
export function pow10Big(n: number): bigint {
  let value = BIG_POW10[n];
  if (value === undefined) {
    value = 10n ** BigInt(n);
    BIG_POW10[n] = value;
  }
  return value;
}

/**
 * Parse a non-negative decimal from a string (`"0.0375"`, `"1.3"`, `"9.25e-06"`) or a number (read through its
 * shortest round-trip representation, so `0.1` is exactly one tenth). Returns `null` for anything else: negative,
 * NaN, infinite, empty or malformed.
 */
export function parseDecimal(value: unknown): Decimal | null {
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return null;
    text = String(value);
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return null;
  }
  const m = DECIMAL_RE.exec(text);
  if (!m) return null;
  const intPart = m[1] ?? '';
  const fracPart = m[2] ?? '';
  if (intPart === '' && fracPart === '') return null;
  const exponent = m[3] === undefined ? 0 : Number(m[3]);
  let digits = BigInt((intPart + fracPart).replace(/^0+(?=\d)/, '') || '0');
  let scale = fracPart.length - exponent;
  if (scale < 0) {
    digits *= pow10Big(-scale);
    scale = 0;
  }
  return normalizeDecimal({ digits, scale });
}

/** Drop trailing zeros so equal values have one representation (`2.50` and `2.5` hash alike). */
export function normalizeDecimal(d: Decimal): Decimal {
  let { digits, scale } = d;
  if (digits === 0n) return { digits: 0n, scale: 0 };
  while (scale > 0 && digits % 10n === 0n) {
    digits /= 10n;
    scale -= 1;
  }
  return { digits, scale };
}

/** Round `d` half-up to at most `maxScale` decimals. */
export function roundDecimal(d: Decimal, maxScale: number): Decimal {
  if (d.scale <= maxScale) return d;
  return normalizeDecimal({ digits: divRoundHalfUpBig(d.digits, pow10Big(d.scale - maxScale)), scale: maxScale });
}

/** The decimal as a plain string without exponent (`0.0375`, `12`). */
export function decimalToString(d: Decimal): string {
  if (d.scale === 0) return d.digits.toString();
  const raw = d.digits.toString().padStart(d.scale + 1, '0');
  return `${raw.slice(0, raw.length - d.scale)}.${raw.slice(raw.length - d.scale)}`;
}

/** Numeric comparison of two decimals. */
export function compareDecimal(a: Decimal, b: Decimal): number {
  const scale = Math.max(a.scale, b.scale);
  const x = a.digits * pow10Big(scale - a.scale);
  const y = b.digits * pow10Big(scale - b.scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A decimal amount of USD as integer nano-USD, rounded half-up. */
export function decimalToNano(d: Decimal): bigint {
  if (d.scale <= 9) return d.digits * pow10Big(9 - d.scale);
  return divRoundHalfUpBig(d.digits, pow10Big(d.scale - 9));
}

/** `value / divisor` rounded half-up, for non-negative bigints. */
export function divRoundHalfUpBig(value: bigint, divisor: bigint): bigint {
  const q = value / divisor;
  const r = value - q * divisor;
  return r * 2n >= divisor ? q + 1n : q;
}

/**
 * `value / divisor` rounded half-up, for non-negative safe integers (`divisor` a power of ten). `%` and the
 * division of an exact multiple are exact on doubles, so no fractional value is ever formed.
 */
export function divRoundHalfUp(value: number, divisor: number): number {
  if (divisor === 1) return value;
  const r = value % divisor;
  const q = (value - r) / divisor;
  return r * 2 >= divisor ? q + 1 : q;
}

const ZEROS = '000000000';

/** Integer nano-USD as a USD decimal string with exactly 9 decimals: 6840000 → `"0.006840000"`. */
export function formatNano(nano: number | bigint): string {
  if (typeof nano === 'number') {
    if (nano < 1e9) {
      const s = String(nano);
      return `0.${ZEROS.slice(s.length)}${s}`;
    }
    const frac = nano % 1e9;
    const s = String(frac);
    return `${(nano - frac) / 1e9}.${ZEROS.slice(s.length)}${s}`;
  }
  const whole = nano / 1_000_000_000n;
  const s = (nano - whole * 1_000_000_000n).toString();
  return `${whole}.${ZEROS.slice(s.length)}${s}`;
}

/** Nano-USD as a number when it is exactly representable, else as a bigint. */
export function compactNano(nano: bigint): number | bigint {
  return nano <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(nano) : nano;
}
