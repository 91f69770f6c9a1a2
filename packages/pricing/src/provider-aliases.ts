/**
 * Provider names as they arrive (OpenTelemetry GenAI `gen_ai.provider.name` values, older `gen_ai.system` values,
 * spellings of other instrumentations) mapped to the price data's provider ids. Names not listed here go through
 * the engine's own lookup (exact id, then the provider's `provider_match` rule), so `google`, `x-ai` or `mistral`
 * work as they are. Some entries exist because the engine's rule would pick the wrong provider: `azure.ai.openai`
 * contains "openai", and `x_ai` is not `xai`.
 * Semconv values: https://opentelemetry.io/docs/specs/semconv/registry/attributes/gen-ai/#gen-ai-provider-name
 */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  openai: 'openai',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  azure_openai: 'azure',
  'azure-openai': 'azure',
  az_ai_openai: 'azure',
  anthropic: 'anthropic',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'gcp.gen_ai': 'google',
  vertex_ai: 'google',
  vertexai: 'google',
  gemini: 'google',
  'aws.bedrock': 'aws',
  bedrock: 'aws',
  x_ai: 'x-ai',
  xai: 'x-ai',
  deepseek: 'deepseek',
  mistral_ai: 'mistral',
  mistralai: 'mistral',
  groq: 'groq',
  openrouter: 'openrouter',
  together: 'together',
  together_ai: 'together',
  togetherai: 'together',
  fireworks: 'fireworks',
  fireworks_ai: 'fireworks',
  perplexity: 'perplexity',
  cohere: 'cohere',
  moonshot: 'moonshotai',
};

/** Providers that route to other vendors and name models `vendor/model` (OpenRouter's own table comes first). */
export const GATEWAY_PROVIDERS: ReadonlySet<string> = new Set(['openrouter']);
