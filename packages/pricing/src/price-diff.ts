/**
 * Differences between two sets of price data, per model and per price, for `prices check` and `prices sync`.
 * Every key is compared (priced or not): any change is drift. A price that moves by more than 3x either way
 * (or from zero to non-zero and back) is a *large move*, which `prices sync` refuses without confirmation.
 */
import { type Decimal, decimalToString, parseDecimal, pow10Big, roundDecimal } from './decimal.js';
import { readConstraint } from './price-constraints.js';
import { PRICE_DECIMALS } from './price-entry.js';
import type { PriceTable } from './price-table.js';

/** Ratio beyond which a price change is flagged. */
export const LARGE_MOVE_FACTOR = 3;

export interface PriceChange {
  /** Which price: `input_mtok`, `input_mtok >200000` (a tier), `[from 2026-03-13] output_mtok` (dated). */
  readonly price: string;
  /** USD per unit as a decimal string, `null` when absent on that side. */
  readonly from: string | null;
  readonly to: string | null;
  /** The change exceeds {@link LARGE_MOVE_FACTOR} either way, or is between zero and non-zero. */
  readonly large: boolean;
}

export interface ModelDiff {
  /** `provider/model` (data ids). */
  readonly model: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly prices: readonly PriceChange[];
}

function decimalText(value: unknown): string {
  const d = parseDecimal(value);
  return d === null ? String(value) : decimalToString(roundDecimal(d, PRICE_DECIMALS));
}

function flattenOne(prefix: string, prices: unknown, out: Map<string, string>): void {
  if (typeof prices !== 'object' || prices === null) return;
  for (const [key, value] of Object.entries(prices as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    if (typeof value === 'object' && !Array.isArray(value)) {
      const tiered = value as { base?: unknown; tiers?: Array<{ start?: unknown; price?: unknown }> };
      out.set(`${prefix}${key}`, decimalText(tiered.base));
      for (const tier of tiered.tiers ?? []) out.set(`${prefix}${key} >${String(tier.start)}`, decimalText(tier.price));
    } else {
      out.set(`${prefix}${key}`, decimalText(value));
    }
  }
}

/** A model's prices as `label → decimal` (validated data only). */
export function flattenPrices(rawPrices: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (!Array.isArray(rawPrices)) {
    flattenOne('', rawPrices, out);
    return out;
  }
  const seen = new Map<string, number>();
  for (const item of rawPrices as Array<{ constraint?: unknown; prices?: unknown }>) {
    const c = readConstraint(item.constraint);
    let label = c.kind === 'always' ? 'always' : c.text;
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    if (n > 1) label = `${label} #${n}`;
    flattenOne(`[${label}] `, item.prices, out);
  }
  return out;
}

function isLarge(from: string, to: string): boolean {
  const a = parseDecimal(from) as Decimal;
  const b = parseDecimal(to) as Decimal;
  if ((a.digits === 0n) !== (b.digits === 0n)) return true;
  const scale = Math.max(a.scale, b.scale);
  const x = a.digits * pow10Big(scale - a.scale);
  const y = b.digits * pow10Big(scale - b.scale);
  const k = BigInt(LARGE_MOVE_FACTOR);
  return x * k < y || y * k < x;
}

function modelsOf(table: PriceTable): Map<string, unknown> {
  const models = new Map<string, unknown>();
  for (const provider of table.providers) {
    for (const model of provider.models) {
      const key = `${provider.id}/${model.id}`;
      if (!models.has(key)) models.set(key, model.rawPrices);
    }
  }
  return models;
}

/** Per-model differences from `before` to `after`, sorted by model. */
export function diffPriceTables(before: PriceTable, after: PriceTable): ModelDiff[] {
  const a = modelsOf(before);
  const b = modelsOf(after);
  const diffs: ModelDiff[] = [];
  for (const model of new Set([...a.keys(), ...b.keys()])) {
    const old = a.has(model) ? flattenPrices(a.get(model)) : null;
    const now = b.has(model) ? flattenPrices(b.get(model)) : null;
    const prices: PriceChange[] = [];
    for (const label of new Set([...(old?.keys() ?? []), ...(now?.keys() ?? [])])) {
      const from = old?.get(label) ?? null;
      const to = now?.get(label) ?? null;
      if (from === to) continue;
      prices.push({ price: label, from, to, large: from !== null && to !== null && isLarge(from, to) });
    }
    if (old === null) diffs.push({ model, change: 'added', prices });
    else if (now === null) diffs.push({ model, change: 'removed', prices });
    else if (prices.length > 0) diffs.push({ model, change: 'changed', prices });
  }
  return diffs.sort((x, y) => (x.model < y.model ? -1 : x.model > y.model ? 1 : 0));
}
