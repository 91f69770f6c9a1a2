/**
 * Which price entry a `(provider, model)` pair maps to. The engine's matching rules are kept exactly (provider by id
 * or `provider_match`, the first model whose `match` holds, `fallback_model_providers`, compact dates such as
 * `-20240806` retried as `-2024-08-06`); around them we add, in this order:
 *
 * 1. Azure deployment names through the configured map (`azureDeployments`), for provider `azure`.
 * 2. Overrides: in-code before file; within each, a provider-qualified entry before a model-only one.
 * 3. The provider's own table (with its fallbacks and date normalisation).
 * 4. Vertex resource paths (`publishers/google/models/gemini-2.5-pro`): retried with the last path segment.
 * 5. Gateways (OpenRouter): `vendor/model` unknown in the gateway's table is retried in the vendor's table.
 * 6. An unknown provider (an OpenAI-compatible gateway): `vendor/model` is tried in the vendor's table; otherwise the
 *    model is matched across providers by their `model_match` rules, and used only when exactly one provider
 *    prices it. Anything else is `unknown_model`, never a guess.
 *
 * Results are cached per (provider, model) string pair, so after the first call a lookup is two `Map` reads.
 */
import type { CompiledModel, CompiledProvider, PriceTable } from './price-table.js';
import { GATEWAY_PROVIDERS, PROVIDER_ALIASES } from './provider-aliases.js';

/** A model entry that came from overrides rather than the price data. */
export interface OverrideModel extends CompiledModel {
  /** `provider` of the override, normalised; `null` for a model-only override. */
  readonly qualifiedProvider: string | null;
}

export interface Resolution {
  /** `null` when no price entry applies. */
  readonly model: CompiledModel | null;
  /** `provider:model` of the entry used. */
  readonly matchedModel: string | null;
  readonly fromOverride: boolean;
  /** The calling provider, normalised (data id when known, else the lower-cased name): selects mode pricing. */
  readonly providerKey: string;
  /** Why a model is unknown, when there is more to say than "not in the table". */
  readonly flag: string | null;
}

export interface ResolverOptions {
  /** In precedence order: every list is scanned before the next. */
  readonly overrideLayers: ReadonlyArray<readonly OverrideModel[]>;
  /** Azure deployment name (lower-cased) → model id. */
  readonly azureDeployments: ReadonlyMap<string, string>;
}

const COMPACT_DATE_RE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/** The engine's dated-id normalisation: `claude-3-5-sonnet-20241022` → `claude-3-5-sonnet-2024-10-22`. */
function expandCompactDates(id: string): string {
  return id.replace(COMPACT_DATE_RE, (whole, dash: string, y: string, m: string, d: string) => {
    const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
    return date.getUTCMonth() === Number(m) - 1 && date.getUTCDate() === Number(d) ? `${dash}${y}-${m}-${d}` : whole;
  });
}

const MAX_CACHED = 50_000;

export class ModelResolver {
  readonly #table: PriceTable;
  readonly #options: ResolverOptions;
  readonly #cache = new Map<string, Map<string, Resolution>>();
  #cached = 0;

  constructor(table: PriceTable, options: ResolverOptions) {
    this.#table = table;
    this.#options = options;
  }

  /** Resolve with the per-pair cache (the hot path). */
  resolve(provider: string, model: string): Resolution {
    let byModel = this.#cache.get(provider);
    const hit = byModel?.get(model);
    if (hit) return hit;
    const resolution = this.resolveUncached(provider, model);
    // Bounded: ids come from traffic, so a flood of distinct names must not grow memory without limit.
    if (this.#cached >= MAX_CACHED) {
      this.#cache.clear();
      this.#cached = 0;
      byModel = undefined;
    }
    if (!byModel) {
      byModel = new Map();
      this.#cache.set(provider, byModel);
    }
    byModel.set(model, resolution);
    this.#cached += 1;
    return resolution;
  }

  /** The engine's provider lookup, after our aliases: exact id, then `provider_match`. */
  findProvider(name: string): CompiledProvider | undefined {
    const key = name.trim().toLowerCase();
    const alias = PROVIDER_ALIASES[key];
    const byAlias = alias === undefined ? undefined : this.#table.byId.get(alias);
    if (byAlias) return byAlias;
    return this.#table.byId.get(key) ?? this.#table.providers.find((p) => p.providerMatch?.(key));
  }

