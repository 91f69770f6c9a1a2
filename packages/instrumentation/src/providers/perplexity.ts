/** Perplexity (api.perplexity.ai): the OpenAI chat completions shape. */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { openAiCompatibleProvider } from './openai-compatible.js';

export const perplexityProvider = openAiCompatibleProvider({ name: GEN_AI_PROVIDER.perplexity });
