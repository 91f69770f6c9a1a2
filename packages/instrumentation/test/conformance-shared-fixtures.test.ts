/**
 * Conformance over the real recorded provider responses in ../shared/fixtures/providers (read in place): every
 * fixture of the providers we cover is replayed by a loopback server and fetched through the patched fetch, and the
 * span's token attributes equal the numbers in the recording (`observed_usage` in the sidecar), normalised by the
 * mapping documented in the README — written out again here, independently of the implementation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpanCollector,
  expectLlmSpan,
  fixturePath,
  fixtureReply,
  fixtureRequestBody,
  fixtureStatus,
  readSse,
  sharedFixtures,
  sharedFixturesAvailable,
  sharedFixturesMissingMessage,
  type Fixture,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation } from '../src/index.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_USAGE_SOURCE,
  type TokenUsage,
} from '@llm-cost/semconv';
import { HOSTS_NAME, PROVIDER_NAME, startServers, usageAttributes } from './helpers.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** The documented mapping, per provider family (README "Usage mapping"). */
function expectedUsage(provider: string, observed: Fixture['meta']['observed_usage']): Partial<TokenUsage> | undefined {
  if (observed === undefined) return undefined;
  const values = (Array.isArray(observed) ? observed : [observed]).map((entry) => entry.value as Json);
  const last = values[values.length - 1]!;
  const num = (value: unknown) => (typeof value === 'number' ? value : undefined);
  if (provider === 'anthropic') {
    // message_start's usage, overridden field by field by message_delta's (later events are cumulative).
    const merged: Json = Object.assign({}, ...values);
    const steps: Json[] = Array.isArray(merged.iterations) && merged.iterations.length > 0 ? merged.iterations : [merged];
    const sum = (pick: (step: Json) => unknown) => {
      const parts = steps.map(pick).filter((v): v is number => typeof v === 'number');
      return parts.length === 0 ? undefined : parts.reduce((a, b) => a + b, 0);
    };
    const input = sum((s) => s.input_tokens) ?? 0;
    const read = sum((s) => s.cache_read_input_tokens);
    const write = sum((s) => s.cache_creation_input_tokens);
    return {
      inputTokens: input + (read ?? 0) + (write ?? 0),
      outputTokens: sum((s) => s.output_tokens) ?? 0,
      cacheReadTokens: read,
      cacheWriteTokens: write,
      cacheWrite5mTokens: sum((s) => s.cache_creation?.ephemeral_5m_input_tokens),
      cacheWrite1hTokens: sum((s) => s.cache_creation?.ephemeral_1h_input_tokens),
    };
  }
  if (provider === 'gemini') {
    // Cumulative usageMetadata: the last one. Thoughts are billed as output; cached content is inside the prompt.
    return {
      inputTokens: (num(last.promptTokenCount) ?? 0) + (num(last.toolUsePromptTokenCount) ?? 0),
      outputTokens: (num(last.candidatesTokenCount) ?? 0) + (num(last.thoughtsTokenCount) ?? 0),
      cacheReadTokens: num(last.cachedContentTokenCount),
      reasoningTokens: num(last.thoughtsTokenCount),
    };
  }
  // OpenAI-shaped providers: prompt includes cached, completion includes reasoning (except xAI).
  const inputDetails = last.prompt_tokens_details ?? last.input_tokens_details;
  const outputDetails = last.completion_tokens_details ?? last.output_tokens_details;
  const reasoning = num(outputDetails?.reasoning_tokens);
  const completion = num(last.completion_tokens) ?? num(last.output_tokens) ?? 0;
  return {
    inputTokens: num(last.prompt_tokens) ?? num(last.input_tokens),
    outputTokens: provider === 'xai' ? completion + (reasoning ?? 0) : completion,
    cacheReadTokens:
      provider === 'deepseek'
        ? (num(last.prompt_cache_hit_tokens) ?? num(inputDetails?.cached_tokens))
        : num(inputDetails?.cached_tokens),
    cacheWriteTokens: provider === 'openrouter' ? num(inputDetails?.cache_write_tokens) : undefined,
    reasoningTokens: reasoning,
  };
}

