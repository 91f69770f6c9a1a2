/**
 * Price data (a list of providers in the genai-prices v2 format) validated and compiled for fast lookups: match
 * rules become predicates, prices become exact `PriceEntry`s. Validation is strict where pricing depends on it
 * (unknown price keys, constraint kinds, match clauses, fields a newer format may have added) and reports every
 * problem with its location, so `prices sync` can list them all.
 */
import { type IdPredicate, compileMatch } from './match-logic.js';
import { type Constraint, readConstraint } from './price-constraints.js';
import { type PriceEntry, readPriceEntry } from './price-entry.js';

export interface CompiledModel {
  readonly providerId: string;
  readonly id: string;
  readonly match: IdPredicate;
  /** `null` for a single fixed price; else one constraint per entry, in data order. */
  readonly constraints: readonly Constraint[] | null;
  readonly entries: readonly PriceEntry[];
  /** `prices` as found in the data (for diffs). */
  readonly rawPrices: unknown;
}

export interface CompiledProvider {
  readonly id: string;
  readonly providerMatch: IdPredicate | null;
  readonly modelMatch: IdPredicate | null;
  readonly models: readonly CompiledModel[];
  readonly fallbackProviderIds: readonly string[];
}

export interface PriceTable {
  readonly providers: readonly CompiledProvider[];
  readonly byId: ReadonlyMap<string, CompiledProvider>;
}

const PROVIDER_FIELDS = new Set([
  'id',
  'name',
  'pricing_urls',
  'api_pattern',
  'description',
  'price_comments',
  'model_match',
  'provider_match',
  'extractors',
  'fallback_model_providers',
  'models',
]);
const MODEL_FIELDS = new Set(['id', 'name', 'description', 'match', 'context_window', 'price_comments', 'prices', 'deprecated']);
const CONDITIONAL_FIELDS = new Set(['constraint', 'prices']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function unknownFields(obj: Record<string, unknown>, known: Set<string>): string[] {
  return Object.keys(obj).filter((k) => !known.has(k));
}

/** Compile one model's `prices` (fixed or date-dependent). Throws with a message on the first problem. */
export function readModelPrices(prices: unknown): Pick<CompiledModel, 'constraints' | 'entries'> {
  if (!Array.isArray(prices)) return { constraints: null, entries: [readPriceEntry(prices)] };
  if (prices.length === 0) throw new Error('prices list is empty');
  const constraints: Constraint[] = [];
  const entries: PriceEntry[] = [];
  prices.forEach((item: unknown, i) => {
    if (!isObject(item)) throw new Error(`prices[${i}] must be an object`);
    const extra = unknownFields(item, CONDITIONAL_FIELDS);
    if (extra.length > 0) throw new Error(`prices[${i}]: unknown field(s) ${extra.join(', ')}`);
    try {
      constraints.push(readConstraint(item.constraint));
      entries.push(readPriceEntry(item.prices));
    } catch (error) {
      throw new Error(`prices[${i}]: ${(error as Error).message}`);
    }
  });
  return { constraints, entries };
}

/**
 * Validate and compile price data. Never throws: problems are returned (each prefixed with `provider/model`), and
 * the table holds everything that could be read.
 */
export function readPriceTable(data: unknown): { table: PriceTable; problems: string[] } {
  const problems: string[] = [];
  const providers: CompiledProvider[] = [];
  if (!Array.isArray(data)) {
    problems.push('price data must be a JSON array of providers');
    return { table: { providers, byId: new Map() }, problems };
  }
  data.forEach((p: unknown, pi) => {
    if (!isObject(p) || typeof p.id !== 'string' || p.id === '') {
      problems.push(`providers[${pi}]: a provider needs a string "id"`);
      return;
    }
    const pid = p.id;
    const extra = unknownFields(p, PROVIDER_FIELDS);
    if (extra.length > 0) problems.push(`${pid}: unknown provider field(s) ${extra.join(', ')}`);
    if (!Array.isArray(p.models)) {
      problems.push(`${pid}: "models" must be an array`);
      return;
    }
    const compileOptional = (clause: unknown, what: string): IdPredicate | null => {
      if (clause === undefined || clause === null) return null;
      try {
        return compileMatch(clause);
      } catch (error) {
        problems.push(`${pid}: ${what}: ${(error as Error).message}`);
        return null;
      }
    };
    const providerMatch = compileOptional(p.provider_match, 'provider_match');
    const modelMatch = compileOptional(p.model_match, 'model_match');
    const fallback = p.fallback_model_providers;
    if (fallback !== undefined && !(Array.isArray(fallback) && fallback.every((f) => typeof f === 'string'))) {
      problems.push(`${pid}: fallback_model_providers must be a list of provider ids`);
    }
    const models: CompiledModel[] = [];
    p.models.forEach((m: unknown, mi) => {
      if (!isObject(m) || typeof m.id !== 'string') {
        problems.push(`${pid}: models[${mi}] needs a string "id"`);
        return;
      }
      const where = `${pid}/${m.id}`;
      const mExtra = unknownFields(m, MODEL_FIELDS);
      if (mExtra.length > 0) problems.push(`${where}: unknown model field(s) ${mExtra.join(', ')}`);
      try {
        const match = compileMatch(m.match);
        const { constraints, entries } = readModelPrices(m.prices);
        models.push({ providerId: pid, id: m.id, match, constraints, entries, rawPrices: m.prices });
      } catch (error) {
        problems.push(`${where}: ${(error as Error).message}`);
      }
    });
    providers.push({
      id: pid,
      providerMatch,
      modelMatch,
      models,
      fallbackProviderIds: Array.isArray(fallback) ? fallback.filter((f): f is string => typeof f === 'string') : [],
    });
  });
  const byId = new Map<string, CompiledProvider>();
  for (const provider of providers) {
    if (byId.has(provider.id)) problems.push(`${provider.id}: duplicate provider id`);
    else byId.set(provider.id, provider);
  }
  return { table: { providers, byId }, problems };
}
