import { fromNanoUsd, parseNanoUsd } from '../budgets/nano-usd.js';
import type { CostPricer } from '../pricing/pricer.js';
import type { CacheSavings, CacheSavingsEntry } from './query-types.js';

/**
 * What prompt caching saved: the cached input tokens at the model's uncached input price of that day, minus what
 * they cost. Computed from the daily rollups (cache_read_tokens and cache_read_cost per provider, model and day)
 * and `@llm-cost/pricing`, so no column or migration is needed and a price change is applied on the day it took
 * effect.
 *
 * Rates are read by pricing a reference call of {@link REFERENCE_TOKENS} input tokens (all uncached, then all cached):
 * small enough to stay under every long-context tier, large enough that the nano-USD rounding of a cheap model's rate
 * is below one part in 10^5.
 *
 * A call priced by the provider's own figure (OpenRouter's `usage.cost`) has no cost parts, so its cached tokens add
 * nothing to the rollup's cache_read_cost; for a (provider, model, day) whose cached tokens cost nothing in the
 * rollup, their cost is taken at the model's cache-read rate instead, so such calls do not count as free.
 */

const REFERENCE_TOKENS = 10_000n;

/** One rollup row: cached tokens and their cost for a provider, model and day. */
export interface CacheRow {
  day: string;
  provider: string;
  model: string;
  cacheReadTokens: number;
  cacheReadCost: string;
}

interface Rates {
  /** nano-USD for REFERENCE_TOKENS uncached input tokens. */
  uncached: bigint;
  /** nano-USD for REFERENCE_TOKENS cache-read input tokens. */
  cacheRead: bigint;
}

function ratesOf(pricer: CostPricer, provider: string, model: string, day: string): Rates | undefined {
  const at = `${day}T12:00:00Z`;
  const tokens = Number(REFERENCE_TOKENS);
  const uncached = pricer.priceUsage({ provider, model, timestamp: at, usage: { inputTokens: tokens, outputTokens: 0 } });
  const cached = pricer.priceUsage({
    provider,
    model,
    timestamp: at,
    usage: { inputTokens: tokens, cacheReadTokens: tokens, outputTokens: 0 },
  });
  if (uncached.status !== 'priced' || cached.status !== 'priced' || uncached.inputCost === null || cached.cacheReadCost === null) {
    return undefined;
  }
  return { uncached: parseNanoUsd(uncached.inputCost), cacheRead: parseNanoUsd(cached.cacheReadCost) };
}

/** Sums the rows per provider and model, largest saving first. */
export function computeCacheSavings(rows: readonly CacheRow[], pricer: CostPricer): CacheSavings {
  const rates = new Map<string, Rates | undefined>();
  const byModel = new Map<string, { provider: string; model: string; tokens: number; uncached: bigint; paid: bigint }>();
  let unpricedTokens = 0;
  for (const row of rows) {
    if (row.cacheReadTokens <= 0) continue;
    const rateKey = `${row.provider}\u0000${row.model}\u0000${row.day}`;
    if (!rates.has(rateKey)) rates.set(rateKey, ratesOf(pricer, row.provider, row.model, row.day));
    const rate = rates.get(rateKey);
    if (rate === undefined) {
      unpricedTokens += row.cacheReadTokens;
      continue;
    }
    const tokens = BigInt(row.cacheReadTokens);
    const recorded = parseNanoUsd(row.cacheReadCost);
    const paid = recorded > 0n ? recorded : (tokens * rate.cacheRead) / REFERENCE_TOKENS;
    const key = `${row.provider}\u0000${row.model}`;
    const entry = byModel.get(key) ?? { provider: row.provider, model: row.model, tokens: 0, uncached: 0n, paid: 0n };
    entry.tokens += row.cacheReadTokens;
    entry.uncached += (tokens * rate.uncached) / REFERENCE_TOKENS;
    entry.paid += paid;
    byModel.set(key, entry);
  }
  const entries: CacheSavingsEntry[] = [...byModel.values()]
    .sort((a, b) => (b.uncached - b.paid > a.uncached - a.paid ? 1 : b.uncached - b.paid < a.uncached - a.paid ? -1 : 0))
    .map((e) => ({
      provider: e.provider,
      model: e.model,
      cacheReadTokens: e.tokens,
      uncachedCost: fromNanoUsd(e.uncached),
      cacheReadCost: fromNanoUsd(e.paid),
      saved: fromNanoUsd(e.uncached - e.paid),
    }));
  const sum = (pick: (e: CacheSavingsEntry) => string) => entries.reduce((acc, e) => acc + parseNanoUsd(pick(e)), 0n);
  return {
    cacheReadTokens: entries.reduce((acc, e) => acc + e.cacheReadTokens, 0),
    uncachedCost: fromNanoUsd(sum((e) => e.uncachedCost)),
    cacheReadCost: fromNanoUsd(sum((e) => e.cacheReadCost)),
    saved: fromNanoUsd(sum((e) => e.saved)),
    unpricedCacheReadTokens: unpricedTokens,
    byModel: entries,
  };
}
