import type { LlmCall } from '../mapping/llm-call.js';
import { RecentKeys } from './recent-keys.js';
import { resolveCalls } from './resolve-calls.js';

export interface OneChargeOptions {
  /** How long a span whose parent has not arrived waits for it. */
  holdMs: number;
  /** Most spans held at once; beyond it the oldest groups are released early. */
  maxHeldSpans: number;
  /** Keys remembered about charged calls (about three per call). */
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
  /** Trace-scoped keys of parents the group still waits for. */
  waitingFor: Set<string>;
  deadline: number;
}

const key = (traceId: string, id: string) => `${traceId}:${id}`;

/**
 * One call, one charge, across instrumentation layers and export batches.
 *
 * Several instrumentations may describe one provider request: an SDK-level span (OpenTelemetry's or OpenLLMetry's
 * OpenAI instrumentation) with our fetch-level span as its child, maybe a framework span above. The OpenTelemetry
 * SDK exports a span when it ends, and a child ends before its parent, so the layers can arrive in different export
 * batches, child first. This filter therefore:
 *
 * 1. holds a GenAI span whose parent has not been seen, for at most `holdMs`, in a group keyed by trace;
 * 2. merges into that group the spans that turn out to be its GenAI parent, its GenAI children or to carry the same
 *    provider response id; a non-GenAI parent arriving (or a root span) closes the group;
 * 3. on release, resolves the group into calls (`resolveCalls`) and remembers the charged span ids, parent ids and
 *    response ids, so a layer arriving after its call was charged (parent ended late, or an OTLP retry replaying a
 *    span) is dropped instead of charged again.
 *
 * Guarantee: exact within one process for layers that arrive within `holdMs` of each other or while the memory
 * (`memorySize` keys) still remembers the charged call; a late layer is dropped, never charged twice. GenAI spans
 * separated by a non-GenAI span in between are not recognised as one call unless they share a response id.
 */
export class OneChargeFilter {
  readonly counters: OneChargeCounters = { duplicates: 0, aggregates: 0, earlyReleases: 0 };
  private readonly groups = new Set<Group>();
  private readonly bySpan = new Map<string, Group>();
  private readonly byResponse = new Map<string, Group>();
  private readonly waiting = new Map<string, Group[]>();
  private readonly charged: RecentKeys;
  private held = 0;

  constructor(private readonly options: OneChargeOptions) {
    this.charged = new RecentKeys(options.memorySize);
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
    const spanKey = key(call.traceId, call.spanId);
    const parentKey = call.parentSpanId === '' ? undefined : key(call.traceId, call.parentSpanId);
    const responseKey = call.responseId === '' ? undefined : key(call.traceId, `r:${call.responseId}`);
    if (
      this.bySpan.has(spanKey) ||
      this.charged.has(`s:${spanKey}`) ||
      this.charged.has(`p:${spanKey}`) ||
      (parentKey !== undefined && this.charged.has(`s:${parentKey}`)) ||
      (responseKey !== undefined && this.charged.has(responseKey))
    ) {
      this.counters.duplicates += 1;
      return false;
    }

    const joined = new Set<Group>();
    const byResponse = responseKey === undefined ? undefined : this.byResponse.get(responseKey);
    if (byResponse) joined.add(byResponse);
    const parentGroup = parentKey === undefined ? undefined : this.bySpan.get(parentKey);
    if (parentGroup) joined.add(parentGroup);
    for (const child of this.waiting.get(spanKey) ?? []) joined.add(child);

    const group = this.merge([...joined], call);
    this.bySpan.set(spanKey, group);
    if (responseKey !== undefined) this.byResponse.set(responseKey, group);
    this.held += 1;
    this.updateWaiting(group);
    if (group.waitingFor.size === 0) this.releaseGroup(group);
    else this.enforceCapacity();
    return true;
  }

  /** A non-GenAI span arrived: groups waiting for it as their parent are complete. */
  sawSpan(traceId: string, spanId: string): void {
    const spanKey = key(traceId, spanId);
    const groups = this.waiting.get(spanKey);
    if (!groups) return;
    this.waiting.delete(spanKey);
    for (const group of groups) {
      group.waitingFor.delete(spanKey);
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
      target.members.push(...other.members);
      this.forget(other);
      this.groups.delete(other);
      for (const member of other.members) this.index(member, target);
    }
    return target;
  }

  private index(member: LlmCall, group: Group): void {
    this.bySpan.set(key(member.traceId, member.spanId), group);
    if (member.responseId !== '') this.byResponse.set(key(member.traceId, `r:${member.responseId}`), group);
  }

  /** The group waits for the parents of its top members (those whose parent is not in the group). */
  private updateWaiting(group: Group): void {
    this.forgetWaiting(group);
    const ids = new Set(group.members.map((member) => member.spanId));
    for (const member of group.members) {
      if (member.parentSpanId === '' || ids.has(member.parentSpanId)) continue;
      const parentKey = key(member.traceId, member.parentSpanId);
      group.waitingFor.add(parentKey);
      const list = this.waiting.get(parentKey);
      if (list) list.push(group);
      else this.waiting.set(parentKey, [group]);
    }
  }

  private forgetWaiting(group: Group): void {
    for (const parentKey of group.waitingFor) {
      const list = this.waiting.get(parentKey)?.filter((other) => other !== group) ?? [];
      if (list.length === 0) this.waiting.delete(parentKey);
      else this.waiting.set(parentKey, list);
    }
    group.waitingFor.clear();
  }

  private forget(group: Group): void {
    this.forgetWaiting(group);
    for (const member of group.members) {
      const spanKey = key(member.traceId, member.spanId);
      if (this.bySpan.get(spanKey) === group) this.bySpan.delete(spanKey);
      if (member.responseId !== '') {
        const responseKey = key(member.traceId, `r:${member.responseId}`);
        if (this.byResponse.get(responseKey) === group) this.byResponse.delete(responseKey);
      }
    }
  }

  private releaseGroup(group: Group): void {
    if (!this.groups.delete(group)) return;
    this.forget(group);
    this.held -= group.members.length;
    const resolved = resolveCalls(group.members);
    this.counters.duplicates += resolved.duplicates;
    this.counters.aggregates += resolved.aggregates;
    for (const member of group.members) {
      this.charged.add(`s:${key(member.traceId, member.spanId)}`);
      if (member.parentSpanId !== '') this.charged.add(`p:${key(member.traceId, member.parentSpanId)}`);
      if (member.responseId !== '') this.charged.add(key(member.traceId, `r:${member.responseId}`));
    }
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
