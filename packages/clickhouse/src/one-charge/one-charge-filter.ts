import type { LlmCall } from '../mapping/llm-call.js';
import { RecentKeys } from './recent-keys.js';
import { resolveCalls } from './resolve-calls.js';

export interface OneChargeOptions {
  /** How long a span whose parent has not arrived waits for it. */
  holdMs: number;
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
  deadline: number;
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
 * span above. The OpenTelemetry SDK exports a span when it ends, and a child ends before its parent, so the layers
 * can arrive in different export batches, child first. This filter therefore:
 *
 * 1. holds a GenAI span whose parent has not been seen, for at most `holdMs`, in a group of related spans;
 * 2. merges into that group the spans that turn out to be its GenAI parent, its GenAI children or to carry the same
 *    provider response id in the same trace; a non-GenAI parent arriving (or a root span) closes the group;
 * 3. on release, resolves the group into calls (`resolveCalls`) and remembers the charged span ids, their parents
 *    and response ids, so a layer arriving after its call was charged (a parent that ended late, or an OTLP retry
 *    replaying a span) is dropped instead of charged again.
 *
 * Guarantee: exact within one process for layers that arrive within `holdMs` of each other or while the memory
 * (`memorySize` entries) still remembers the charged call; a late layer is dropped, never charged twice (the fuller
 * usage of a late parent is then lost). GenAI spans separated by a non-GenAI span are one call only when they share a
 * response id.
 */
export class OneChargeFilter {
  readonly counters: OneChargeCounters = { duplicates: 0, aggregates: 0, earlyReleases: 0 };
  private readonly groups = new Set<Group>();
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

  /** Offers one GenAI call. Returns false when it was dropped as a duplicate of a charged call. */
  offer(call: LlmCall): boolean {
    const response = responseKey(call);
    if (
      this.bySpan.has(call.spanId) ||
      this.memory.get(call.spanId) !== 0 ||
      (call.parentSpanId !== '' && this.memory.has(call.parentSpanId, CHARGED)) ||
      (response !== undefined && this.memory.has(response, RESPONSE_CHARGED))
    ) {
      this.counters.duplicates += 1;
      return false;
    }
    const byResponse = response === undefined ? undefined : this.byResponse.get(response);
    const parentGroup = call.parentSpanId === '' ? undefined : this.bySpan.get(call.parentSpanId);
    const children = this.waiting.get(call.spanId);
    if (!byResponse && !parentGroup && !children && call.parentSpanId === '') {
      // The common case with one instrumentation: a root span related to nothing held. No group needed.
      this.charge([call]);
      this.options.release([call]);
      return true;
    }

    const joined = new Set<Group>(children);
    if (byResponse) joined.add(byResponse);
    if (parentGroup) joined.add(parentGroup);
    const group = this.merge([...joined], call);
    this.bySpan.set(call.spanId, group);
    if (response !== undefined) this.byResponse.set(response, group);
    this.held += 1;
    this.updateWaiting(group);
    if (group.waitingFor.size === 0) this.releaseGroup(group);
    else this.enforceCapacity();
    return true;
  }

  /** A non-GenAI span arrived: groups waiting for it as their parent are complete. */
  sawSpan(spanId: string): void {
    const groups = this.waiting.get(spanId);
    if (!groups) return;
    this.waiting.delete(spanId);
    for (const group of groups) {
      group.waitingFor.delete(spanId);
      if (group.waitingFor.size === 0) this.releaseGroup(group);
    }
  }

  /** Releases groups whose hold expired. */
  releaseDue(now = this.options.now()): void {
    for (const group of this.groups) {
      if (group.deadline > now) break;
      this.releaseGroup(group);
    }
  }

  /** Releases every group (flush, shutdown). */
  releaseAll(): void {
    for (const group of [...this.groups]) this.releaseGroup(group);
  }

  private merge(groups: Group[], call: LlmCall): Group {
    // Keep the group with the earliest deadline (the oldest) so the set stays ordered by deadline.
    let target: Group | undefined;
    for (const group of groups) if (!target || group.deadline < target.deadline) target = group;
    if (!target) {
      const group: Group = { members: [call], waitingFor: new Set(), deadline: this.options.now() + this.options.holdMs };
      this.groups.add(group);
      return group;
    }
    target.members.push(call);
    for (const other of groups) {
      if (other === target) continue;
      this.forget(other);
      this.groups.delete(other);
      for (const member of other.members) {
        target.members.push(member);
        this.bySpan.set(member.spanId, target);
        const response = responseKey(member);
        if (response !== undefined) this.byResponse.set(response, target);
      }
    }
    return target;
  }

  /** The group waits for the parents of its top members (those whose parent is not in the group). */
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
      const response = responseKey(member);
      if (response !== undefined) this.memory.add(response, RESPONSE_CHARGED);
    }
  }

  private releaseGroup(group: Group): void {
    if (!this.groups.delete(group)) return;
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
