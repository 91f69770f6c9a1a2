/**
 * Groq (api.groq.com/openai/v1): the OpenAI shape; in streams the usage is under `x_groq.usage` of the final chunk.
 */
import { GEN_AI_PROVIDER } from '@llm-cost/semconv';
import { child } from './fields.js';
import { openAiCompatibleProvider } from './openai-compatible.js';

export const groqProvider = openAiCompatibleProvider({
  name: GEN_AI_PROVIDER.groq,
  streamUsage: (chunk) => child(chunk.x_groq, 'usage'),
});
