/**
 * Inconsistent or invalid usage is clamped and flagged, never thrown; mode and timestamp problems are flagged too.
 */
import { describe, expect, it } from 'vitest';
import { PRICING_FLAGS, type TokenUsage, createPricer } from '../src/index.js';

const pricer = createPricer();
// claude-sonnet-4-5: in 3 / write 3.75 / write 1h 6 / read 0.3 / out 15 per million tokens (bundled)
const claude = (usage: TokenUsage) => pricer.priceUsage({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage });

describe('usage clamping', () => {
  it('clamps cache reads larger than the input to the input and flags it', () => {
    // read clamped to 100: 100 x 0.3 = 30 µ; uncached 0
    const r = claude({ inputTokens: 100, cacheReadTokens: 150, outputTokens: 0 });
    expect([r.inputCost, r.cacheReadCost, r.flags]).toEqual(['0.000000000', '0.000030000', ['cache_read_exceeds_input']]);
  });

  it('clamps cache writes to what the input leaves after reads', () => {
    // read 60, write clamped from 80 to 40: 60 x 0.3 = 18 µ; 40 x 3.75 = 150 µ
    const r = claude({ inputTokens: 100, cacheReadTokens: 60, cacheWriteTokens: 80, outputTokens: 0 });
    expect([r.inputCost, r.cacheReadCost, r.cacheWriteCost, r.flags]).toEqual([
      '0.000000000',
      '0.000018000',
      '0.000150000',
      ['cache_write_exceeds_input'],
    ]);
  });

  it('clamps a TTL split larger than the writes, keeping the dearer 1-hour part', () => {
    // writes 100, split 5m 80 + 1h 60 -> 1h 60, 5m 40: 60 x 6 + 40 x 3.75 = 360 + 150 = 510 µ
    const r = claude({ inputTokens: 100, cacheWriteTokens: 100, cacheWrite5mTokens: 80, cacheWrite1hTokens: 60, outputTokens: 0 });
    expect([r.cacheWriteCost, r.flags]).toEqual(['0.000510000', ['cache_write_split_exceeds_cache_write']]);
  });

  it('derives total writes from the TTL split when only the split is given', () => {
    // 5m 10 + 1h 20 = 30 writes: 10 x 3.75 + 20 x 6 = 37.5 + 120 = 157.5 µ; uncached 70 x 3 = 210 µ
    const r = claude({ inputTokens: 100, cacheWrite5mTokens: 10, cacheWrite1hTokens: 20, outputTokens: 0 });
    expect([r.inputCost, r.cacheWriteCost, r.flags]).toEqual(['0.000210000', '0.000157500', []]);
  });

  it('clamps reasoning larger than the output', () => {
    const r = pricer.priceUsage({
      provider: 'perplexity',
      model: 'sonar-deep-research',
      usage: { inputTokens: 0, outputTokens: 10, reasoningTokens: 50 },
    });
    // reasoning clamped to 10 at 3 USD/M = 30 µ
    expect([r.outputCost, r.flags]).toEqual(['0.000030000', ['reasoning_exceeds_output']]);
  });

  it('counts invalid numbers as zero and flags each', () => {
    const r = claude({ inputTokens: -5, cacheReadTokens: Number.NaN, outputTokens: Number.POSITIVE_INFINITY });
    expect(r.status).toBe('priced');
    expect(r.totalCost).toBe('0.000000000');
    expect(r.flags).toEqual(['invalid_input_tokens', 'invalid_cache_read_tokens', 'invalid_output_tokens']);
  });

  it('rounds fractional counts and flags it once', () => {
    // 10.4 -> 10 x 3 = 30 µ; 1.6 -> 2 x 15 = 30 µ
    const r = claude({ inputTokens: 10.4, outputTokens: 1.6 });
    expect([r.inputCost, r.outputCost, r.flags]).toEqual(['0.000030000', '0.000030000', ['non_integer_token_count']]);
  });

  it('a call that is not an object is unknown_model, not thrown', () => {
    const r = pricer.priceUsage(null as never);
    expect([r.status, r.totalCost, r.flags]).toEqual(['unknown_model', null, ['invalid_input']]);
  });

  it('a missing usage record is flagged, not thrown', () => {
    const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o' } as never);
    expect(r.totalCost).toBe('0.000000000');
    expect(r.flags).toEqual(['invalid_input_tokens']);
  });
});

