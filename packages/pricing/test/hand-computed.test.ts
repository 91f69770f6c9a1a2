/**
 * Hand-computed prices. Each case names the per-million-token price it uses and where it comes from (the entry in
 * the data bundled with @pydantic/genai-prices 0.1.8, which cites the provider's pricing page, or our own mode
 * tables), and shows the arithmetic in micro-USD (tokens x USD per million = µUSD). Expected strings are exact to
 * the nano-USD, rounded half-up once per component; the total is the sum of the rounded components.
 */
import { describe, expect, it } from 'vitest';
import { type PriceUsageInput, createPricer } from '../src/index.js';
import { type ExpectedPrice, expectPriced, expectUnknown } from './support/expect-price.js';

const Z = '0.000000000';

const pricer = createPricer({
  markups: { acme: '1.3', beta: '1.15' },
  azureDeployments: { 'my-gpt4o': 'gpt-4o' },
});

interface Case {
  name: string;
  /** Price used and its source. */
  price: string;
  input: PriceUsageInput;
  expected: ExpectedPrice;
}

const cases: Case[] = [
  // --- OpenAI -----------------------------------------------------------------------------------------------------
  {
    name: 'OpenAI dated snapshot id matches the gpt-4o entry',
    price: 'openai:gpt-4o in 2.5 / cached 1.25 / out 10 (bundled, platform.openai.com/docs/pricing)',
    // in 1000 x 2.5 = 2500 µ; out 500 x 10 = 5000 µ
    input: { provider: 'openai', model: 'gpt-4o-2024-08-06', usage: { inputTokens: 1000, outputTokens: 500 } },
    expected: { in: '0.002500000', cr: Z, cw: Z, out: '0.005000000', total: '0.007500000', matched: 'openai:gpt-4o' },
  },
  {
    name: 'OpenAI prices cached input at the cache-read rate (recorded gpt-4o-mini usage)',
    price: 'openai:gpt-4o-mini in 0.15 / cached 0.075 / out 0.6 (bundled)',
    // uncached 1149-1024 = 125 x 0.15 = 18.75 µ; cached 1024 x 0.075 = 76.8 µ; out 353 x 0.6 = 211.8 µ; sum 307.35 µ
    input: { provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 } },
    expected: { in: '0.000018750', cr: '0.000076800', cw: Z, out: '0.000211800', total: '0.000307350', matched: 'openai:gpt-4o-mini' },
  },
  {
    name: 'a model without a cache-read price charges cached tokens at the input rate',
    price: 'openai:gpt-4o-2024-05-13 in 5 / out 15, no cached price (bundled; OpenAI lists this snapshot separately)',
    // all 2000 input x 5 = 10000 µ (the 1000 cached included); out 100 x 15 = 1500 µ
    input: { provider: 'openai', model: 'gpt-4o-2024-05-13', usage: { inputTokens: 2000, cacheReadTokens: 1000, outputTokens: 100 } },
    expected: { in: '0.010000000', cr: Z, cw: Z, out: '0.001500000', total: '0.011500000', matched: 'openai:gpt-4o-2024-05-13' },
  },
  {
    name: 'date-dependent price: o3 before its 2025-06-10 price cut',
    price: 'openai:o3 in 10 / out 40 until 2025-06-10 (bundled conditional prices)',
    // in 1000 x 10 = 10000 µ; out 1000 x 40 = 40000 µ (reasoning is part of output and has no own rate)
    input: {
      provider: 'openai',
      model: 'o3-2025-04-16',
      usage: { inputTokens: 1000, outputTokens: 1000, reasoningTokens: 800 },
      timestamp: '2025-05-01T12:00:00Z',
    },
    expected: { in: '0.010000000', cr: Z, cw: Z, out: '0.040000000', total: '0.050000000', matched: 'openai:o3' },
  },
  {
    name: 'date-dependent price: o3 after its 2025-06-10 price cut',
    price: 'openai:o3 in 2 / out 8 from 2025-06-10 (bundled conditional prices)',
    // in 1000 x 2 = 2000 µ; out 1000 x 8 = 8000 µ
    input: {
      provider: 'openai',
      model: 'o3',
      usage: { inputTokens: 1000, outputTokens: 1000, reasoningTokens: 800 },
      timestamp: new Date('2025-07-01T00:00:00Z'),
    },
    expected: { in: '0.002000000', cr: Z, cw: Z, out: '0.008000000', total: '0.010000000', matched: 'openai:o3' },
  },
  {
    name: 'long-context tier applies to the whole request above 272K input tokens (gpt-5.4)',
    price: 'openai:gpt-5.4 in 2.5 -> 5 / out 15 -> 22.5 when input > 271999 (bundled tiers)',
    // in 272000 x 5 = 1,360,000 µ; out 1000 x 22.5 = 22,500 µ
    input: { provider: 'openai', model: 'gpt-5.4', usage: { inputTokens: 272_000, outputTokens: 1000 } },
    expected: { in: '1.360000000', cr: Z, cw: Z, out: '0.022500000', total: '1.382500000', matched: 'openai:gpt-5.4' },
  },
  {
    name: 'long-context tier boundary: 271999 input tokens stay at the base rate',
    price: 'openai:gpt-5.4 in 2.5 / out 15 (base tier)',
    // in 271999 x 2.5 = 679,997.5 µ; out 1000 x 15 = 15,000 µ
    input: { provider: 'openai', model: 'gpt-5.4', usage: { inputTokens: 271_999, outputTokens: 1000 } },
    expected: { in: '0.679997500', cr: Z, cw: Z, out: '0.015000000', total: '0.694997500', matched: 'openai:gpt-5.4' },
  },
  {
    name: 'batch mode halves every rate, cache reads included',
    price: 'openai:gpt-4o-mini 0.15 / 0.075 / 0.6 x 0.5 batch (OpenAI Batch API: 50% lower costs)',
    // 125 x 0.075 = 9.375 µ; 1024 x 0.0375 = 38.4 µ; 353 x 0.3 = 105.9 µ; sum 153.675 µ
    input: {
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 },
      mode: 'batch',
    },
    expected: { in: '0.000009375', cr: '0.000038400', cw: Z, out: '0.000105900', total: '0.000153675', matched: 'openai:gpt-4o-mini' },
  },
  {
    name: 'OpenAI flex is priced at batch rates',
    price: 'openai:gpt-5 1.25 / 0.125 / 10 x 0.5 flex (developers.openai.com flex-processing: "priced at Batch API rates")',
    // uncached 8000 x 0.625 = 5000 µ; cached 2000 x 0.0625 = 125 µ; out 5000 x 5 = 25000 µ
    input: {
      provider: 'openai',
      model: 'gpt-5',
      usage: { inputTokens: 10_000, cacheReadTokens: 2000, outputTokens: 5000, reasoningTokens: 4000 },
      mode: 'flex',
    },
    expected: { in: '0.005000000', cr: '0.000125000', cw: Z, out: '0.025000000', total: '0.030125000', matched: 'openai:gpt-5' },
  },
  {
    name: 'OpenAI priority uses the published priority prices',
    price: 'gpt-4o priority in 4.25 / cached 2.125 / out 17 (openai.com/api-priority-processing)',
    // uncached 800 x 4.25 = 3400 µ; cached 200 x 2.125 = 425 µ; out 500 x 17 = 8500 µ
    input: {
      provider: 'openai',
      model: 'gpt-4o-2024-11-20',
      usage: { inputTokens: 1000, cacheReadTokens: 200, outputTokens: 500 },
      mode: 'priority',
    },
    expected: { in: '0.003400000', cr: '0.000425000', cw: Z, out: '0.008500000', total: '0.012325000', matched: 'openai:gpt-4o' },
  },
  {
    name: 'OpenAI priority for a model missing from the priority table assumes 2x and says so',
    price: 'openai:gpt-5-nano 0.05 / out 0.4 x 2 (our documented fallback multiplier)',
    // in 1000 x 0.1 = 100 µ; out 1000 x 0.8 = 800 µ
    input: { provider: 'openai', model: 'gpt-5-nano', usage: { inputTokens: 1000, outputTokens: 1000 }, mode: 'priority' },
    expected: {
      in: '0.000100000',
      cr: Z,
      cw: Z,
      out: '0.000800000',
      total: '0.000900000',
      matched: 'openai:gpt-5-nano',
      flags: ['priority_multiplier_assumed'],
    },
  },
  // --- Anthropic --------------------------------------------------------------------------------------------------
  {
    name: 'Anthropic cache read and 5-minute cache write (recorded claude-sonnet-4-5 usage)',
    price: 'anthropic:claude-sonnet-4-5 in 3 / write 3.75 / read 0.3 / out 15 (bundled, anthropic.com/pricing)',
    // input_tokens 3 + read 1111 + write 418 = 1532; 3 x 3 = 9 µ; 1111 x 0.3 = 333.3 µ; 418 x 3.75 = 1567.5 µ;
    // out 33 x 15 = 495 µ; sum 2404.8 µ
    input: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      usage: { inputTokens: 1532, cacheReadTokens: 1111, cacheWriteTokens: 418, cacheWrite5mTokens: 418, outputTokens: 33 },
    },
    expected: {
      in: '0.000009000',
      cr: '0.000333300',
      cw: '0.001567500',
      out: '0.000495000',
      total: '0.002404800',
      matched: 'anthropic:claude-sonnet-4-5',
    },
  },
  {
    name: 'Anthropic 1-hour cache writes are priced at their own rate',
    price: 'anthropic:claude-opus-4-1 in 15 / write 18.75 / write 1h 30 / read 1.5 / out 75 (bundled)',
    // uncached 10000-2000-4000 = 4000 x 15 = 60000 µ; read 2000 x 1.5 = 3000 µ;
    // writes 3000 x 18.75 + 1000 x 30 = 56250 + 30000 = 86250 µ; out 500 x 75 = 37500 µ; sum 186750 µ
    input: {
      provider: 'anthropic',
      model: 'claude-opus-4-1-20250805',
      usage: {
        inputTokens: 10_000,
        cacheReadTokens: 2000,
        cacheWriteTokens: 4000,
        cacheWrite5mTokens: 3000,
        cacheWrite1hTokens: 1000,
        outputTokens: 500,
      },
    },
    expected: { in: '0.060000000', cr: '0.003000000', cw: '0.086250000', out: '0.037500000', total: '0.186750000', matched: 'anthropic:claude-opus-4-1' },
  },
  {
    name: 'Anthropic long context: above 200K total input every token pays the tier rate',
    price: 'anthropic:claude-sonnet-4-5 tier >200000: in 6 / read 0.6 / out 22.5 (bundled tiers)',
    // uncached 200000 x 6 = 1,200,000 µ; read 50000 x 0.6 = 30000 µ; out 2000 x 22.5 = 45000 µ
    input: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      usage: { inputTokens: 250_000, cacheReadTokens: 50_000, outputTokens: 2000 },
    },
    expected: { in: '1.200000000', cr: '0.030000000', cw: Z, out: '0.045000000', total: '1.275000000', matched: 'anthropic:claude-sonnet-4-5' },
  },
  {
    name: 'date-dependent tiers: claude-sonnet-4-6 before 2026-03-13 had a long-context tier',
    price: 'anthropic:claude-sonnet-4-6 tier >200000: in 6 / out 22.5 until 2026-03-13 (bundled)',
    // 300000 x 6 = 1,800,000 µ; 1000 x 22.5 = 22500 µ
    input: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      usage: { inputTokens: 300_000, outputTokens: 1000 },
      timestamp: Date.parse('2026-01-15T00:00:00Z'),
    },
    expected: { in: '1.800000000', cr: Z, cw: Z, out: '0.022500000', total: '1.822500000', matched: 'anthropic:claude-sonnet-4-6' },
  },
  {
    name: 'date-dependent tiers: claude-sonnet-4-6 is flat from 2026-03-13',
    price: 'anthropic:claude-sonnet-4-6 in 3 / out 15 from 2026-03-13 (bundled)',
    // 300000 x 3 = 900,000 µ; 1000 x 15 = 15000 µ
    input: {
      provider: 'anthropic',
      model: 'claude-sonnet-4-6',
      usage: { inputTokens: 300_000, outputTokens: 1000 },
      timestamp: '2026-04-01T00:00:00Z',
    },
    expected: { in: '0.900000000', cr: Z, cw: Z, out: '0.015000000', total: '0.915000000', matched: 'anthropic:claude-sonnet-4-6' },
  },
  {
    name: 'Anthropic batch halves cache reads too (recorded claude-3-5-haiku usage)',
    price: 'anthropic:claude-3-5-haiku 0.8 / read 0.08 / out 4 x 0.5 (docs.anthropic.com batch-processing pricing)',
    // 4 x 0.4 = 1.6 µ; 18131 x 0.04 = 725.24 µ; 50 x 2 = 100 µ; sum 826.84 µ
    input: {
      provider: 'anthropic',
      model: 'claude-3-5-haiku-20241022',
      usage: { inputTokens: 18_135, cacheReadTokens: 18_131, outputTokens: 50 },
      mode: 'batch',
    },
    expected: { in: '0.000001600', cr: '0.000725240', cw: Z, out: '0.000100000', total: '0.000826840', matched: 'anthropic:claude-3-5-haiku-latest' },
  },
  // --- Google -----------------------------------------------------------------------------------------------------
  {
    name: 'Gemini thoughts are output tokens at the output rate (recorded gemini-2.5-flash usage)',
    price: 'google:gemini-2.5-flash in 0.3 / cached 0.03 / out 2.5 (bundled, ai.google.dev/pricing)',
    // uncached 3520-3512 = 8 x 0.3 = 2.4 µ; cached 3512 x 0.03 = 105.36 µ; out (2 + 42 thoughts) 44 x 2.5 = 110 µ
    input: {
      provider: 'gcp.gemini',
      model: 'gemini-2.5-flash',
      usage: { inputTokens: 3520, cacheReadTokens: 3512, outputTokens: 44, reasoningTokens: 42 },
    },
    expected: { in: '0.000002400', cr: '0.000105360', cw: Z, out: '0.000110000', total: '0.000217760', matched: 'google:gemini-2.5-flash' },
  },
  {
    name: 'Vertex resource path and the Gemini long-context tier above 200K',
    price: 'google:gemini-2.5-pro tier >200000: in 2.5 / out 15 (bundled tiers)',
    // 200001 x 2.5 = 500,002.5 µ; 1000 x 15 = 15000 µ
    input: {
      provider: 'gcp.vertex_ai',
      model: 'publishers/google/models/gemini-2.5-pro',
      usage: { inputTokens: 200_001, outputTokens: 1000 },
    },
    expected: { in: '0.500002500', cr: Z, cw: Z, out: '0.015000000', total: '0.515002500', matched: 'google:gemini-2.5-pro' },
  },
  {
    name: 'a sub-nano amount rounds half-up once per component',
    price: 'google:gemini-1.5-flash in 0.075 / cached 0.01875 / out 0.3 (bundled)',
    // 667 x 0.075 = 50.025 µ; 333 x 0.01875 = 6.24375 µ = 6243.75 nano -> 6244; 10 x 0.3 = 3 µ;
    // total = 50025 + 6244 + 3000 nano
    input: { provider: 'google', model: 'gemini-1.5-flash', usage: { inputTokens: 1000, cacheReadTokens: 333, outputTokens: 10 } },
    expected: { in: '0.000050025', cr: '0.000006244', cw: Z, out: '0.000003000', total: '0.000059269', matched: 'google:gemini-1.5-flash' },
  },
  {
    name: 'the data provider id works as a provider name (google)',
    price: 'google:gemini-2.5-flash-lite in 0.1 / cached 0.01 / out 0.4 (bundled)',
    // 500 x 0.1 = 50 µ; 500 x 0.01 = 5 µ; 100 x 0.4 = 40 µ
    input: { provider: 'google', model: 'gemini-2.5-flash-lite', usage: { inputTokens: 1000, cacheReadTokens: 500, outputTokens: 100 } },
    expected: { in: '0.000050000', cr: '0.000005000', cw: Z, out: '0.000040000', total: '0.000095000', matched: 'google:gemini-2.5-flash-lite' },
  },
  {
    name: 'Claude on Vertex AI (publisher path, @-dated id) uses the Vertex price entry',
    price: 'google:claude-sonnet-4-5 in 3 / read 0.3 / out 15 (bundled, cloud.google.com/vertex-ai/generative-ai/pricing)',
    // uncached 1000 x 3 = 3000 µ; read 500 x 0.3 = 150 µ; out 200 x 15 = 3000 µ
    input: {
      provider: 'gcp.vertex_ai',
      model: 'publishers/anthropic/models/claude-sonnet-4-5@20250929',
      usage: { inputTokens: 1500, cacheReadTokens: 500, outputTokens: 200 },
    },
    expected: { in: '0.003000000', cr: '0.000150000', cw: Z, out: '0.003000000', total: '0.006150000', matched: 'google:claude-sonnet-4-5' },
  },
  // --- xAI --------------------------------------------------------------------------------------------------------
  {
    name: 'xAI reasoning and cached tokens (recorded grok-3-mini usage; equals xAI cost_in_usd_ticks 1399000)',
    price: 'x-ai:grok-3-mini in 0.3 / cached 0.075 / out 0.5 (bundled, docs.x.ai)',
    // uncached 291-244 = 47 x 0.3 = 14.1 µ; cached 244 x 0.075 = 18.3 µ; out (26 + 189 reasoning) 215 x 0.5 = 107.5 µ
    input: {
      provider: 'x_ai',
      model: 'grok-3-mini',
      usage: { inputTokens: 291, cacheReadTokens: 244, outputTokens: 215, reasoningTokens: 189 },
    },
    expected: { in: '0.000014100', cr: '0.000018300', cw: Z, out: '0.000107500', total: '0.000139900', matched: 'x-ai:grok-3-mini' },
  },
  {
    name: 'xAI long context: 200K prompt tokens pay the higher rate (tier start 199999)',
    price: 'x-ai:grok-4.20 tier >199999: in 2.5 / out 5 (bundled tiers)',
    // 200000 x 2.5 = 500,000 µ; 100 x 5 = 500 µ
    input: { provider: 'x-ai', model: 'grok-4.20', usage: { inputTokens: 200_000, outputTokens: 100 } },
    expected: { in: '0.500000000', cr: Z, cw: Z, out: '0.000500000', total: '0.500500000', matched: 'x-ai:grok-4.20' },
  },
  // --- DeepSeek ---------------------------------------------------------------------------------------------------
  {
    name: 'DeepSeek off-peak price outside 00:30-16:30 UTC',
    price: 'deepseek:deepseek-chat in 0.135 / cached 0.035 / out 0.55 off-peak (bundled time-of-day prices)',
    // 400 x 0.135 = 54 µ; 600 x 0.035 = 21 µ; 200 x 0.55 = 110 µ
    input: {
      provider: 'deepseek',
      model: 'deepseek-chat',
      usage: { inputTokens: 1000, cacheReadTokens: 600, outputTokens: 200 },
      timestamp: '2026-01-01T20:00:00Z',
    },
    expected: { in: '0.000054000', cr: '0.000021000', cw: Z, out: '0.000110000', total: '0.000185000', matched: 'deepseek:deepseek-chat' },
  },
  {
    name: 'DeepSeek peak price inside 00:30-16:30 UTC',
    price: 'deepseek:deepseek-chat in 0.27 / cached 0.07 / out 1.1 peak (bundled time-of-day prices)',
    // 400 x 0.27 = 108 µ; 600 x 0.07 = 42 µ; 200 x 1.1 = 220 µ
    input: {
      provider: 'deepseek',
      model: 'deepseek-chat',
      usage: { inputTokens: 1000, cacheReadTokens: 600, outputTokens: 200 },
      timestamp: '2026-01-01T08:00:00Z',
    },
    expected: { in: '0.000108000', cr: '0.000042000', cw: Z, out: '0.000220000', total: '0.000370000', matched: 'deepseek:deepseek-chat' },
  },
  {
    name: 'DeepSeek reasoner at peak (recorded usage)',
    price: 'deepseek:deepseek-reasoner in 0.55 / out 2.19 peak (bundled)',
    // 12 x 0.55 = 6.6 µ; 789 x 2.19 = 1727.91 µ
    input: {
      provider: 'deepseek',
      model: 'deepseek-reasoner',
      usage: { inputTokens: 12, outputTokens: 789, reasoningTokens: 415 },
      timestamp: '2026-01-01T10:00:00Z',
    },
    expected: { in: '0.000006600', cr: Z, cw: Z, out: '0.001727910', total: '0.001734510', matched: 'deepseek:deepseek-reasoner' },
  },
  // --- Mistral ----------------------------------------------------------------------------------------------------
  {
    name: 'Mistral by its semconv name',
    price: 'mistral:mistral-large in 2 / out 6 (bundled, mistral.ai/pricing)',
    // 11 x 2 = 22 µ; 96 x 6 = 576 µ
    input: { provider: 'mistral_ai', model: 'mistral-large-latest', usage: { inputTokens: 11, outputTokens: 96 } },
    expected: { in: '0.000022000', cr: Z, cw: Z, out: '0.000576000', total: '0.000598000', matched: 'mistral:mistral-large' },
  },
  {
    name: 'Mistral cached input',
    price: 'mistral:mistral-small-2603 in 0.15 / cached 0.015 / out 0.6 (bundled)',
    // 2000 x 0.15 = 300 µ; 8000 x 0.015 = 120 µ; 100 x 0.6 = 60 µ
    input: { provider: 'mistral_ai', model: 'mistral-small-2603', usage: { inputTokens: 10_000, cacheReadTokens: 8000, outputTokens: 100 } },
    expected: { in: '0.000300000', cr: '0.000120000', cw: Z, out: '0.000060000', total: '0.000480000', matched: 'mistral:mistral-small-2603' },
  },
  // --- OpenRouter and gateways ------------------------------------------------------------------------------------
  {
    name: "OpenRouter's own table for a provider-qualified id",
    price: 'openrouter:anthropic/claude-sonnet-4 in 3 / write 3.75 / read 0.3 / out 15 (bundled OpenRouter table)',
    // 3 x 3 = 9 µ; 3211 x 0.3 = 963.3 µ; 115 x 3.75 = 431.25 µ; 53 x 15 = 795 µ
    input: {
      provider: 'openrouter',
      model: 'anthropic/claude-sonnet-4',
      usage: { inputTokens: 3329, cacheReadTokens: 3211, cacheWriteTokens: 115, outputTokens: 53 },
    },
    expected: {
      in: '0.000009000',
      cr: '0.000963300',
      cw: '0.000431250',
      out: '0.000795000',
      total: '0.002198550',
      matched: 'openrouter:anthropic/claude-sonnet-4',
    },
  },
  {
    name: 'OpenRouter id unknown in its table falls back to the vendor (equals OpenRouter-reported 0.00183)',
    price: 'anthropic:claude-sonnet-4-5 in 3 / out 15 (bundled; OpenRouter spells its entry claude-sonnet-4.5)',
    // 550 x 3 = 1650 µ; 12 x 15 = 180 µ
    input: { provider: 'openrouter', model: 'anthropic/claude-sonnet-4-5', usage: { inputTokens: 550, outputTokens: 12 } },
    expected: { in: '0.001650000', cr: Z, cw: Z, out: '0.000180000', total: '0.001830000', matched: 'anthropic:claude-sonnet-4-5' },
  },
  {
    name: 'OpenRouter entry without a cache price charges cached tokens at its input rate',
    price: 'openrouter:openai/gpt-4o in 2.5 / out 10 (bundled OpenRouter table)',
    // 1000 x 2.5 = 2500 µ; 100 x 10 = 1000 µ
    input: { provider: 'openrouter', model: 'openai/gpt-4o', usage: { inputTokens: 1000, cacheReadTokens: 500, outputTokens: 100 } },
    expected: { in: '0.002500000', cr: Z, cw: Z, out: '0.001000000', total: '0.003500000', matched: 'openrouter:openai/gpt-4o' },
  },
  {
    name: 'an unknown gateway with an unambiguous model id uses that model',
    price: 'openai:gpt-4o-mini in 0.15 / out 0.6 (only OpenAI model_match matches "gpt-")',
    // 1000 x 0.15 = 150 µ; 1000 x 0.6 = 600 µ
    input: { provider: 'my-gateway', model: 'gpt-4o-mini', usage: { inputTokens: 1000, outputTokens: 1000 } },
    expected: { in: '0.000150000', cr: Z, cw: Z, out: '0.000600000', total: '0.000750000', matched: 'openai:gpt-4o-mini' },
  },
  {
    name: 'an unknown gateway with a vendor-prefixed id uses the vendor table',
    price: 'anthropic:claude-sonnet-4-0 in 3 / out 15 (bundled)',
    // 1000 x 3 = 3000 µ; 100 x 15 = 1500 µ
    input: { provider: 'portkey', model: 'anthropic/claude-sonnet-4', usage: { inputTokens: 1000, outputTokens: 100 } },
    expected: { in: '0.003000000', cr: Z, cw: Z, out: '0.001500000', total: '0.004500000', matched: 'anthropic:claude-sonnet-4-0' },
  },
  // --- Bedrock, Azure ---------------------------------------------------------------------------------------------
  {
    name: 'Bedrock cross-region id at the regional price (recorded usage)',
    price: 'aws:regional.anthropic.claude-sonnet-4-5-20250929-v1:0 in 3.3 / read 0.33 / out 16.5 (bundled, aws.amazon.com/bedrock/pricing)',
    // 2 x 3.3 = 6.6 µ; 1322 x 0.33 = 436.26 µ; 5 x 16.5 = 82.5 µ
    input: {
      provider: 'aws.bedrock',
      model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      usage: { inputTokens: 1324, cacheReadTokens: 1322, outputTokens: 5 },
    },
    expected: {
      in: '0.000006600',
      cr: '0.000436260',
      cw: Z,
      out: '0.000082500',
      total: '0.000525360',
      matched: 'aws:regional.anthropic.claude-sonnet-4-5-20250929-v1:0',
    },
  },
  {
    name: 'Bedrock Amazon model id (recorded nova-lite usage)',
    price: 'aws:amazon.nova-lite-v1:0 in 0.06 / out 0.24 (bundled)',
    // 54 x 0.06 = 3.24 µ; 18 x 0.24 = 4.32 µ
    input: { provider: 'aws.bedrock', model: 'amazon.nova-lite-v1:0', usage: { inputTokens: 54, outputTokens: 18 } },
    expected: { in: '0.000003240', cr: Z, cw: Z, out: '0.000004320', total: '0.000007560', matched: 'aws:amazon.nova-lite-v1:0' },
  },
  {
    name: 'Azure deployment name through the configured map (and Azure falls back to the OpenAI table)',
    price: 'openai:gpt-4o in 2.5 / out 10 (bundled; azure lists openai in fallback_model_providers)',
    // 16 x 2.5 = 40 µ; 22 x 10 = 220 µ
    input: { provider: 'azure.ai.openai', model: 'my-gpt4o', usage: { inputTokens: 16, outputTokens: 22 } },
    expected: { in: '0.000040000', cr: Z, cw: Z, out: '0.000220000', total: '0.000260000', matched: 'openai:gpt-4o' },
  },
  // --- Fees and reasoning rates -----------------------------------------------------------------------------------
  {
    name: 'a per-request fee is its own component and part of the total',
    price: 'perplexity:sonar in 1 / out 1 / 12 USD per 1000 requests (bundled)',
    // 100 x 1 = 100 µ; 200 x 1 = 200 µ; request 12 / 1000 = 0.012 USD
    input: { provider: 'perplexity', model: 'sonar', usage: { inputTokens: 100, outputTokens: 200 } },
    expected: { in: '0.000100000', cr: Z, cw: Z, out: '0.000200000', req: '0.012000000', total: '0.012300000', matched: 'perplexity:sonar' },
  },
  {
    name: 'reasoning tokens at their own rate when the model has one',
    price: 'perplexity:sonar-deep-research in 2 / out 8 / reasoning 3 (bundled)',
    // 1000 x 2 = 2000 µ; non-reasoning out 1000 x 8 = 8000 µ + reasoning 4000 x 3 = 12000 µ
    input: { provider: 'perplexity', model: 'sonar-deep-research', usage: { inputTokens: 1000, outputTokens: 5000, reasoningTokens: 4000 } },
    expected: { in: '0.002000000', cr: Z, cw: Z, out: '0.020000000', total: '0.022000000', matched: 'perplexity:sonar-deep-research' },
  },
  // --- Markup -----------------------------------------------------------------------------------------------------
  {
    name: 'a tenant markup changes billedCost only',
    price: 'openai:gpt-4o-mini as above; markup acme 1.3',
    // total 307350 nano x 1.3 = 399555 nano
    input: { provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 }, tenant: 'acme' },
    expected: {
      in: '0.000018750',
      cr: '0.000076800',
      cw: Z,
      out: '0.000211800',
      total: '0.000307350',
      billed: '0.000399555',
      matched: 'openai:gpt-4o-mini',
    },
  },
  {
    name: 'a markup product rounds half-up to the nano',
    price: 'openai:gpt-4o-mini as above; markup beta 1.15',
    // 307350 x 1.15 = 353452.5 nano -> 353453
    input: { provider: 'openai', model: 'gpt-4o-mini', usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 }, tenant: 'beta' },
    expected: {
      in: '0.000018750',
      cr: '0.000076800',
      cw: Z,
      out: '0.000211800',
      total: '0.000307350',
      billed: '0.000353453',
      matched: 'openai:gpt-4o-mini',
    },
  },
];

