/**
 * When the LLM span is the active OpenTelemetry context while the request starts: whenever something could see it (an
 * HTTP-client instrumentation, or an application that is tracing), and never otherwise, because on Node 20 the first
 * context entered switches AsyncLocalStorage promise hooks on for the whole process (docs/benchmarks.md).
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { context, trace, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpanCollector, fixtureReply, projectFixture, type ProviderServer } from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, wrapFetch } from '../src/index.js';
import { startServers } from './helpers.js';

/** The AsyncLocalStorage context manager, counting the contexts entered. */
class CountingContextManager extends AsyncLocalStorageContextManager {
  entered = 0;

  override with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    ctx: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    this.entered += 1;
    return super.with(ctx, fn, thisArg, ...args);
  }
}

const contextManager = new CountingContextManager();
const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;
let server: ProviderServer;
const request = () => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
});

beforeAll(async () => {
  context.setGlobalContextManager(contextManager.enable());
  env = await startServers(['openai']);
  server = env.servers.openai!;
  server.route(() => fixtureReply(projectFixture('openai/chat-completions')));
  registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
});
afterAll(async () => {
  await env.close();
  context.disable();
});

describe('the LLM span as the active context during the request', () => {
  it('is what an HTTP-client instrumentation sees when undici creates the request', async () => {
    const seen: (string | undefined)[] = [];
    const onRequest = () => seen.push(trace.getActiveSpan()?.spanContext().spanId);
    subscribe('undici:request:create', onRequest);
    try {
      collector.clear();
      await (await fetch(`${server.url}/v1/chat/completions`, request())).json();
    } finally {
      unsubscribe('undici:request:create', onRequest);
    }
    const [span] = await collector.waitForLlmSpans(1);
    expect(seen).toEqual([span!.spanContext().spanId]);
  });

  it('is the active span inside the fetch an application hands us while it is tracing', async () => {
    const tracer = collector.provider.getTracer('app');
    let activeInside: string | undefined;
    let appSpanId: string | undefined;
    const appFetch = wrapFetch((input: string | URL | Request, init?: RequestInit) => {
      activeInside = trace.getActiveSpan()?.spanContext().spanId;
      return fetch(input, init);
    });
    collector.clear();
    await tracer.startActiveSpan('handle request', async (appSpan) => {
      appSpanId = appSpan.spanContext().spanId;
      await (await appFetch(`${server.url}/v1/chat/completions`, request())).json();
      appSpan.end();
    });
    const [span] = await collector.waitForLlmSpans(1);
    expect(activeInside).toBe(span!.spanContext().spanId);
    expect(span!.parentSpanContext?.spanId).toBe(appSpanId);
  });

  it('is not entered when nothing could see it, and the call is still recorded', async () => {
    collector.clear();
    const before = contextManager.entered;
    const response = await fetch(`${server.url}/v1/chat/completions`, request());
    expect(contextManager.entered).toBe(before);
    await response.json();
    const [span] = await collector.waitForLlmSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBeGreaterThan(0);
  });
});
