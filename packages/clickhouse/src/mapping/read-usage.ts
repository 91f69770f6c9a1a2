import {
  ATTR_AI_USAGE_CACHE_READ_TOKENS,
  ATTR_AI_USAGE_CACHE_WRITE_TOKENS,
  ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
  ATTR_AI_USAGE_COMPLETION_TOKENS,
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_OUTPUT_REASONING_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_REASONING_TOKENS,
  ATTR_AI_USAGE_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_LLM_USAGE_TOTAL_TOKENS,
  ATTR_OPENINFERENCE_CACHE_READ_TOKENS,
  ATTR_OPENINFERENCE_CACHE_WRITE_TOKENS,
  ATTR_OPENINFERENCE_COMPLETION_TOKENS,
  ATTR_OPENINFERENCE_PROMPT_TOKENS,
  ATTR_OPENINFERENCE_REASONING_TOKENS,
  ATTR_OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENLLMETRY_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_REASONING_TOKENS,
  ATTR_OPENLLMETRY_TOTAL_TOKENS,
  GEN_AI_PROVIDER,
  type TokenUsage,
} from '@llm-cost/semconv';
import { readCount, readFirstCount } from './attribute-values.js';

/** Instrumentation scopes whose Anthropic spans report `input_tokens` without the cached part (Anthropic's own
 * meaning) rather than the conventions' "all input tokens": `@traceloop/instrumentation-anthropic` 0.27 copies
 * `usage.input_tokens` as is. */
const SCOPES_WITH_EXCLUSIVE_ANTHROPIC_INPUT: ReadonlySet<string> = new Set(['@traceloop/instrumentation-anthropic']);

// Current convention names first, then the deprecated and vendor names that mean the same thing.
const INPUT_KEYS = [
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_PROMPT_TOKENS,
  ATTR_LLM_USAGE_PROMPT_TOKENS,
  ATTR_OPENINFERENCE_PROMPT_TOKENS,
  // Vercel AI SDK (see framework-spans.ts): 5/6, 4, embeddings.
  ATTR_AI_USAGE_INPUT_TOKENS,
  ATTR_AI_USAGE_PROMPT_TOKENS,
  ATTR_AI_USAGE_TOKENS,
];
const OUTPUT_KEYS = [
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_COMPLETION_TOKENS,
  ATTR_LLM_USAGE_COMPLETION_TOKENS,
  ATTR_OPENINFERENCE_COMPLETION_TOKENS,
  ATTR_AI_USAGE_OUTPUT_TOKENS,
  ATTR_AI_USAGE_COMPLETION_TOKENS,
];
const TOTAL_KEYS = [ATTR_OPENLLMETRY_TOTAL_TOKENS, ATTR_LLM_USAGE_TOTAL_TOKENS];
const CACHE_READ_KEYS = [
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENLLMETRY_CACHE_READ_INPUT_TOKENS,
  ATTR_OPENINFERENCE_CACHE_READ_TOKENS,
  ATTR_AI_USAGE_CACHE_READ_TOKENS,
  ATTR_AI_USAGE_CACHED_INPUT_TOKENS,
];
const CACHE_WRITE_KEYS = [
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENLLMETRY_CACHE_CREATION_INPUT_TOKENS,
  ATTR_OPENINFERENCE_CACHE_WRITE_TOKENS,
  ATTR_AI_USAGE_CACHE_WRITE_TOKENS,
];
const REASONING_KEYS = [
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_OPENLLMETRY_REASONING_TOKENS,
  ATTR_OPENINFERENCE_REASONING_TOKENS,
  ATTR_AI_USAGE_OUTPUT_REASONING_TOKENS,
  ATTR_AI_USAGE_REASONING_TOKENS,
];

export interface UsageReading {
  /** Undefined when the span reports no token counts at all. */
  usage: TokenUsage | undefined;
  /**
   * How much the span tells about usage, to pick the best of several spans describing one call:
   * 8 with an input count (4 with only an output count, such as the AI SDK 5's outer span), +2 for cache detail, +1
   * for reasoning detail.
   */
  completeness: number;
}

/**
 * Reads token usage in the canonical shape of `@llm-cost/pricing` (input includes cached tokens, output includes
 * reasoning tokens) from our attributes or another instrumentation's.
 */
export function readUsage(
  attributes: Readonly<Record<string, unknown>>,
  provider: string,
  scopeName: string | undefined,
  isOurs: boolean,
): UsageReading {
  let inputTokens = readFirstCount(attributes, INPUT_KEYS);
  const outputTokens = readFirstCount(attributes, OUTPUT_KEYS);
  if (inputTokens === undefined && outputTokens === undefined) return { usage: undefined, completeness: 0 };

  const cacheReadTokens = readFirstCount(attributes, CACHE_READ_KEYS);
  const cacheWriteTokens = readFirstCount(attributes, CACHE_WRITE_KEYS);
  const reasoningTokens = readFirstCount(attributes, REASONING_KEYS);
  let inputKnown = true;
  if (inputTokens === undefined) {
    // Some spans carry only total and output (OpenLLMetry image and legacy spans).
    const total = readFirstCount(attributes, TOTAL_KEYS);
    inputKnown = total !== undefined && outputTokens !== undefined;
    inputTokens = inputKnown ? Math.max(0, total! - outputTokens!) : 0;
  }
  const cached = (cacheReadTokens ?? 0) + (cacheWriteTokens ?? 0);
  if (!isOurs && provider === GEN_AI_PROVIDER.anthropic && cached > 0) {
    // Anthropic's own `input_tokens` excludes cached tokens; the conventions' input_tokens includes them. Some
    // instrumentations copy Anthropic's number as is (known by scope), and any span whose cached part exceeds its
    // input total must have done so.
    const exclusive = (scopeName !== undefined && SCOPES_WITH_EXCLUSIVE_ANTHROPIC_INPUT.has(scopeName)) || cached > inputTokens;
    if (exclusive) inputTokens += cached;
  }

  const usage: TokenUsage = { inputTokens, outputTokens: outputTokens ?? 0 };
  if (cacheReadTokens !== undefined) usage.cacheReadTokens = cacheReadTokens;
  if (cacheWriteTokens !== undefined) usage.cacheWriteTokens = cacheWriteTokens;
  if (reasoningTokens !== undefined) usage.reasoningTokens = reasoningTokens;
  const write5m = readCount(attributes, ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS);
  const write1h = readCount(attributes, ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS);
  if (write5m !== undefined) usage.cacheWrite5mTokens = write5m;
  if (write1h !== undefined) usage.cacheWrite1hTokens = write1h;

  const completeness =
    (inputKnown ? 8 : 4) + (cacheReadTokens !== undefined || cacheWriteTokens !== undefined ? 2 : 0) + (reasoningTokens !== undefined ? 1 : 0);
  return { usage, completeness };
}
