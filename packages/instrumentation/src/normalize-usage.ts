/** `normalizeUsage(provider, usage)`: the per-provider usage mapping, looked up by provider name or alias. */
import type { TokenUsage } from '@llm-cost/semconv';
import { providerModule } from './providers/registry.js';

/**
 * A provider's usage object → canonical usage (input includes cached tokens, output includes reasoning), per the
 * mapping documented in the README. Unknown provider names use the OpenAI mapping. Undefined when the object has no
 * token counts.
 */
export function normalizeUsage(provider: string, usage: unknown): TokenUsage | undefined {
  return providerModule(provider).normalizeUsage(usage);
}
