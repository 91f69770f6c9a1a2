/**
 * Overrides: in-code > file > price data; within a source a provider-qualified entry beats a model-only one.
 * Every override shows up in `priceVersion`.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PriceConfigError, PriceSourceError, createPricer } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'llm-cost-overrides-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

// 1000 input + 1000 output tokens: total = in price x 1000 + out price x 1000 µUSD.
const usage = { inputTokens: 1000, outputTokens: 1000 };

const yamlFile = file(
  'overrides.yaml',
  `overrides:
  - model: gpt-4o            # model-only: 4 / 4
    prices: { input_mtok: 4, output_mtok: 4 }
  - provider: openai         # qualified: 3 / 3, beats the model-only entry above
    model: gpt-4o
    prices: { input_mtok: "3", output_mtok: "3" }
  - provider: gcp.gemini     # semconv name: matches calls that say "google" too
    model: gemini-2.5-flash
    prices: { input_mtok: 1, output_mtok: 1 }
  - model: acme-llm-7b       # a model the data does not know
    match: { starts_with: acme-llm- }
    prices: { input_mtok: 0.5, output_mtok: 1.5 }
`,
);

describe('override precedence', () => {
  it('a file override beats the price data, and a qualified entry beats a model-only one', () => {
    const pricer = createPricer({ overridesFile: yamlFile });
    // qualified 3/3: 3000 + 3000 µ
    const r = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage });
    expect([r.totalCost, r.matchedModel]).toEqual(['0.006000000', 'openai:gpt-4o']);
    // another provider gets the model-only entry (4/4), azure included
    expect(pricer.priceUsage({ provider: 'azure.ai.openai', model: 'gpt-4o', usage }).totalCost).toBe('0.008000000');
  });

  it('in-code overrides beat the file, even a qualified file entry', () => {
    const pricer = createPricer({ overridesFile: yamlFile, overrides: [{ model: 'gpt-4o', prices: { input_mtok: 2, output_mtok: 2 } }] });
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).totalCost).toBe('0.004000000');
  });

  it('a qualified in-code entry beats a model-only in-code entry regardless of order', () => {
    const pricer = createPricer({
      overrides: [
        { model: 'gpt-4o', prices: { input_mtok: 9, output_mtok: 9 } },
        { provider: 'OpenAI', model: 'GPT-4o', prices: { input_mtok: 1, output_mtok: 1 } },
      ],
    });
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).totalCost).toBe('0.002000000');
    expect(pricer.priceUsage({ provider: 'my-gateway', model: 'gpt-4o', usage }).totalCost).toBe('0.018000000');
  });

  it('override providers are normalised like call providers', () => {
    const pricer = createPricer({ overridesFile: yamlFile });
    // 1 + 1 USD/M: 1000 + 1000 µ, whichever name the call uses
    for (const provider of ['google', 'gcp.gemini', 'gcp.vertex_ai']) {
      expect(pricer.priceUsage({ provider, model: 'gemini-2.5-flash', usage }).totalCost).toBe('0.002000000');
    }
  });

  it('an override with a match rule prices models the data does not know', () => {
    const pricer = createPricer({ overridesFile: yamlFile });
    // 0.5 + 1.5 USD/M: 500 + 1500 µ
    const r = pricer.priceUsage({ provider: 'self-hosted', model: 'acme-llm-7b-instruct', usage });
    expect([r.status, r.totalCost, r.matchedModel]).toEqual(['priced', '0.002000000', 'self-hosted:acme-llm-7b']);
  });

  it('without overrides the data price applies', () => {
    // gpt-4o 2.5/10: 2500 + 10000 µ
    expect(createPricer().priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).totalCost).toBe('0.012500000');
  });
});

describe('overrides in priceVersion', () => {
  it('adds +overrides:<hash> that depends on the content only', () => {
    const json = file(
      'same.json',
      JSON.stringify([{ provider: 'openai', model: 'gpt-4o', prices: { input_mtok: 3, output_mtok: 3 } }]),
    );
    const a = createPricer({ overridesFile: json }).priceVersion;
    const b = createPricer({ overridesFile: json }).priceVersion;
    const c = createPricer({ overridesFile: yamlFile }).priceVersion;
    expect(a).toMatch(/^genai-prices@0\.1\.8\+overrides:[0-9a-f]{12}$/);
    expect(b).toBe(a);
    expect(c).not.toBe(a);
    expect(createPricer().priceVersion).toBe('genai-prices@0.1.8');
  });

  it('every result carries the version it was priced with', () => {
    const pricer = createPricer({ overridesFile: yamlFile });
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).priceVersion).toBe(pricer.priceVersion);
  });
});

describe('bad overrides fail on creation with their location', () => {
  it('an unknown price key', () => {
    expect(() => createPricer({ overrides: [{ model: 'x', prices: { input_mtok: 1, input_widgets_mtok: 2 } }] })).toThrow(
      /overrides\[0\] \(x\): unknown price key "input_widgets_mtok"/,
    );
  });

  it('a refinement without its parent price (cache_write_1h_mtok without cache_write_mtok)', () => {
    expect(() => createPricer({ overrides: [{ model: 'x', prices: { input_mtok: 1, cache_write_1h_mtok: 2 } }] })).toThrow(
      /cache_write_1h_mtok is priced but cache_write_mtok is not/,
    );
  });

  it('a negative or non-numeric price', () => {
    expect(() => createPricer({ overrides: [{ model: 'x', prices: { input_mtok: -1 } }] })).toThrow(PriceConfigError);
    expect(() => createPricer({ overrides: [{ model: 'x', prices: { input_mtok: 'cheap' } }] })).toThrow(PriceConfigError);
  });

  it('invalid YAML names the file', () => {
    const bad = file('bad.yaml', 'overrides: [ { model: x, prices: { input_mtok: 1 }\n');
    expect(() => createPricer({ overridesFile: bad })).toThrow(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid YAML`));
  });

  it('a missing file is a PriceSourceError', () => {
    const err = (() => {
      try {
        createPricer({ overridesFile: join(dir, 'missing.yaml') });
      } catch (error) {
        return error;
      }
    })();
    expect(err).toBeInstanceOf(PriceSourceError);
    expect(err).toMatchObject({ name: 'PriceSourceError', code: 'LLM_COST_PRICE_SOURCE' });
  });

  it('an invalid markup', () => {
    expect(() => createPricer({ markups: { acme: 'x1.3' } })).toThrow(/markups\.acme/);
    expect(() => createPricer({ markups: { acme: '1.0000001' } })).toThrow(PriceConfigError);
  });

  it('a "*" markup applies to tenants without their own', () => {
    const pricer = createPricer({ markups: { '*': '2', vip: '1' } });
    // gpt-4o 12500 µ list
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage, tenant: 'anyone' }).billedCost).toBe('0.025000000');
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage, tenant: 'vip' }).billedCost).toBe('0.012500000');
    expect(pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).billedCost).toBe('0.025000000');
  });
});
