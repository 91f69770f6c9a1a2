/** Together AI (api.together.xyz / api.together.ai): the OpenAI shape; streams end with usage even without asking. */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { openAiCompatibleProvider } from './openai-compatible.js';

export const togetherProvider = openAiCompatibleProvider({ name: GEN_AI_PROVIDER.together });
