/**
 * Our local prices against costs real providers reported for real calls (recorded responses in the shared
 * fixtures): OpenRouter's `usage.cost` and xAI's `cost_in_usd_ticks` (1e-10 USD). The usage is mapped the way the
 * instrumentation's contract says (input includes cached; xAI output adds reasoning, OpenAI-style output already
 * includes it), and the model is the one the response reported.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type TokenUsage, createPricer } from '../src/index.js';
import { parseUsdForTest } from './support/reported.js';
import { reportMissing, sharedFixturesDir, sharedFixturesExist } from './support/shared.js';

if (!sharedFixturesExist) reportMissing('The shared provider fixtures', sharedFixturesDir);

interface OpenAiStyleUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
  cost?: number;
  cost_details?: { upstream_inference_prompt_cost?: number; upstream_inference_completions_cost?: number };
  cost_in_usd_ticks?: number;
}

/** The body's `model` and `usage`: from a JSON body, or from the last SSE event that carries usage. */
function recorded(path: string): { model: string; usage: OpenAiStyleUsage } {
  const text = readFileSync(join(sharedFixturesDir, path), 'utf8');
  if (path.endsWith('.json')) return JSON.parse(text) as { model: string; usage: OpenAiStyleUsage };
  const events = text
    .split('\n')
    .filter((line) => line.startsWith('data: ') && line !== 'data: [DONE]')
    .map((line) => JSON.parse(line.slice(6)) as { model: string; usage?: OpenAiStyleUsage })
    .filter((event) => event.usage);
  return events[events.length - 1] as { model: string; usage: OpenAiStyleUsage };
}

function toUsage(u: OpenAiStyleUsage, reasoningOutsideCompletion: boolean): TokenUsage {
  const reasoning = u.completion_tokens_details?.reasoning_tokens ?? 0;
  return {
    inputTokens: u.prompt_tokens,
    cacheReadTokens: u.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: u.prompt_tokens_details?.cache_write_tokens ?? 0,
    outputTokens: u.completion_tokens + (reasoningOutsideCompletion ? reasoning : 0),
    reasoningTokens: reasoning,
  };
}

const pricer = createPricer();

describe.runIf(sharedFixturesExist)('local prices equal the costs providers reported', () => {
  const openrouter = [
    'openrouter/chat-completions-cached-claude-sonnet-4.6.json',
    'openrouter/chat-completions-cost-claude-sonnet-4-5.json',
    'openrouter/chat-completions-cost-reasoning-gpt-5-mini.json',
    'openrouter/chat-completions-stream-include-usage-claude-sonnet-4.6.sse',
  ];
  for (const path of openrouter) {
    it(`OpenRouter usage.cost: ${path}`, () => {
      const { model, usage } = recorded(path);
      const local = pricer.priceUsage({ provider: 'openrouter', model, usage: toUsage(usage, false) });
      expect(local.status).toBe('priced');
      expect(local.totalCost).toBe(parseUsdForTest(usage.cost));
    });
  }

  it('OpenRouter with a web search: tokens agree, the search fee is why the reported cost wins', () => {
    const { model, usage } = recorded('openrouter/chat-completions-stream-web-search-gpt-4.1-mini.sse');
    const local = pricer.priceUsage({ provider: 'openrouter', model, usage: toUsage(usage, false) });
    expect(local.inputCost).toBe(parseUsdForTest(usage.cost_details?.upstream_inference_prompt_cost));
    expect(local.outputCost).toBe(parseUsdForTest(usage.cost_details?.upstream_inference_completions_cost));
    expect(local.totalCost).not.toBe(parseUsdForTest(usage.cost));
    const reported = pricer.priceUsage({ provider: 'openrouter', model, usage: toUsage(usage, false), providerReportedCost: usage.cost });
    expect([reported.status, reported.totalCost]).toEqual(['provider_reported', parseUsdForTest(usage.cost)]);
  });

  for (const path of ['xai/chat-completions-grok-3-mini-tool-call.json', 'xai/chat-completions-stream-grok-3-mini.sse']) {
    it(`xAI cost_in_usd_ticks: ${path}`, () => {
      const { model, usage } = recorded(path);
      const local = pricer.priceUsage({ provider: 'x_ai', model, usage: toUsage(usage, true) });
      // 1 tick = 1e-10 USD
      expect(local.totalCost).toBe(parseUsdForTest(`${usage.cost_in_usd_ticks}e-10`));
    });
  }
});
