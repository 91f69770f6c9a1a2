/**
 * The request path every transport shares once a request is known to address an LLM endpoint: the call's tags, the
 * budget guard's answer, and the call's span (made when the call ends, see llm-span.ts). fetch, `node:http` and
 * `node:http2` each find the endpoint (a string check and a Map lookup for anything else) and then call these, so a
 * call looks the same whichever client made it.
 *
 * Also here: the hand-over between two layers that see the same call (an instrumented fetch whose implementation
 * sends through `node:http`, such as node-fetch under `wrapFetch`): one call, one span.
 */
import type { Context } from '@opentelemetry/api';
import { ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER } from '@llm-cost/semconv';
import type { BudgetDecision, Tags } from '../types.js';
import type { UrlTarget } from '../url-targets.js';
import type { Runtime } from '../runtime.js';
import { LlmSpan } from '../llm-span.js';
import { currentTagScope, defaultTagSet } from '../tags.js';
import { mergeTagSets, type TagSet } from '../tag-validation.js';
import { sharedState } from '../runtime-state.js';
import { errorOnce, warnOnce } from '../diag-once.js';

/** What the request itself says (from the URL or the JSON body the application sends). */
export interface CallRequest {
  model: string | undefined;
  stream: boolean;
  serviceTier: string | undefined;
}

/** The tags in force when the application made the call: the defaults under the current `withTags` scope. */
export interface CallTags {
  defaults: TagSet | undefined;
  scope: TagSet;
}

export function currentCallTags(): CallTags {
  return { defaults: defaultTagSet(), scope: currentTagScope() };
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  );
}

/** The error a blocking decision rejects with, or undefined to let the call through. */
function blockingError(decision: unknown): Error | undefined {
  if (decision === undefined || decision === null) return undefined;
  const d = decision as BudgetDecision;
  if (d.action === 'allow') return undefined;
  if (d.action === 'block') {
    return d.error instanceof Error ? d.error : new Error('LLM call blocked by the budget guard');
  }
  warnOnce('budget:decision', 'the budget guard answered neither allow nor block; the call proceeds');
  return undefined;
}

/**
 * Asks the budget guard about a call: undefined lets it through, an Error blocks it (the application gets that
 * error); a promise of either when the guard answers asynchronously. A guard that throws or rejects lets the call
 * through (logged once). Without a guard: undefined, with no work done.
 */
export function askBudget(
  runtime: Runtime,
  target: UrlTarget,
  request: CallRequest,
  tags: CallTags,
): Error | undefined | Promise<Error | undefined> {
  const guard = runtime.sinks.budgetGuard;
  if (guard === undefined) return undefined;
  let decision: unknown;
  try {
    const merged: Tags =
      tags.defaults === undefined ? tags.scope.tags : mergeTagSets(tags.defaults, tags.scope, sharedState.tagLimits).tags;
    decision = guard.check({
      provider: target.module.name,
      ...(request.model !== undefined ? { model: request.model } : {}),
      operation: target.endpoint.operation,
      tags: merged,
    });
  } catch (error) {
    errorOnce('budget:check', 'the budget guard threw; the call proceeds', error);
    return undefined;
  }
  if (!isThenable(decision)) return blockingError(decision);
  return Promise.resolve(decision).then(blockingError, (error: unknown) => {
    errorOnce('budget:check-rejected', 'the budget guard rejected; the call proceeds', error);
    return undefined;
  });
}

/** The start attributes of a call beyond the endpoint's shared ones (the OpenAI request service tier). */
export function requestAttributes(target: UrlTarget, request: CallRequest): Record<string, string> | undefined {
  return request.serviceTier !== undefined && target.module.openAiCompatible
    ? { [ATTR_GEN_AI_OPENAI_REQUEST_SERVICE_TIER]: request.serviceTier }
    : undefined;
}

/** The call's span (made when it ends), or undefined when it could not be started (logged; the call goes on). */
export function startCall(
  runtime: Runtime,
  target: UrlTarget,
  request: CallRequest,
  tags: CallTags,
  parent: Context,
): LlmSpan | undefined {
  try {
    const module = target.module;
    return new LlmSpan(
      {
        tracer: runtime.tracer,
        parent,
        provider: module.name,
        operation: target.endpoint.operation,
        requestModel: request.model,
        shared: request.stream ? target.streamAttributes : target.attributes,
        attributes: requestAttributes(target, request),
        defaults: tags.defaults,
        scope: tags.scope,
      },
      runtime.sinks,
      module.openAiCompatible,
    );
  } catch (error) {
    errorOnce('span:start', 'could not start an LLM span; the call is not recorded', error);
    return undefined;
  }
}

/**
 * A call an outer layer (an instrumented fetch) has started and is handing down while it synchronously calls the
 * function it wraps. The first request a lower layer (`node:http`, `node:http2`) sees inside that window is this
 * call's request: the lower layer takes the call (its span, tags, budget answer) and watches the response bytes,
 * which it sees better than the outer layer does (a polyfill's Response is not a WHATWG one); the outer layer then
 * leaves the response alone. Kept in the process-wide state so that the ESM and CommonJS builds hand over to each
 * other too.
 */
export interface HandedCall {
  readonly call: LlmSpan;
  readonly target: UrlTarget;
  /** Set by the lower layer that took the call. */
  taken: boolean;
}

/** Runs `send` with `handed` offered to the layers below; returns what it returned (or throws what it threw). */
export function handDown<T>(handed: HandedCall | undefined, send: () => T): T {
  const previous = sharedState.handed;
  sharedState.handed = handed ?? PASS_THROUGH;
  try {
    return send();
  } finally {
    sharedState.handed = previous;
  }
}

/** Marks a window in which lower layers record nothing (an outer layer records the call, or chose not to). */
export const PASS_THROUGH: HandedCall = Object.freeze({
  call: undefined as unknown as LlmSpan,
  target: undefined as unknown as UrlTarget,
  taken: true,
}) as HandedCall;

/**
 * For a lower layer: the call handed down by the layer above (taken now), `PASS_THROUGH` when the layer above wants
 * nothing recorded, or undefined when no layer above is in a call (record it yourself).
 */
export function takeHandedCall(): HandedCall | undefined {
  const handed = sharedState.handed as HandedCall | undefined;
  if (handed === undefined) return undefined;
  if (handed.taken) return PASS_THROUGH;
  handed.taken = true;
  return handed;
}

/** Whether some layer above is inside a call (a lower layer then never starts a call of its own). */
export function insideHandedWindow(): boolean {
  return sharedState.handed !== undefined;
}
