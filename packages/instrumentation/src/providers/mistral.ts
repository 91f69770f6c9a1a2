/** Mistral (api.mistral.ai): the OpenAI shape; in streams the usage is on the final `finish_reason` chunk. */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { openAiCompatibleProvider } from './openai-compatible.js';

export const mistralProvider = openAiCompatibleProvider({ name: GEN_AI_PROVIDER.mistral });
