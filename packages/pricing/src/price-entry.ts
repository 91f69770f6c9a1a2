/**
 * One set of prices of one model (a `ModelPrice` of the data format), validated and turned into exact integer rates.
 *
 * A price such as `2.5` USD per million tokens becomes a rate in units of 10^-S nano-USD per token, an integer: here
 * 2500 with S = 0. S is the smallest shift that makes every rate of the entry an integer (0 for most models;
 * `0.01875` needs S = 2). A cost component is then a sum of integer products, rounded once to nano-USD.
 * Prices are read as decimals rounded half-up to 10 places, which turns float artefacts in the data such as
 * `0.18000000000000002` back into `0.18` (10 places of USD per million tokens is 1e-16 USD per token).
 */
import { type Decimal, parseDecimal, pow10Big, roundDecimal } from './decimal.js';
import { NON_PRICED_KEYS, PRICED_KEYS } from './price-keys.js';

/** Decimal places kept from a price in the data. */
export const PRICE_DECIMALS = 10;

export interface TieredDecimal {
  readonly base: Decimal;
  /** Ascending by `start`; a tier applies when the call's total input tokens are greater than `start`. */
  readonly tiers: ReadonlyArray<{ readonly start: number; readonly price: Decimal }>;
}

/** Integer rate of one key, per tier. `number` fields are set only when the value is a safe integer. */
export interface TierRates {
  readonly base: number;
  readonly baseBig: bigint;
  readonly tiers: ReadonlyArray<{ readonly start: number; readonly rate: number; readonly rateBig: bigint }>;
}

/** Rates of one entry under one multiplier (standard = 1, batch = 0.5, ...), in units of 10^-shift nano-USD. */
export interface CompiledRates {
  /** 10^shift. */
  readonly pow: number;
  readonly powBig: bigint;
  /** All rates fit in safe integers (the fast path may be tried). */
  readonly safe: boolean;
  readonly input: TierRates | null;
  readonly cacheRead: TierRates | null;
  readonly cacheWrite: TierRates | null;
  readonly cacheWrite5m: TierRates | null;
  readonly cacheWrite1h: TierRates | null;
  readonly output: TierRates | null;
  readonly reasoning: TierRates | null;
  readonly request: TierRates | null;
}

export interface PriceEntry {
  /** The priced keys, exactly as read. */
  readonly prices: ReadonlyMap<string, TieredDecimal>;
  /**
   * `false` when the model is charged only in units `TokenUsage` does not carry (hours, pages, ...): pricing it
   * from tokens would report zero, so it is treated as unknown instead.
   */
  readonly priceable: boolean;
  /** Smallest tier start of any key (`Infinity` when no key is tiered): below it no tier lookup is needed. */
  readonly firstTierStart: number;
  /** Rates per multiplier, compiled on first use. */
  readonly rates: Map<string, CompiledRates>;
}

function readPrice(value: unknown, key: string): Decimal {
  const d = parseDecimal(value);
  if (d === null) throw new Error(`${key}: expected a non-negative number or decimal string, got ${JSON.stringify(value)}`);
  return roundDecimal(d, PRICE_DECIMALS);
}

function readTiered(value: unknown, key: string): TieredDecimal {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { base, tiers, ...rest } = value as Record<string, unknown>;
    if (Object.keys(rest).length > 0) throw new Error(`${key}: unknown tiered price field(s) ${Object.keys(rest).join(', ')}`);
    if (!Array.isArray(tiers)) throw new Error(`${key}: tiered price needs "tiers" (an array)`);
    const parsed = tiers.map((tier: unknown) => {
      if (typeof tier !== 'object' || tier === null) throw new Error(`${key}: each tier must be { start, price }`);
      const { start, price, ...extra } = tier as Record<string, unknown>;
      if (Object.keys(extra).length > 0) throw new Error(`${key}: unknown tier field(s) ${Object.keys(extra).join(', ')}`);
      if (typeof start !== 'number' || !Number.isSafeInteger(start) || start < 0) {
        throw new Error(`${key}: tier start must be a non-negative integer, got ${JSON.stringify(start)}`);
      }
      return { start, price: readPrice(price, key) };
    });
    parsed.sort((a, b) => a.start - b.start);
    return { base: readPrice(base, key), tiers: parsed };
  }
  return { base: readPrice(value, key), tiers: [] };
}

