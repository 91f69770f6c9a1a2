/**
 * Reference calls that any price data we accept must still price: the flagship models of each major provider,
 * reached the way real traffic names them (semconv providers, dated ids, gateway and Bedrock ids). `prices sync`
 * refuses data under which one of them no longer matches a model or prices a part it used to price at zero.
 */
import type { Pricer, PriceUsageInput } from './types.js';

export interface ReferenceCall extends PriceUsageInput {
  /** Cost parts that must be non-zero. */
  readonly nonZero: ReadonlyArray<'inputCost' | 'cacheReadCost' | 'cacheWriteCost' | 'outputCost'>;
}

const chat = { inputTokens: 10_000, outputTokens: 1_000 };
const cached = { inputTokens: 10_000, cacheReadTokens: 4_000, cacheWriteTokens: 2_000, outputTokens: 1_000 };

export const REFERENCE_CALLS: readonly ReferenceCall[] = [
  { provider: 'openai', model: 'gpt-4o-2024-08-06', usage: { ...chat, cacheReadTokens: 4_000 }, nonZero: ['inputCost', 'cacheReadCost', 'outputCost'] },
  { provider: 'openai', model: 'gpt-4o-mini', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'openai', model: 'gpt-4.1', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'anthropic', model: 'claude-sonnet-4-5-20250929', usage: cached, nonZero: ['inputCost', 'cacheReadCost', 'cacheWriteCost', 'outputCost'] },
  { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', usage: cached, nonZero: ['inputCost', 'cacheReadCost', 'cacheWriteCost', 'outputCost'] },
  { provider: 'gcp.gemini', model: 'gemini-2.5-pro', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'gcp.gemini', model: 'gemini-2.5-flash', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'x_ai', model: 'grok-3', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'deepseek', model: 'deepseek-chat', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'mistral_ai', model: 'mistral-large-latest', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'openrouter', model: 'anthropic/claude-sonnet-4', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'aws.bedrock', model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', usage: chat, nonZero: ['inputCost', 'outputCost'] },
  { provider: 'azure.ai.openai', model: 'gpt-4o', usage: chat, nonZero: ['inputCost', 'outputCost'] },
];

/** Price every reference call; return one message per failure (empty when all price). */
export function checkReferenceCalls(pricer: Pricer, calls: readonly ReferenceCall[] = REFERENCE_CALLS): string[] {
  const failures: string[] = [];
  for (const call of calls) {
    const result = pricer.priceUsage(call);
    const name = `${call.provider} ${call.model}`;
    if (result.status !== 'priced') {
      failures.push(`${name}: ${result.status}${result.flags.length > 0 ? ` (${result.flags.join(', ')})` : ''}`);
      continue;
    }
    const zero = call.nonZero.filter((part) => result[part] === null || /^0\.0+$/.test(result[part] as string));
    if (zero.length > 0) failures.push(`${name} (${result.matchedModel}): ${zero.join(', ')} priced at zero`);
  }
  return failures;
}
