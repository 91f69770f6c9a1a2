// An ESM application: `import` of the built @llm-cost/instrumentation, the real SDKs and OpenTelemetry.
// Env: PROVIDER_URLS (JSON), OTEL_SETUP (own | sdk-node | otel3), OPENAI_MODULE, GENAI_MODULE.
import { registerLlmCostInstrumentation, withTags } from '@llm-cost/instrumentation';
import scenarios from './scenarios.cjs';
import { setupTracing } from './tracing.mjs';

const urls = JSON.parse(process.env.PROVIDER_URLS);
const tracing = await setupTracing(process.env.OTEL_SETUP ?? 'own');
const handle = registerLlmCostInstrumentation({
  ...tracing.options,
  hosts: {
    [new URL(urls.openai).host]: 'openai',
    [new URL(urls.anthropic).host]: 'anthropic',
    [new URL(urls.gemini).host]: 'gemini',
  },
});
// SDK modules are loaded after registration, as the README recommends; clients are created after it too.
const { default: OpenAI } = await import(process.env.OPENAI_MODULE ?? 'openai');
const { default: Anthropic } = await import('@anthropic-ai/sdk');
const { GoogleGenAI } = await import(process.env.GENAI_MODULE ?? '@google/genai');
const results = await tracing.withAppSpan(() =>
  scenarios.runScenarios({ OpenAI, Anthropic, GoogleGenAI, withTags, urls }),
);
await handle.forceFlush();
await tracing.flush();
process.stdout.write(JSON.stringify({ results, spans: scenarios.serializeSpans(tracing.spans()) }));
await handle.shutdown();
await tracing.shutdown();
