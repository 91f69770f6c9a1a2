import type { SpanLike } from '../../src/spans/span-like.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/semconv';

let counter = 0;

function hrTime(ms: number): readonly [number, number] {
  return [Math.floor(ms / 1000), (ms % 1000) * 1e6];
}

export interface PlainCallOptions {
  user?: string;
  model?: string;
  input?: number;
  output?: number;
  startMs?: number;
  durationMs?: number;
  attributes?: Record<string, unknown>;
}

/**
 * Plain spans in the collector's shape, as our instrumentation would describe a call. Default: gpt-4o-mini,
 * 1000 input and 100 output tokens = $0.00021.
 */
export function plainCalls(count: number, options: PlainCallOptions = {}): SpanLike[] {
  return Array.from({ length: count }, () => {
    counter += 1;
    const start = options.startMs ?? Date.UTC(2026, 1, 3, 12) + counter;
    return {
      name: `chat ${options.model ?? 'gpt-4o-mini'}`,
      traceId: `${process.pid.toString(16)}${counter.toString(16)}`.padStart(32, 'a'),
      spanId: counter.toString(16).padStart(16, 'b'),
      startTime: hrTime(start),
      endTime: hrTime(start + (options.durationMs ?? 1000)),
      attributes: {
        [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
        [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
        [ATTR_GEN_AI_REQUEST_MODEL]: options.model ?? 'gpt-4o-mini',
        [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: options.input ?? 1000,
        [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: options.output ?? 100,
        [`${LLM_COST_TAG_PREFIX}user_id`]: options.user ?? 'u1',
        ...options.attributes,
      },
      resource: { attributes: { 'service.name': 'plain-spans' } },
      scope: { name: INSTRUMENTATION_SCOPE_NAME },
    };
  });
}

/** Polls `condition` until it holds or `timeoutMs` passes (then throws with `what`). */
export async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
