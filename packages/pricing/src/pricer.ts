/**
 * `createPricer(options)`: one price table (bundled or a snapshot), overrides and markups, and the `priceUsage`
 * hot path. Everything that can fail is checked here, on creation, with a clear error; `priceUsage` itself never
 * throws for bad usage or an unknown model and does no I/O.
 */
import { BUNDLED_PROVIDERS, ENGINE_VERSION } from './bundled-data.js';
import { applyFactor, computeCost } from './cost.js';
import { type Decimal, compactNano, decimalToNano, formatNano, parseDecimal } from './decimal.js';
import { PriceConfigError, PriceDataError } from './errors.js';
import { type OverrideModel, ModelResolver } from './model-resolver.js';
import { planMode } from './modes.js';
import { compileOverrides, readOverridesFile } from './overrides.js';
import { selectConditional } from './price-constraints.js';
import { compileRates } from './price-entry.js';
import { readPriceFileSync } from './price-source.js';
import { type PriceTable, readPriceTable } from './price-table.js';
import { contentHash } from './price-version.js';
import type { PriceResult, PriceUsageInput, Pricer, PricerOptions } from './types.js';
import { normalizeUsage } from './usage.js';

/** Decimals allowed in a markup (1.000001x is the finest distinction a price list needs). */
const MARKUP_DECIMALS = 6;

let bundledTable: PriceTable | undefined;

/** The bundled data, validated and compiled once per process (shared by every bundled pricer). */
export function getBundledTable(): PriceTable {
  if (!bundledTable) {
    const { table, problems } = readPriceTable(BUNDLED_PROVIDERS);
    if (problems.length > 0) throw new PriceDataError(`@pydantic/genai-prices@${ENGINE_VERSION}`, problems);
    bundledTable = table;
  }
  return bundledTable;
}

/** Compile price data given as a value (a snapshot), or throw `PriceDataError` listing its problems. */
export function compilePriceData(data: unknown, source: string): PriceTable {
  const { table, problems } = readPriceTable(data);
  if (problems.length > 0) throw new PriceDataError(source, problems);
  return table;
}

interface Markup {
  readonly factor: Decimal;
  readonly digits: number;
}

function readMarkups(markups: Record<string, string | number> | undefined): Map<string, Markup> {
  const result = new Map<string, Markup>();
  for (const [tenant, value] of Object.entries(markups ?? {})) {
    const factor = parseDecimal(value);
    if (factor === null || factor.scale > MARKUP_DECIMALS) {
      throw new PriceConfigError(
        `markups.${tenant}: expected a non-negative decimal with at most ${MARKUP_DECIMALS} decimals (e.g. "1.3"), got ${JSON.stringify(value)}`,
      );
    }
    result.set(tenant, { factor, digits: Number(factor.digits) });
  }
  return result;
}

function readAzureDeployments(map: Record<string, string> | undefined): Map<string, string> {
  const result = new Map<string, string>();
  for (const [deployment, model] of Object.entries(map ?? {})) {
    if (typeof model !== 'string' || model.trim() === '') {
      throw new PriceConfigError(`azureDeployments.${deployment}: expected a model id, got ${JSON.stringify(model)}`);
    }
    result.set(deployment.trim().toLowerCase(), model.trim().toLowerCase());
  }
  return result;
}

function timestampMs(timestamp: PriceUsageInput['timestamp'], flags: string[]): number {
  if (timestamp === undefined || timestamp === null) return Date.now();
  const ms =
    timestamp instanceof Date ? timestamp.getTime() : typeof timestamp === 'number' ? timestamp : Date.parse(String(timestamp));
  if (Number.isFinite(ms)) return ms;
  flags.push('invalid_timestamp');
  return Date.now();
}

