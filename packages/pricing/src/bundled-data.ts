/**
 * The price data bundled in `@pydantic/genai-prices`, read synchronously.
 *
 * The engine does not export its data array; `findProvider({ providerId })` returns each active provider object.
 * We read them by id at import time, before anything in the process could call the engine's global
 * `updatePrices()`, so "bundled" means the data of the pinned engine version. The id list is checked against the
 * engine's full list in the tests (`waitForUpdate()` resolves to it), so an engine upgrade that adds a provider
 * fails the build instead of silently dropping it.
 */
import { findProvider } from '@pydantic/genai-prices';

/** The engine version whose data is bundled; part of every `priceVersion` computed from it. */
export const ENGINE_VERSION = '0.1.8';

/** Every provider id in the data bundled with the engine version above, in the engine's order. */
export const BUNDLED_PROVIDER_IDS: readonly string[] = [
  'anthropic',
  'arcee',
  'avian',
  'aws',
  'azure',
  'baseten',
  'cerebras',
  'cloudflare',
  'cohere',
  'cursor',
  'deepseek',
  'doubleword',
  'fireworks',
  'github-copilot',
  'google',
  'groq',
  'huggingface_cerebras',
  'huggingface_fireworks-ai',
  'huggingface_groq',
  'huggingface_hyperbolic',
  'huggingface_nebius',
  'huggingface_novita',
  'huggingface_nscale',
  'huggingface_ovhcloud',
  'huggingface_publicai',
  'huggingface_sambanova',
  'huggingface_together',
  'minimax',
  'mistral',
  'modal',
  'moonshotai',
  'novita',
  'openai',
  'openrouter',
  'ovhcloud',
  'perplexity',
  'quicksilverpro',
  'together',
  'typesafe',
  'voyageai',
  'x-ai',
  'zai',
  'zhipuai',
];

function readBundled(): unknown[] {
  const providers: unknown[] = [];
  for (const id of BUNDLED_PROVIDER_IDS) {
    const provider = findProvider({ providerId: id });
    // findProvider falls back to `provider_match`: only an exact id is the provider we asked for.
    if (provider && provider.id === id) providers.push(provider);
  }
  return providers;
}

/** The bundled providers, as read at import time. */
export const BUNDLED_PROVIDERS: readonly unknown[] = readBundled();