describe('hand-computed prices', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  for (const c of cases) {
    it(`${c.name} [${c.price}]`, () => {
      const result = pricer.priceUsage(c.input);
      expectPriced(result, c.expected);
      expect(result.priceVersion).toBe('genai-prices@0.1.8');
    });
  }
});

describe('provider-reported cost and unknown models', () => {
  it('a provider-reported cost wins over local pricing, parts null', () => {
    // OpenRouter usage.cost 0.00219855 (recorded), local price would be 0.00219855 too
    const result = pricer.priceUsage({
      provider: 'openrouter',
      model: 'anthropic/claude-sonnet-4.6',
      usage: { inputTokens: 3329, cacheReadTokens: 3211, cacheWriteTokens: 115, outputTokens: 53 },
      providerReportedCost: 0.00219855,
      tenant: 'acme',
    });
    expect(result).toEqual({
      status: 'provider_reported',
      currency: 'USD',
      inputCost: null,
      cacheReadCost: null,
      cacheWriteCost: null,
      outputCost: null,
      requestCost: null,
      totalCost: '0.002198550',
      // 2198550 x 1.3 = 2858115 nano
      billedCost: '0.002858115',
      priceVersion: 'genai-prices@0.1.8',
      matchedModel: 'openrouter:anthropic/claude-sonnet-4.6',
      flags: [],
    });
  });

  it('a provider-reported cost with more than 9 decimals rounds half-up, exponent notation included', () => {
    const tiny = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1, outputTokens: 1 }, providerReportedCost: '0.0000000015' });
    expect(tiny.totalCost).toBe('0.000000002');
    const exp = pricer.priceUsage({ provider: 'openai', model: 'gpt-4o', usage: { inputTokens: 1, outputTokens: 1 }, providerReportedCost: 9.25e-6 });
    expect(exp.totalCost).toBe('0.000009250');
    // xAI cost_in_usd_ticks 1399000 / 1e10, as the instrumentation passes it
    const xai = pricer.priceUsage({ provider: 'x_ai', model: 'grok-3-mini', usage: { inputTokens: 1, outputTokens: 1 }, providerReportedCost: '0.0001399' });
    expect(xai.totalCost).toBe('0.000139900');
  });

  it('an invalid provider-reported cost is flagged and the call is priced locally', () => {
    const result = pricer.priceUsage({
      provider: 'openai',
      model: 'gpt-4o',
      usage: { inputTokens: 1000, outputTokens: 500 },
      providerReportedCost: '-1',
    });
    expect(result.status).toBe('priced');
    expect(result.totalCost).toBe('0.007500000');
    expect(result.flags).toEqual(['invalid_provider_reported_cost']);
  });

  it('an unknown model of a known provider is unknown_model with null costs, never zero', () => {
    expectUnknown(pricer.priceUsage({ provider: 'openai', model: 'gpt-unknown-9', usage: { inputTokens: 10, outputTokens: 10 } }));
  });

  it('an unknown gateway with a model no provider claims is unknown_model', () => {
    expectUnknown(pricer.priceUsage({ provider: 'my-gateway', model: 'llama-3.3-70b', usage: { inputTokens: 10, outputTokens: 10 } }));
  });

  it('a known provider never borrows another provider’s price for a model it does not list', () => {
    // groq does not list gpt-4o; OpenAI does, but groq prices are groq's.
    expectUnknown(pricer.priceUsage({ provider: 'groq', model: 'gpt-4o', usage: { inputTokens: 10, outputTokens: 10 } }));
  });

  it('a model priced only in units usage does not carry is unknown, not zero', () => {
    // groq whisper-large-v3 is priced per audio hour
    expectUnknown(pricer.priceUsage({ provider: 'groq', model: 'whisper-large-v3', usage: { inputTokens: 10, outputTokens: 10 } }), [
      'unsupported_price_units',
    ]);
  });
});
