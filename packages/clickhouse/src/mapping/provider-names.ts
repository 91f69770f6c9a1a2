import { GEN_AI_PROVIDER } from '@llm-cost/semconv';

/**
 * Provider names other instrumentations write (older conventions, OpenLLMetry, OpenInference), mapped to the
 * `gen_ai.provider.name` values our instrumentation writes, so one provider is one rollup key whoever measured it.
 */
const ALIASES: Readonly<Record<string, string>> = {
  'az.ai.openai': GEN_AI_PROVIDER.azureOpenai,
  azure: GEN_AI_PROVIDER.azureOpenai,
  azure_openai: GEN_AI_PROVIDER.azureOpenai,
  gemini: GEN_AI_PROVIDER.gemini,
  google: GEN_AI_PROVIDER.gemini,
  'gcp.gen_ai': GEN_AI_PROVIDER.gemini,
  vertex_ai: GEN_AI_PROVIDER.vertexAi,
  vertexai: GEN_AI_PROVIDER.vertexAi,
  bedrock: GEN_AI_PROVIDER.bedrock,
  aws_bedrock: GEN_AI_PROVIDER.bedrock,
  xai: GEN_AI_PROVIDER.xai,
  'x-ai': GEN_AI_PROVIDER.xai,
  mistral: GEN_AI_PROVIDER.mistral,
  mistralai: GEN_AI_PROVIDER.mistral,
};

const cache = new Map<string, string>();

/** Lowercases and maps known aliases; unknown names pass through lowercased. */
export function normalizeProviderName(name: string): string {
  let normalized = cache.get(name);
  if (normalized === undefined) {
    const lower = name.trim().toLowerCase();
    normalized = ALIASES[lower] ?? lower;
    // Bounded: provider names are few; a flood of distinct junk values must not grow the cache forever.
    if (cache.size < 256) cache.set(name, normalized);
  }
  return normalized;
}
