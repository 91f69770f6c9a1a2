/**
 * Never hurts the host application (issue 8), through the instrumented `fetch`, for every provider module:
 * - random and mutated JSON bodies and SSE streams (CRLF / CR, comments, missing `[DONE]`, truncation, invalid UTF-8,
 *   noise, JSON values replaced, duplicated streams, gzip, error statuses, wrong content types), cut
 *   into chunks at random offsets and read in every way applications read bodies: the application gets the same
 *   outcome as with the plain fetch (same bytes, same value, same error), and every call's span ends;
 * - every SSE fixture split in two at every byte offset, delivered in lockstep: same bytes, and the same usage as the
 *   unsplit stream;
 * - multi-megabyte bodies (plain and gzip): same bytes, usage still read.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkGate,
  captureDiag,
  createSpanCollector,
  pollUntil,
  projectFixture,
  sharedFixturesAvailable,
  sseChunks,
  sharedFixturesMissingMessage,
  startProviderServer,
  type ProviderReply,
  type ProviderServer,
} from '../support/index.js';
import { chunk, chunkingArb, hostileBody, sometimes } from './support/body-mutations.js';
import { READ_MODES, fetchAndConsume, type Outcome } from './support/consume.js';
import { reportFigures } from './support/figures.js';
import { expectSaneAttributes, printableCase, usageView } from './support/span-checks.js';
import { registerLlmCostInstrumentation, withTags } from './support/packages.js';
import { HOSTS_NAME, providerCases, type ProviderCase } from './support/provider-cases.js';

/** Inputs per property run; `LLM_COST_RELIABILITY_RUNS` raises it (5000 ran clean when this suite was written). */
const RUNS = Number(process.env.LLM_COST_RELIABILITY_RUNS ?? 2000);

const collector = createSpanCollector();
const diagnostics = captureDiag();
const cases = providerCases();
const servers: Record<string, ProviderServer> = {};
const originalFetch = globalThis.fetch;

beforeAll(async () => {
  if (!sharedFixturesAvailable()) console.warn(sharedFixturesMissingMessage('host safety (fetch): recorded bodies of 10 providers'));
  const hosts: Record<string, string> = {};
  for (const name of new Set(cases.map((c) => c.server))) {
    servers[name] = await startProviderServer();
    hosts[servers[name].host] = HOSTS_NAME[name]!;
  }
  registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts });
});
afterAll(async () => {
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

const init = (c: ProviderCase): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', authorization: 'Bearer sk-reliability' },
  body: c.requestBody,
});

/** Errors our code logged as its own bugs (a caught exception in a parser is still a bug). */
function ourErrors(): string[] {
  return diagnostics.errors.filter((message) => message.includes('@llm-cost'));
}

/** Compares outcomes without the byte buffers (checked separately against what the server sent). */
function comparable(outcome: Outcome): unknown {
  if (!outcome.ok) return outcome;
  return { ok: true, value: outcome.value, length: outcome.bytes?.length };
}

// Not generated: a body labelled gzip that is not gzip. Node's own fetch (undici) then sometimes never settles the
// body, with or without the instrumentation (reproduced with the plain fetch on a 429 answer we never touch), so
// there is no outcome to compare; see docs/RELIABILITY.md.

