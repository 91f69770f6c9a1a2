/**
 * Price data snapshots: loading the real genai-prices v2 file from the shared folder, versioning by content,
 * strict validation, and the process-default pricer configured from the environment.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  ENV_PRICES_FILE,
  ENV_PRICE_OVERRIDES_FILE,
  PriceDataError,
  createPricer,
  getDefaultPricer,
  priceUsage,
  setDefaultPricer,
} from '../src/index.js';
import { reportMissing, sharedPriceFile, sharedPriceFileExists } from './support/shared.js';

if (!sharedPriceFileExists) reportMissing('The shared genai-prices data file', sharedPriceFile);

const dir = mkdtempSync(join(tmpdir(), 'llm-cost-snapshot-'));
const usage = { inputTokens: 1000, outputTokens: 1000 };

/** A minimal valid snapshot with one provider and model. */
function snapshotWith(prices: unknown, model: Record<string, unknown> = {}): unknown[] {
  return [{ id: 'lab', name: 'Lab', api_pattern: 'x', models: [{ id: 'm1', match: { equals: 'm1' }, prices, ...model }] }];
}

function dataError(fn: () => unknown): PriceDataError {
  try {
    fn();
  } catch (error) {
    if (error instanceof PriceDataError) return error;
    throw error;
  }
  throw new Error('expected a PriceDataError');
}

describe.runIf(sharedPriceFileExists)('the real v2 data file', () => {
  it('loads, and is versioned by the sha256 of its canonical JSON', () => {
    const fromFile = createPricer({ snapshotFile: sharedPriceFile });
    const parsed = JSON.parse(readFileSync(sharedPriceFile, 'utf8'));
    const fromObject = createPricer({ snapshot: parsed });
    // Reformatting the file does not change the version: the hash is over canonical JSON.
    const pretty = join(dir, 'pretty.json');
    writeFileSync(pretty, JSON.stringify(parsed, null, 2));
    expect(fromFile.source).toBe('snapshot');
    expect(fromFile.priceVersion).toMatch(/^snapshot:[0-9a-f]{12}$/);
    expect(fromObject.priceVersion).toBe(fromFile.priceVersion);
    expect(createPricer({ snapshotFile: pretty }).priceVersion).toBe(fromFile.priceVersion);
  });

  it('prices from the snapshot, not from the bundled data', () => {
    const snapshot = createPricer({ snapshotFile: sharedPriceFile });
    const bundled = createPricer();
    // mistral devstral-small: snapshot 0.06 / 0.12 -> 60 + 120 µ; bundled 0.1 / 0.3 -> 100 + 300 µ
    const s = snapshot.priceUsage({ provider: 'mistral_ai', model: 'devstral-small', usage });
    const b = bundled.priceUsage({ provider: 'mistral_ai', model: 'devstral-small', usage });
    expect([s.totalCost, s.priceVersion]).toEqual(['0.000180000', snapshot.priceVersion]);
    expect([b.totalCost, b.priceVersion]).toEqual(['0.000400000', 'genai-prices@0.1.8']);
  });

  it('a changed price changes the version', () => {
    const parsed = JSON.parse(readFileSync(sharedPriceFile, 'utf8'));
    const before = createPricer({ snapshot: parsed }).priceVersion;
    parsed[0].models[0].prices.input_mtok = 123;
    expect(createPricer({ snapshot: parsed }).priceVersion).not.toBe(before);
  });
});

