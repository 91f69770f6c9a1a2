/**
 * Streaming responses: the application gets the same bytes chunk by chunk, with backpressure and without waiting for
 * us, and the span ends however the stream ends (done, early break, abort, cancel, lock released, upstream error,
 * garbage collection), with whatever usage the stream had shown.
 */
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkGate,
  createSpanCollector,
  expectLlmSpan,
  fixturePath,
  fixtureReply,
  fixtureRequestBody,
  pollUntil,
  projectFixture,
  readAllBytes,
  readSse,
  splitEvery,
  type Fixture,
  type ProviderReply,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation } from '../src/index.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_END_REASON,
  ATTR_LLM_COST_USAGE_SOURCE,
} from '@llm-cost/semconv';
import { startServers, usageAttributes } from './helpers.js';

const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;

const openaiStream = projectFixture('openai/chat-completions-stream');
const anthropicStream = projectFixture('anthropic/messages-stream');
const geminiStream = projectFixture('gemini/stream-generate-content');

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic', 'gemini']);
  registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
});
afterAll(() => env.close());

/** Starts a streamed call replaying `fixture` (with `reply` overrides); returns the response and the request index. */
async function start(fixture: Fixture, reply: Partial<ProviderReply> = {}, init: RequestInit = {}) {
  const server = env.servers[fixture.provider]!;
  server.route(() => fixtureReply(fixture, reply));
  collector.clear();
  const index = server.requests.length;
  const response = await fetch(server.url + fixturePath(fixture), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: fixtureRequestBody(fixture),
    ...init,
  });
  return { response, server, index, sent: () => server.sentBodies[index]! };
}

async function onlySpan() {
  const [span] = await collector.waitForLlmSpans(1);
  expect(collector.llmSpans()).toHaveLength(1);
  return span!;
}

