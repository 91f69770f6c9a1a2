/**
 * `node:http2` client sessions (`http2.connect` + `session.request`, what the AWS SDK v3's NodeHttp2Handler does)
 * against loopback HTTP/2 provider servers, in clear text (h2c) and over TLS (h2): one span per stream with the
 * fixture's exact usage, streamed and not, compressed, several streams in flight on one session, and a stream the
 * application cancels.
 */
import http2 from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkGate,
  TEST_TLS,
  createSpanCollector,
  expectLlmSpan,
  fixtureReply,
  projectFixture,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '../src/index.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_LLM_COST_END_REASON,
  ATTR_LLM_COST_USAGE_SOURCE,
} from '@llm-cost/semconv';
import { fixtureAttributes } from './helpers.js';

const collector = createSpanCollector();
let h2c: ProviderServer;
let h2: ProviderServer;
let handle: LlmCostInstrumentation;
/** Opened before registration, as a client made at module load would be. */
let earlySession: http2.ClientHttp2Session;

const normalRoute = (gzip: boolean) => (request: { json: unknown }) =>
  fixtureReply(
    projectFixture((request.json as { stream?: boolean }).stream ? 'openai/chat-completions-stream' : 'openai/chat-completions'),
    gzip ? { gzip: true } : {},
  );

beforeAll(async () => {
  h2c = await startProviderServer(normalRoute(false), 'h2c');
  h2 = await startProviderServer(normalRoute(false), 'h2');
  earlySession = http2.connect(h2c.url);
  handle = registerLlmCostInstrumentation({
    tracerProvider: collector.provider,
    hosts: { [h2c.host]: 'openai', [h2.host]: 'openai' },
  });
});
afterAll(async () => {
  earlySession.close();
  await h2c.close();
  await h2.close();
});

const chat = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hello' }] });
const streamed = JSON.stringify({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true }, messages: [] });

const attrs = (id: string, server: ProviderServer) => ({
  ...fixtureAttributes(projectFixture(id), server, 'chat'),
  [ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER]: 'default',
  ...(id.endsWith('stream') ? { [ATTR_LLM_COST_END_REASON]: 'completed' } : {}),
});

/** One POST stream on `session`, read to its end in flowing mode; resolves with the bytes received. */
function post(session: http2.ClientHttp2Session, body: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions', 'content-type': 'application/json' });
    const parts: Buffer[] = [];
    stream.on('data', (part: Buffer) => parts.push(part));
    stream.on('end', () => resolve(Buffer.concat(parts)));
    stream.on('error', reject);
    stream.end(body);
  });
}

async function spansOf(count: number, calls: () => Promise<unknown>) {
  collector.clear();
  await calls();
  const spans = await collector.waitForLlmSpans(count);
  await handle.forceFlush();
  expect(collector.llmSpans(), `exactly ${count} span(s)`).toHaveLength(count);
  return spans;
}

describe('HTTP/2 client sessions', () => {
  it('h2c: a JSON answer and a stream are one span each, with the fixture usage and tags', async () => {
    const session = http2.connect(h2c.url);
    try {
      const [json] = await spansOf(1, () => withTags({ user_id: 'h2' }, () => post(session, chat)));
      expectLlmSpan(json, { name: 'chat gpt-4o-mini', attributes: { ...attrs('openai/chat-completions', h2c), 'llm_cost.tag.user_id': 'h2' }, exact: true });
      let received: Buffer | undefined;
      const [stream] = await spansOf(1, async () => {
        received = await post(session, streamed);
      });
      expect(received!.equals(projectFixture('openai/chat-completions-stream').body)).toBe(true);
      expectLlmSpan(stream, { attributes: attrs('openai/chat-completions-stream', h2c), exact: true });
    } finally {
      session.close();
    }
  });

  it('h2 over TLS: one span', async () => {
    const session = http2.connect(h2.url, { ca: TEST_TLS.ca });
    try {
      const [span] = await spansOf(1, () => post(session, chat));
      expectLlmSpan(span, { attributes: attrs('openai/chat-completions', h2), exact: true });
    } finally {
      session.close();
    }
  });

  it('a session opened before registration is captured', async () => {
    const [span] = await spansOf(1, () => post(earlySession, chat));
    expectLlmSpan(span, { attributes: attrs('openai/chat-completions', h2c), exact: true });
  });

  it('eight streams in flight on one session: eight spans, each with its own tags', async () => {
    const session = http2.connect(h2c.url);
    try {
      const spans = await spansOf(8, () =>
        Promise.all(Array.from({ length: 8 }, (_, i) => withTags({ n: i }, () => post(session, i % 2 === 0 ? chat : streamed)))),
      );
      expect(spans.map((s) => s.attributes['llm_cost.tag.n']).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      for (const span of spans) {
        const even = (span.attributes['llm_cost.tag.n'] as number) % 2 === 0;
        expectLlmSpan(span, { attributes: attrs(even ? 'openai/chat-completions' : 'openai/chat-completions-stream', h2c) });
      }
    } finally {
      session.close();
    }
  });

  it('a gzip-compressed answer still gives its usage', async () => {
    h2c.route(normalRoute(true));
    const session = http2.connect(h2c.url);
    try {
      const [span] = await spansOf(1, () => post(session, chat));
      expectLlmSpan(span, { attributes: attrs('openai/chat-completions', h2c), exact: true });
    } finally {
      session.close();
      h2c.route(normalRoute(false));
    }
  });

  it('a stream the application closes mid-way ends its span as aborted, not as an error', async () => {
    const gate = new ChunkGate();
    h2c.route(() => fixtureReply(projectFixture('openai/chat-completions-stream'), { gate }));
    const session = http2.connect(h2c.url);
    try {
      const [span] = await spansOf(
        1,
        () =>
          new Promise<void>((resolve) => {
            const stream = session.request({ ':method': 'POST', ':path': '/v1/chat/completions' });
            stream.once('data', () => stream.close(http2.constants.NGHTTP2_CANCEL));
            stream.on('close', resolve);
            stream.end(streamed);
          }),
      );
      expect(span!.attributes[ATTR_LLM_COST_END_REASON]).toBe('aborted');
      expect(span!.attributes[ATTR_LLM_COST_USAGE_SOURCE]).toBe('unknown');
      expect(span!.attributes[ATTR_ERROR_TYPE]).toBeUndefined();
    } finally {
      gate.open();
      session.close();
      h2c.route(normalRoute(false));
    }
  });

  it('GET streams and other paths give no span', async () => {
    const session = http2.connect(h2c.url);
    try {
      collector.clear();
      await new Promise<void>((resolve) => {
        const stream = session.request({ ':path': '/v1/models' });
        stream.resume();
        stream.on('close', resolve);
      });
      await new Promise<void>((resolve) => {
        const stream = session.request({ ':method': 'POST', ':path': '/v1/files' });
        stream.resume();
        stream.on('close', resolve);
        stream.end('{}');
      });
      await handle.forceFlush();
      expect(collector.llmSpans()).toEqual([]);
    } finally {
      session.close();
    }
  });
});
