/**
 * `priceVersion`: what identifies the prices a result was computed with, so a stored row can be explained later.
 * - bundled data: `genai-prices@<engine version>`;
 * - a snapshot: `snapshot:<first 12 hex of sha256>` of the data's canonical JSON (keys sorted, no whitespace), so
 *   the same data gives the same version whether it came from a file or from code, however it was formatted;
 * - plus `+overrides:<first 12 hex of sha256>` of the canonical overrides (in-code, then file) when there are any.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted at every level: equal data, equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** First 12 hex digits of the sha256 of the canonical JSON of `value`. */
export function contentHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 12);
}