describe('hostile bodies through the instrumented fetch, every provider', () => {
  it('the application gets the same outcome and bytes as with the plain fetch, and every span ends', async () => {
    let calls = 0;
    let streams = 0;
    let gzipped = 0;
    const providers = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cases.length - 1 }).chain((i) =>
          fc.record({
            c: fc.constant(printableCase(cases[i]!)),
            hostile: hostileBody(cases[i]!.body),
            chunking: chunkingArb,
            encoding: fc.constantFrom('identity', 'identity', 'identity', 'gzip'),
            status: sometimes(fc.constantFrom(200, 204, 400, 401, 429, 500, 503, 529), 4),
            contentType: sometimes(fc.constantFrom('text/event-stream', 'application/json', 'text/plain', 'application/octet-stream'), 4),
            mode: fc.constantFrom(...READ_MODES),
          }),
        ),
        async ({ c, hostile, chunking, encoding, status, contentType, mode }) => {
          const server = servers[c.server]!;
          const headers: Record<string, string> = { 'content-type': contentType ?? c.contentType };
          const reply: ProviderReply = {
            status: status ?? c.status,
            headers,
            chunks: chunk(hostile.body, chunking),
            gzip: encoding === 'gzip',
          };
          server.route(() => reply);
          const url = server.url + c.path;
          const index = server.sentBodies.length;
          const run = ++calls;
          const ours = await withTags({ reliability_run: run }, () => fetchAndConsume(globalThis.fetch, url, init(c), mode));
          const theirs = await fetchAndConsume(originalFetch, url, init(c), mode);
          expect(comparable(ours), `${c.id} ${hostile.mutations.join('+')} read by ${mode}`).toEqual(comparable(theirs));
          if (ours.ok && ours.bytes !== undefined && reply.status !== 204) {
            expect(ours.bytes.equals(server.sentBodies[index]!), 'bytes received equal bytes sent').toBe(true);
          }
          const span = await pollUntil(
            () => collector.llmSpans().find((s) => s.attributes['llm_cost.tag.reliability_run'] === run),
            `the span of run ${run} to end`,
          );
          expectSaneAttributes(span.attributes);
          providers.add(c.server);
          if (c.stream) streams++;
          if (encoding === 'gzip') gzipped++;
        },
      ),
      {
        numRuns: RUNS,
        timeout: 30_000,
        ...(process.env.LLM_COST_RELIABILITY_SEED ? { seed: Number(process.env.LLM_COST_RELIABILITY_SEED), endOnFailure: true } : {}),
      },
    );
    const spans = collector.llmSpans();
    expect(spans).toHaveLength(calls);
    expect(spans.every((span) => span.ended)).toBe(true);
    expect(ourErrors()).toEqual([]);
    reportFigures('host-safety/fetch-properties', {
      inputsTried: calls,
      requestsMade: calls * 2,
      providerModules: providers.size,
      recordedBodies: cases.length,
      streamBodies: streams,
      gzipBodies: gzipped,
      exceptionsEscaped: 0,
      spansNotEnded: 0,
    });
  }, 600_000);
});

/** Fetches `body` delivered as the given chunks, each released only after the client read the previous one. */
async function fetchInLockstep(c: ProviderCase, parts: Buffer[]): Promise<{ bytes: Buffer; attributes: Record<string, unknown> }> {
  const server = servers[c.server]!;
  const gate = new ChunkGate();
  server.route(() => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: parts, gate }));
  const before = collector.llmSpans().length;
  const response = await fetch(server.url + c.path, init(c));
  const reader = response.body!.getReader();
  const received: Uint8Array[] = [];
  let got = 0;
  let released = 0;
  let boundary = parts[0]!.length;
  for (;;) {
    // The next chunk leaves the server only once this one has arrived whole: the client sees exactly these cuts.
    if (got >= boundary && released < parts.length - 1) {
      released++;
      boundary += parts[released]!.length;
      gate.release();
    }
    const { done, value } = await reader.read();
    if (done) break;
    received.push(value);
    got += value.byteLength;
  }
  const spans = collector.llmSpans();
  expect(spans.length).toBe(before + 1);
  return { bytes: Buffer.concat(received), attributes: { ...spans[spans.length - 1]!.attributes } };
}