/** Provider-reported costs in the recordings, as exact decimal strings (xAI: ticks of 1e-10 USD). */
const REPORTED_COST: Record<string, string> = {
  'openrouter/chat-completions-cached-claude-sonnet-4.6': '0.00219855',
  'openrouter/chat-completions-cost-claude-sonnet-4-5': '0.00183',
  'openrouter/chat-completions-cost-reasoning-gpt-5-mini': '0.00019325',
  'openrouter/chat-completions-stream-include-usage-claude-sonnet-4.6': '0.000837',
  'openrouter/chat-completions-stream-web-search-gpt-4.1-mini': '0.0133176',
  'xai/chat-completions-grok-3-mini-tool-call': '0.0001399', // 1399000 ticks
  'xai/chat-completions-stream-grok-3-mini': '0.000146625', // 1466250 ticks
};

const COVERED = Object.keys(HOSTS_NAME);

if (!sharedFixturesAvailable()) {
  describe('conformance with the shared provider recordings', () => {
    it('did NOT run: the shared recordings are absent', () => {
      console.warn(sharedFixturesMissingMessage('conformance with the shared provider recordings'));
      expect(sharedFixturesAvailable()).toBe(false);
    });
  });
} else {
  const fixtures = sharedFixtures(COVERED);
  const collector = createSpanCollector();
  let env: Awaited<ReturnType<typeof startServers>>;

  beforeAll(async () => {
    env = await startServers(COVERED);
    registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
  });
  afterAll(() => env.close());

  describe('conformance with the shared provider recordings', () => {
    it('finds recordings for every covered provider and a reported cost for each one that has it', () => {
      for (const provider of COVERED) {
        expect(fixtures.some((f) => f.provider === provider), provider).toBe(true);
      }
      const withCost = fixtures.filter((f) => /"cost(_in_usd_ticks)?"\s*:\s*[0-9]/.test(f.body.toString('utf8')));
      expect(withCost.map((f) => f.id).sort()).toEqual(Object.keys(REPORTED_COST).sort());
    });

    for (const fixture of fixtures) {
      it(`${fixture.id}: span matches the recording`, async () => {
        const server = env.servers[fixture.provider]!;
        server.route(() => fixtureReply(fixture));
        collector.clear();
        const before = server.requests.length;
        const method = fixture.meta.method;
        const response = await fetch(server.url + fixturePath(fixture), {
          method,
          headers: { 'content-type': 'application/json' },
          ...(method === 'POST' ? { body: fixtureRequestBody(fixture) } : {}),
        });
        const received = fixture.meta.stream
          ? await readSse(response.body)
          : Buffer.from(await response.arrayBuffer());
        expect(received.equals(server.sentBodies[before]!), 'bytes received equal bytes sent').toBe(true);

        if (method !== 'POST') {
          // Account endpoints (OpenRouter generation stats, key info) are not LLM calls.
          await server.responseDone(before);
          expect(collector.llmSpans()).toEqual([]);
          return;
        }
        const [span] = await collector.waitForLlmSpans(1);
        expect(collector.llmSpans()).toHaveLength(1);
        const status = fixtureStatus(fixture);
        // Azure: the deployment in the path is what was called (README "Azure OpenAI").
        const deployment = /\/deployments\/([^/]+)\//.exec(fixture.meta.url_path)?.[1];
        const requestModel = deployment ?? fixture.meta.request_model_in_url ?? fixture.meta.request?.model;
        const common = {
          [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_NAME[fixture.provider],
          ...(requestModel !== undefined ? { [ATTR_GEN_AI_REQUEST_MODEL]: requestModel } : {}),
        };
        if (status < 200 || status >= 300) {
          expectLlmSpan(span, {
            attributes: { ...common, [ATTR_ERROR_TYPE]: String(status), [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown' },
          });
          return;
        }
        const usage = expectedUsage(fixture.provider, fixture.meta.observed_usage);
        expectLlmSpan(span, {
          attributes: {
            ...common,
            ...usageAttributes(usage),
            [ATTR_LLM_COST_USAGE_SOURCE]:
              usage === undefined ? 'unknown' : fixture.meta.stream ? 'stream_final' : 'response',
            [ATTR_LLM_COST_PROVIDER_REPORTED_COST]: REPORTED_COST[fixture.id],
          },
        });
      });
    }
  });
}
