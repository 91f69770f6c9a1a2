/**
 * Helpers for this package's tests: loopback provider servers registered as hosts, and the expected attribute map
 * of a fixture.
 */
import type { AttributeValue } from '@opentelemetry/api';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS,
  ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS,
  ATTR_LLM_COST_USAGE_SOURCE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  type TokenUsage,
} from '@llm-cost/semconv';
import { startProviderServer, type ProviderServer, type Fixture } from '../../../test/support/index.js';

/** Provider folder names of the fixtures → the name used in the `hosts` option. */
export const HOSTS_NAME: Record<string, string> = {
  openai: 'openai',
  'azure-openai': 'azure',
  anthropic: 'anthropic',
  gemini: 'gemini',
  openrouter: 'openrouter',
  xai: 'xai',
  deepseek: 'deepseek',
  mistral: 'mistral',
  groq: 'groq',
  together: 'together',
};

/** Provider folder names → `gen_ai.provider.name`. */
export const PROVIDER_NAME: Record<string, string> = {
  openai: 'openai',
  'azure-openai': 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  openrouter: 'openrouter',
  xai: 'x_ai',
  deepseek: 'deepseek',
  mistral: 'mistral_ai',
  groq: 'groq',
  together: 'together',
};

/** One loopback server per provider, and the `hosts` option that points each provider at its server. */
export async function startServers(
  providers: readonly string[],
): Promise<{ servers: Record<string, ProviderServer>; hosts: Record<string, string>; close(): Promise<void> }> {
  const servers: Record<string, ProviderServer> = {};
  const hosts: Record<string, string> = {};
  for (const provider of providers) {
    const server = await startProviderServer();
    servers[provider] = server;
    hosts[server.host] = HOSTS_NAME[provider] ?? provider;
  }
  return {
    servers,
    hosts,
    async close() {
      await Promise.all(Object.values(servers).map((server) => server.close()));
    },
  };
}

/** Token attributes of a canonical usage (absent parts stay absent). */
export function usageAttributes(usage: Partial<TokenUsage> | undefined): Record<string, AttributeValue | undefined> {
  return {
    [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: usage?.inputTokens,
    [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: usage?.outputTokens,
    [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: usage?.cacheReadTokens,
    [ATTR_GEN_AI_USAGE_CACHE_CREATION_INPUT_TOKENS]: usage?.cacheWriteTokens,
    [ATTR_LLM_COST_USAGE_CACHE_WRITE_5M_TOKENS]: usage?.cacheWrite5mTokens,
    [ATTR_LLM_COST_USAGE_CACHE_WRITE_1H_TOKENS]: usage?.cacheWrite1hTokens,
    [ATTR_GEN_AI_USAGE_REASONING_OUTPUT_TOKENS]: usage?.reasoningTokens,
  };
}

/** The full expected attribute map of a project fixture replayed from `server` (without tags). */
export function fixtureAttributes(
  fixture: Fixture,
  server: ProviderServer,
  operation: string,
): Record<string, AttributeValue | undefined> {
  const expected = fixture.meta.expected ?? {};
  const requestModel = fixture.meta.request_model_in_url ?? fixture.meta.request?.model;
  const streamed = fixture.meta.stream;
  return {
    [ATTR_GEN_AI_OPERATION_NAME]: operation,
    [ATTR_GEN_AI_PROVIDER_NAME]: PROVIDER_NAME[fixture.provider],
    [ATTR_GEN_AI_REQUEST_MODEL]: requestModel,
    [ATTR_GEN_AI_REQUEST_STREAM]: streamed,
    [ATTR_SERVER_ADDRESS]: '127.0.0.1',
    [ATTR_SERVER_PORT]: server.port,
    [ATTR_HTTP_RESPONSE_STATUS_CODE]: 200,
    [ATTR_GEN_AI_RESPONSE_MODEL]: expected.responseModel,
    [ATTR_GEN_AI_RESPONSE_ID]: expected.responseId,
    [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: expected.finishReasons,
    ...usageAttributes(expected.usage as Partial<TokenUsage> | undefined),
    [ATTR_LLM_COST_USAGE_SOURCE]: expected.usage === undefined ? 'unknown' : streamed ? 'stream_final' : 'response',
    [ATTR_LLM_COST_PROVIDER_REPORTED_COST]: expected.providerReportedCost,
  };
}
