/**
 * Well-known `gen_ai.provider.name` values (GenAI semconv,
 * https://opentelemetry.io/docs/specs/semconv/registry/attributes/gen-ai/#gen-ai-provider-name), plus ours for
 * providers the conventions do not list yet. One provider is one name on spans and one rollup key in ClickHouse,
 * whichever instrumentation measured the call.
 */
export const GEN_AI_PROVIDER = {
  openai: 'openai',
  azureOpenai: 'azure.ai.openai',
  anthropic: 'anthropic',
  gemini: 'gcp.gemini',
  vertexAi: 'gcp.vertex_ai',
  bedrock: 'aws.bedrock',
  xai: 'x_ai',
  deepseek: 'deepseek',
  mistral: 'mistral_ai',
  groq: 'groq',
  perplexity: 'perplexity',
  cohere: 'cohere',
  // Not (yet) in the conventions:
  openrouter: 'openrouter',
  together: 'together',
  fireworks: 'fireworks',
} as const;
