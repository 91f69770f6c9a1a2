/**
 * Never hurts the host application (issue 12), below fetch: the `node:http` and `node:http2` capture paths, for every
 * provider module.
 * - Hostile bodies (the mutations of host-safety-fetch: CRLF / CR, comments, missing `[DONE]`, truncation, invalid
 *   UTF-8, noise, JSON values replaced, repeats, a BOM, random JSON), other statuses and content types, gzip, cut
 *   into chunks at random offsets, read the ways Node applications read responses (flowing, paused with `read()`,
 *   `setEncoding()`, `pipe()` into a slow writable, async iteration, `pause()` / `resume()`, a listener attached a
 *   turn late, a gunzip pipe, never read): what the application observes with capture on (the patched
 *   `http.request`, the patched session `request`) equals what it observes with capture off (the original
 *   functions): the events in order, the bytes, the flow mode at each point, the response's keys, the error. Every
 *   span ends with sane attributes.
 * - Every SSE fixture split in two at every byte offset, delivered in lockstep: same bytes, same usage as unsplit.
 * - A keep-alive agent's socket is reused exactly as without capture.
 */
import http from 'node:http';
import http2 from 'node:http2';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChunkGate,
  captureDiag,
  createSpanCollector,
  pollUntil,
  projectFixture,
  startProviderServer,
  type ProviderReply,
  type ProviderServer,
} from '../support/index.js';
import { chunk, chunkingArb, hostileBody, sometimes } from './support/body-mutations.js';
import { NODE_READ_MODES, http2Call, httpCall, type Observation } from './support/node-consume.js';
import { reportFigures } from './support/figures.js';
import { expectSaneAttributes, printableCase, usageView } from './support/span-checks.js';
import { registerLlmCostInstrumentation, withTags } from './support/packages.js';
import { HOSTS_NAME, providerCases, type ProviderCase } from './support/provider-cases.js';

/**
 * Inputs, both transports together: 30% of the fetch suite's count (each input is two Node requests and a span,
 * ~60 ms); `LLM_COST_RELIABILITY_RUNS` raises it (see docs/RELIABILITY.md for the larger runs).
 */
const RUNS = Math.round(Number(process.env.LLM_COST_RELIABILITY_RUNS ?? 2000) * 0.3);

/** The functions as Node made them, taken before registration: the application's calls with capture off. */
const originalRequest = http.request;
let originalSessionRequest: (this: http2.ClientHttp2Session, headers: Record<string, string>) => http2.ClientHttp2Stream;

const collector = createSpanCollector();
const diagnostics = captureDiag();
const cases = providerCases();
const servers: Record<string, ProviderServer> = {};
const h2Servers: Record<string, ProviderServer> = {};
const sessions: Record<string, http2.ClientHttp2Session> = {};

beforeAll(async () => {
  const hosts: Record<string, string> = {};
  for (const name of new Set(cases.map((c) => c.server))) {
    servers[name] = await startProviderServer();
    h2Servers[name] = await startProviderServer(undefined, 'h2c');
    hosts[servers[name].host] = HOSTS_NAME[name]!;
    hosts[h2Servers[name].host] = HOSTS_NAME[name]!;
    sessions[name] = http2.connect(h2Servers[name].url);
  }
  registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts });
  const wrapper = Object.getPrototypeOf(sessions[cases[0]!.server]!).request as Record<symbol, unknown>;
  originalSessionRequest = wrapper[Symbol.for('@llm-cost/instrumentation.original-http2-request')] as typeof originalSessionRequest;
  expect(typeof originalSessionRequest).toBe('function');
  expect(http.request).not.toBe(originalRequest);
});
afterAll(async () => {
  keepAlive.destroy();
  for (const session of Object.values(sessions)) session.close();
  await Promise.all([...Object.values(servers), ...Object.values(h2Servers)].map((server) => server.close()));
});

function ourErrors(): string[] {
  return diagnostics.errors.filter((message) => message.includes('@llm-cost'));
}

/**
 * At most this many chunks per body: the largest recordings (60 KB and more) cut every byte would be 60 000 HTTP/2
 * DATA frames, ~10 s per request on this machine with or without capture; byte-level cuts are covered by the
 * every-offset splits below.
 */
const MAX_CHUNKS = 2000;