/** Create a pricer. Throws `PriceConfigError`, `PriceDataError` or `PriceSourceError` for bad options or data. */
export function createPricer(options: PricerOptions = {}): Pricer {
  let table: PriceTable;
  let dataVersion: string;
  let source: Pricer['source'];
  if (options.snapshot !== undefined || options.snapshotFile !== undefined) {
    const data = options.snapshot !== undefined ? options.snapshot : readPriceFileSync(options.snapshotFile as string);
    table = compilePriceData(data, options.snapshot !== undefined ? 'options.snapshot' : (options.snapshotFile as string));
    dataVersion = `snapshot:${contentHash(data)}`;
    source = 'snapshot';
  } else {
    table = getBundledTable();
    dataVersion = `genai-prices@${ENGINE_VERSION}`;
    source = 'bundled';
  }

  // The resolver normalises override providers; overrides themselves are installed right after.
  const layers: OverrideModel[][] = [];
  const resolver = new ModelResolver(table, {
    overrideLayers: layers,
    azureDeployments: readAzureDeployments(options.azureDeployments),
  });
  const normalize = (name: string): string => resolver.normalizeProvider(name);
  const codeOverrides = options.overrides ?? [];
  if (!Array.isArray(codeOverrides)) throw new PriceConfigError('overrides must be a list of { provider?, model, prices }');
  const fileOverrides = options.overridesFile === undefined ? [] : readOverridesFile(options.overridesFile);
  layers.push(compileOverrides(codeOverrides, 'overrides', normalize));
  layers.push(compileOverrides(fileOverrides, options.overridesFile ?? 'overridesFile', normalize));
  const hasOverrides = codeOverrides.length > 0 || fileOverrides.length > 0;
  const priceVersion = hasOverrides ? `${dataVersion}+overrides:${contentHash({ code: codeOverrides, file: fileOverrides })}` : dataVersion;

  const markups = readMarkups(options.markups);
  const defaultMarkup = markups.get('*');

  function result(
    status: PriceResult['status'],
    matchedModel: string | null,
    flags: string[],
    parts: { input: string; cacheRead: string; cacheWrite: string; output: string; request: string } | null,
    total: number | bigint | null,
    tenant: string | undefined,
  ): PriceResult {
    let billed: number | bigint | null = total;
    if (total !== null) {
      const markup = (tenant === undefined ? undefined : markups.get(tenant)) ?? defaultMarkup;
      if (markup) billed = applyFactor(total, markup.factor, markup.digits);
    }
    return {
      status,
      currency: 'USD',
      inputCost: parts ? parts.input : null,
      cacheReadCost: parts ? parts.cacheRead : null,
      cacheWriteCost: parts ? parts.cacheWrite : null,
      outputCost: parts ? parts.output : null,
      requestCost: parts ? parts.request : null,
      totalCost: total === null ? null : formatNano(total),
      billedCost: billed === null ? null : formatNano(billed),
      priceVersion,
      matchedModel,
      flags,
    };
  }

  function priceUsage(input: PriceUsageInput): PriceResult {
    const flags: string[] = [];
    if (typeof input !== 'object' || input === null) {
      flags.push('invalid_input');
      return result('unknown_model', null, flags, null, null, undefined);
    }
    const resolution = resolver.resolve(input.provider, input.model);
    const tenant = input.tenant;

    // A cost the provider reported wins: it is what the invoice says.
    const reported = input.providerReportedCost;
    if (reported !== undefined && reported !== null) {
      const d = parseDecimal(reported);
      if (d) return result('provider_reported', resolution.matchedModel, flags, null, compactNano(decimalToNano(d)), tenant);
      flags.push('invalid_provider_reported_cost');
    }
    const model = resolution.model;
    if (model === null) {
      if (resolution.flag) flags.push(resolution.flag);
      return result('unknown_model', null, flags, null, null, tenant);
    }
    const usage = normalizeUsage(input.usage, flags);
    const index = model.constraints === null ? 0 : selectConditional(model.constraints, timestampMs(input.timestamp, flags));
    const entry = model.entries[index];
    if (entry === undefined || !entry.priceable) {
      flags.push('unsupported_price_units');
      return result('unknown_model', null, flags, null, null, tenant);
    }
    const dataModelId = !resolution.fromOverride && model.providerId === 'openai' ? model.id : null;
    const plan = planMode(input.mode, resolution.providerKey, dataModelId, entry, usage.inputTokens, flags);
    const costs = computeCost(usage, compileRates(plan.entry, plan.multiplier, plan.key));
    return result(
      'priced',
      resolution.matchedModel,
      flags,
      {
        input: formatNano(costs.input),
        cacheRead: formatNano(costs.cacheRead),
        cacheWrite: formatNano(costs.cacheWrite),
        output: formatNano(costs.output),
        request: formatNano(costs.request),
      },
      costs.total,
      tenant,
    );
  }

  return {
    priceUsage,
    priceVersion,
    source,
    resolveModel: (provider, model) => resolver.resolve(provider, model).matchedModel,
  };
}
