/**
 * The real SDKs (`openai`, `@anthropic-ai/sdk`, `@google/genai`), streaming and not, from an ESM and a CommonJS
 * application in a child process using the built package, against loopback provider servers:
 * - on our own provider, and with an application that registered `@opentelemetry/sdk-node` first (our spans go to
 *   its provider, as children of its active span);
 * - on Node >= 22 also with the newest SDK majors (openai 7, @google/genai 3) and the OpenTelemetry JS 3.x SDK
 *   (Node >= 22.15), which do not run on Node 20: these cases select themselves by runtime.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  expectLlmSpan,
  fixtureReply,
  projectFixture,
  repoRoot,
  runNodeScript,
  type ProviderRoute,
} from '../../../test/support/index.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_LLM_COST_END_REASON,
  ATTR_LLM_COST_USAGE_SOURCE,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/semconv';
import { startServers, usageAttributes } from './helpers.js';

const here = dirname(fileURLToPath(import.meta.url));
const nodeMajor = Number(process.versions.node.split('.')[0]);
const [, nodeMinor] = process.versions.node.split('.').map(Number) as [number, number];
const runsNewest = nodeMajor >= 22;
const runsOtel3 = nodeMajor > 22 || (nodeMajor === 22 && nodeMinor >= 15);

let env: Awaited<ReturnType<typeof startServers>>;

const fixture = (id: string) => projectFixture(id);

const openaiRoute: ProviderRoute = (request) => {
  const body = (request.json ?? {}) as { stream?: boolean; stream_options?: { include_usage?: boolean } };
  if (request.url.startsWith('/v1/embeddings')) return fixtureReply(fixture('openai/embeddings'));
  if (request.url.startsWith('/v1/responses')) return fixtureReply(fixture('openai/responses-stream'));
  if (body.stream === true) {
    return fixtureReply(
      fixture(body.stream_options?.include_usage ? 'openai/chat-completions-stream' : 'openai/chat-completions-stream-no-usage'),
    );
  }
  return fixtureReply(fixture('openai/chat-completions'));
};

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic', 'gemini']);
  env.servers.openai!.route(openaiRoute);
  env.servers.anthropic!.route((request) =>
    fixtureReply(fixture((request.json as { stream?: boolean }).stream ? 'anthropic/messages-stream' : 'anthropic/messages')),
  );
  env.servers.gemini!.route((request) =>
    fixtureReply(
      fixture(request.url.includes(':streamGenerateContent') ? 'gemini/stream-generate-content' : 'gemini/generate-content'),
    ),
  );
});
afterAll(() => env.close());

interface ConsumerOutput {
  results: Record<string, unknown>;
  spans: (ReadableSpan & { parentSpanId?: string; traceId: string; spanId: string })[];
}

async function runConsumer(script: string, envVars: Record<string, string>): Promise<ConsumerOutput> {
  const result = await runNodeScript(join(here, 'consumers', script), {
    cwd: join(here, 'consumers'),
    env: {
      PROVIDER_URLS: JSON.stringify({
        openai: env.servers.openai!.url,
        anthropic: env.servers.anthropic!.url,
        gemini: env.servers.gemini!.url,
      }),
      OTEL_EXPORTER_OTLP_ENDPOINT: undefined,
      OTEL_TRACES_EXPORTER: undefined,
      ...envVars,
    },
    timeoutMs: 90_000,
  });
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as ConsumerOutput;
}

function spanOf(output: ConsumerOutput, scenario: string): ReadableSpan {
  const spans = output.spans.filter((s) => s.attributes[`${LLM_COST_TAG_PREFIX}scenario`] === scenario);
  expect(spans, `one span for ${scenario}`).toHaveLength(1);
  return spans[0]!;
}

/** What every consumer run must show, whatever the module system and OpenTelemetry set-up. */
function expectScenarios(output: ConsumerOutput, consumer: string): void {
  const llmSpans = output.spans.filter((s) => s.instrumentationScope.name === '@llm-cost/instrumentation');
  expect(llmSpans, 'one span per call').toHaveLength(9);
  expect(output.results['openai-chat']).toBe(1200);
  expect(output.results['openai-chat-stream']).toBe('Streaming fixture answer — déjà vu 🎉.');
  expect(output.results['openai-responses-stream']).toBe(true);
  expect(output.results['anthropic-messages-stream']).toBe('Streaming from Anthropic — ünïcödé.');
  expect(output.results['gemini-generate-stream']).toBe('Streaming from Gemini — done.');

  const expectFixture = (scenario: string, id: string, stream: boolean, attributes: Record<string, unknown> = {}) => {
    const f = fixture(id);
    expectLlmSpan(spanOf(output, scenario), {
      attributes: {
        ...usageAttributes(f.meta.expected!.usage),
        [ATTR_GEN_AI_RESPONSE_MODEL]: f.meta.expected!.responseModel,
        [ATTR_GEN_AI_REQUEST_STREAM]: stream,
        [ATTR_LLM_COST_USAGE_SOURCE]: stream ? 'stream_final' : 'response',
        [`${LLM_COST_TAG_PREFIX}scenario`]: scenario,
        ...attributes,
      } as never,
    });
  };
  expectFixture('openai-chat', 'openai/chat-completions', false, {
    [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
    [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini',
  });
  expectFixture('openai-chat-stream', 'openai/chat-completions-stream', true, {
    [ATTR_LLM_COST_END_REASON]: 'completed',
  });
  expectFixture('openai-responses-stream', 'openai/responses-stream', true);
  expectFixture('openai-embeddings', 'openai/embeddings', false, { [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings' });
  expectFixture('anthropic-messages', 'anthropic/messages', false, { [ATTR_GEN_AI_PROVIDER_NAME]: 'anthropic' });
  expectFixture('anthropic-messages-stream', 'anthropic/messages-stream', true);
  expectFixture('gemini-generate', 'gemini/generate-content', false, {
    [ATTR_GEN_AI_PROVIDER_NAME]: 'gcp.gemini',
    [ATTR_GEN_AI_REQUEST_MODEL]: 'gemini-2.5-flash',
  });
  expectFixture('gemini-generate-stream', 'gemini/stream-generate-content', true);

  // Breaking out of the SDK's stream aborts the request: the span ends, not as an error, without usage.
  const broken = spanOf(output, 'openai-chat-stream-break');
  expectLlmSpan(broken, { status: 'unset', attributes: { [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown' } });
  expect(['cancelled', 'aborted', 'completed'], consumer).toContain(broken.attributes[ATTR_LLM_COST_END_REASON]);

  // Privacy: the SDKs' keys never reach a span.
  expect(JSON.stringify(output.spans)).not.toMatch(/consumer-secret/);
}

/**
 * Spans went to the application's provider, inside its request span (as children, or grandchildren where the SDK
 * makes its own span: @anthropic-ai/sdk 1.x traces its API calls when a provider is registered).
 */
function expectUnderAppSpan(output: ConsumerOutput): void {
  const app = output.spans.find((s) => s.name === 'handle request');
  expect(app, 'the application span').toBeDefined();
  const byId = new Map(output.spans.map((s) => [s.spanId, s]));
  for (const span of output.spans.filter((s) => s.instrumentationScope.name === '@llm-cost/instrumentation')) {
    expect(span.traceId).toBe(app!.traceId);
    const ancestors: string[] = [];
    for (let parent = span.parentSpanId; parent !== undefined; parent = byId.get(parent)?.parentSpanId) {
      ancestors.push(parent);
    }
    expect(ancestors).toContain(app!.spanId);
  }
}

describe.each([
  ['ESM', 'consumer.mjs'],
  ['CommonJS', 'consumer.cjs'],
])('%s application with the real SDKs', (kind, script) => {
  it('records every call on our own provider', async () => {
    expectScenarios(await runConsumer(script, { OTEL_SETUP: 'own' }), kind);
  });

  it('sends spans to the provider of an app that started @opentelemetry/sdk-node first', async () => {
    const output = await runConsumer(script, { OTEL_SETUP: 'sdk-node' });
    expectScenarios(output, kind);
    expectUnderAppSpan(output);
  });

  if (runsNewest) {
    it('records every call with the newest SDK majors (openai 7, @google/genai 3)', async () => {
      expectScenarios(
        await runConsumer(script, {
          OTEL_SETUP: 'own',
          OPENAI_MODULE: 'openai-latest',
          GENAI_MODULE: 'google-genai-latest',
        }),
        kind,
      );
    });
  }

  if (runsOtel3) {
    it('sends spans to an OpenTelemetry JS 3.x provider registered first', async () => {
      const output = await runConsumer(script, { OTEL_SETUP: 'otel3' });
      expectScenarios(output, kind);
      expectUnderAppSpan(output);
    });
  }
});

describe('runtime selection', () => {
  const engines = (name: string) =>
    (JSON.parse(readFileSync(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8')) as {
      engines?: { node?: string };
    }).engines?.node;

  it(`runs the newest SDKs and OpenTelemetry 3.x only where they install (this is Node ${process.versions.node})`, () => {
    // The Node 24 leg of .ci/run exercises them; on Node 20 they do not load.
    expect(engines('openai-latest')).toBe('>=22.0.0');
    expect(engines('google-genai-latest')).toBe('>=22.0.0');
    expect(engines('otel-sdk-trace-3')).toBe('>=22.15.0');
    expect(runsNewest).toBe(nodeMajor >= 22);
  });
});
