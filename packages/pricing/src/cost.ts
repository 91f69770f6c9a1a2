/**
 * The pure pricing function: normalised usage and integer rates in, integer nano-USD components out. No I/O, no
 * floating-point fractions: every product is an integer, each component is rounded once (half-up) to nano-USD, and
 * the total is the sum of the rounded components so a stored row always adds up.
 */
import { type Decimal, divRoundHalfUp, divRoundHalfUpBig } from './decimal.js';
import type { CompiledRates, TierRates } from './price-entry.js';
import type { NormalizedUsage } from './usage.js';

/** Nano-USD per component; a `bigint` only when the amount exceeds 2^53 nano-USD (about 9 million USD). */
export interface NanoCosts {
  input: number | bigint;
  cacheRead: number | bigint;
  cacheWrite: number | bigint;
  output: number | bigint;
  request: number | bigint;
  total: number | bigint;
}

/** Token counts per priced key, after folding unpriced refinements into their parent key. */
interface Leaves {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  output: number;
  reasoning: number;
}

/**
 * Split usage into the keys the entry prices, as the engine does: a refinement without its own price stays in its
 * parent (cached input at the input rate when there is no cache-read price, reasoning at the output rate, ...).
 */
function leavesOf(u: NormalizedUsage, r: CompiledRates): Leaves {
  const cacheRead = r.cacheRead ? u.cacheReadTokens : 0;
  const writesPriced = r.cacheWrite !== null;
  const cacheWrite1h = writesPriced && r.cacheWrite1h ? u.cacheWrite1hTokens : 0;
  const cacheWrite5m = writesPriced && r.cacheWrite5m ? u.cacheWrite5mTokens : 0;
  const cacheWrite = writesPriced ? u.cacheWriteTokens - cacheWrite1h - cacheWrite5m : 0;
  const reasoning = r.reasoning ? u.reasoningTokens : 0;
  return {
    input: u.inputTokens - cacheRead - (writesPriced ? u.cacheWriteTokens : 0),
    cacheRead,
    cacheWrite,
    cacheWrite5m,
    cacheWrite1h,
    output: u.outputTokens - reasoning,
    reasoning,
  };
}

/** The tier rate for a request with `inputTokens` total input (the last tier whose start it exceeds). */
function rateOf(t: TierRates | null, inputTokens: number): number {
  if (t === null) return 0;
  let rate = t.base;
  for (const tier of t.tiers) if (inputTokens > tier.start) rate = tier.rate;
  return rate;
}

function rateOfBig(t: TierRates | null, inputTokens: number): bigint {
  if (t === null) return 0n;
  let rate = t.baseBig;
  for (const tier of t.tiers) if (inputTokens > tier.start) rate = tier.rateBig;
  return rate;
}

const MAX = Number.MAX_SAFE_INTEGER;

/** Price normalised usage with compiled rates. */
export function computeCost(u: NormalizedUsage, r: CompiledRates): NanoCosts {
  const l = leavesOf(u, r);
  const tokens = u.inputTokens;
  if (r.safe) {
    const input = l.input * rateOf(r.input, tokens);
    const cacheRead = l.cacheRead * rateOf(r.cacheRead, tokens);
    const cacheWrite =
      l.cacheWrite * rateOf(r.cacheWrite, tokens) +
      l.cacheWrite5m * rateOf(r.cacheWrite5m, tokens) +
      l.cacheWrite1h * rateOf(r.cacheWrite1h, tokens);
    const output = l.output * rateOf(r.output, tokens) + l.reasoning * rateOf(r.reasoning, tokens);
    const request = rateOf(r.request, tokens);
    // Every term is a non-negative integer product: if a sum stays at or below 2^53 - 1, no term or partial sum
    // was rounded; anything larger is redone in BigInt.
    if (input <= MAX && cacheRead <= MAX && cacheWrite <= MAX && output <= MAX && request <= MAX) {
      const c = {
        input: divRoundHalfUp(input, r.pow),
        cacheRead: divRoundHalfUp(cacheRead, r.pow),
        cacheWrite: divRoundHalfUp(cacheWrite, r.pow),
        output: divRoundHalfUp(output, r.pow),
        request: divRoundHalfUp(request, r.pow),
        total: 0 as number | bigint,
      };
      const total = c.input + c.cacheRead + c.cacheWrite + c.output + c.request;
      if (total <= MAX) {
        c.total = total;
        return c;
      }
    }
  }
  return computeCostBig(l, r, tokens);
}

function computeCostBig(l: Leaves, r: CompiledRates, tokens: number): NanoCosts {
  const B = BigInt;
  const round = (v: bigint): bigint => divRoundHalfUpBig(v, r.powBig);
  const input = round(B(l.input) * rateOfBig(r.input, tokens));
  const cacheRead = round(B(l.cacheRead) * rateOfBig(r.cacheRead, tokens));
  const cacheWrite = round(
    B(l.cacheWrite) * rateOfBig(r.cacheWrite, tokens) +
      B(l.cacheWrite5m) * rateOfBig(r.cacheWrite5m, tokens) +
      B(l.cacheWrite1h) * rateOfBig(r.cacheWrite1h, tokens),
  );
  const output = round(B(l.output) * rateOfBig(r.output, tokens) + B(l.reasoning) * rateOfBig(r.reasoning, tokens));
  const request = round(rateOfBig(r.request, tokens));
  return { input, cacheRead, cacheWrite, output, request, total: input + cacheRead + cacheWrite + output + request };
}

/** `nano × factor`, rounded half-up to nano-USD (per-tenant markup). */
export function applyFactor(nano: number | bigint, factor: Decimal, factorDigits: number): number | bigint {
  if (typeof nano === 'number' && Number.isSafeInteger(factorDigits)) {
    const product = nano * factorDigits;
    if (product <= MAX) return divRoundHalfUp(product, 10 ** factor.scale);
  }
  const big = divRoundHalfUpBig(BigInt(nano) * factor.digits, 10n ** BigInt(factor.scale));
  return big <= BigInt(MAX) ? Number(big) : big;
}
