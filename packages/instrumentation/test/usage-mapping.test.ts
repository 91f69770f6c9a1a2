/**
 * The per-provider usage mapping the README documents, one test per rule, through the exported pure normalisers.
 */
import { describe, expect, it } from 'vitest';
import {
  normalizeAnthropicUsage,
  normalizeDeepSeekUsage,
  normalizeGeminiUsage,
  normalizeOpenAiUsage,
  normalizeOpenRouterUsage,
  normalizeUsage,
  normalizeXaiUsage,
} from '../src/index.js';

describe('usage mapping', () => {
  it('OpenAI chat: prompt_tokens includes cached, completion_tokens includes reasoning', () => {
    expect(
      normalizeOpenAiUsage({
        prompt_tokens: 1149,
        completion_tokens: 353,
        prompt_tokens_details: { cached_tokens: 1024 },
        completion_tokens_details: { reasoning_tokens: 64 },
      }),
    ).toEqual({ inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353, reasoningTokens: 64 });
  });

  it('OpenAI Responses: input_tokens / output_tokens with their details', () => {
    expect(
      normalizeOpenAiUsage({
        input_tokens: 14,
        input_tokens_details: { cached_tokens: 13 },
        output_tokens: 26,
        output_tokens_details: { reasoning_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 14, cacheReadTokens: 13, outputTokens: 26, reasoningTokens: 0 });
  });

  it('OpenAI embeddings: no output tokens', () => {
    expect(normalizeOpenAiUsage({ prompt_tokens: 8, total_tokens: 8 })).toEqual({ inputTokens: 8, outputTokens: 0 });
  });

  it('Anthropic: input_tokens excludes cache reads and writes, which are added; TTL split kept', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 3,
        cache_read_input_tokens: 1111,
        cache_creation_input_tokens: 418,
        cache_creation: { ephemeral_5m_input_tokens: 418, ephemeral_1h_input_tokens: 0 },
        output_tokens: 33,
      }),
    ).toEqual({
      inputTokens: 1532,
      cacheReadTokens: 1111,
      cacheWriteTokens: 418,
      cacheWrite5mTokens: 418,
      cacheWrite1hTokens: 0,
      outputTokens: 33,
    });
  });

  it('Anthropic compaction: every sampling iteration is billed, so iterations are summed', () => {
    expect(
      normalizeAnthropicUsage({
        input_tokens: 181,
        output_tokens: 8,
        iterations: [
          { type: 'compaction', input_tokens: 100, output_tokens: 83, cache_read_input_tokens: 55096 },
          { type: 'message', input_tokens: 181, output_tokens: 8, cache_read_input_tokens: 0 },
        ],
      }),
    ).toEqual({ inputTokens: 55377, cacheReadTokens: 55096, outputTokens: 91 });
  });

  it('Gemini: promptTokenCount includes cached content; thoughts are output; tool-use prompt is input', () => {
    expect(
      normalizeGeminiUsage({
        promptTokenCount: 3520,
        cachedContentTokenCount: 3512,
        candidatesTokenCount: 2,
        thoughtsTokenCount: 42,
        toolUsePromptTokenCount: 10,
      }),
    ).toEqual({ inputTokens: 3530, cacheReadTokens: 3512, outputTokens: 44, reasoningTokens: 42 });
  });

  it('xAI: completion_tokens excludes reasoning, which is added to output', () => {
    expect(
      normalizeXaiUsage({
        prompt_tokens: 291,
        completion_tokens: 26,
        prompt_tokens_details: { cached_tokens: 244 },
        completion_tokens_details: { reasoning_tokens: 189 },
      }),
    ).toEqual({ inputTokens: 291, cacheReadTokens: 244, outputTokens: 215, reasoningTokens: 189 });
  });

  it('OpenRouter: OpenAI semantics plus cache_write_tokens', () => {
    expect(
      normalizeOpenRouterUsage({
        prompt_tokens: 3329,
        completion_tokens: 53,
        prompt_tokens_details: { cached_tokens: 3211, cache_write_tokens: 115 },
      }),
    ).toEqual({ inputTokens: 3329, cacheReadTokens: 3211, cacheWriteTokens: 115, outputTokens: 53 });
  });

  it('DeepSeek: cache hits from prompt_cache_hit_tokens', () => {
    expect(
      normalizeDeepSeekUsage({
        prompt_tokens: 12,
        completion_tokens: 789,
        prompt_cache_hit_tokens: 5,
        prompt_cache_miss_tokens: 7,
        prompt_tokens_details: { cached_tokens: 0 },
      }),
    ).toEqual({ inputTokens: 12, cacheReadTokens: 5, outputTokens: 789 });
  });

  it('normalizeUsage dispatches by provider name or alias; unknown names use the OpenAI mapping', () => {
    expect(normalizeUsage('gemini', { promptTokenCount: 1, candidatesTokenCount: 2 })).toEqual({
      inputTokens: 1,
      outputTokens: 2,
    });
    expect(normalizeUsage('x_ai', { prompt_tokens: 1, completion_tokens: 1, completion_tokens_details: { reasoning_tokens: 2 } }))
      .toMatchObject({ outputTokens: 3 });
    expect(normalizeUsage('internal_gateway', { prompt_tokens: 5, completion_tokens: 6 })).toEqual({
      inputTokens: 5,
      outputTokens: 6,
    });
  });

  it('returns undefined, never zeros, for objects without token counts', () => {
    for (const provider of ['openai', 'anthropic', 'gemini', 'xai', 'openrouter', 'deepseek']) {
      expect(normalizeUsage(provider, {}), provider).toBeUndefined();
      expect(normalizeUsage(provider, null), provider).toBeUndefined();
      expect(normalizeUsage(provider, { prompt_tokens: -1, input_tokens: 'x' }), provider).toBeUndefined();
    }
  });
});
