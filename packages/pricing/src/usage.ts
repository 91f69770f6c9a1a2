/**
 * Normalise `TokenUsage` into consistent non-negative integer counts. Bad counts are corrected and flagged, never
 * thrown (issue 3): a usage record from a provider that double-reports a part must still produce a bounded cost.
 */
import type { TokenUsage } from '@llm-cost/semconv';

export interface NormalizedUsage {
  inputTokens: number;
  cacheReadTokens: number;
  /** Total cache writes (5-minute + 1-hour + unsplit). */
  cacheWriteTokens: number;
  /** Cache writes known to have a 5-minute TTL (0 when the split is unknown). */
  cacheWrite5mTokens: number;
  /** Cache writes known to have a 1-hour TTL. */
  cacheWrite1hTokens: number;
  outputTokens: number;
  reasoningTokens: number;
}

/**
 * Flags `normalizeUsage` may add to a result. `invalid_*`: the count was not a finite non-negative number and
 * counts as 0; `non_integer_*`: rounded to the nearest integer; `*_exceeds_*`: a part was larger than its total and
 * was clamped to it.
 */
export const USAGE_FLAGS = [
  'invalid_input_tokens',
  'invalid_cache_read_tokens',
  'invalid_cache_write_tokens',
  'invalid_cache_write_5m_tokens',
  'invalid_cache_write_1h_tokens',
  'invalid_output_tokens',
  'invalid_reasoning_tokens',
  'non_integer_token_count',
  'cache_read_exceeds_input',
  'cache_write_exceeds_input',
  'cache_write_split_exceeds_cache_write',
  'reasoning_exceeds_output',
] as const;

/** Read one count; `undefined` means "not reported" (0, no flag). */
function count(value: unknown, invalidFlag: string, flags: string[]): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > Number.MAX_SAFE_INTEGER) {
    flags.push(invalidFlag);
    return 0;
  }
  if (!flags.includes('non_integer_token_count')) flags.push('non_integer_token_count');
  return Math.round(value);
}

/** Normalise `usage`, pushing a flag for each correction made. */
export function normalizeUsage(usage: TokenUsage | undefined, flags: string[]): NormalizedUsage {
  const u = (usage ?? {}) as Partial<TokenUsage>;
  // A missing input count means the usage record is not one; a missing output count is 0 (embeddings).
  if (u.inputTokens === undefined || u.inputTokens === null) flags.push('invalid_input_tokens');
  const inputTokens = count(u.inputTokens, 'invalid_input_tokens', flags);
  let cacheReadTokens = count(u.cacheReadTokens, 'invalid_cache_read_tokens', flags);
  let cacheWrite5mTokens = count(u.cacheWrite5mTokens, 'invalid_cache_write_5m_tokens', flags);
  let cacheWrite1hTokens = count(u.cacheWrite1hTokens, 'invalid_cache_write_1h_tokens', flags);
  let cacheWriteTokens =
    u.cacheWriteTokens === undefined
      ? cacheWrite5mTokens + cacheWrite1hTokens
      : count(u.cacheWriteTokens, 'invalid_cache_write_tokens', flags);
  const outputTokens = count(u.outputTokens, 'invalid_output_tokens', flags);
  let reasoningTokens = count(u.reasoningTokens, 'invalid_reasoning_tokens', flags);

  if (cacheReadTokens > inputTokens) {
    flags.push('cache_read_exceeds_input');
    cacheReadTokens = inputTokens;
  }
  if (cacheReadTokens + cacheWriteTokens > inputTokens) {
    flags.push('cache_write_exceeds_input');
    cacheWriteTokens = inputTokens - cacheReadTokens;
  }
  if (cacheWrite5mTokens + cacheWrite1hTokens > cacheWriteTokens) {
    flags.push('cache_write_split_exceeds_cache_write');
    // Keep the 1-hour part first: it is the dearer rate, so clamping never hides the more expensive writes.
    cacheWrite1hTokens = Math.min(cacheWrite1hTokens, cacheWriteTokens);
    cacheWrite5mTokens = Math.min(cacheWrite5mTokens, cacheWriteTokens - cacheWrite1hTokens);
  }
  if (reasoningTokens > outputTokens) {
    flags.push('reasoning_exceeds_output');
    reasoningTokens = outputTokens;
  }
  return {
    inputTokens,
    cacheReadTokens,
    cacheWriteTokens,
    cacheWrite5mTokens,
    cacheWrite1hTokens,
    outputTokens,
    reasoningTokens,
  };
}