describe('snapshot validation', () => {
  it('accepts a minimal snapshot', () => {
    const pricer = createPricer({ snapshot: snapshotWith({ input_mtok: 1, output_mtok: 2 }) });
    // 1000 x 1 + 1000 x 2 = 3000 µ
    expect(pricer.priceUsage({ provider: 'lab', model: 'm1', usage }).totalCost).toBe('0.003000000');
  });

  it('rejects an unknown price key, naming provider and model', () => {
    const err = dataError(() => createPricer({ snapshot: snapshotWith({ input_mtok: 1, output_holo_mtok: 5 }) }));
    expect(err.code).toBe('LLM_COST_PRICE_DATA');
    expect(err.problems).toEqual(['lab/m1: unknown price key "output_holo_mtok" (this version cannot price it; upgrade @llm-cost/pricing)']);
  });

  it('rejects unknown model fields (a newer format might carry prices there)', () => {
    const err = dataError(() => createPricer({ snapshot: snapshotWith({ input_mtok: 1 }, { batch_prices: { input_mtok: 0.5 } }) }));
    expect(err.problems).toEqual(['lab/m1: unknown model field(s) batch_prices']);
  });

  it('rejects unknown constraint kinds and malformed tiers', () => {
    const err = dataError(() =>
      createPricer({
        snapshot: [
          {
            id: 'lab',
            name: 'Lab',
            api_pattern: 'x',
            models: [
              { id: 'a', match: { equals: 'a' }, prices: [{ constraint: { day_of_week: 'sat' }, prices: { input_mtok: 1 } }] },
              { id: 'b', match: { equals: 'b' }, prices: { input_mtok: { base: 1, tiers: [{ start: -1, price: 2 }] } } },
              { id: 'c', match: { sounds_like: 'c' }, prices: { input_mtok: 1 } },
            ],
          },
        ],
      }),
    );
    expect(err.problems).toEqual([
      'lab/a: prices[0]: unknown constraint field(s) day_of_week',
      'lab/b: input_mtok: tier start must be a non-negative integer, got -1',
      'lab/c: unknown match clause "sounds_like"',
    ]);
  });

  it('rejects data that is not a list of providers', () => {
    expect(dataError(() => createPricer({ snapshot: { providers: [] } })).problems).toEqual([
      'price data must be a JSON array of providers',
    ]);
  });
});

describe('the process-default pricer', () => {
  afterEach(() => {
    delete process.env[ENV_PRICES_FILE];
    delete process.env[ENV_PRICE_OVERRIDES_FILE];
    setDefaultPricer(undefined);
  });

  it('uses the bundled data without configuration', () => {
    setDefaultPricer(undefined);
    const r = priceUsage({ provider: 'openai', model: 'gpt-4o', usage });
    expect([r.totalCost, r.priceVersion]).toEqual(['0.012500000', 'genai-prices@0.1.8']);
  });

  it(`reads ${ENV_PRICES_FILE} and ${ENV_PRICE_OVERRIDES_FILE}`, () => {
    const snapshotPath = join(dir, 'env-snapshot.json');
    writeFileSync(snapshotPath, JSON.stringify(snapshotWith({ input_mtok: 1, output_mtok: 2 })));
    const overridesPath = join(dir, 'env-overrides.yaml');
    writeFileSync(overridesPath, '- model: m2\n  prices: { input_mtok: 5, output_mtok: 5 }\n');
    process.env[ENV_PRICES_FILE] = snapshotPath;
    process.env[ENV_PRICE_OVERRIDES_FILE] = overridesPath;
    setDefaultPricer(undefined);
    expect(getDefaultPricer().priceVersion).toMatch(/^snapshot:[0-9a-f]{12}\+overrides:[0-9a-f]{12}$/);
    // m1 from the snapshot: 1000 + 2000 µ; m2 from the overrides: 5000 + 5000 µ
    expect(priceUsage({ provider: 'lab', model: 'm1', usage }).totalCost).toBe('0.003000000');
    expect(priceUsage({ provider: 'lab', model: 'm2', usage }).totalCost).toBe('0.010000000');
  });

  it('an invalid snapshot in the environment fails clearly on first use', () => {
    const bad = join(dir, 'bad-snapshot.json');
    writeFileSync(bad, JSON.stringify(snapshotWith({ input_mtok: 1, mystery_mtok: 1 })));
    process.env[ENV_PRICES_FILE] = bad;
    setDefaultPricer(undefined);
    expect(() => priceUsage({ provider: 'lab', model: 'm1', usage })).toThrow(PriceDataError);
  });

  it('setDefaultPricer replaces it', () => {
    setDefaultPricer(createPricer({ overrides: [{ model: 'gpt-4o', prices: { input_mtok: 1, output_mtok: 1 } }] }));
    expect(priceUsage({ provider: 'openai', model: 'gpt-4o', usage }).totalCost).toBe('0.002000000');
  });
});