describe('mode and timestamp flags', () => {
  const usage = { inputTokens: 1000, outputTokens: 1000 };

  it('flags a mode the provider has no price for and prices at the standard rate', () => {
    // claude-sonnet-4-5 standard: 3000 + 15000 µ
    const r = pricer.priceUsage({ provider: 'anthropic', model: 'claude-sonnet-4-5', usage, mode: 'priority' });
    expect([r.totalCost, r.flags]).toEqual(['0.018000000', ['mode_not_priced_for_provider']]);
  });

  it('groq flex is priced like on-demand without a flag', () => {
    const standard = pricer.priceUsage({ provider: 'groq', model: 'llama-3.3-70b-versatile', usage });
    const flex = pricer.priceUsage({ provider: 'groq', model: 'llama-3.3-70b-versatile', usage, mode: 'flex' });
    expect(standard.status).toBe('priced');
    expect(flex.totalCost).toBe(standard.totalCost);
    expect(flex.flags).toEqual([]);
  });

  it('priority above the long-context threshold is billed at the standard long-context rate, flagged', () => {
    // gpt-5.4 tier > 271999: in 5 / out 22.5 -> 300000 x 5 = 1.5 USD; 1000 x 22.5 = 0.0225 USD
    const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-5.4', usage: { inputTokens: 300_000, outputTokens: 1000 }, mode: 'priority' });
    expect([r.totalCost, r.flags]).toEqual(['1.522500000', ['priority_long_context_at_standard']]);
  });

  it('flags an unknown mode string', () => {
    const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage, mode: 'turbo' as never });
    expect([r.totalCost, r.flags]).toEqual(['0.012500000', ['unknown_mode']]);
  });

  it('flags an invalid timestamp and prices at the current time', () => {
    const r = pricer.priceUsage({ provider: 'openai', model: 'o3', usage, timestamp: 'not a date' });
    expect(r.status).toBe('priced');
    expect(r.flags).toEqual(['invalid_timestamp']);
  });

  it('accepts epoch milliseconds, Date and ISO strings alike', () => {
    const at = Date.parse('2025-05-01T00:00:00Z');
    const totals = [at, new Date(at), '2025-05-01T00:00:00Z'].map(
      (timestamp) => pricer.priceUsage({ provider: 'openai', model: 'o3', usage, timestamp }).totalCost,
    );
    // o3 before 2025-06-10: 1000 x 10 + 1000 x 40 = 50000 µ
    expect(totals).toEqual(['0.050000000', '0.050000000', '0.050000000']);
  });
});

describe('flags are a closed, documented set', () => {
  it('an unknown gateway whose model several providers price is unknown, flagged ambiguous_model', () => {
    const provider = (id: string, price: number) => ({
      id,
      name: id,
      api_pattern: id,
      model_match: { starts_with: 'shared-' },
      models: [{ id: 'shared-7b', match: { equals: 'shared-7b' }, prices: { input_mtok: price, output_mtok: price } }],
    });
    const twoVendors = createPricer({ snapshot: [provider('vendor-a', 1), provider('vendor-b', 2)] });
    const r = twoVendors.priceUsage({ provider: 'some-gateway', model: 'shared-7b', usage: { inputTokens: 1, outputTokens: 1 } });
    expect([r.status, r.flags]).toEqual(['unknown_model', ['ambiguous_model']]);
    // Named explicitly, each vendor prices its own: 1000 x 2 = 2000 µ
    expect(twoVendors.priceUsage({ provider: 'vendor-b', model: 'shared-7b', usage: { inputTokens: 1000, outputTokens: 0 } }).totalCost).toBe(
      '0.002000000',
    );
  });

  it('every flag a result carries is listed in PRICING_FLAGS', () => {
    const seen = new Set<string>();
    const calls = [
      { provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { inputTokens: 1, cacheReadTokens: 5, cacheWriteTokens: 5, cacheWrite1hTokens: 9, outputTokens: 1, reasoningTokens: 3 } },
      { provider: 'openai', model: 'o3', usage: { inputTokens: -1, outputTokens: 0.5 }, timestamp: 'x', mode: 'turbo' },
      { provider: 'openai', model: 'gpt-5-nano', usage: { inputTokens: 1, outputTokens: 1 }, mode: 'priority', providerReportedCost: 'n/a' },
      { provider: 'groq', model: 'whisper-large-v3', usage: { inputTokens: 1, outputTokens: 1 } },
      { provider: 'anthropic', model: 'claude-sonnet-4-5', usage: { inputTokens: 1, outputTokens: 1 }, mode: 'flex' },
    ];
    for (const call of calls) for (const flag of pricer.priceUsage(call as never).flags) seen.add(flag);
    expect(seen.size).toBeGreaterThan(10);
    expect([...seen].filter((flag) => !(PRICING_FLAGS as readonly string[]).includes(flag))).toEqual([]);
  });
});
