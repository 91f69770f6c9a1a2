import type { LlmCall } from '../mapping/llm-call.js';

export interface ResolvedCalls {
  /** One merged call per real provider request. */
  calls: LlmCall[];
  /** Spans folded into another span of the same call (another instrumentation layer). */
  duplicates: number;
  /** GenAI spans enclosing several calls (agents, chains); their usage is the children's, so they are not charged. */
  aggregates: number;
}

/**
 * Splits related GenAI spans of one trace into calls. Two spans are one call when one is the direct parent of the
 * other and the parent encloses no other GenAI span (an SDK-level span over our fetch-level span, a framework span
 * over both), or when they report the same provider response id. A parent enclosing several GenAI spans is an
 * aggregate and is not charged.
 */
export function resolveCalls(members: readonly LlmCall[]): ResolvedCalls {
  if (members.length === 1) return { calls: [members[0]!], duplicates: 0, aggregates: 0 };

  const indexById = new Map<string, number>();
  members.forEach((member, index) => indexById.set(member.spanId, index));
  const childCount = new Array<number>(members.length).fill(0);
  for (const member of members) {
    const parent = indexById.get(member.parentSpanId);
    if (parent !== undefined) childCount[parent] = (childCount[parent] ?? 0) + 1;
  }
  const isAggregate = (index: number) => (childCount[index] ?? 0) >= 2;

  const root = members.map((_, index) => index);
  const find = (index: number): number => {
    while (root[index] !== index) {
      root[index] = root[root[index]!]!;
      index = root[index]!;
    }
    return index;
  };
  const union = (a: number, b: number) => {
    root[find(a)] = find(b);
  };

  const byResponseId = new Map<string, number>();
  members.forEach((member, index) => {
    if (isAggregate(index)) return;
    const parent = indexById.get(member.parentSpanId);
    if (parent !== undefined && !isAggregate(parent)) union(index, parent);
    if (member.responseId !== '') {
      const same = byResponseId.get(member.responseId);
      if (same === undefined) byResponseId.set(member.responseId, index);
      else union(index, same);
    }
  });

  const components = new Map<number, LlmCall[]>();
  let aggregates = 0;
  members.forEach((member, index) => {
    if (isAggregate(index)) {
      aggregates += 1;
      return;
    }
    const key = find(index);
    const component = components.get(key);
    if (component) component.push(member);
    else components.set(key, [member]);
  });
  const calls = [...components.values()].map(mergeCall);
  return { calls, duplicates: members.length - aggregates - calls.length, aggregates };
}

/**
 * One call from the spans that describe it: usage (and any cost the span carries) from the span with the most
 * complete usage; tags and the remaining fields from our own span first, then from the others.
 */
export function mergeCall(spans: readonly LlmCall[]): LlmCall {
  if (spans.length === 1) return spans[0]!;
  let best = spans[0]!;
  for (const span of spans) if (span.completeness > best.completeness) best = span;
  const ours = spans.find((span) => span.isOurs);
  const ordered = [...(ours ? [ours] : []), best, ...spans.filter((span) => span !== ours && span !== best)];
  const first = <K extends keyof LlmCall>(key: K, empty: LlmCall[K]): LlmCall[K] => {
    for (const span of ordered) if (span[key] !== empty) return span[key];
    return empty;
  };
  const tags: Record<string, string> = {};
  for (const span of [...ordered].reverse()) Object.assign(tags, span.tags);
  const timing = ours ?? best;
  return {
    ...best,
    timestampMs: timing.timestampMs,
    latencyMs: timing.latencyMs,
    serviceName: first('serviceName', ''),
    operation: first('operation', ''),
    requestModel: first('requestModel', ''),
    responseModel: first('responseModel', ''),
    responseId: first('responseId', ''),
    stream: spans.some((span) => span.stream),
    httpStatus: first('httpStatus', 0),
    errorType: first('errorType', ''),
    tags,
    tenantOverridden: spans.some((span) => span.tenantOverridden),
  };
}