describe('streams', () => {
  it('delivers the first chunk while the provider still holds the rest (no added buffering)', async () => {
    const gate = new ChunkGate();
    const { response, sent } = await start(openaiStream, { gate });
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(Buffer.from(first.value!).toString('utf8')).toBe(openaiStream.body.toString('utf8').split('\n\n')[0] + '\n\n');
    expect(collector.llmSpans()).toHaveLength(0); // still streaming
    gate.open();
    const parts = [first.value!];
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      parts.push(next.value);
    }
    expect(Buffer.concat(parts).equals(sent())).toBe(true);
    expectLlmSpan(await onlySpan(), {
      attributes: { ...usageAttributes(openaiStream.meta.expected!.usage), [ATTR_LLM_COST_END_REASON]: 'completed' },
    });
  });

  it('keeps backpressure: a consumer that stops reading stalls the provider', async () => {
    const big = Array.from({ length: 64 }, (_, i) => `data: {"i":${i},"pad":"${'x'.repeat(256 * 1024)}"}\n\n`);
    const { response, server, index } = await start(openaiStream, { chunks: big });
    const reader = response.body!.getReader();
    await reader.read();
    await pollUntil(() => (server.writeBlocked(index) ? true : undefined), 'the provider to be blocked by backpressure');
    expect(server.chunksWritten(index)).toBeLessThan(big.length);
    await reader.cancel();
    expectLlmSpan(await onlySpan(), { attributes: { [ATTR_LLM_COST_END_REASON]: 'cancelled' } });
  });

  it('ends the span when the consumer breaks out of for-await early', async () => {
    // The gate holds everything after message_start, so the first chunk is exactly that event.
    const gate = new ChunkGate();
    const { response } = await start(anthropicStream, { gate });
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      expect(chunk.byteLength).toBeGreaterThan(0);
      break;
    }
    // message_start (the first event) already told the input tokens: a lower bound is recorded.
    expectLlmSpan(await onlySpan(), {
      attributes: {
        [ATTR_LLM_COST_END_REASON]: 'cancelled',
        [ATTR_LLM_COST_USAGE_SOURCE]: 'stream_partial',
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2078,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 1,
      },
    });
    gate.open();
  });

  it('marks a stream cancelled before any usage as usage source unknown, never zero', async () => {
    const gate = new ChunkGate();
    const { response } = await start(openaiStream, { gate });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    expectLlmSpan(await onlySpan(), {
      attributes: {
        [ATTR_LLM_COST_END_REASON]: 'cancelled',
        [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown',
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: undefined,
      },
    });
    gate.open();
  });

  it('ends the span when the consumer releases the reader before the end (as @google/genai does on break)', async () => {
    const gate = new ChunkGate();
    const { response } = await start(geminiStream, { gate });
    const reader = response.body!.getReader();
    await reader.read();
    reader.releaseLock();
    expectLlmSpan(await onlySpan(), {
      attributes: {
        [ATTR_LLM_COST_END_REASON]: 'cancelled',
        [ATTR_LLM_COST_USAGE_SOURCE]: 'stream_partial',
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 64,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 51, // the first chunk's cumulative count: 3 + 48 thoughts
      },
    });
    gate.open();
    await response.body!.cancel();
  });

  it('ends the span as aborted, not as an error, when the request is aborted mid-stream', async () => {
    const controller = new AbortController();
    const gate = new ChunkGate();
    const { response } = await start(openaiStream, { gate }, { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ name: 'AbortError' });
    expectLlmSpan(await onlySpan(), {
      status: 'unset',
      attributes: { [ATTR_LLM_COST_END_REASON]: 'aborted', [ATTR_ERROR_TYPE]: undefined },
    });
    gate.open();
  });

  it('ends the span as aborted when the request is aborted before the response', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(start(openaiStream, {}, { signal: controller.signal })).rejects.toMatchObject({ name: 'AbortError' });
    expectLlmSpan(await onlySpan(), { status: 'unset', attributes: { [ATTR_LLM_COST_END_REASON]: 'aborted' } });
  });

  it('records an upstream failure mid-stream as an error; the application sees the same error', async () => {
    const { response } = await start(anthropicStream, { failAfterChunks: 3 });
    const error = await readSse(response.body).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expectLlmSpan(await onlySpan(), {
      status: 'error',
      attributes: {
        [ATTR_LLM_COST_END_REASON]: 'error',
        [ATTR_ERROR_TYPE]: expect.any(String) as unknown as string,
        [ATTR_LLM_COST_USAGE_SOURCE]: 'stream_partial',
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 2078,
      },
    });
  });

  it('tee(): both branches get every byte and the call is recorded once', async () => {
    const { response, sent } = await start(anthropicStream);
    const [a, b] = response.body!.tee();
    const [bytesA, bytesB] = await Promise.all([readAllBytes(a), readSse(b)]);
    expect(bytesA.equals(sent())).toBe(true);
    expect(bytesB.equals(sent())).toBe(true);
    expectLlmSpan(await onlySpan(), {
      attributes: { ...usageAttributes(anthropicStream.meta.expected!.usage), [ATTR_LLM_COST_END_REASON]: 'completed' },
    });
  });

  it('pipeThrough() and pipeTo() deliver the same text and record usage', async () => {
    const { response, sent } = await start(geminiStream);
    let text = '';
    await response
      .body!.pipeThrough(new TextDecoderStream())
      .pipeTo(new WritableStream({ write: (part) => void (text += part) }));
    expect(text).toBe(sent().toString('utf8'));
    expectLlmSpan(await onlySpan(), { attributes: usageAttributes(geminiStream.meta.expected!.usage) });
  });

  it('Readable.fromWeb() (Node streams) delivers the same bytes and records usage', async () => {
    const { response, sent } = await start(openaiStream);
    const parts: Buffer[] = [];
    for await (const part of Readable.fromWeb(response.body as never)) parts.push(part as Buffer);
    expect(Buffer.concat(parts).equals(sent())).toBe(true);
    expectLlmSpan(await onlySpan(), { attributes: usageAttributes(openaiStream.meta.expected!.usage) });
  });

  it('response.clone(): both copies read, one call recorded', async () => {
    const { response, sent } = await start(openaiStream);
    const copy = response.clone();
    const [text, bytes] = await Promise.all([copy.text(), readSse(response.body)]);
    expect(text).toBe(sent().toString('utf8'));
    expect(bytes.equals(sent())).toBe(true);
    expectLlmSpan(await onlySpan(), { attributes: usageAttributes(openaiStream.meta.expected!.usage) });
  });

  it('reads usage when events straddle chunks, even inside UTF-8 characters (7-byte chunks)', async () => {
    const { response, sent } = await start(anthropicStream, { chunks: splitEvery(anthropicStream.body, 7) });
    expect((await readAllBytes(response.body)).equals(sent())).toBe(true);
    expectLlmSpan(await onlySpan(), { attributes: usageAttributes(anthropicStream.meta.expected!.usage) });
  });

  it('reads usage from a gzip-compressed stream', async () => {
    const { response, sent } = await start(openaiStream, { gzip: true });
    expect((await readSse(response.body)).equals(sent())).toBe(true);
    expectLlmSpan(await onlySpan(), { attributes: usageAttributes(openaiStream.meta.expected!.usage) });
  });

  it('ends the span of a response that is dropped unread when it is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { index, server } = await (async () => {
      const started = await start(openaiStream);
      return { index: started.index, server: started.server };
    })();
    await server.responseDone(index);
    const span = await pollUntil(() => {
      gc();
      return collector.llmSpans()[0];
    }, 'the abandoned response to be collected', 10_000);
    expectLlmSpan(span, { attributes: { [ATTR_LLM_COST_END_REASON]: 'abandoned', [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown' } });
  });
});
