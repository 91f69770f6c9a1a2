/**
 * `withTags` / `getTags`: tags scoped to an async call tree with AsyncLocalStorage, so they survive `await`, timers,
 * event emitters and streams, and never bleed between concurrent requests. The storage lives on `globalThis` so the
 * ESM and CommonJS builds share it.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Tags } from './types.js';
import { EMPTY_TAG_SET, extendTagSet, mergeTagSets, type TagSet } from './tag-validation.js';
import { sharedState } from './runtime-state.js';
import { errorOnce } from './diag-once.js';

const STORAGE_KEY = Symbol.for('@llm-cost/instrumentation.tag-storage');
type GlobalWithStorage = typeof globalThis & { [STORAGE_KEY]?: AsyncLocalStorage<TagSet> };

const storage: AsyncLocalStorage<TagSet> = ((globalThis as GlobalWithStorage)[STORAGE_KEY] ??=
  new AsyncLocalStorage<TagSet>());

/**
 * Runs `fn` with `tags` added to the current tags (nested scopes merge, the inner value wins). Every LLM call made
 * inside, however deep in the async call tree, carries them as `llm_cost.tag.<key>` attributes.
 * Invalid tags (wrong type, too long, too many) are dropped with one warning; `withTags` itself never throws
 * because of them.
 */
export function withTags<T>(tags: Tags, fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('withTags(tags, fn): fn must be a function');
  let scope: TagSet;
  try {
    scope = extendTagSet(storage.getStore() ?? EMPTY_TAG_SET, tags, sharedState.tagLimits);
  } catch (error) {
    errorOnce('tags:extend', 'could not apply tags; running without them', error);
    return fn();
  }
  return storage.run(scope, fn);
}

/** The tags of the current `withTags` scope, over the registered `defaultTags`: what the next LLM call would carry. */
export function getTags(): Readonly<Tags> {
  const scope = storage.getStore() ?? EMPTY_TAG_SET;
  const defaults = defaultTagSet();
  return defaults === undefined ? scope.tags : mergeTagSets(defaults, scope, sharedState.tagLimits).tags;
}

/** The current scope's validated tags (no defaults): the hot path reads this. */
export function currentTagScope(): TagSet {
  return storage.getStore() ?? EMPTY_TAG_SET;
}

/** The registered default tags (object, or function called now), or undefined. Never throws. */
export function defaultTagSet(): TagSet | undefined {
  return sharedState.defaultTags?.();
}
