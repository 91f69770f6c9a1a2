/**
 * Registration and options: one handle per process, disable/enable, wrapFetch, captureStreamUsage, the budget hook,
 * default tags and tag limits. Each test registers with its own options and shuts down after.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  captureDiag,
  createSpanCollector,
  expectLlmSpan,
  fixtureReply,
  projectFixture,
  readSse,
  type ProviderServer,
} from '../../../test/support/index.js';
import {
  getTags,
  registerLlmCostInstrumentation,
  withTags,
  wrapFetch,
  type BudgetCheckRequest,
  type BudgetGuard,
  type LlmCostInstrumentation,
  type LlmCostInstrumentationOptions,
  type RecordedLlmCall,
} from '../src/index.js';
import { ATTR_LLM_COST_USAGE_SOURCE, LLM_COST_TAG_PREFIX } from '@llm-cost/semconv';
import { startServers, usageAttributes } from './helpers.js';

const collector = createSpanCollector();
const diagnostics = captureDiag();
let env: Awaited<ReturnType<typeof startServers>>;
let openai: ProviderServer;
let handle: LlmCostInstrumentation | undefined;
const originalFetch = globalThis.fetch;
const chat = projectFixture('openai/chat-completions');
const chatStream = projectFixture('openai/chat-completions-stream');

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic']);
  openai = env.servers.openai!;
  openai.route((request) =>
    fixtureReply((request.json as { stream?: boolean } | undefined)?.stream === true ? chatStream : chat),
  );
});
afterEach(async () => {
  // A JSON body read as bytes is parsed one macrotask after the app got it: let those spans land before clearing.
  await new Promise((resolve) => setImmediate(resolve));
  await handle?.shutdown();
  handle = undefined;
  collector.clear();
});
afterAll(() => env.close());

function register(options: LlmCostInstrumentationOptions = {}): LlmCostInstrumentation {
  handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, ...options });
  return handle;
}

async function callChat(body: object = { model: 'gpt-4o-mini', messages: [] }, fetchFn = globalThis.fetch) {
  const response = await fetchFn(`${openai.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify(body) });
  return readSse(response.body);
}

describe('registration', () => {
  it('a second call returns the same handle and patches fetch once', async () => {
    const first = register();
    const patched = globalThis.fetch;
    expect(registerLlmCostInstrumentation({ captureStreamUsage: true })).toBe(first);
    expect(globalThis.fetch).toBe(patched);
    await callChat();
    expect(await collector.waitForLlmSpans(1)).toHaveLength(1);
  });

  it('disable() restores the original fetch and stops capture; enable() captures again', async () => {
    const h = register();
    expect(globalThis.fetch).not.toBe(originalFetch);
    h.disable();
    expect(globalThis.fetch).toBe(originalFetch);
    expect(h.enabled).toBe(false);
    await callChat();
    expect(collector.llmSpans()).toEqual([]);
    h.enable();
    expect(h.enabled).toBe(true);
    await callChat();
    expect(await collector.waitForLlmSpans(1)).toHaveLength(1);
  });

  it('a fetch wrapper captured while enabled passes through after disable()', async () => {
    const h = register();
    const captured = globalThis.fetch; // as an SDK client would keep it
    h.disable();
    await callChat(undefined, captured);
    expect(collector.llmSpans()).toEqual([]);
  });

  it('enabled: false registers without patching', async () => {
    const h = register({ enabled: false });
    expect(globalThis.fetch).toBe(originalFetch);
    expect(h.enabled).toBe(false);
  });

  it('shutdown() restores fetch, and a later register starts afresh', async () => {
    const h = register();
    await h.shutdown();
    await h.shutdown(); // safe twice
    expect(globalThis.fetch).toBe(originalFetch);
    const again = register();
    expect(again).not.toBe(h);
    await callChat();
    expect(await collector.waitForLlmSpans(1)).toHaveLength(1);
  });

  it('patchGlobalFetch: false leaves the global fetch alone; wrapFetch captures', async () => {
    register({ patchGlobalFetch: false });
    expect(globalThis.fetch).toBe(originalFetch);
    await callChat();
    expect(collector.llmSpans()).toEqual([]);
    await callChat(undefined, wrapFetch(originalFetch));
    expect(await collector.waitForLlmSpans(1)).toHaveLength(1);
  });

  it('wrapFetch of an instrumented fetch, or of a fetch that calls the patched global, records one span', async () => {
    register();
    const twice = wrapFetch(globalThis.fetch);
    expect(twice).toBe(globalThis.fetch);
    const delegating = wrapFetch((input: string | URL | Request, init?: RequestInit) => globalThis.fetch(input, init));
    await callChat(undefined, delegating);
    await callChat(undefined, twice);
    expect(await collector.waitForLlmSpans(2)).toHaveLength(2);
  });
});

describe('forceFlush', () => {
  it('delivers the span of a call awaited just before it, and flushes the exporter itself', async () => {
    // An exporter that, like the ClickHouse exporter, acknowledges export() at once and writes in forceFlush().
    const exported: string[] = [];
    const written: string[] = [];
    const exporter = {
      export(spans: { name: string }[], done: (result: { code: number }) => void) {
        for (const span of spans) exported.push(span.name);
        done({ code: 0 });
      },
      async forceFlush() {
        written.push(...exported.splice(0));
      },
      async shutdown() {},
    };
    handle = registerLlmCostInstrumentation({ exporter, hosts: env.hosts });
    const response = await fetch(`${openai.url}/v1/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    await response.text(); // read as text: usage is parsed on the next turn (see response-capture.ts)
    await handle.forceFlush();
    expect(written).toEqual(['chat gpt-4o-mini']);
  });
});

describe('failures of our own are contained', () => {
  it('a span processor that throws on start and end never reaches the application', async () => {
    const broken = {
      onStart() {
        throw new Error('processor start bug');
      },
      onEnd() {
        throw new Error('processor end bug');
      },
      forceFlush: () => Promise.resolve(),
      shutdown: () => Promise.resolve(),
    };
    handle = registerLlmCostInstrumentation({ spanProcessors: [broken], hosts: env.hosts });
    const first = await callChat();
    const second = await callChat();
    expect(first.toString('utf8')).toBe(chat.body.toString('utf8'));
    expect(second.equals(first)).toBe(true);
  });
});

describe('captureStreamUsage', () => {
  it('adds stream_options.include_usage to a streaming request that lacks it, and records usage', async () => {
    register({ captureStreamUsage: true });
    const index = openai.requests.length;
    await callChat({ model: 'gpt-4o-mini', messages: [], stream: true });
    expect(openai.requests[index]!.json).toEqual({
      stream_options: { include_usage: true },
      model: 'gpt-4o-mini',
      messages: [],
      stream: true,
    });
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, {
      attributes: { ...usageAttributes(chatStream.meta.expected!.usage), [ATTR_LLM_COST_USAGE_SOURCE]: 'stream_final' },
    });
  });

  it('keeps other stream_options, respects include_usage: false, and leaves non-streaming and other APIs alone', async () => {
    register({ captureStreamUsage: true });
    const at = openai.requests.length;
    await callChat({ model: 'm', stream: true, stream_options: { include_obfuscation: false } });
    await callChat({ model: 'm', stream: true, stream_options: { include_usage: false } });
    await callChat({ model: 'm', stream: false });
    const anthropic = env.servers.anthropic!;
    anthropic.route(() => fixtureReply(projectFixture('anthropic/messages-stream')));
    const before = anthropic.requests.length;
    const body = '{"model":"claude","stream":true,"messages":[]}';
    await readSse((await fetch(`${anthropic.url}/v1/messages`, { method: 'POST', body })).body);
    expect(openai.requests[at]!.json).toEqual({
      model: 'm',
      stream: true,
      stream_options: { include_obfuscation: false, include_usage: true },
    });
    expect(openai.requests[at + 1]!.body).toBe('{"model":"m","stream":true,"stream_options":{"include_usage":false}}');
    expect(openai.requests[at + 2]!.body).toBe('{"model":"m","stream":false}');
    expect(anthropic.requests[before]!.body).toBe(body);
  });
});

describe('budget guard', () => {
  function guard(decide: BudgetGuard['check']): BudgetGuard & { checks: BudgetCheckRequest[]; records: RecordedLlmCall[] } {
    const checks: BudgetCheckRequest[] = [];
    const records: RecordedLlmCall[] = [];
    return {
      checks,
      records,
      check(request) {
        checks.push(request);
        return decide(request);
      },
      record(call) {
        records.push(call);
      },
    };
  }

  it('a block rejects with the guard error before the request leaves (the server sees nothing)', async () => {
    const error = new Error('Budget exceeded for user_id=42');
    const g = guard(() => ({ action: 'block', error }));
    register({ budgetGuard: g });
    const before = openai.requests.length;
    await withTags({ user_id: '42' }, async () => {
      await expect(callChat({ model: 'gpt-4o-mini', messages: [] })).rejects.toBe(error);
    });
    expect(openai.requests.length).toBe(before);
    expect(g.checks).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', tags: { user_id: '42' } }]);
    expect(collector.llmSpans()).toEqual([]);
  });

  it('an asynchronous block also rejects before the request leaves', async () => {
    const error = new Error('blocked later');
    register({ budgetGuard: guard(async () => ({ action: 'block', error })) });
    const before = openai.requests.length;
    await expect(callChat()).rejects.toBe(error);
    expect(openai.requests.length).toBe(before);
  });

  it('a synchronous allow sends the request in the same tick (no added await)', async () => {
    register({ budgetGuard: guard(() => ({ action: 'allow' })) });
    let sentSynchronously = false;
    let inCall = true;
    const probe = wrapFetch((input: string | URL | Request, init?: RequestInit) => {
      sentSynchronously = inCall;
      return originalFetch(input, init);
    });
    const pending = callChat(undefined, probe);
    inCall = false;
    await pending;
    expect(sentSynchronously).toBe(true);
  });

  it('record() hears about every finished call with usage and tags', async () => {
    const g = guard(() => undefined);
    register({ budgetGuard: g, defaultTags: { env: 'test' } });
    await withTags({ user_id: 'u7' }, () => callChat());
    await collector.waitForLlmSpans(1);
    expect(g.records).toHaveLength(1);
    expect(g.records[0]).toMatchObject({
      provider: 'openai',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      usage: chat.meta.expected!.usage,
      tags: { env: 'test', user_id: 'u7' },
    });
    expect(typeof g.records[0]!.timestamp).toBe('number');
  });

  it('a throwing or rejecting guard lets the call through and is logged once', async () => {
    register({
      budgetGuard: guard(() => {
        throw new Error('guard bug');
      }),
    });
    await callChat();
    await callChat();
    await handle!.shutdown();
    register({ budgetGuard: guard(() => Promise.reject(new Error('guard down'))) });
    await callChat();
    expect(await collector.waitForLlmSpans(3)).toHaveLength(3);
    expect(diagnostics.count('the budget guard threw')).toBe(1);
    expect(diagnostics.count('the budget guard rejected')).toBe(1);
  });
});

describe('default tags and tag limits', () => {
  it('defaultTags (object) sit under withTags scopes; getTags() shows the merge', async () => {
    register({ defaultTags: { env: 'prod', feature: 'default' } });
    await withTags({ feature: 'chat', user_id: 'u1' }, async () => {
      expect(getTags()).toEqual({ env: 'prod', feature: 'chat', user_id: 'u1' });
      await callChat();
    });
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, {
      attributes: {
        [`${LLM_COST_TAG_PREFIX}env`]: 'prod',
        [`${LLM_COST_TAG_PREFIX}feature`]: 'chat',
        [`${LLM_COST_TAG_PREFIX}user_id`]: 'u1',
      },
    });
  });

  it('defaultTags (function) is called per call; one that throws is logged once and the call goes on', async () => {
    let n = 0;
    register({ defaultTags: () => ({ request_no: ++n }) });
    await callChat();
    await callChat();
    const spans = await collector.waitForLlmSpans(2);
    expect(spans.map((s) => s.attributes[`${LLM_COST_TAG_PREFIX}request_no`]).sort()).toEqual([1, 2]);
    await handle!.shutdown();
    collector.clear();
    register({
      defaultTags: () => {
        throw new Error('tag bug');
      },
    });
    await callChat();
    await callChat();
    expect(await collector.waitForLlmSpans(2)).toHaveLength(2);
    expect(diagnostics.count('the defaultTags function threw')).toBe(1);
  });

  it('invalid tags are dropped with one warning; the valid ones stay', async () => {
    register({ maxTags: 3, maxTagValueLength: 8 });
    const bad = {
      ok: 'yes',
      long: 'x'.repeat(9),
      'bad key': 'v',
      obj: { nested: true },
      nan: Number.NaN,
      n: 2,
      flag: true,
      extra: 'fourth',
    } as unknown as Record<string, string>;
    await withTags(bad, () => callChat());
    const [span] = await collector.waitForLlmSpans(1);
    const tags = Object.keys(span!.attributes).filter((key) => key.startsWith(LLM_COST_TAG_PREFIX));
    expect(tags.sort()).toEqual(['llm_cost.tag.flag', 'llm_cost.tag.n', 'llm_cost.tag.ok']);
    await withTags(bad, () => callChat());
    expect(diagnostics.count('tag "long" dropped')).toBe(1);
    expect(diagnostics.count('tag "bad key" dropped')).toBe(1);
    expect(diagnostics.count('more than 3 tags')).toBe(1);
  });
});