  resolveUncached(providerName: string, modelName: string): Resolution {
    const provider = typeof providerName === 'string' ? this.findProvider(providerName) : undefined;
    const providerKey = provider?.id ?? String(providerName ?? '').trim().toLowerCase();
    let id = String(modelName ?? '').trim().toLowerCase();
    if (providerKey === 'azure') id = this.#options.azureDeployments.get(id) ?? id;

    const override = this.#findOverride(providerKey, id);
    if (override) {
      const matchedProvider = override.qualifiedProvider ?? providerKey;
      return { model: override, matchedModel: `${matchedProvider}:${override.id}`, fromOverride: true, providerKey, flag: null };
    }
    const found = (model: CompiledModel | undefined): Resolution | null =>
      model ? { model, matchedModel: `${model.providerId}:${model.id}`, fromOverride: false, providerKey, flag: null } : null;
    const unknown = (flag: string | null = null): Resolution => ({ model: null, matchedModel: null, fromOverride: false, providerKey, flag });

    if (id === '') return unknown();
    if (provider) {
      const direct = found(this.#inProvider(provider, id));
      if (direct) return direct;
      const slash = id.lastIndexOf('/');
      if (provider.id === 'google' && slash >= 0) {
        const vertex = found(this.#inProvider(provider, id.slice(slash + 1)));
        if (vertex) return vertex;
      }
      if (GATEWAY_PROVIDERS.has(provider.id)) return found(this.#viaVendorPrefix(id, provider)) ?? unknown();
      return unknown();
    }
    const viaVendor = found(this.#viaVendorPrefix(id, undefined));
    if (viaVendor) return viaVendor;
    const candidates: CompiledModel[] = [];
    for (const p of this.#table.providers) {
      if (!p.modelMatch?.(id)) continue;
      const model = this.#inProvider(p, id);
      if (model) candidates.push(model);
    }
    if (candidates.length === 1) return found(candidates[0]) as Resolution;
    return unknown(candidates.length > 1 ? 'ambiguous_model' : null);
  }

  #findOverride(providerKey: string, id: string): OverrideModel | undefined {
    for (const layer of this.#options.overrideLayers) {
      let modelOnly: OverrideModel | undefined;
      for (const o of layer) {
        if (!o.match(id)) continue;
        if (o.qualifiedProvider === null) modelOnly ??= o;
        else if (o.qualifiedProvider === providerKey) return o;
      }
      if (modelOnly) return modelOnly;
    }
    return undefined;
  }

  /** `vendor/model`: the model in the vendor's table (never the gateway's own again). */
  #viaVendorPrefix(id: string, gateway: CompiledProvider | undefined): CompiledModel | undefined {
    const slash = id.indexOf('/');
    if (slash <= 0 || slash === id.length - 1) return undefined;
    const vendor = this.findProvider(id.slice(0, slash));
    if (!vendor || vendor === gateway) return undefined;
    return this.#inProvider(vendor, id.slice(slash + 1));
  }

  /** The engine's per-provider model lookup: own table with fallbacks, then with compact dates expanded. */
  #inProvider(provider: CompiledProvider, id: string): CompiledModel | undefined {
    const model = this.#withFallbacks(provider, id);
    if (model) return model;
    const expanded = expandCompactDates(id);
    return expanded === id ? undefined : this.#withFallbacks(provider, expanded);
  }

  #withFallbacks(provider: CompiledProvider, id: string): CompiledModel | undefined {
    const own = provider.models.find((m) => m.match(id));
    if (own) return own;
    // The engine looks into fallback providers' own tables only (no fallback chains).
    for (const fallbackId of provider.fallbackProviderIds) {
      const fallback = this.#table.byId.get(fallbackId);
      const model = fallback?.models.find((m) => m.match(id));
      if (model) return model;
    }
    return undefined;
  }

  /** Provider keys an override's `provider` may name, normalised like a call's provider. */
  normalizeProvider(name: string): string {
    return this.findProvider(name)?.id ?? name.trim().toLowerCase();
  }
}
