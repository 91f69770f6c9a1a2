/**
 * Readers for attribute values. Spans come from many producers (and, through the collector, from other languages),
 * so numbers may arrive as numeric strings (OTLP JSON encodes 64-bit integers as strings) and anything may be junk.
 */

type Attributes = Readonly<Record<string, unknown>>;

/** A non-negative integer token count, or undefined when absent or not a valid count. */
export function readCount(attributes: Attributes, key: string): number | undefined {
  const value = attributes[key];
  if (value === undefined) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && value !== '' ? Number(value) : NaN;
  return Number.isFinite(number) && number >= 0 ? Math.min(Math.floor(number), Number.MAX_SAFE_INTEGER) : undefined;
}

/** The first of several keys that holds a valid count. */
export function readFirstCount(attributes: Attributes, keys: readonly string[]): number | undefined {
  for (const key of keys) {
    const count = readCount(attributes, key);
    if (count !== undefined) return count;
  }
  return undefined;
}

/** A string value, trimmed to `maxLength`; numbers and booleans are stringified; anything else is undefined. */
export function readString(attributes: Attributes, key: string, maxLength = 256): string | undefined {
  const value = attributes[key];
  if (typeof value === 'string') return value.length > maxLength ? value.slice(0, maxLength) : value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function readFirstString(attributes: Attributes, keys: readonly string[], maxLength = 256): string | undefined {
  for (const key of keys) {
    const value = readString(attributes, key, maxLength);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

const DECIMAL_USD = /^\d{1,9}(\.\d{1,9})?$/;

/**
 * A non-negative USD amount as a decimal string with at most 9 decimals (what a `Decimal(18, 9)` column holds
 * exactly), or undefined. Numbers are accepted when they print in that form.
 */
export function readUsd(attributes: Attributes, key: string): string | undefined {
  const value = attributes[key];
  const text = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  return text !== undefined && DECIMAL_USD.test(text) ? text : undefined;
}
