import { randomBytes } from 'node:crypto';

import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LLM_COST_USAGE_SOURCE,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/instrumentation';

import type { OtlpSpan } from '../../src/span.js';

export interface GenAiCall {
  provider: string;
  model: string;
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  reasoningTokens?: number;
  /** Omit usage entirely (a call that reported none). */
  noUsage?: boolean;
  tags?: Record<string, string>;
  service?: string;
  latencyMs?: number;
  startMs?: number;
}

/** A span as `@llm-cost/instrumentation` writes it, in the decoded-OTLP shape, for pipeline fixtures. */
export function genAiSpan(call: GenAiCall): OtlpSpan {
  const start = call.startMs ?? Date.now() - 60_000;
  const end = start + (call.latencyMs ?? 800);
  const attributes: OtlpSpan['attributes'] = {
    [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
    [ATTR_GEN_AI_RESPONSE_MODEL]: call.model,
    [ATTR_GEN_AI_RESPONSE_ID]: `resp-${randomBytes(6).toString('hex')}`,
  };
  if (call.noUsage) attributes[ATTR_LLM_COST_USAGE_SOURCE] = 'unknown';
  else {
    attributes[ATTR_LLM_COST_USAGE_SOURCE] = 'response';
    attributes[ATTR_GEN_AI_USAGE_INPUT_TOKENS] = call.inputTokens ?? 1000;
    attributes[ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] = call.outputTokens ?? 200;
    if (call.cacheReadTokens) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = call.cacheReadTokens;
    if (call.reasoningTokens) attributes[ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = call.reasoningTokens;
  }
  for (const [key, value] of Object.entries(call.tags ?? {})) attributes[`${LLM_COST_TAG_PREFIX}${key}`] = value;
  return {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: undefined,
    name: `chat ${call.model}`,
    kind: 2,
    startTime: [Math.floor(start / 1000), (start % 1000) * 1e6],
    endTime: [Math.floor(end / 1000), (end % 1000) * 1e6],
    attributes,
    status: { code: 0, message: undefined },
    resource: { attributes: { 'service.name': call.service ?? 'checkout' } },
    scope: { name: INSTRUMENTATION_SCOPE_NAME, version: '0.1.0' },
  };
}
