import type { LlmCall } from '../mapping/llm-call.js';
import { fingerprint, fingerprintKey } from './key-fingerprint.js';
import { RecentKeys } from './recent-keys.js';
import { resolveCalls } from './resolve-calls.js';

export interface OneChargeOptions {
  /** How long a span whose parent has not arrived waits for it. */
  holdMs: number;
  /**
   * How long a complete group without a span of ours waits for one: our fetch-level span is the innermost layer, and
   * it can end (and be exported) after the SDK span around it.
   */
  settleMs: number;
  /** Most spans held at once; beyond it the oldest groups are released early. */
  maxHeldSpans: number;
  /** Span ids and response ids remembered about charged calls (about two per call). */
  memorySize: number;
  now: () => number;
  /** Receives the calls of each released group, deduplicated. */
  release: (calls: LlmCall[]) => void;
}

export interface OneChargeCounters {
  /** Spans dropped because another span already charged the same call (another layer, or a replay). */
  duplicates: number;
  /** GenAI spans enclosing several calls, not charged themselves. */
  aggregates: number;
  /** Groups released before their parent arrived because the hold was full. */
  earlyReleases: number;
}

interface Group {
  members: LlmCall[];
  /** Span ids of parents the group still waits for. */
  waitingFor: Set<string>;
  /** Release time: creation + holdMs while waiting for a parent, then readiness + settleMs while settling. */
  deadline: number;
  settling: boolean;
}

// Flags remembered per span id (span ids are 64 random bits: unique enough without the trace id) and per
// trace-scoped response id (providers and test servers may reuse response ids across requests).
const CHARGED = 1;
const ENCLOSES_CHARGED = 2;
const RESPONSE_CHARGED = 4;

const responseKey = (call: LlmCall) => (call.responseId === '' ? undefined : `${call.traceId}\u0000${call.responseId}`);

/**
 * One call, one charge, across instrumentation layers and export batches.
 *
 * Several instrumentations may describe one provider request: an SDK-level span (OpenTelemetry's or OpenLLMetry's
 * OpenAI instrumentation, the Anthropic SDK's own spans) with our fetch-level span as its child, maybe a framework
 * span above. The OpenTelemetry SDK exports a span when it ends, usually child before parent, but not always (a body
 * can finish after the SDK parsed it), and the layers can land in different export batches. This filter therefore:
 *
 * 1. holds a GenAI span whose parent has not been seen, for at most `holdMs`, in a group of related spans;
 * 2. merges into that group the spans that turn out to be its GenAI parent, its GenAI children or to carry the same
 *    provider response id in the same trace; a non-GenAI parent arriving (or a root span) completes the group;
 * 3. releases complete groups at the end of the submission they completed in (so the order of spans inside one
 *    export does not matter), after up to `settleMs` more when the group has no span of ours yet;
 * 4. on release, resolves the group into calls (`resolveCalls`) and remembers the charged span ids, their parents
 *    and response ids, so a layer arriving after its call was charged (or an OTLP retry replaying a span) is dropped
 *    instead of charged again.
 *
 * Guarantee: a call is charged at most once while its layers arrive within `holdMs` / `settleMs` of each other or
 * while the memory (`memorySize` entries) still remembers it; a later layer is dropped, never charged twice (its
 * fuller usage or tags are then lost). GenAI spans separated by a non-GenAI span are one call only when they share a
 * response id.
 */
export class OneChargeFilter {
  readonly counters: OneChargeCounters = { duplicates: 0, aggregates: 0, earlyReleases: 0 };
  private readonly groups = new Set<Group>();
  private readonly ready = new Set<Group>();
  private readonly bySpan = new Map<string, Group>();
  private readonly byResponse = new Map<string, Group>();
  private readonly waiting = new Map<string, Group[]>();
  private readonly memory: RecentKeys;
  private held = 0;

  constructor(private readonly options: OneChargeOptions) {
    this.memory = new RecentKeys(options.memorySize);
  }

