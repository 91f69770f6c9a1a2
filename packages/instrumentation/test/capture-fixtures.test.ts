/**
 * Every project fixture, replayed by a loopback provider server and fetched through the patched global fetch,
 * becomes exactly one span with the full expected attribute map, and the application reads the same bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpanCollector,
  expectLlmSpan,
  fixturePath,
  fixtureReply,
  fixtureRequestBody,
  projectFixtures,
  readAllBytes,
  readSse,
  type Fixture,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation } from '../src/index.js';
import {
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_LLM_COST_END_REASON,
} from '@llm-cost/semconv';
import { fixtureAttributes, startServers } from './helpers.js';

const OPERATION: Record<string, string> = {
  'openai/chat-completions': 'chat',
  'openai/chat-completions-stream': 'chat',
  'openai/chat-completions-stream-no-usage': 'chat',
  'openai/responses': 'chat',
  'openai/responses-stream': 'chat',
  'openai/embeddings': 'embeddings',
  'anthropic/messages': 'chat',
  'anthropic/messages-stream': 'chat',
  'gemini/generate-content': 'generate_content',
  'gemini/stream-generate-content': 'generate_content',
  'openrouter/chat-completions': 'chat',
  'openrouter/chat-completions-stream': 'chat',
};

/** OpenAI-shaped responses that carry `service_tier`. */
const SERVICE_TIER: Record<string, string> = {
  'openai/chat-completions': 'default',
  'openai/chat-completions-stream': 'default',
  'openai/chat-completions-stream-no-usage': 'default',
  'openai/responses': 'default',
  'openai/responses-stream': 'default',
};

const fixtures = projectFixtures();
const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic', 'gemini', 'openrouter']);
  registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
});
afterAll(() => env.close());

/** Replays a fixture; `read` returns the bytes the application received, or null when it only parsed them. */
async function replay(fixture: Fixture, read: (response: Response) => Promise<Buffer | null>) {
  const server = env.servers[fixture.provider]!;
  server.route(() => fixtureReply(fixture));
  collector.clear();
  const before = server.requests.length;
  const response = await fetch(server.url + fixturePath(fixture), {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-secret' },
    body: fixtureRequestBody(fixture),
  });
  const received = await read(response);
  if (received !== null) {
    expect(received.equals(server.sentBodies[before]!), 'bytes received equal bytes sent').toBe(true);
  }
  const [span] = await collector.waitForLlmSpans(1);
  expect(collector.llmSpans()).toHaveLength(1);
  return { span: span!, server };
}

describe('project fixtures through the patched fetch', () => {
  it('covers every project fixture', () => {
    expect(fixtures.map((f) => f.id).sort()).toEqual(Object.keys(OPERATION).sort());
  });

  for (const fixture of fixtures) {
    it(`records ${fixture.id} with the full attribute map`, async () => {
      const read = fixture.meta.stream
        ? (response: Response) => readSse(response.body)
        : (response: Response) => response.arrayBuffer().then((buffer) => Buffer.from(buffer));
      const { span, server } = await replay(fixture, read);
      const operation = OPERATION[fixture.id]!;
      const requestModel = fixture.meta.request_model_in_url ?? fixture.meta.request?.model;
      expectLlmSpan(span, {
        name: `${operation} ${requestModel}`,
        exact: true,
        attributes: {
          ...fixtureAttributes(fixture, server, operation),
          [ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER]: SERVICE_TIER[fixture.id],
          [ATTR_LLM_COST_END_REASON]: fixture.meta.stream ? 'completed' : undefined,
        },
      });
    });
  }

  it('reads usage the same way when the application uses response.json()', async () => {
    const fixture = fixtures.find((f) => f.id === 'anthropic/messages')!;
    let parsed: unknown;
    const { span, server } = await replay(fixture, async (response) => {
      parsed = await response.json();
      return null;
    });
    expect(parsed).toEqual(JSON.parse(fixture.body.toString('utf8')));
    expectLlmSpan(span, { attributes: fixtureAttributes(fixture, server, 'chat') });
  });

  it('reads usage the same way when the application uses response.text()', async () => {
    const fixture = fixtures.find((f) => f.id === 'gemini/generate-content')!;
    const { span, server } = await replay(fixture, async (response) => Buffer.from(await response.text(), 'utf8'));
    expectLlmSpan(span, { attributes: fixtureAttributes(fixture, server, 'generate_content') });
  });

  it('reads usage from a stream read through getReader()', async () => {
    const fixture = fixtures.find((f) => f.id === 'anthropic/messages-stream')!;
    const { span, server } = await replay(fixture, (response) => readAllBytes(response.body));
    expectLlmSpan(span, { attributes: fixtureAttributes(fixture, server, 'chat') });
  });
});
