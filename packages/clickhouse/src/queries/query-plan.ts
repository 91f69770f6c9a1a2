import {
  rollupByModelTable,
  rollupByTagTable,
  rollupByTenantTable,
  rollupByUserTable,
} from '../schema/definitions.js';
import type { GroupDimension, UsageFilter } from './query-types.js';

/**
 * Which table answers a question, and with which column expressions. A question is a filter (user, tenant, tags,
 * provider, model, service) plus the dimensions it is grouped by. Whole days are read from the first daily rollup
 * that carries every dimension the question names; the partial days at the ends of a range (and questions no rollup
 * can answer, e.g. a user within a tenant, or two tag keys) read `llm_calls`. Every value is a query parameter.
 */

/** The model as the rollups key it: what the provider answered with, else what was requested. */
export const RAW_MODEL = "if(response_model != '', response_model, request_model)";
/** The requested model, else the answering one (rollup rows from before schema version 4 know only that). */
const ROLLUP_REQUEST_MODEL = "if(request_model != '', request_model, model)";
const RAW_REQUEST_MODEL = "if(request_model != '', request_model, response_model)";

type Column = 'provider' | 'model' | 'requestModel' | 'service' | 'user' | 'tenant' | 'tag';

/** Every rollup keys both models (`request_model` since schema version 4). */
const MODELS = { model: 'model', requestModel: ROLLUP_REQUEST_MODEL } as const;

interface RollupShape {
  table: string;
  columns: Partial<Record<Column, string>>;
}

/** The rollups in order of preference (the first that has every needed column wins), with their key columns. */
const ROLLUPS: readonly RollupShape[] = [
  { table: rollupByModelTable.name, columns: { provider: 'provider', ...MODELS, service: 'service_name' } },
  { table: rollupByUserTable.name, columns: { user: 'user_id', provider: 'provider', ...MODELS } },
  { table: rollupByTenantTable.name, columns: { tenant: 'tenant_id', provider: 'provider', ...MODELS } },
  { table: rollupByTagTable.name, columns: { tag: 'tag_value', provider: 'provider', ...MODELS } },
];

const RAW_COLUMNS: Record<Exclude<Column, 'tag'>, string> = {
  provider: 'provider',
  model: RAW_MODEL,
  requestModel: RAW_REQUEST_MODEL,
  service: 'service_name',
  user: 'user_id',
  tenant: 'tenant_id',
};

/** The filter fields that are equality conditions on one column, and that column (`model`: see below). */
const FILTER_COLUMNS: ReadonlyArray<[keyof UsageFilter, Exclude<Column, 'tag'>]> = [
  ['userId', 'user'],
  ['tenantId', 'tenant'],
  ['provider', 'provider'],
  ['model', 'model'],
  ['service', 'service'],
];

/**
 * A model filter matches the model the caller asked for or the one that answered: `gpt-4o` finds calls answered by
 * `gpt-4o-2024-08-06`. Rollup rows written before schema version 4 have an empty `request_model` and match by the
 * answering model only; raw rows always had `request_model`.
 */
const MODEL_MATCH = { rollup: '({rollup:model} = {f_model:String} OR request_model = {f_model:String})', raw: `(${RAW_MODEL} = {f_model:String} OR request_model = {f_model:String})` };

/** A question planned for one source: the rollup for whole days (if any) and the raw table. */
export interface QueryPlan {
  /** Rollup for whole days; undefined when no rollup carries every dimension (the raw table answers it all). */
  rollup: string | undefined;
  /** Group key expressions over the rollup, one per group dimension. */
  rollupKeys: string[];
  /** Group key expressions over `llm_calls`, same order. */
  rawKeys: string[];
  rollupWhere: string[];
  rawWhere: string[];
  params: Record<string, unknown>;
}

/**
 * Plans `filter` grouped by `groupBy` (at most one tag key can come from the tag rollup: a filter tag and a group
 * tag of the same key share it).
 */
export function planQuery(filter: UsageFilter, groupBy: readonly GroupDimension[] = []): QueryPlan {
  const params: Record<string, unknown> = {};
  const rollupWhere: string[] = [];
  const rawWhere: string[] = [];
  const needed = new Set<Column>();
  const tagKeys = new Set<string>();

  for (const [field, column] of FILTER_COLUMNS) {
    const value = filter[field];
    if (value === undefined) continue;
    const name = `f_${column}`;
    params[name] = value;
    needed.add(column);
    rollupWhere.push(column === 'model' ? MODEL_MATCH.rollup : `{rollup:${column}} = {${name}:String}`);
    rawWhere.push(column === 'model' ? MODEL_MATCH.raw : `${RAW_COLUMNS[column]} = {${name}:String}`);
  }
  Object.entries(filter.tags ?? {}).forEach(([key, value], index) => {
    params[`f_tag_key_${index}`] = key;
    params[`f_tag_value_${index}`] = value;
    needed.add('tag');
    tagKeys.add(key);
    rollupWhere.push(`tag_key = {f_tag_key_${index}:String} AND tag_value = {f_tag_value_${index}:String}`);
    rawWhere.push(`tags[{f_tag_key_${index}:String}] = {f_tag_value_${index}:String}`);
  });

  const rollupKeys: string[] = [];
  const rawKeys: string[] = [];
  groupBy.forEach((dimension, index) => {
    if (dimension === 'day') {
      rollupKeys.push('day');
      rawKeys.push('toDate(timestamp)');
    } else if (typeof dimension === 'object') {
      params[`g_tag_key_${index}`] = dimension.tag;
      needed.add('tag');
      tagKeys.add(dimension.tag);
      rollupKeys.push('tag_value');
      rollupWhere.push(`tag_key = {g_tag_key_${index}:String}`);
      rawKeys.push(`tags[{g_tag_key_${index}:String}]`);
      rawWhere.push(`mapContains(tags, {g_tag_key_${index}:String})`);
    } else {
      needed.add(dimension);
      rollupKeys.push(`{rollup:${dimension}}`);
      rawKeys.push(RAW_COLUMNS[dimension]);
    }
  });

  const shape = tagKeys.size > 1 ? undefined : ROLLUPS.find((r) => [...needed].every((column) => r.columns[column] !== undefined));
  const resolve = (text: string) => text.replace(/\{rollup:(\w+)\}/g, (_, column: Column) => shape?.columns[column] ?? '');
  return {
    rollup: shape?.table,
    rollupKeys: shape === undefined ? [] : rollupKeys.map(resolve),
    rawKeys,
    rollupWhere: shape === undefined ? [] : rollupWhere.map(resolve),
    rawWhere,
    params,
  };
}