function bounded(body: Buffer, chunking: Parameters<typeof chunk>[1]): Parameters<typeof chunk>[1] {
  return chunking.kind === 'every' && body.length / chunking.every > MAX_CHUNKS
    ? { kind: 'every', every: Math.ceil(body.length / MAX_CHUNKS) }
    : chunking;
}

/** An observation without its bytes (compared separately). */
function comparable(observation: Observation): unknown {
  const { bytes, ...rest } = observation;
  return { ...rest, length: bytes?.length };
}

describe('hostile bodies through node:http and node:http2, every provider', () => {
  it('the application observes the same events, bytes, flow mode and errors as with capture off; every span ends', async () => {
    let calls = 0;
    const perTransport = { http: 0, http2: 0 };
    const modes = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cases.length - 1 }).chain((i) =>
          fc.record({
            c: fc.constant(printableCase(cases[i]!)),
            hostile: hostileBody(cases[i]!.body),
            chunking: chunkingArb,
            gzip: fc.constantFrom(false, false, false, true),
            status: sometimes(fc.constantFrom(200, 204, 400, 401, 429, 500, 503, 529), 4),
            contentType: sometimes(fc.constantFrom('text/event-stream', 'application/json', 'text/plain'), 4),
            mode: fc.constantFrom(...NODE_READ_MODES),
            transport: fc.constantFrom('http' as const, 'http2' as const),
          }),
        ),
        async ({ c, hostile, chunking, gzip, status, contentType, mode, transport }) => {
          const server = (transport === 'http' ? servers : h2Servers)[c.server]!;
          const reply: ProviderReply = {
            status: status ?? c.status,
            headers: { 'content-type': contentType ?? c.contentType },
            chunks: chunk(hostile.body, bounded(hostile.body, chunking)),
            gzip,
          };
          server.route(() => reply);
          const index = server.sentBodies.length;
          const run = ++calls;
          const call = (on: boolean) =>
            transport === 'http'
              ? httpCall(on ? http.request : originalRequest, server.url + c.path, c.requestBody, mode)
              : http2Call(sessions[c.server]!, on ? sessions[c.server]!.request : originalSessionRequest, c.path, c.requestBody, mode);
          const ours = await withTags({ reliability_run: run }, () => call(true));
          const theirs = await call(false);
          const label = `${transport} ${c.id} ${hostile.mutations.join('+')} read by ${mode}`;
          expect(comparable(ours), label).toEqual(comparable(theirs));
          expect(ours.bytes?.equals(theirs.bytes ?? Buffer.alloc(0)) ?? theirs.bytes === undefined, `${label}: same bytes`).toBe(true);
          if (mode === 'flowing' && !gzip && ours.error === undefined && (status ?? c.status) !== 204) {
            expect(ours.bytes!.equals(server.sentBodies[index]!), `${label}: bytes received equal bytes sent`).toBe(true);
          }
          const span = await pollUntil(
            () => collector.llmSpans().find((s) => s.attributes['llm_cost.tag.reliability_run'] === run),
            `the span of run ${run} (${label}) to end`,
          );
          expectSaneAttributes(span.attributes);
          perTransport[transport]++;
          modes.add(mode);
        },
      ),
      {
        numRuns: RUNS,
        timeout: 30_000,
        ...(process.env.LLM_COST_RELIABILITY_SEED ? { seed: Number(process.env.LLM_COST_RELIABILITY_SEED), endOnFailure: true } : {}),
      },
    );
    expect(collector.llmSpans()).toHaveLength(calls);
    expect(ourErrors()).toEqual([]);
    reportFigures('host-safety/node-http-properties', {
      inputsTried: calls,
      http: perTransport.http,
      http2: perTransport.http2,
      readModes: modes.size,
      providerModules: new Set(cases.map((c) => c.server)).size,
      recordedBodies: cases.length,
      exceptionsEscaped: 0,
      spansNotEnded: 0,
    });
  }, 600_000);
});

const keepAlive = new http.Agent({ keepAlive: true });

