/**
 * priceSpans: each span is priced when it ends, with @llm-cost/pricing loaded lazily (or a given pricer), so any
 * tracing backend shows the cost: gen_ai.usage.cost.* and the llm_cost.cost.* breakdown.
 */
import { priceUsage, createPricer } from '@llm-cost/pricing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createSpanCollector,
  expectLlmSpan,
  fixturePath,
  fixtureReply,
  fixtureRequestBody,
  projectFixture,
  readSse,
} from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, type LlmCostInstrumentation, type TokenUsage } from '../src/index.js';
import {
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_GEN_AI_USAGE_COST_CURRENCY,
  ATTR_GEN_AI_USAGE_COST_SOURCE,
  ATTR_LLM_COST_COST_BILLED,
  ATTR_LLM_COST_COST_CACHE_READ,
  ATTR_LLM_COST_COST_CACHE_WRITE,
  ATTR_LLM_COST_COST_INPUT,
  ATTR_LLM_COST_COST_OUTPUT,
  ATTR_LLM_COST_PRICED_MODEL,
  ATTR_LLM_COST_PRICE_VERSION,
  ATTR_LLM_COST_PRICING_STATUS,
} from '@llm-cost/semconv';
import { PROVIDER_NAME, startServers } from './helpers.js';

const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;
let handle: LlmCostInstrumentation | undefined;

beforeAll(async () => {
  env = await startServers(['openai', 'anthropic', 'openrouter']);
});
afterEach(async () => {
  await handle?.shutdown();
  collector.clear();
});
afterAll(() => env.close());

async function replay(id: string, body?: string) {
  const fixture = projectFixture(id);
  const server = env.servers[fixture.provider]!;
  server.route(() => fixtureReply(fixture));
  const response = await fetch(server.url + fixturePath(fixture), {
    method: 'POST',
    body: body ?? fixtureRequestBody(fixture),
  });
  await readSse(response.body);
  const [span] = await collector.waitForLlmSpans(1);
  return { span: span!, fixture };
}

/** The cost attributes @llm-cost/pricing's own answer implies. */
function costAttributes(provider: string, model: string, usage: TokenUsage, providerReportedCost?: string) {
  const price = priceUsage({ provider, model, usage, ...(providerReportedCost ? { providerReportedCost } : {}) });
  return {
    [ATTR_GEN_AI_USAGE_COST_AMOUNT]: price.totalCost === null ? undefined : Number(price.totalCost),
    [ATTR_GEN_AI_USAGE_COST_CURRENCY]: price.totalCost === null ? undefined : 'USD',
    [ATTR_GEN_AI_USAGE_COST_SOURCE]:
      price.totalCost === null ? undefined : price.status === 'provider_reported' ? 'provider' : 'local',
    [ATTR_LLM_COST_PRICING_STATUS]: price.status,
    [ATTR_LLM_COST_PRICE_VERSION]: price.priceVersion,
    [ATTR_LLM_COST_PRICED_MODEL]: price.matchedModel ?? undefined,
    [ATTR_LLM_COST_COST_INPUT]: price.inputCost ?? undefined,
    [ATTR_LLM_COST_COST_CACHE_READ]: price.cacheReadCost ?? undefined,
    [ATTR_LLM_COST_COST_CACHE_WRITE]: price.cacheWriteCost ?? undefined,
    [ATTR_LLM_COST_COST_OUTPUT]: price.outputCost ?? undefined,
    [ATTR_LLM_COST_COST_BILLED]: price.billedCost ?? undefined,
  };
}

describe('priceSpans', () => {
  it('true: prices each span with @llm-cost/pricing, loaded on first use', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, priceSpans: true });
    for (const id of ['openai/chat-completions', 'anthropic/messages-stream']) {
      collector.clear();
      const { span, fixture } = await replay(id);
      const expected = fixture.meta.expected!;
      const attributes = costAttributes(
        PROVIDER_NAME[fixture.provider]!,
        expected.responseModel!,
        expected.usage as unknown as TokenUsage,
      );
      expect(attributes[ATTR_LLM_COST_PRICING_STATUS], id).toBe('priced');
      expect(attributes[ATTR_GEN_AI_USAGE_COST_AMOUNT], id).toBeGreaterThan(0);
      expectLlmSpan(span, { attributes });
    }
  });

  it('uses the provider-reported cost when there is one (OpenRouter)', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, priceSpans: true });
    const { span, fixture } = await replay('openrouter/chat-completions');
    const expected = fixture.meta.expected!;
    const attributes = costAttributes(
      'openrouter',
      expected.responseModel!,
      expected.usage as unknown as TokenUsage,
      expected.providerReportedCost,
    );
    expectLlmSpan(span, {
      attributes: {
        ...attributes,
        [ATTR_LLM_COST_PRICING_STATUS]: 'provider_reported',
        [ATTR_GEN_AI_USAGE_COST_SOURCE]: 'provider',
        [ATTR_GEN_AI_USAGE_COST_AMOUNT]: 0.0014715,
      },
    });
  });

  it('an unknown model is marked unknown_model, with no amount (never zero)', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, priceSpans: true });
    const fixture = projectFixture('openai/chat-completions');
    const server = env.servers.openai!;
    const body = JSON.parse(fixture.body.toString('utf8')) as Record<string, unknown>;
    server.route(() => ({ body: { ...body, model: 'no-such-model-2099' } }));
    await (await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"no-such-model-2099"}' })).json();
    const [span] = await collector.waitForLlmSpans(1);
    expectLlmSpan(span, {
      attributes: {
        [ATTR_LLM_COST_PRICING_STATUS]: 'unknown_model',
        [ATTR_GEN_AI_USAGE_COST_AMOUNT]: undefined,
        [ATTR_LLM_COST_COST_INPUT]: undefined,
      },
    });
  });

  it('accepts a pricer (createPricer) instead of true', async () => {
    const pricer = createPricer();
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, priceSpans: pricer });
    const { span, fixture } = await replay('openai/chat-completions');
    const price = pricer.priceUsage({
      provider: 'openai',
      model: fixture.meta.expected!.responseModel!,
      usage: fixture.meta.expected!.usage as unknown as TokenUsage,
    });
    expectLlmSpan(span, {
      attributes: { [ATTR_LLM_COST_COST_OUTPUT]: price.outputCost!, [ATTR_LLM_COST_PRICE_VERSION]: price.priceVersion },
    });
  });

  it('off by default: no cost attributes', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
    const { span } = await replay('openai/chat-completions');
    expectLlmSpan(span, {
      attributes: { [ATTR_GEN_AI_USAGE_COST_AMOUNT]: undefined, [ATTR_LLM_COST_PRICING_STATUS]: undefined },
    });
  });
});
