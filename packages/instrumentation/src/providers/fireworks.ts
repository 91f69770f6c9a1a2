/** Fireworks AI (api.fireworks.ai/inference/v1): the OpenAI shape. */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { openAiCompatibleProvider } from './openai-compatible.js';

export const fireworksProvider = openAiCompatibleProvider({ name: GEN_AI_PROVIDER.fireworks });
