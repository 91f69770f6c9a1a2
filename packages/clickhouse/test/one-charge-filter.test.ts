import { describe, expect, it } from 'vitest';

import type { LlmCall } from '../src/mapping/llm-call.js';
import { OneChargeFilter } from '../src/one-charge/one-charge-filter.js';

const TRACE = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';

function call(spanId: string, parentSpanId = '', extra: Partial<LlmCall> = {}): LlmCall {
  return {
    traceId: TRACE,
    spanId,
    parentSpanId,
    timestampMs: 0,
    latencyMs: 1,
    serviceName: 's',
    provider: 'openai',
    operation: 'chat',
    requestModel: 'gpt-4o-mini',
    responseModel: '',
    responseId: '',
    usage: { inputTokens: 10, outputTokens: 1 },
    usageSource: 'response',
    stream: false,
    httpStatus: 200,
    errorType: '',
    tags: {},
    tenantOverridden: false,
    instrumentation: 'other',
    isOurs: false,
    providerReportedCost: undefined,
    pricingMode: undefined,
    spanPrice: undefined,
    completeness: 8,
    ...extra,
  };
}

function setup(options: { holdMs?: number; settleMs?: number; maxHeldSpans?: number; memorySize?: number } = {}) {
  let now = 0;
  const released: LlmCall[] = [];
  const filter = new OneChargeFilter({
    holdMs: options.holdMs ?? 1000,
    settleMs: options.settleMs ?? 0,
    maxHeldSpans: options.maxHeldSpans ?? 100,
    memorySize: options.memorySize ?? 100,
    now: () => now,
    release: (calls) => released.push(...calls),
  });
  return { filter, released, advance: (ms: number) => (now += ms) };
}

