import { IS_CALL } from '../schema/definitions.js';
import { stringLiteral } from '../schema/identifiers.js';

/**
 * Providers that can say afterwards what they charged for a call, and how their response ids look. OpenRouter's
 * chat responses carry a generation id (`gen-...`) that `GET /api/v1/generation?id=` resolves to the amount charged.
 */
export const RECONCILABLE_PROVIDERS: ReadonlyArray<{ provider: string; responseIdPrefix: string }> = [
  { provider: 'openrouter', responseIdPrefix: 'gen-' },
];

/** SQL condition over `llm_calls`: call rows (not adjustments) whose provider can be asked what it charged. */
export function reconcilableCallCondition(provider?: string): string {
  const providers = RECONCILABLE_PROVIDERS.filter((entry) => provider === undefined || entry.provider === provider);
  if (providers.length === 0) return '0';
  const any = providers
    .map((entry) => `(provider = ${stringLiteral(entry.provider)} AND startsWith(provider_response_id, ${stringLiteral(entry.responseIdPrefix)}))`)
    .join(' OR ');
  return `${IS_CALL} AND (${any})`;
}

/** The response id prefix of a reconcilable provider; undefined when the provider is not one. */
export function responseIdPrefix(provider: string): string | undefined {
  return RECONCILABLE_PROVIDERS.find((entry) => entry.provider === provider)?.responseIdPrefix;
}
