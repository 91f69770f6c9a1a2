/**
 * trackLlmCall() and recordLlmResponse(): calls the fetch patch cannot see become the same spans, with usage source
 * `manual`; bad input gets a typed error that names the field.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createSpanCollector, expectLlmSpan, projectFixture } from '../../../test/support/index.js';
import {
  InvalidLlmCallError,
  MissingResponseFieldError,
  recordLlmResponse,
  registerLlmCostInstrumentation,
  trackLlmCall,
  withTags,
} from '../src/index.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_LLM_COST_PRICING_MODE,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_USAGE_SOURCE,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/semconv';
import { usageAttributes } from './helpers.js';

const collector = createSpanCollector();

beforeAll(() => {
  registerLlmCostInstrumentation({ tracerProvider: collector.provider });
});

function lastSpan() {
  const spans = collector.llmSpans();
  return spans[spans.length - 1];
}

describe('trackLlmCall', () => {
  it('records a call as a span with usage source manual, scope tags and its own tags', () => {
    const usage = { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 50, reasoningTokens: 10 };
    const recorded = withTags({ user_id: 'u1', feature: 'scope' }, () =>
      trackLlmCall({
        provider: 'gemini',
        model: 'gemini-2.5-flash',
        usage,
        tags: { feature: 'batch-replay' },
        responseId: 'r-1',
        providerReportedCost: 0.0012,
        pricingMode: 'batch',
        startTime: Date.now() - 1500,
      }),
    );
    expect(recorded).toMatchObject({ provider: 'gcp.gemini', usage, tags: { user_id: 'u1', feature: 'batch-replay' } });
    expectLlmSpan(lastSpan(), {
      name: 'chat gemini-2.5-flash',
      attributes: {
        [ATTR_GEN_AI_PROVIDER_NAME]: 'gcp.gemini',
        [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [ATTR_GEN_AI_REQUEST_MODEL]: 'gemini-2.5-flash',
        [ATTR_GEN_AI_RESPONSE_MODEL]: 'gemini-2.5-flash',
        [ATTR_GEN_AI_RESPONSE_ID]: 'r-1',
        ...usageAttributes(usage),
        [ATTR_LLM_COST_USAGE_SOURCE]: 'manual',
        [ATTR_LLM_COST_PROVIDER_REPORTED_COST]: '0.0012',
        [ATTR_LLM_COST_PRICING_MODE]: 'batch',
        [`${LLM_COST_TAG_PREFIX}user_id`]: 'u1',
        [`${LLM_COST_TAG_PREFIX}feature`]: 'batch-replay',
      },
    });
    const span = lastSpan()!;
    const durationMs = span.duration[0] * 1000 + span.duration[1] / 1e6;
    expect(durationMs).toBeGreaterThanOrEqual(1400);
  });

  it('records unknown usage as unknown, never zero', () => {
    trackLlmCall({ provider: 'openai', model: 'gpt-4o' });
    expectLlmSpan(lastSpan(), { attributes: { ...usageAttributes(undefined), [ATTR_LLM_COST_USAGE_SOURCE]: 'unknown' } });
  });

  it('throws InvalidLlmCallError naming the field for bad input', () => {
    const cases: [unknown, string][] = [
      [{ model: 'm' }, 'provider'],
      [{ provider: 'openai' }, 'model'],
      [{ provider: 'openai', model: 'm', usage: { inputTokens: -1, outputTokens: 0 } }, 'usage.inputTokens'],
      [{ provider: 'openai', model: 'm', usage: { inputTokens: 1 } }, 'usage.outputTokens'],
      [{ provider: 'openai', model: 'm', usage: { inputTokens: 1, outputTokens: 1.5 } }, 'usage.outputTokens'],
      [{ provider: 'openai', model: 'm', providerReportedCost: 'lots' }, 'providerReportedCost'],
      [{ provider: 'openai', model: 'm', pricingMode: 'cheap' }, 'pricingMode'],
      [{ provider: 'openai', model: 'm', startTime: 'yesterday' }, 'startTime'],
    ];
    for (const [input, field] of cases) {
      let error: unknown;
      try {
        trackLlmCall(input as never);
      } catch (e) {
        error = e;
      }
      expect(error, field).toBeInstanceOf(InvalidLlmCallError);
      expect(error).toMatchObject({ name: 'InvalidLlmCallError', code: 'LLM_COST_INVALID_LLM_CALL', field });
    }
  });
});

describe('recordLlmResponse', () => {
  it('parses each provider shape the way the fetch patch does', () => {
    for (const id of ['openai/chat-completions', 'anthropic/messages', 'gemini/generate-content', 'openrouter/chat-completions']) {
      const fixture = projectFixture(id);
      const recorded = recordLlmResponse(JSON.parse(fixture.body.toString('utf8')), {
        provider: fixture.provider,
        tags: { source: 'replay' },
      });
      expect(recorded.usage, id).toEqual(fixture.meta.expected!.usage);
      expectLlmSpan(lastSpan(), {
        attributes: {
          ...usageAttributes(fixture.meta.expected!.usage),
          [ATTR_GEN_AI_RESPONSE_MODEL]: fixture.meta.expected!.responseModel,
          [ATTR_LLM_COST_USAGE_SOURCE]: 'manual',
          [ATTR_LLM_COST_PROVIDER_REPORTED_COST]: fixture.meta.expected!.providerReportedCost,
          [`${LLM_COST_TAG_PREFIX}source`]: 'replay',
        },
      });
    }
  });

  it('accepts the JSON text and infers the embeddings operation', () => {
    const fixture = projectFixture('openai/embeddings');
    recordLlmResponse(fixture.body.toString('utf8'), { provider: 'openai' });
    expectLlmSpan(lastSpan(), {
      name: 'embeddings text-embedding-3-small',
      attributes: { [ATTR_GEN_AI_OPERATION_NAME]: 'embeddings', ...usageAttributes({ inputTokens: 8, outputTokens: 0 }) },
    });
  });

  it('throws MissingResponseFieldError naming the missing field', () => {
    const cases: [unknown, string, string][] = [
      [{ id: 'x', usage: { prompt_tokens: 1, completion_tokens: 1 } }, 'openai', 'model'],
      [{ model: 'gpt-4o', choices: [] }, 'openai', 'usage'],
      [{ model: 'claude', usage: {} }, 'anthropic', 'usage'],
      [{ candidates: [], usageMetadata: { promptTokenCount: 1 } }, 'gemini', 'modelVersion'],
      [{ modelVersion: 'gemini-2.5-flash', candidates: [] }, 'gemini', 'usageMetadata'],
    ];
    for (const [body, provider, field] of cases) {
      let error: unknown;
      try {
        recordLlmResponse(body, { provider });
      } catch (e) {
        error = e;
      }
      expect(error, `${provider} ${field}`).toBeInstanceOf(MissingResponseFieldError);
      expect(error).toMatchObject({ name: 'MissingResponseFieldError', code: 'LLM_COST_MISSING_RESPONSE_FIELD', field });
    }
  });

  it('uses requestModel when the body names no model', () => {
    const recorded = recordLlmResponse(
      { usage: { prompt_tokens: 3, completion_tokens: 4 } },
      { provider: 'internal_gateway', requestModel: 'llama-3-70b' },
    );
    expect(recorded).toMatchObject({ provider: 'internal_gateway', requestModel: 'llama-3-70b' });
  });

  it('rejects a body that is not a JSON object', () => {
    expect(() => recordLlmResponse('not json', { provider: 'openai' })).toThrow(InvalidLlmCallError);
    expect(() => recordLlmResponse([1, 2], { provider: 'openai' })).toThrow(InvalidLlmCallError);
    expect(() => recordLlmResponse({}, { provider: '' })).toThrow(InvalidLlmCallError);
  });
});
