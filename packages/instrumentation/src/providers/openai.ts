/** OpenAI (api.openai.com): chat completions, Responses, legacy completions, embeddings. */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { openAiCompatibleProvider } from './openai-compatible.js';

export { normalizeOpenAiUsage } from './openai-compatible.js';

export const openaiProvider = openAiCompatibleProvider({ name: GEN_AI_PROVIDER.openai });