  /** Spans currently held. */
  get heldSpans(): number {
    return this.held;
  }

  /** True while some group waits for a parent: only then must non-GenAI spans be reported with `sawSpan`. */
  get hasWaiters(): boolean {
    return this.waiting.size > 0;
  }

  /**
   * Offers one GenAI call. Returns false when it was dropped as a duplicate of a charged call. Call `endBatch()`
   * after the last span of a submission.
   */
  offer(call: LlmCall): boolean {
    // Fingerprints of the span id and the response id are kept for the fast path below, which remembers them.
    fingerprintKey(call.spanId, '');
    const spanHi = fingerprint.hi;
    const spanLo = fingerprint.lo;
    let responseHi = 0;
    let responseLo = 0;
    if (call.responseId !== '') {
      fingerprintKey(call.responseId, call.traceId);
      responseHi = fingerprint.hi;
      responseLo = fingerprint.lo;
    }
    if (
      this.bySpan.has(call.spanId) ||
      this.memory.flagsOf(spanHi, spanLo) !== 0 ||
      (call.parentSpanId !== '' && this.memory.has(call.parentSpanId, CHARGED)) ||
      (call.responseId !== '' && (this.memory.flagsOf(responseHi, responseLo) & RESPONSE_CHARGED) !== 0)
    ) {
      this.counters.duplicates += 1;
      return false;
    }
    // The held-span maps are empty most of the time: then no key string is built for them.
    const response = this.groups.size === 0 ? undefined : responseKey(call);
    const byResponse = response === undefined ? undefined : this.byResponse.get(response);
    const parentGroup = call.parentSpanId === '' || this.groups.size === 0 ? undefined : this.bySpan.get(call.parentSpanId);
    const children = this.waiting.size === 0 ? undefined : this.waiting.get(call.spanId);
    if (call.isOurs && call.parentSpanId === '' && !byResponse && !children) {
      // The common case with our instrumentation alone: a root span of ours related to nothing held. Ours is the
      // innermost layer, so nothing else can join it: charge it now (what `charge` remembers for a root span).
      this.memory.addFingerprint(spanHi, spanLo, CHARGED);
      if (call.responseId !== '') this.memory.addFingerprint(responseHi, responseLo, RESPONSE_CHARGED);
      this.options.release([call]);
      return true;
    }

    const joined = new Set<Group>(children);
    if (byResponse) joined.add(byResponse);
    if (parentGroup) joined.add(parentGroup);
    const group = this.merge([...joined], call);
    this.bySpan.set(call.spanId, group);
    const key = response ?? responseKey(call);
    if (key !== undefined) this.byResponse.set(key, group);
    this.held += 1;
    this.updateWaiting(group);
    this.enforceCapacity();
    return true;
  }

  /** A non-GenAI span arrived: groups waiting for it as their parent are complete. */
  sawSpan(spanId: string): void {
    const groups = this.waiting.get(spanId);
    if (!groups) return;
    this.waiting.delete(spanId);
    for (const group of groups) {
      group.waitingFor.delete(spanId);
      if (group.waitingFor.size === 0) this.ready.add(group);
    }
  }

  /**
   * End of a submission: groups completed by it are released, or settle first while one of their innermost spans is
   * not ours. Our fetch-level span is the innermost layer of a call and carries its tags; in a group of several calls
   * (an AI SDK call with three steps) the last step's fetch span can end after the outer span, so every call of the
   * group, not just one, must have it before the group goes.
   */
  endBatch(): void {
    const now = this.options.now();
    for (const group of this.ready) {
      if (!this.groups.has(group) || group.waitingFor.size > 0) continue;
      if (this.options.settleMs <= 0 || innermostAreOurs(group.members)) this.releaseGroup(group);
      else if (!group.settling) {
        group.settling = true;
        group.deadline = now + this.options.settleMs;
      }
    }
    this.ready.clear();
  }

  /** Releases groups whose hold or settling time is over. */
  releaseDue(now = this.options.now()): void {
    this.endBatch();
    for (const group of [...this.groups]) if (group.deadline <= now) this.releaseGroup(group);
  }