/** Sends `parts` one at a time, each only once the client has read the previous one whole (the cuts it sees). */
async function inLockstep(c: ProviderCase, parts: Buffer[], transport: 'http' | 'http2'): Promise<{ bytes: Buffer; attributes: Record<string, unknown> }> {
  const server = (transport === 'http' ? servers : h2Servers)[c.server]!;
  const gate = new ChunkGate();
  server.route(() => ({ status: 200, headers: { 'content-type': 'text/event-stream' }, chunks: parts, gate }));
  const before = collector.llmSpans().length;
  const received: Buffer[] = [];
  let got = 0;
  let released = 0;
  let boundary = parts[0]!.length;
  const onData = (part: Buffer) => {
    received.push(part);
    got += part.length;
    if (got >= boundary && released < parts.length - 1) {
      released++;
      boundary += parts[released]!.length;
      gate.release();
    }
  };
  await new Promise<void>((resolve, reject) => {
    if (transport === 'http') {
      const req = http.request(server.url + c.path, { method: 'POST', agent: keepAlive }, (res) => {
        res.on('data', onData);
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end(c.requestBody);
    } else {
      const stream = sessions[c.server]!.request({ ':method': 'POST', ':path': c.path });
      stream.on('data', onData);
      stream.on('end', resolve);
      stream.on('error', reject);
      stream.end(c.requestBody);
    }
  });
  const spans = await collector.waitForLlmSpans(before + 1);
  expect(spans.length).toBe(before + 1);
  return { bytes: Buffer.concat(received), attributes: { ...spans[spans.length - 1]!.attributes } };
}

describe('streams split at every byte offset, node:http and node:http2', () => {
  // Each split is a request in lockstep (~5 ms): the default set keeps CI short (a stream whose first event matters,
  // one whose usage is in its last chunk, one per transport of each); LLM_COST_RELIABILITY_SPLIT_ALL=1 runs all four
  // SSE shapes on both transports.
  const all = ['openai/chat-completions-stream', 'anthropic/messages-stream', 'gemini/stream-generate-content', 'openai/responses-stream'];
  const plan: Record<'http' | 'http2', string[]> = process.env.LLM_COST_RELIABILITY_SPLIT_ALL
    ? { http: all, http2: all }
    : { http: ['anthropic/messages-stream', 'openai/chat-completions-stream'], http2: ['gemini/stream-generate-content', 'openai/responses-stream'] };

  it('every two-piece split gives the same bytes and the same usage', async () => {
    let splits = 0;
    for (const transport of ['http', 'http2'] as const) {
      for (const id of plan[transport]) {
        const body = projectFixture(id).body;
        const c = cases.find((x) => x.id === id)!;
        const reference = await inLockstep(c, [body], transport);
        expect(reference.bytes.equals(body)).toBe(true);
        expect(reference.attributes['gen_ai.usage.input_tokens'], `${id} has usage`).toBeGreaterThan(0);
        for (let at = 1; at < body.length; at++) {
          const split = await inLockstep(c, [body.subarray(0, at), body.subarray(at)], transport);
          expect(split.bytes.equals(body), `${transport} ${id} split at ${at}: bytes`).toBe(true);
          expect(usageView(split.attributes), `${transport} ${id} split at ${at}: usage`).toEqual(usageView(reference.attributes));
          splits++;
        }
      }
    }
    expect(ourErrors()).toEqual([]);
    reportFigures('host-safety/node-http-split-at-every-offset', { http: plan.http, http2: plan.http2, splitsTried: splits });
  }, 600_000);
});

describe('socket reuse', () => {
  it('a keep-alive agent reuses its one socket for every LLM call, as without capture', async () => {
    const c = cases.find((x) => x.id === 'openai/chat-completions')!;
    const server = servers[c.server]!;
    server.route(() => ({ status: 200, headers: { 'content-type': 'application/json' }, body: projectFixture('openai/chat-completions').body }));
    const reuse = async (send: typeof http.request) => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const reused: boolean[] = [];
      for (let i = 0; i < 10; i++) {
        await new Promise<void>((resolve, reject) => {
          const req = send(server.url + c.path, { method: 'POST', agent }, (res) => {
            res.resume();
            res.on('end', resolve);
          });
          reused.push(req.reusedSocket);
          req.on('error', reject);
          req.end(c.requestBody);
        });
      }
      agent.destroy();
      return reused;
    };
    const before = collector.llmSpans().length;
    const ours = await reuse(http.request);
    const theirs = await reuse(originalRequest);
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([false, true, true, true, true, true, true, true, true, true]);
    await collector.waitForLlmSpans(before + 10);
  });
});
