/**
 * Money is exact: integer nano-USD, BigInt beyond 2^53, one half-up rounding per component, totals that add up.
 */
import { describe, expect, it } from 'vitest';
import { createPricer } from '../src/index.js';

const pricer = createPricer({
  overrides: [
    // A price with more decimals than nano-USD per token can hold: 0.0000001 USD per million = 1e-13 USD per token.
    { provider: 'lab', model: 'tiny', prices: { input_mtok: '0.0000001', output_mtok: '0.0000003' } },
    // A large price, to push products past 2^53 nano-USD.
    { provider: 'lab', model: 'huge', prices: { input_mtok: 150, output_mtok: 600 } },
    // A repeating-decimal price as float data writes it (1/12): read as 0.0833333333 (10 decimals).
    { provider: 'lab', model: 'twelfth', prices: { input_mtok: 0.08333333333333334, output_mtok: 0.18000000000000002 } },
  ],
});

/** Sum decimal strings exactly (BigInt nano). */
function sumNano(values: string[]): bigint {
  return values.reduce((acc, v) => acc + BigInt(v.replace('.', '')), 0n);
}

describe('exact money', () => {
  it('prices a billion tokens exactly', () => {
    // gpt-4o: 1e9 x 2.5 = 2500 USD; 1e9 x 10 = 10000 USD
    const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1e9, outputTokens: 1e9 } });
    expect([r.inputCost, r.outputCost, r.totalCost]).toEqual(['2500.000000000', '10000.000000000', '12500.000000000']);
  });

  it('switches to BigInt past 2^53 nano-USD without losing a digit', () => {
    // Token counts are safe integers, their products need not be:
    // 9e12 input tokens x 150 USD/M = 1,350,000,000 USD = 1.35e18 nano (> 2^53)
    const r = pricer.priceUsage({ provider: 'lab', model: 'huge', usage: { inputTokens: 9e12, outputTokens: 7_000_000_000_001 } });
    // out: 7,000,000,000,001 x 600 / 1e6 = 4,200,000,000.0006 USD
    expect(r.inputCost).toBe('1350000000.000000000');
    expect(r.outputCost).toBe('4200000000.000600000');
    expect(r.totalCost).toBe('5550000000.000600000');
  });

  it('tiny prices round half-up once, per component', () => {
    // 4,999,999 x 1e-13 USD = 4.999999e-7 USD = 499.9999 nano -> 500; 1 token x 3e-13 -> 0.0003 nano -> 0
    const r = pricer.priceUsage({ provider: 'lab', model: 'tiny', usage: { inputTokens: 4_999_999, outputTokens: 1 } });
    expect([r.inputCost, r.outputCost, r.totalCost]).toEqual(['0.000000500', '0.000000000', '0.000000500']);
    // 4,999 x 1e-13 = 0.4999 nano -> 0; 5,000 x 1e-13 = 0.5 nano -> 1 (half-up)
    expect(pricer.priceUsage({ provider: 'lab', model: 'tiny', usage: { inputTokens: 4_999, outputTokens: 0 } }).inputCost).toBe('0.000000000');
    expect(pricer.priceUsage({ provider: 'lab', model: 'tiny', usage: { inputTokens: 5_000, outputTokens: 0 } }).inputCost).toBe('0.000000001');
  });

  it('float artefacts in price data are read as the decimal meant (10 places)', () => {
    // 0.08333333333333334 -> 0.0833333333; 1e6 tokens x 0.0833333333 = 0.0833333333 USD -> 0.083333333 (half-up at .3)
    // 0.18000000000000002 -> 0.18; 1e6 tokens x 0.18 = 0.18 USD exactly
    const r = pricer.priceUsage({ provider: 'lab', model: 'twelfth', usage: { inputTokens: 1e6, outputTokens: 1e6 } });
    expect([r.inputCost, r.outputCost]).toEqual(['0.083333333', '0.180000000']);
  });

  it('totals add up: total = sum of rounded parts, for every call', () => {
    // gemini-1.5-flash has a 5-decimal cache price, so parts round; the total must still be their exact sum.
    for (let i = 1; i < 2000; i += 37) {
      const r = pricer.priceUsage({
        provider: 'gcp.gemini',
        model: 'gemini-1.5-flash',
        usage: { inputTokens: i * 3, cacheReadTokens: i, outputTokens: i * 2 },
      });
      const parts = [r.inputCost, r.cacheReadCost, r.cacheWriteCost, r.outputCost, r.requestCost] as string[];
      expect(BigInt((r.totalCost as string).replace('.', ''))).toBe(sumNano(parts));
    }
  });

  it('a sum of many calls is exact where float accumulation drifts', () => {
    // 100,000 calls of 1 gpt-4o-mini input token (0.15 USD/M = 150 nano-USD each) = 0.015 USD exactly.
    let floatSum = 0;
    let exact = 0n;
    for (let i = 0; i < 100_000; i++) {
      const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1, outputTokens: 0 } });
      floatSum += Number(r.totalCost);
      exact += BigInt((r.totalCost as string).replace('.', ''));
    }
    expect(exact).toBe(15_000_000n);
    // The float sum of the same decimal strings is not exactly 0.015 (why money is never accumulated in floats).
    expect(floatSum).not.toBe(0.015);
  });

  it('zero usage costs zero on a known model (not null)', () => {
    const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 0, outputTokens: 0 } });
    expect(r.status).toBe('priced');
    expect(r.totalCost).toBe('0.000000000');
  });
});