describe('OneChargeFilter', () => {
  it('releases a root span at once', () => {
    const { filter, released } = setup();
    filter.offer(call('r1', '', { isOurs: true }));
    expect(released.map((c) => c.spanId)).toEqual(['r1']);
    expect(filter.heldSpans).toBe(0);
  });

  it('holds a child until its non-GenAI parent arrives', () => {
    const { filter, released } = setup();
    filter.offer(call('c1', 'app'));
    expect(released).toEqual([]);
    expect(filter.hasWaiters).toBe(true);
    filter.sawSpan('app');
    expect(released).toEqual([]);
    filter.endBatch();
    expect(released.map((c) => c.spanId)).toEqual(['c1']);
  });

  it('merges a child with its GenAI parent arriving in a later batch, keeping the fuller usage and our tags', () => {
    const { filter, released } = setup();
    filter.offer(call('ours', 'sdk', { isOurs: true, completeness: 8.5, tags: { user_id: 'u1' }, usage: { inputTokens: 10, outputTokens: 1 } }));
    filter.offer(call('sdk', 'app', { completeness: 10, usage: { inputTokens: 10, cacheReadTokens: 4, outputTokens: 1 }, responseModel: 'gpt-4o-mini-2024' }));
    filter.sawSpan('app');
    filter.endBatch();
    expect(released).toHaveLength(1);
    expect(released[0]).toMatchObject({ spanId: 'sdk', tags: { user_id: 'u1' }, usage: { cacheReadTokens: 4 }, responseModel: 'gpt-4o-mini-2024' });
    expect(filter.counters.duplicates).toBe(1);
  });

  it('merges a parent that arrives first with its child (a stream whose SDK span ended first)', () => {
    const { filter, released } = setup();
    filter.offer(call('sdk', 'app'));
    filter.offer(call('ours', 'sdk', { isOurs: true }));
    filter.sawSpan('app');
    filter.endBatch();
    expect(released).toHaveLength(1);
  });

  it('charges each child of an aggregate span (an agent), and not the aggregate', () => {
    const { filter, released } = setup();
    filter.offer(call('c1', 'agent'));
    filter.offer(call('c2', 'agent'));
    filter.offer(call('agent', 'root'));
    filter.sawSpan('root');
    filter.endBatch();
    expect(released.map((c) => c.spanId).sort()).toEqual(['c1', 'c2']);
    expect(filter.counters.aggregates).toBe(1);
  });

  it('merges spans of one trace that report the same response id', () => {
    const { filter, released } = setup();
    filter.offer(call('a', 'x', { responseId: 'resp-1' }));
    filter.offer(call('b', 'y', { responseId: 'resp-1' }));
    filter.releaseAll();
    expect(released).toHaveLength(1);
    filter.offer(call('c', '', { responseId: 'resp-1', traceId: 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb' }));
    filter.endBatch();
    expect(released).toHaveLength(2);
  });

  it('drops a replayed span and a layer that arrives after its call was charged', () => {
    const { filter, released, advance } = setup({ holdMs: 100 });
    filter.offer(call('ours', 'sdk'));
    advance(200);
    filter.releaseDue();
    expect(released).toHaveLength(1);
    expect(filter.offer(call('ours', 'sdk'))).toBe(false);
    expect(filter.offer(call('sdk', 'app'))).toBe(false);
    expect(released).toHaveLength(1);
    expect(filter.counters.duplicates).toBe(2);
  });

  it('releases complete groups at the end of the batch, whatever the order inside it', () => {
    const { filter, released } = setup();
    // The SDK span (a root here) comes before our child span in the same export.
    filter.offer(call('sdk'));
    filter.offer(call('ours', 'sdk', { isOurs: true, tags: { user_id: 'u1' }, completeness: 8.5 }));
    filter.endBatch();
    expect(released).toEqual([expect.objectContaining({ spanId: 'ours', tags: { user_id: 'u1' } })]);
  });

  it('lets a group without our span settle, so our span exported later still joins it', () => {
    const { filter, released, advance } = setup({ settleMs: 500 });
    filter.offer(call('sdk'));
    filter.endBatch();
    advance(100);
    filter.releaseDue();
    expect(released).toEqual([]);
    filter.offer(call('ours', 'sdk', { isOurs: true, tags: { user_id: 'u1' }, completeness: 8.5 }));
    filter.endBatch();
    expect(released).toEqual([expect.objectContaining({ spanId: 'ours', tags: { user_id: 'u1' } })]);
    // Without our span, the group is released when settling is over.
    filter.offer(call('other-sdk'));
    filter.endBatch();
    advance(499);
    filter.releaseDue();
    expect(released).toHaveLength(1);
    advance(1);
    filter.releaseDue();
    expect(released.map((c) => c.spanId)).toEqual(['ours', 'other-sdk']);
  });

  it('drops a child arriving after its GenAI parent was charged', () => {
    const { filter, released } = setup();
    filter.offer(call('sdk'));
    filter.endBatch();
    expect(filter.offer(call('ours', 'sdk'))).toBe(false);
    expect(released).toHaveLength(1);
  });

  it('releases the oldest groups early when the hold is full', () => {
    const { filter, released } = setup({ maxHeldSpans: 2 });
    // (early releases happen at once, not at the end of the batch)
    filter.offer(call('a', 'pa'));
    filter.offer(call('b', 'pb'));
    filter.offer(call('c', 'pc'));
    expect(released.map((c) => c.spanId)).toEqual(['a']);
    expect(filter.counters.earlyReleases).toBe(1);
    expect(filter.heldSpans).toBe(2);
  });

  it('forgets the oldest charged calls beyond its memory', () => {
    const { filter, released } = setup({ memorySize: 2 });
    const ours = (id: string) => call(id, '', { isOurs: true });
    filter.offer(ours('a'));
    filter.offer(ours('b'));
    filter.offer(ours('c'));
    // 'a' has been forgotten: a replay of it is charged again (the bound is what makes memory finite).
    expect(filter.offer(ours('a'))).toBe(true);
    expect(filter.offer(ours('c'))).toBe(false);
    expect(released).toHaveLength(4);
  });
});
