/**
 * The budget guard on the `node:http` and `node:http2` paths: it is asked when the application ends the request (the
 * model is known from the body by then), synchronously or not; a blocked request never reaches the provider, the
 * application gets the guard's error from its client, and no span is made; an allowed call is recorded as usual.
 */
import http2 from 'node:http2';
import axios from 'axios';
import OpenAI4 from 'openai-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpanCollector,
  fixtureReply,
  projectFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, withTags, type BudgetCheckRequest, type LlmCostInstrumentation } from '../src/index.js';

class BudgetExceededError extends Error {
  override readonly name = 'BudgetExceededError';
}

const collector = createSpanCollector();
let server: ProviderServer;
let h2c: ProviderServer;
let handle: LlmCostInstrumentation;
const asked: BudgetCheckRequest[] = [];
const recorded: string[] = [];

beforeAll(async () => {
  const route = () => fixtureReply(projectFixture('openai/chat-completions'));
  server = await startProviderServer(route);
  h2c = await startProviderServer(route, 'h2c');
  handle = registerLlmCostInstrumentation({
    tracerProvider: collector.provider,
    hosts: { [server.host]: 'openai', [h2c.host]: 'openai' },
    budgetGuard: {
      check(request) {
        asked.push(request);
        const user = request.tags.user_id;
        if (user === 'over') return { action: 'block', error: new BudgetExceededError('over budget') };
        if (user === 'over-later') {
          return new Promise((resolve) => setTimeout(() => resolve({ action: 'block', error: new BudgetExceededError('over budget') }), 5));
        }
        if (user === 'fine-later') return new Promise((resolve) => setTimeout(() => resolve({ action: 'allow' }), 5));
        return { action: 'allow' };
      },
      record(call) {
        recorded.push(String(call.tags.user_id));
      },
    },
  });
});
afterAll(async () => {
  await server.close();
  await h2c.close();
});

const body = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hello' }] };

describe('budget guard below fetch', () => {
  it('is asked with the model read from the body the application wrote', async () => {
    asked.length = 0;
    await withTags({ user_id: 'fine' }, () => axios.post(`${server.url}/v1/chat/completions`, body));
    expect(asked).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', tags: { user_id: 'fine' } }]);
    await collector.waitForLlmSpans(1);
  });

  it.each(['over', 'over-later'])('a blocked call (%s) never leaves: the client gets the guard error, no span', async (user) => {
    collector.clear();
    const before = server.requests.length;
    const client = new OpenAI4({ apiKey: 'sk-test', baseURL: `${server.url}/v1`, maxRetries: 0 });
    const error = await withTags({ user_id: user }, () => client.chat.completions.create(body)).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    // openai 4 wraps transport errors; the guard's error is its cause (node-fetch keeps the message).
    expect(error?.message ?? '').toMatch(/Connection error|over budget/);
    const axiosError = await withTags({ user_id: user }, () => axios.post(`${server.url}/v1/chat/completions`, body)).then(
      () => undefined,
      (e: unknown) => e as { cause?: unknown; message: string },
    );
    expect(axiosError?.message).toBe('over budget');
    await handle.forceFlush();
    expect(server.requests.length, 'nothing reached the provider').toBe(before);
    expect(collector.llmSpans()).toEqual([]);
    expect(recorded).not.toContain(user);
  });

  it('an asynchronous allow sends the request when it arrives, and the call is recorded', async () => {
    collector.clear();
    const response = await withTags({ user_id: 'fine-later' }, () => axios.post(`${server.url}/v1/chat/completions`, body));
    expect(response.data.usage.prompt_tokens).toBe(1200);
    const [span] = await collector.waitForLlmSpans(1);
    expect(span!.attributes['gen_ai.usage.input_tokens']).toBe(1200);
    expect(recorded).toContain('fine-later');
  });

  it('HTTP/2: a blocked stream is reset before its body is sent, the stream errors with the guard error', async () => {
    collector.clear();
    const before = h2c.requests.length;
    const session = http2.connect(h2c.url);
    try {
      const error = await withTags(
        { user_id: 'over' },
        () =>
          new Promise<Error>((resolve) => {
            const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions' });
            stream.on('error', resolve);
            stream.end(JSON.stringify(body));
          }),
      );
      expect(error).toBeInstanceOf(BudgetExceededError);
      await handle.forceFlush();
      expect(collector.llmSpans()).toEqual([]);
      expect(h2c.requests.length, 'no request body reached the provider').toBe(before);
    } finally {
      session.close();
    }
  });
});