function isPositive(t: TieredDecimal): boolean {
  return t.base.digits > 0n || t.tiers.some((tier) => tier.price.digits > 0n);
}

/**
 * Validate and read one `ModelPrice`. Throws an `Error` describing the first problem: an unknown key, a malformed
 * value, or a key priced without the key it refines (the engine's ancestor rule, e.g. `cache_write_1h_mtok`
 * without `cache_write_mtok`).
 */
export function readPriceEntry(raw: unknown): PriceEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new Error(`prices must be an object, got ${JSON.stringify(raw)}`);
  }
  const prices = new Map<string, TieredDecimal>();
  let otherPositive = false;
  let firstTierStart = Infinity;
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (value === undefined || value === null) continue;
    const priced = Object.hasOwn(PRICED_KEYS, key);
    if (!priced && !Object.hasOwn(NON_PRICED_KEYS, key)) {
      throw new Error(`unknown price key "${key}" (this version cannot price it; upgrade @llm-cost/pricing)`);
    }
    const tiered = readTiered(value, key);
    if (priced) {
      prices.set(key, tiered);
      for (const tier of tiered.tiers) firstTierStart = Math.min(firstTierStart, tier.start);
    } else if (isPositive(tiered)) {
      otherPositive = true;
    }
  }
  for (const key of prices.keys()) {
    const requires = PRICED_KEYS[key]?.requires;
    if (requires && !prices.has(requires)) throw new Error(`${key} is priced but ${requires} is not`);
  }
  const tokenPriced = prices.has('input_mtok') || prices.has('output_mtok') || prices.has('requests_kcount');
  return { prices, priceable: tokenPriced || !otherPositive, firstTierStart, rates: new Map() };
}

function log10(per: number): number {
  return per === 1e6 ? 6 : per === 1e3 ? 3 : Math.round(Math.log10(per));
}

/**
 * Integer rates of an entry with every price multiplied by `multiplier` (exactly). Cached on the entry by the
 * multiplier's text, so each (entry, mode) pair is compiled once per process.
 */
export function compileRates(entry: PriceEntry, multiplier: Decimal, cacheKey: string): CompiledRates {
  const cached = entry.rates.get(cacheKey);
  if (cached) return cached;
  // nano per unit = digits * mult * 10^(9 - log10(per) - scale - mult.scale); pick S so every exponent is >= 0.
  let shift = 0;
  for (const [key, tiered] of entry.prices) {
    const e = 9 - log10((PRICED_KEYS[key] as { per: number }).per) - multiplier.scale;
    for (const d of [tiered.base, ...tiered.tiers.map((t) => t.price)]) shift = Math.max(shift, d.scale - e);
  }
  let safe = true;
  const toRate = (d: Decimal, per: number): { rate: number; rateBig: bigint } => {
    const exp = 9 - log10(per) - multiplier.scale - d.scale + shift;
    const rateBig = d.digits * multiplier.digits * pow10Big(exp);
    const rate = Number(rateBig);
    if (!Number.isSafeInteger(rate)) safe = false;
    return { rate, rateBig };
  };
  const compileKey = (key: string): TierRates | null => {
    const tiered = entry.prices.get(key);
    if (!tiered) return null;
    const per = (PRICED_KEYS[key] as { per: number }).per;
    const base = toRate(tiered.base, per);
    return {
      base: base.rate,
      baseBig: base.rateBig,
      tiers: tiered.tiers.map((t) => ({ start: t.start, ...toRate(t.price, per) })),
    };
  };
  const rates: CompiledRates = {
    pow: 10 ** shift,
    powBig: pow10Big(shift),
    safe: false,
    input: compileKey('input_mtok'),
    cacheRead: compileKey('cache_read_mtok'),
    cacheWrite: compileKey('cache_write_mtok'),
    cacheWrite5m: compileKey('cache_write_5m_mtok'),
    cacheWrite1h: compileKey('cache_write_1h_mtok'),
    output: compileKey('output_mtok'),
    reasoning: compileKey('output_reasoning_mtok'),
    request: compileKey('requests_kcount'),
  };
  const result: CompiledRates = { ...rates, safe: safe && Number.isSafeInteger(10 ** shift) };
  entry.rates.set(cacheKey, result);
  return result;
}
