/**
 * A call's span ends when the application has its answer, not when the response is garbage-collected: with
 * `@anthropic-ai/sdk` 1.12 (which touches `response.body` before calling `json()`, for its own abandonment
 * backstop), a non-streaming call's span must be exported by a `forceFlush()` made right after the call, while the
 * application still holds the Response (so no collection can have ended it). Reported from the collector's
 * instrumented-app test, where a process that exits right after its last Anthropic call lost that span.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSpanCollector, expectLlmSpan, fixtureReply, projectFixture, type ProviderServer } from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, type LlmCostInstrumentation } from '../src/index.js';
import { ATTR_LLM_COST_END_REASON } from '@llm-cost/semconv';
import { fixtureAttributes, startServers } from './helpers.js';

const collector = createSpanCollector();
let server: ProviderServer;
let close: () => Promise<void>;
let handle: LlmCostInstrumentation;

beforeAll(async () => {
  const env = await startServers(['anthropic']);
  server = env.servers.anthropic!;
  close = () => env.close();
  server.route(() => fixtureReply(projectFixture('anthropic/messages')));
  handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
});
afterAll(() => close());

describe('@anthropic-ai/sdk 1.12, non-streaming', () => {
  it('every call is exported by a forceFlush() right after it, read from the response (not ended by GC)', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-test', baseURL: server.url, maxRetries: 0 });
    const held: Response[] = [];
    for (let i = 0; i < 5; i++) {
      collector.clear();
      const { response } = await client.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hello' }] })
        .withResponse();
      held.push(response);
      await handle.forceFlush();
      const spans = collector.llmSpans();
      expect(spans, `call ${i}: exported by the flush right after it`).toHaveLength(1);
      expectLlmSpan(spans[0], {
        attributes: { ...fixtureAttributes(projectFixture('anthropic/messages'), server, 'chat'), [ATTR_LLM_COST_END_REASON]: undefined },
      });
    }
    expect(held).toHaveLength(5);
  });
});
