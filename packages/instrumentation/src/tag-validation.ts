/**
 * Tag rules. Tags become span attributes (`llm_cost.tag.<key>`) and ClickHouse map entries, so keys are short and
 * plain, values are scalars, and the count is bounded. Invalid tags are dropped with one warning, never thrown.
 */
import { LLM_COST_TAG_PREFIX } from '@llm-cost/semconv';
import type { TagValue, Tags } from './types.js';
import { warnOnce } from './diag-once.js';

export interface TagLimits {
  readonly maxTags: number;
  readonly maxKeyLength: number;
  readonly maxValueLength: number;
}

/** Validated, merged tags and their span attributes, computed once per scope (not once per call). */
export interface TagSet {
  readonly tags: Readonly<Tags>;
  /** The same tags keyed `llm_cost.tag.<key>`, ready for `span.setAttributes`. */
  readonly attributes: Readonly<Record<string, TagValue>>;
  readonly count: number;
}

const KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/;

export const EMPTY_TAG_SET: TagSet = Object.freeze({
  tags: Object.freeze({}),
  attributes: Object.freeze({}),
  count: 0,
});

/** Why a tag is invalid, or undefined when it is fine. */
function invalidReason(key: string, value: unknown, limits: TagLimits): string | undefined {
  if (key.length === 0 || key.length > limits.maxKeyLength) return `key longer than ${limits.maxKeyLength} characters`;
  if (!KEY_PATTERN.test(key) || key === '__proto__') return 'key has characters other than letters, digits, _ . : -';
  switch (typeof value) {
    case 'string':
      return value.length > limits.maxValueLength ? `value longer than ${limits.maxValueLength} characters` : undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : 'value is not a finite number';
    case 'boolean':
      return undefined;
    default:
      return `value is a ${value === null ? 'null' : typeof value}, not a string, number or boolean`;
  }
}

/** `base` plus the valid entries of `input` (input wins), within the limits. Never throws. */
export function extendTagSet(base: TagSet, input: unknown, limits: TagLimits): TagSet {
  if (input === undefined || input === null) return base;
  if (typeof input !== 'object' || Array.isArray(input)) {
    warnOnce('tags:not-object', `tags must be an object of string keys to scalar values; got ${typeof input}, ignored`);
    return base;
  }
  const keys = Object.keys(input);
  if (keys.length === 0) return base;
  const tags: Tags = { ...base.tags };
  let count = base.count;
  for (const key of keys) {
    const value = (input as Record<string, unknown>)[key];
    const reason = invalidReason(key, value, limits);
    if (reason !== undefined) {
      warnOnce(`tags:invalid:${key.slice(0, 80)}`, `tag "${key.slice(0, 80)}" dropped: ${reason}`);
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(tags, key)) {
      if (count >= limits.maxTags) {
        warnOnce('tags:too-many', `more than ${limits.maxTags} tags on one call; extra tags dropped (maxTags option)`);
        continue;
      }
      count++;
    }
    tags[key] = value as TagValue;
  }
  const attributes: Record<string, TagValue> = {};
  for (const key of Object.keys(tags)) attributes[LLM_COST_TAG_PREFIX + key] = tags[key] as TagValue;
  return { tags: Object.freeze(tags), attributes: Object.freeze(attributes), count };
}

/** Merge two validated sets (`over` wins), within the limits. */
export function mergeTagSets(under: TagSet, over: TagSet, limits: TagLimits): TagSet {
  if (under.count === 0) return over;
  if (over.count === 0) return under;
  return extendTagSet(under, over.tags, limits);
}