  /** Releases every group (flush, shutdown). */
  releaseAll(): void {
    this.ready.clear();
    for (const group of [...this.groups]) this.releaseGroup(group);
  }

  private merge(groups: Group[], call: LlmCall): Group {
    // Keep the group with the earliest deadline (the oldest).
    let target: Group | undefined;
    for (const group of groups) if (!target || group.deadline < target.deadline) target = group;
    if (!target) {
      const group: Group = {
        members: [call],
        waitingFor: new Set(),
        deadline: this.options.now() + this.options.holdMs,
        settling: false,
      };
      this.groups.add(group);
      return group;
    }
    target.members.push(call);
    for (const other of groups) {
      if (other === target) continue;
      this.forget(other);
      this.groups.delete(other);
      this.ready.delete(other);
      for (const member of other.members) {
        target.members.push(member);
        this.bySpan.set(member.spanId, target);
        const response = responseKey(member);
        if (response !== undefined) this.byResponse.set(response, target);
      }
    }
    return target;
  }

  /**
   * The group waits for the parents of its top members (those whose parent is not in the group); without any, it is
   * complete and released at the end of the submission.
   */
  private updateWaiting(group: Group): void {
    this.forgetWaiting(group);
    const ids = new Set(group.members.map((member) => member.spanId));
    for (const member of group.members) {
      if (member.parentSpanId === '' || ids.has(member.parentSpanId)) continue;
      group.waitingFor.add(member.parentSpanId);
      const list = this.waiting.get(member.parentSpanId);
      if (list) list.push(group);
      else this.waiting.set(member.parentSpanId, [group]);
    }
    if (group.waitingFor.size === 0) this.ready.add(group);
  }

  private forgetWaiting(group: Group): void {
    for (const parent of group.waitingFor) {
      const list = this.waiting.get(parent)?.filter((other) => other !== group) ?? [];
      if (list.length === 0) this.waiting.delete(parent);
      else this.waiting.set(parent, list);
    }
    group.waitingFor.clear();
  }

  private forget(group: Group): void {
    this.forgetWaiting(group);
    for (const member of group.members) {
      if (this.bySpan.get(member.spanId) === group) this.bySpan.delete(member.spanId);
      const response = responseKey(member);
      if (response !== undefined && this.byResponse.get(response) === group) this.byResponse.delete(response);
    }
  }

  /** Remembers what was charged, so later layers and replays of these spans are recognised. */
  private charge(members: readonly LlmCall[]): void {
    for (const member of members) {
      this.memory.add(member.spanId, CHARGED);
      if (member.parentSpanId !== '') this.memory.add(member.parentSpanId, ENCLOSES_CHARGED);
      if (member.responseId !== '') this.memory.add(member.responseId, RESPONSE_CHARGED, member.traceId);
    }
  }

  private releaseGroup(group: Group): void {
    if (!this.groups.delete(group)) return;
    this.ready.delete(group);
    this.forget(group);
    this.held -= group.members.length;
    const resolved = resolveCalls(group.members);
    this.counters.duplicates += resolved.duplicates;
    this.counters.aggregates += resolved.aggregates;
    this.charge(group.members);
    this.options.release(resolved.calls);
  }

  private enforceCapacity(): void {
    while (this.held > this.options.maxHeldSpans) {
      const oldest = this.groups.values().next().value as Group | undefined;
      if (!oldest) return;
      this.counters.earlyReleases += 1;
      this.releaseGroup(oldest);
    }
  }
}

/** True when every span of the group that encloses no other member (the innermost layer of each call) is ours. */
function innermostAreOurs(members: readonly LlmCall[]): boolean {
  if (members.length === 1) return members[0]!.isOurs;
  const parents = new Set<string>();
  for (const member of members) parents.add(member.parentSpanId);
  for (const member of members) if (!member.isOurs && !parents.has(member.spanId)) return false;
  return true;
}