describe('streams split at every byte offset', () => {
  it('every two-piece split of every stream fixture gives the same bytes and the same usage', async () => {
    const crlf = (b: Buffer) => Buffer.from(b.toString('utf8').replace(/\n/g, '\r\n'), 'utf8');
    const streamsToSplit = [
      'openai/chat-completions-stream',
      'openai/responses-stream',
      'anthropic/messages-stream',
      'gemini/stream-generate-content',
      'openrouter/chat-completions-stream',
    ].flatMap((id) => {
      const fixture = projectFixture(id);
      const c = cases.find((x) => x.id === id)!;
      return [
        { c, body: fixture.body, label: id },
        ...(id.startsWith('anthropic') || id.startsWith('openai/chat') ? [{ c, body: crlf(fixture.body), label: `${id} (CRLF)` }] : []),
      ];
    });
    let splits = 0;
    for (const { c, body, label } of streamsToSplit) {
      const reference = await fetchInLockstep(c, [body]);
      expect(reference.bytes.equals(body)).toBe(true);
      expect(reference.attributes['gen_ai.usage.input_tokens'], `${label} has usage`).toBeGreaterThan(0);
      for (let at = 1; at < body.length; at++) {
        const split = await fetchInLockstep(c, [body.subarray(0, at), body.subarray(at)]);
        expect(split.bytes.equals(body), `${label} split at ${at}: bytes`).toBe(true);
        expect(usageView(split.attributes), `${label} split at ${at}: usage`).toEqual(usageView(reference.attributes));
        splits++;
      }
    }
    expect(ourErrors()).toEqual([]);
    reportFigures('host-safety/split-at-every-offset', { streams: streamsToSplit.length, splitsTried: splits });
  }, 240_000);
});

describe('multi-megabyte bodies', () => {
  const MB = 1024 * 1024;

  /** A stream fixture with megabytes of content events before its usage events. */
  function bigStream(id: string, bytes: number): Buffer {
    const text = projectFixture(id).body.toString('utf8');
    const events = sseChunks(text);
    const filler = `data: ${JSON.stringify({ pad: 'x'.repeat(4000), note: 'é🎉' })}\n\n`;
    const fillers = Array.from({ length: Math.ceil(bytes / Buffer.byteLength(filler)) }, () => filler).join('');
    return Buffer.from(events[0] + fillers + events.slice(1).join(''), 'utf8');
  }

  /** A JSON fixture with a multi-megabyte string inside. */
  function bigJson(id: string, bytes: number): Buffer {
    const body = JSON.parse(projectFixture(id).body.toString('utf8')) as Record<string, unknown>;
    body.padding = 'ü'.repeat(bytes / 2);
    return Buffer.from(JSON.stringify(body), 'utf8');
  }

  const bigCases = [
    { id: 'openai/chat-completions-stream', body: () => bigStream('openai/chat-completions-stream', 6 * MB) },
    { id: 'anthropic/messages-stream', body: () => bigStream('anthropic/messages-stream', 6 * MB) },
    { id: 'gemini/stream-generate-content', body: () => bigStream('gemini/stream-generate-content', 6 * MB) },
    { id: 'openai/chat-completions', body: () => bigJson('openai/chat-completions', 6 * MB) },
    { id: 'anthropic/messages', body: () => bigJson('anthropic/messages', 6 * MB) },
  ];

  it('passes every byte through and still reads the usage, plain and gzip', async () => {
    let tried = 0;
    let megabytes = 0;
    for (const big of bigCases) {
      const c = cases.find((x) => x.id === big.id)!;
      const body = big.body();
      const expected = projectFixture(big.id).meta.expected!.usage!;
      for (const gzip of [false, true]) {
        for (const mode of ['reader', 'text', 'json'] as const) {
          if (mode === 'json' && c.stream) continue;
          const server = servers[c.server]!;
          server.route(() => ({ status: 200, headers: { 'content-type': c.contentType }, chunks: chunk(body, { kind: 'every', every: 64 * 1024 }), gzip }));
          const before = collector.llmSpans().length;
          const ours = await fetchAndConsume(globalThis.fetch, server.url + c.path, init(c), mode);
          expect(ours.ok).toBe(true);
          if (mode === 'reader') expect((ours as { bytes: Buffer }).bytes.equals(body)).toBe(true);
          if (mode === 'text') expect(((ours as { value: { value: string } }).value.value)).toBe(body.toString('utf8'));
          const [span] = (await collector.waitForLlmSpans(before + 1, 10_000)).slice(before);
          expect(span!.attributes['gen_ai.usage.input_tokens'], `${big.id} gzip=${gzip} ${mode}`).toBe(expected.inputTokens);
          expect(span!.attributes['gen_ai.usage.output_tokens']).toBe(expected.outputTokens);
          tried++;
          megabytes += body.length / MB;
        }
      }
    }
    reportFigures('host-safety/multi-megabyte', { bodiesTried: tried, megabytesPassedThrough: Math.round(megabytes) });
  }, 120_000);
});
