/**
 * Never hurts the host application (issue 8), through the real SDKs: `openai` (chat, chat streams, Responses,
 * embeddings, legacy completions, against OpenAI and every OpenAI-compatible provider module, and `AzureOpenAI`),
 * `@anthropic-ai/sdk` (messages, streams) and `@google/genai` (generateContent, streams). Each call gets a hostile
 * body (the same mutations as the fetch suite, gzip or not, cut at random offsets, sometimes an error status) and is
 * made twice, with the instrumentation on and off: the SDK returns the same result or throws the same error, the
 * provider receives the same request, and every instrumented call's span ends.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  captureDiag,
  createSpanCollector,
  pollUntil,
  sharedFixturesAvailable,
  sharedFixturesMissingMessage,
  startProviderServer,
  type ProviderServer,
} from '../support/index.js';
import { chunk, chunkingArb, hostileBody, sometimes } from './support/body-mutations.js';
import { reportFigures } from './support/figures.js';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from './support/packages.js';
import { HOSTS_NAME, providerCases } from './support/provider-cases.js';
import { SdkClients, callSdk, sdkCases, type SdkCase } from './support/sdk-cases.js';

/** Inputs per property run; `LLM_COST_RELIABILITY_RUNS` raises it. */
const RUNS = Number(process.env.LLM_COST_RELIABILITY_RUNS ?? 800);

const collector = createSpanCollector();
const diagnostics = captureDiag();
const cases = sdkCases(providerCases());
const servers: Record<string, ProviderServer> = {};
const clients = new SdkClients();
let handle: LlmCostInstrumentation;

beforeAll(async () => {
  if (!sharedFixturesAvailable()) console.warn(sharedFixturesMissingMessage('host safety (SDKs): recorded bodies of 10 providers'));
  const hosts: Record<string, string> = {};
  for (const name of new Set(cases.map((c) => c.recorded.server))) {
    servers[name] = await startProviderServer();
    hosts[servers[name].host] = HOSTS_NAME[name]!;
  }
  handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts });
});
afterAll(async () => {
  await handle.shutdown();
  await Promise.all(Object.values(servers).map((server) => server.close()));
});

function printableCase(k: SdkCase): SdkCase {
  return Object.assign(Object.create(k) as SdkCase, { [fc.toStringMethod]: () => `${k.operation} ← ${k.id}` });
}

describe('hostile bodies through the real SDKs', () => {
  it('each SDK returns or throws the same with the instrumentation as without it, and every span ends', async () => {
    let runs = 0;
    const operations = new Set<string>();
    const providers = new Set<string>();
    const outcomes = { ok: 0, error: 0 };
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: cases.length - 1 }).chain((i) =>
          fc.record({
            k: fc.constant(printableCase(cases[i]!)),
            hostile: fc.oneof(
              { weight: 2, arbitrary: fc.constant({ body: cases[i]!.recorded.body, mutations: [] as string[] }) },
              { weight: 3, arbitrary: hostileBody(cases[i]!.recorded.body) },
            ),
            chunking: chunkingArb,
            gzip: fc.boolean(),
            status: sometimes(fc.constantFrom(400, 401, 404, 429, 500, 529), 8),
            breakEarly: fc.boolean(),
          }),
        ),
        async ({ k, hostile, chunking, gzip, status, breakEarly }) => {
          const server = servers[k.recorded.server]!;
          server.route(() => ({
            status: status ?? k.recorded.status,
            headers: { 'content-type': k.recorded.contentType },
            chunks: chunk(hostile.body, chunking),
            gzip,
          }));
          const run = ++runs;
          const index = server.requests.length;
          const ours = await withTags({ reliability_run: run }, () => callSdk(clients, server.url, k, breakEarly));
          handle.disable();
          let theirs;
          try {
            theirs = await callSdk(clients, server.url, k, breakEarly);
          } finally {
            handle.enable();
          }
          expect(ours, `${k.operation} ← ${k.id} ${hostile.mutations.join('+')}`).toEqual(theirs);
          // The provider got the very same request both times (one request per call: no retries).
          expect(server.requests.length).toBe(index + 2);
          expect(server.requests[index]!.body).toBe(server.requests[index + 1]!.body);
          expect(server.requests[index]!.url).toBe(server.requests[index + 1]!.url);
          const span = await pollUntil(
            () => collector.llmSpans().find((s) => s.attributes['llm_cost.tag.reliability_run'] === run),
            `the span of run ${run} to end`,
          );
          expect(span.ended).toBe(true);
          operations.add(k.operation);
          providers.add(k.recorded.server);
          outcomes[ours.ok ? 'ok' : 'error']++;
        },
      ),
      { numRuns: RUNS, timeout: 30_000 },
    );
    expect(collector.llmSpans()).toHaveLength(runs);
    expect(diagnostics.errors.filter((message) => message.includes('@llm-cost'))).toEqual([]);
    reportFigures('host-safety/sdk-properties', {
      inputsTried: runs,
      sdkCallsMade: runs * 2,
      sdkOperations: operations.size,
      providerModules: providers.size,
      resultsEqual: outcomes.ok,
      errorsEqual: outcomes.error,
      exceptionsEscaped: 0,
      spansNotEnded: 0,
    });
  }, 600_000);
});
