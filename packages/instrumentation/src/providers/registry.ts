/**
 * Provider names, aliases and built-in hosts. Names on spans are the `gen_ai.provider.name` values of the GenAI
 * semantic conventions; the `hosts` option also accepts friendly aliases. Any other name is an OpenAI-compatible
 * provider of that name.
 */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import type { ProviderModule } from './types.js';
import { openAiCompatibleProvider } from './openai-compatible.js';
import { openaiProvider } from './openai.js';
import { azureOpenaiProvider } from './azure-openai.js';
import { anthropicProvider } from './anthropic.js';
import { geminiProvider, vertexAiProvider } from './gemini.js';
import { openrouterProvider } from './openrouter.js';
import { xaiProvider } from './xai.js';
import { deepseekProvider } from './deepseek.js';
import { mistralProvider } from './mistral.js';
import { groqProvider } from './groq.js';
import { togetherProvider } from './together.js';
import { fireworksProvider } from './fireworks.js';
import { perplexityProvider } from './perplexity.js';

const KNOWN: readonly ProviderModule[] = [
  openaiProvider,
  azureOpenaiProvider,
  anthropicProvider,
  geminiProvider,
  vertexAiProvider,
  openrouterProvider,
  xaiProvider,
  deepseekProvider,
  mistralProvider,
  groqProvider,
  togetherProvider,
  fireworksProvider,
  perplexityProvider,
];

/** Friendly names accepted by the `hosts` option (and by `trackLlmCall` / `recordLlmResponse`). */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  gemini: GEN_AI_PROVIDER.gemini,
  google: GEN_AI_PROVIDER.gemini,
  'google-gemini': GEN_AI_PROVIDER.gemini,
  vertex: GEN_AI_PROVIDER.vertexAi,
  'vertex-ai': GEN_AI_PROVIDER.vertexAi,
  vertex_ai: GEN_AI_PROVIDER.vertexAi,
  xai: GEN_AI_PROVIDER.xai,
  'x-ai': GEN_AI_PROVIDER.xai,
  grok: GEN_AI_PROVIDER.xai,
  azure: GEN_AI_PROVIDER.azureOpenai,
  'azure-openai': GEN_AI_PROVIDER.azureOpenai,
  azure_openai: GEN_AI_PROVIDER.azureOpenai,
  mistral: GEN_AI_PROVIDER.mistral,
  mistralai: GEN_AI_PROVIDER.mistral,
  bedrock: GEN_AI_PROVIDER.bedrock,
  'aws-bedrock': GEN_AI_PROVIDER.bedrock,
  together_ai: GEN_AI_PROVIDER.together,
  'together-ai': GEN_AI_PROVIDER.together,
  fireworks_ai: GEN_AI_PROVIDER.fireworks,
  'fireworks-ai': GEN_AI_PROVIDER.fireworks,
});

const byName = new Map<string, ProviderModule>(KNOWN.map((module) => [module.name, module]));

/** The canonical `gen_ai.provider.name` of a name or alias (case-insensitive); unknown names are kept (trimmed). */
export function canonicalProviderName(name: string): string {
  const key = name.trim().toLowerCase();
  return PROVIDER_ALIASES[key] ?? (byName.has(key) ? key : name.trim());
}

/** The module that parses a provider's responses; unknown names get an OpenAI-compatible module of that name. */
export function providerModule(name: string): ProviderModule {
  const canonical = canonicalProviderName(name);
  let module = byName.get(canonical);
  if (module === undefined) {
    module = openAiCompatibleProvider({ name: canonical });
    byName.set(canonical, module);
  }
  return module;
}

/** Built-in hosts (exact match on the hostname, any port). */
export const DEFAULT_HOSTS: Readonly<Record<string, string>> = Object.freeze({
  'api.openai.com': GEN_AI_PROVIDER.openai,
  'api.anthropic.com': GEN_AI_PROVIDER.anthropic,
  'generativelanguage.googleapis.com': GEN_AI_PROVIDER.gemini,
  'aiplatform.googleapis.com': GEN_AI_PROVIDER.vertexAi,
  'openrouter.ai': GEN_AI_PROVIDER.openrouter,
  'api.x.ai': GEN_AI_PROVIDER.xai,
  'api.deepseek.com': GEN_AI_PROVIDER.deepseek,
  'api.mistral.ai': GEN_AI_PROVIDER.mistral,
  'api.groq.com': GEN_AI_PROVIDER.groq,
  'api.together.xyz': GEN_AI_PROVIDER.together,
  'api.together.ai': GEN_AI_PROVIDER.together,
  'api.fireworks.ai': GEN_AI_PROVIDER.fireworks,
  'api.perplexity.ai': GEN_AI_PROVIDER.perplexity,
});

/** Built-in host suffixes (per-resource and per-region hosts). */
export const DEFAULT_HOST_SUFFIXES: Readonly<Record<string, string>> = Object.freeze({
  '.openai.azure.com': GEN_AI_PROVIDER.azureOpenai,
  '.cognitiveservices.azure.com': GEN_AI_PROVIDER.azureOpenai,
  '-aiplatform.googleapis.com': GEN_AI_PROVIDER.vertexAi,
});
