/**
 * Mapping of other instrumentations' attribute names, old and new, to ours. Spans are the plain shape the collector
 * decodes from OTLP (a Python service using OpenLLMetry sends exactly these names).
 */
import { describe, expect, it } from 'vitest';

import { isGenAiAttributes, mapSpan, TAG_LIMITS } from '../src/mapping/map-span.js';
import type { SpanLike } from '../src/spans/span-like.js';

function span(attributes: Record<string, unknown>, scope = 'some.instrumentation', extra: Partial<SpanLike> = {}): SpanLike {
  return {
    name: 'chat',
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    startTime: [1_767_225_600, 0],
    endTime: [1_767_225_601, 500_000_000],
    attributes,
    resource: { attributes: { 'service.name': 'py-service' } },
    scope: { name: scope },
    ...extra,
  };
}

describe('mapSpan', () => {
  it('reads OpenLLMetry legacy names (gen_ai.system, prompt/completion tokens, llm.request.type)', () => {
    const call = mapSpan(
      span(
        {
          'gen_ai.system': 'OpenAI',
          'llm.request.type': 'chat',
          'gen_ai.request.model': 'gpt-4o-mini',
          'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
          'gen_ai.usage.prompt_tokens': 1149,
          'gen_ai.usage.completion_tokens': 353,
          'gen_ai.usage.cache_read_input_tokens': 1024,
          'gen_ai.usage.reasoning_tokens': 0,
          'llm.usage.total_tokens': 1502,
        },
        'opentelemetry.instrumentation.openai.v1',
      ),
    );
    expect(call).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353, reasoningTokens: 0 },
      usageSource: 'response',
      serviceName: 'py-service',
      latencyMs: 1500,
      isOurs: false,
      instrumentation: 'opentelemetry.instrumentation.openai.v1',
    });
  });

  it('recovers input tokens from total and output, and maps legacy request types', () => {
    const call = mapSpan(
      span({ 'gen_ai.system': 'openai', 'llm.request.type': 'embedding', 'gen_ai.request.model': 'text-embedding-3-small', 'gen_ai.usage.completion_tokens': 0, 'llm.usage.total_tokens': 8 }),
    );
    expect(call).toMatchObject({ operation: 'embeddings', usage: { inputTokens: 8, outputTokens: 0 } });
  });

  it('adds cached tokens to Anthropic input when the instrumentation reports them apart', () => {
    const attributes = {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-5',
      'gen_ai.usage.input_tokens': 25,
      'gen_ai.usage.cache_read.input_tokens': 1800,
      'gen_ai.usage.cache_creation.input_tokens': 600,
      'gen_ai.usage.output_tokens': 70,
    };
    // Known by scope (OpenLLMetry JS 0.27 copies Anthropic's usage.input_tokens).
    expect(mapSpan(span(attributes, '@traceloop/instrumentation-anthropic'))?.usage?.inputTokens).toBe(2425);
    // Known because the cached part exceeds the total.
    expect(mapSpan(span(attributes, 'any.other'))?.usage?.inputTokens).toBe(2425);
    // Inclusive already (cached part within the total): unchanged.
    expect(mapSpan(span({ ...attributes, 'gen_ai.usage.input_tokens': 2425 }, 'any.other'))?.usage?.inputTokens).toBe(2425);
  });

  it('reads OpenInference names', () => {
    const call = mapSpan(
      span({
        'openinference.span.kind': 'LLM',
        'llm.provider': 'openai',
        'llm.system': 'openai',
        'llm.model_name': 'gpt-4o',
        'llm.token_count.prompt': 2200,
        'llm.token_count.completion': 480,
        'llm.token_count.prompt_details.cache_read': 1000,
      }, '@arizeai/openinference-instrumentation-openai'),
    );
    expect(call).toMatchObject({ provider: 'openai', requestModel: 'gpt-4o', usage: { inputTokens: 2200, cacheReadTokens: 1000, outputTokens: 480 } });
  });

  it('normalises provider aliases to our provider names', () => {
    const of = (system: string) => mapSpan(span({ 'gen_ai.system': system, 'gen_ai.request.model': 'm' }))?.provider;
    expect([of('az.ai.openai'), of('gemini'), of('vertex_ai'), of('Anthropic'), of('mistralai')]).toEqual([
      'azure.ai.openai',
      'gcp.gemini',
      'gcp.vertex_ai',
      'anthropic',
      'mistral_ai',
    ]);
  });

  it('accepts numeric strings (OTLP JSON int64) and ignores invalid counts', () => {
    const call = mapSpan(span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm', 'gen_ai.usage.input_tokens': '12', 'gen_ai.usage.output_tokens': -5 }));
    expect(call?.usage).toEqual({ inputTokens: 12, outputTokens: 0 });
  });

  it('skips spans that are not model calls', () => {
    expect(isGenAiAttributes({ 'http.route': '/x' })).toBe(false);
    expect(mapSpan(span({ 'http.route': '/x' }))).toBeUndefined();
    expect(mapSpan(span({ 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.request.model': 'm' }))).toBeUndefined();
    expect(mapSpan(span({ 'gen_ai.provider.name': 'openai', 'gen_ai.operation.name': 'chat' }))).toBeUndefined();
  });

  it('marks a call without usage as unknown usage, and an error status as _OTHER', () => {
    const call = mapSpan(span({ 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'gpt-4o-mini' }, 'x', { status: { code: 2 } }));
    expect(call).toMatchObject({ usage: undefined, usageSource: 'unknown', errorType: '_OTHER' });
  });

  it('keeps every tag within limits and lets the submitter override the tenant', () => {
    const attributes: Record<string, unknown> = { 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'm' };
    for (let i = 0; i < 100; i++) attributes[`llm_cost.tag.k${i}`] = `v${i}`;
    attributes['llm_cost.tag.k0'] = 'x'.repeat(5000);
    attributes['llm_cost.tag.tenant_id'] = 'claimed';
    const call = mapSpan(span(attributes), { tenantId: 'from-token' })!;
    expect(Object.keys(call.tags).length).toBeLessThanOrEqual(TAG_LIMITS.maxTags + 1);
    expect(call.tags.k0).toHaveLength(TAG_LIMITS.maxValueLength);
    expect(call.tags.tenant_id).toBe('from-token');
    expect(call.tenantOverridden).toBe(true);
  });

  it('trusts span costs only when every part is there', () => {
    const priced = {
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'm',
      'llm_cost.price_version': 'genai-prices@0.1.8',
      'llm_cost.pricing_status': 'priced',
      'llm_cost.priced_model': 'openai:m',
      'llm_cost.cost.input': '0.000001000',
      'llm_cost.cost.cache_read': '0.000000000',
      'llm_cost.cost.cache_write': '0.000000000',
      'llm_cost.cost.output': '0.000002000',
      'gen_ai.usage.cost.amount': '0.000003000',
      'llm_cost.cost.billed': '0.000003000',
    };
    expect(mapSpan(span(priced))?.spanPrice).toMatchObject({ totalCost: '0.000003000', billedCost: '0.000003000' });
    expect(mapSpan(span({ ...priced, 'llm_cost.cost.billed': 'lots' }))?.spanPrice).toBeUndefined();
  });
});
