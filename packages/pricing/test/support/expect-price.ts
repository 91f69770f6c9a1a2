import { expect } from 'vitest';
import type { PriceResult } from '../../src/index.js';

/** Expected priced breakdown; `req` defaults to zero, `billed` to `total`, `flags` to none. */
export interface ExpectedPrice {
  in: string;
  cr: string;
  cw: string;
  out: string;
  req?: string;
  total: string;
  billed?: string;
  matched: string;
  flags?: string[];
}

const ZERO = '0.000000000';

/** Assert the whole priced result (every money field, the match and the flags). */
export function expectPriced(result: PriceResult, e: ExpectedPrice): void {
  expect({
    status: result.status,
    currency: result.currency,
    inputCost: result.inputCost,
    cacheReadCost: result.cacheReadCost,
    cacheWriteCost: result.cacheWriteCost,
    outputCost: result.outputCost,
    requestCost: result.requestCost,
    totalCost: result.totalCost,
    billedCost: result.billedCost,
    matchedModel: result.matchedModel,
    flags: result.flags,
  }).toEqual({
    status: 'priced',
    currency: 'USD',
    inputCost: e.in,
    cacheReadCost: e.cr,
    cacheWriteCost: e.cw,
    outputCost: e.out,
    requestCost: e.req ?? ZERO,
    totalCost: e.total,
    billedCost: e.billed ?? e.total,
    matchedModel: e.matched,
    flags: e.flags ?? [],
  });
}

/** Assert an `unknown_model` result: every cost null, nothing matched. */
export function expectUnknown(result: PriceResult, flags: string[] = []): void {
  expect(result).toMatchObject({
    status: 'unknown_model',
    inputCost: null,
    cacheReadCost: null,
    cacheWriteCost: null,
    outputCost: null,
    requestCost: null,
    totalCost: null,
    billedCost: null,
    matchedModel: null,
  });
  expect(result.flags).toEqual(flags);
}
