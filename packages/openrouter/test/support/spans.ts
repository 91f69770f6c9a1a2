import type { SpanLike } from '@llm-cost/clickhouse';
import {
  ATTR_SERVICE_NAME,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/instrumentation';

let counter = 0;

/** An OpenRouter call as our instrumentation describes it (collector span shape), with the cost OpenRouter reported. */
export function openRouterSpan(options: { startMs: number; cost: string; tenant?: string; user?: string; id?: string }): SpanLike {
  counter += 1;
  const hr = (ms: number): [number, number] => [Math.floor(ms / 1000), (ms % 1000) * 1e6];
  const tags: Record<string, string> = {};
  if (options.tenant) tags[`${LLM_COST_TAG_PREFIX}tenant_id`] = options.tenant;
  if (options.user) tags[`${LLM_COST_TAG_PREFIX}user_id`] = options.user;
  return {
    name: 'chat anthropic/claude-sonnet-4.5',
    traceId: `${process.pid.toString(16)}f${counter.toString(16)}`.padStart(32, 'c'),
    spanId: counter.toString(16).padStart(16, 'd'),
    startTime: hr(options.startMs),
    endTime: hr(options.startMs + 500),
    attributes: {
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openrouter',
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'anthropic/claude-sonnet-4.5',
      [ATTR_GEN_AI_RESPONSE_ID]: options.id ?? `gen-span-${process.pid}-${counter}`,
      [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: 1000,
      [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: 100,
      [ATTR_LLM_COST_PROVIDER_REPORTED_COST]: options.cost,
      ...tags,
    },
    resource: { attributes: { [ATTR_SERVICE_NAME]: 'openrouter-tests' } },
    scope: { name: INSTRUMENTATION_SCOPE_NAME },
  };
}
