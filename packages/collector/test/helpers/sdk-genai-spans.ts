import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_USAGE_SOURCE,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/instrumentation';

import { memoryProvider } from './otel-spans.js';

export interface SdkCall {
  model: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  responseModel?: string;
  tags?: Record<string, string>;
}

/** Finished SDK spans shaped as `@llm-cost/instrumentation` writes them (OpenAI chat calls). */
export function sdkGenAiSpans(service: string, calls: SdkCall[]): ReadableSpan[] {
  const { provider, memory } = memoryProvider(service);
  const tracer = provider.getTracer(INSTRUMENTATION_SCOPE_NAME, '0.1.0');
  calls.forEach((call, i) => {
    const attributes: Record<string, string | number> = {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: call.model,
      [ATTR_GEN_AI_RESPONSE_MODEL]: call.responseModel ?? call.model,
      [ATTR_GEN_AI_RESPONSE_ID]: `chatcmpl-${service}-${i}-${Math.random().toString(36).slice(2)}`,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: call.inputTokens,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: call.outputTokens,
      [ATTR_LLM_COST_USAGE_SOURCE]: 'response',
    };
    if (call.cacheReadTokens !== undefined) attributes[ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = call.cacheReadTokens;
    for (const [key, value] of Object.entries(call.tags ?? {})) attributes[`${LLM_COST_TAG_PREFIX}${key}`] = value;
    tracer.startSpan(`chat ${call.model}`, { kind: SpanKind.CLIENT, attributes }).end();
  });
  return memory.getFinishedSpans();
}
