/**
 * Hostile bodies through the instrumented fetch (property-based): random and mutated SSE and JSON bodies, cut at
 * random byte offsets, with CRLF, comments, truncated JSON and invalid UTF-8. Whatever arrives, the application gets
 * exactly the bytes the server sent and the same outcome as without us, and every call's span ends.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpanCollector,
  projectFixture,
  readAllBytes,
  splitAt,
  startProviderServer,
  type ProviderServer,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation } from '../src/index.js';

const collector = createSpanCollector();
let servers: Record<string, ProviderServer>;
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  servers = {
    openai: await startProviderServer(),
    anthropic: await startProviderServer(),
    gemini: await startProviderServer(),
  };
  registerLlmCostInstrumentation({
    tracerProvider: collector.provider,
    hosts: Object.fromEntries(Object.entries(servers).map(([name, server]) => [server.host, name])),
  });
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

const PATHS: Record<string, string> = {
  openai: '/v1/chat/completions',
  anthropic: '/v1/messages',
  gemini: '/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
};

/** A body: a real stream fixture, mutated, or noise. */
const bodyArb = fc.oneof(
  fc.constantFrom(
    'openai/chat-completions-stream',
    'anthropic/messages-stream',
    'gemini/stream-generate-content',
    'openai/responses-stream',
  ).chain((id) => {
    const text = projectFixture(id).body;
    return fc.record({
      cut: fc.nat({ max: text.length }),
      crlf: fc.boolean(),
      garbage: fc.uint8Array({ maxLength: 40 }),
      at: fc.nat({ max: text.length }),
    }).map(({ cut, crlf, garbage, at }) => {
      let bytes = Buffer.from(crlf ? text.toString('utf8').replace(/\n/g, '\r\n') : text);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(garbage), bytes.subarray(at)]);
      return cut % 3 === 0 ? bytes.subarray(0, cut) : bytes; // sometimes truncated mid-event
    });
  }),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
  fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(`data: ${s}\n\n: comment\r\ndata: {"usage":`)),
);

describe('hostile bodies', () => {
  it('the app gets the same bytes and outcome as with the plain fetch, and every span ends', async () => {
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('openai', 'anthropic', 'gemini'),
        bodyArb,
        fc.array(fc.nat(), { maxLength: 12 }),
        fc.constantFrom('text/event-stream', 'application/json'),
        fc.constantFrom('reader', 'text', 'json'),
        async (provider, body, cuts, contentType, read) => {
          const server = servers[provider]!;
          server.route(() => ({
            headers: { 'content-type': contentType },
            chunks: splitAt(body, cuts.map((c) => c % (body.length + 1))),
          }));
          const url = server.url + PATHS[provider];
          const init = { method: 'POST', body: '{"model":"m","stream":true}' };
          const consume = async (response: Response) => {
            if (read === 'reader') return { ok: true, value: await readAllBytes(response.body) };
            if (read === 'text') return { ok: true, value: Buffer.from(await response.text(), 'utf8') };
            return response.json().then(
              (value: unknown) => ({ ok: true, value }),
              (error: Error) => ({ ok: false, value: error.name }),
            );
          };
          const ours = await consume(await fetch(url, init));
          calls++;
          const theirs = await consume(await originalFetch(url, init));
          expect(ours).toEqual(theirs);
          if (read === 'reader') expect((ours.value as Buffer).equals(body)).toBe(true);
          await collector.waitForLlmSpans(calls);
        },
      ),
      { numRuns: 200 },
    );
    const spans = collector.llmSpans();
    expect(spans).toHaveLength(calls);
    expect(spans.every((span) => span.ended)).toBe(true);
  });
});
