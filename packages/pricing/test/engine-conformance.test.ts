/**
 * We keep the engine's data and matching rules and replace only its floating-point arithmetic. These tests hold us
 * to that: the bundled provider list is complete, the version we stamp is the installed one, and for every bundled
 * model our match and our exact total agree with the engine's own `calcPrice` (within the half-up rounding of at
 * most five components).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Provider, calcPrice, waitForUpdate } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { BUNDLED_PROVIDER_IDS } from '../src/bundled-data.js';
import { ENGINE_VERSION, createPricer } from '../src/index.js';

describe('the bundled engine data', () => {
  it('the provider id list covers every provider the engine bundles', async () => {
    const providers = await waitForUpdate();
    expect(BUNDLED_PROVIDER_IDS).toEqual((providers ?? []).map((p) => p.id));
  });

  it('ENGINE_VERSION is the installed engine version', () => {
    const require = createRequire(import.meta.url);
    // The package's exports map hides package.json; find it beside the resolved entry point.
    const entry = require.resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version: string };
    expect(pkg.version).toBe(ENGINE_VERSION);
  });

  it('validates with no problems (every price key is known)', () => {
    expect(() => createPricer()).not.toThrow();
  });
});

describe('agreement with the engine on every bundled model', () => {
  const usages = [
    {
      ours: { inputTokens: 1000, cacheReadTokens: 200, cacheWriteTokens: 100, cacheWrite1hTokens: 40, outputTokens: 300, reasoningTokens: 100 },
      engine: { input_tokens: 1000, cache_read_tokens: 200, cache_write_tokens: 100, cache_write_1h_tokens: 40, output_tokens: 300, output_reasoning_tokens: 100 },
    },
    // Above every long-context threshold in the data.
    {
      ours: { inputTokens: 300_000, cacheReadTokens: 20_000, outputTokens: 3000 },
      engine: { input_tokens: 300_000, cache_read_tokens: 20_000, output_tokens: 3000 },
    },
  ];
  // Before and after most dated price changes; 02:30 UTC is inside DeepSeek's time-of-day windows.
  const timestamps = [new Date('2025-01-01T12:00:00Z'), new Date('2026-09-01T02:30:00Z')];

  it('matches the same model and computes the same total', async () => {
    const providers = (await waitForUpdate()) as Provider[];
    const pricer = createPricer();
    const warn = console.warn;
    console.warn = () => {}; // the engine warns about usage keys it does not price
    let compared = 0;
    const disagreements: string[] = [];
    try {
      for (const provider of providers) {
        for (const model of provider.models) {
          for (const usage of usages) {
            for (const timestamp of timestamps) {
              const engine = calcPrice(usage.engine, model.id, { providerId: provider.id, timestamp });
              const ours = pricer.priceUsage({ provider: provider.id, model: model.id, usage: usage.ours, timestamp });
              const where = `${provider.id} ${model.id}`;
              if (engine === null) {
                if (ours.status !== 'unknown_model') disagreements.push(`${where}: engine unknown, ours ${ours.matchedModel}`);
                continue;
              }
              if (ours.status === 'unknown_model') {
                // Documented difference: models priced only in units usage does not carry are unknown, not zero.
                if (!ours.flags.includes('unsupported_price_units')) disagreements.push(`${where}: ours unknown, engine ${engine.model.id}`);
                continue;
              }
              compared += 1;
              if (!ours.matchedModel?.endsWith(`:${engine.model.id}`)) {
                disagreements.push(`${where}: matched ${ours.matchedModel}, engine ${engine.model.id}`);
              }
              const diff = Math.abs(Number(ours.totalCost) - engine.total_price);
              // Five components each rounded to the nano (<= 2.5e-9), plus float error of the engine's own sum.
              if (diff > 2.5e-9 + engine.total_price * 1e-12) {
                disagreements.push(`${where}: total ${ours.totalCost}, engine ${engine.total_price}`);
              }
            }
          }
        }
      }
    } finally {
      console.warn = warn;
    }
    expect(disagreements).toEqual([]);
    expect(compared).toBeGreaterThan(6000);
  });
});
