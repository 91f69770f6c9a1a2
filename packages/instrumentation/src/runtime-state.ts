/**
 * Process-wide state, kept on `globalThis` under a registered symbol: an application that loads both the ESM and the
 * CommonJS build (or two copies of the package) still gets one fetch patch, one handle and one tag scope, so no call
 * is counted twice and tags set through one copy are seen by the other.
 */
import type { TagLimits, TagSet } from './tag-validation.js';

export interface SharedState {
  /** Limits applied by `withTags` (set from the register options). */
  tagLimits: TagLimits;
  /** The registered default tags, resolved per call (an object's set is computed once). */
  defaultTags: (() => TagSet | undefined) | undefined;
  /** The active instrumentation (see register.ts), typed loosely here to keep this module free of imports. */
  active: unknown;
  /**
   * The call an outer capture layer is handing down while it synchronously calls the function it wraps
   * (`HandedCall` in capture/call-start.ts), or undefined outside such a window.
   */
  handed: unknown;
}

const STATE_KEY = Symbol.for('@llm-cost/instrumentation.state');

type GlobalWithState = typeof globalThis & { [STATE_KEY]?: SharedState };

export const DEFAULT_TAG_LIMITS: TagLimits = Object.freeze({ maxTags: 32, maxKeyLength: 64, maxValueLength: 256 });

export const sharedState: SharedState = ((globalThis as GlobalWithState)[STATE_KEY] ??= {
  tagLimits: DEFAULT_TAG_LIMITS,
  defaultTags: undefined,
  active: undefined,
  handed: undefined,
});
