// A CommonJS application: `require` of the built @llm-cost/instrumentation, the real SDKs and OpenTelemetry.
// Env: PROVIDER_URLS (JSON), OTEL_SETUP (own | sdk-node | otel3), OPENAI_MODULE, GENAI_MODULE.
'use strict';
const { registerLlmCostInstrumentation, withTags } = require('@llm-cost/instrumentation');
const scenarios = require('./scenarios.cjs');

async function main() {
  const { setupTracing } = await import('./tracing.mjs');
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
  const OpenAI = require(process.env.OPENAI_MODULE ?? 'openai');
  const Anthropic = require('@anthropic-ai/sdk');
  const { GoogleGenAI } = require(process.env.GENAI_MODULE ?? '@google/genai');
  const results = await tracing.withAppSpan(() =>
    scenarios.runScenarios({
      OpenAI: OpenAI.default ?? OpenAI,
      Anthropic: Anthropic.default ?? Anthropic,
      GoogleGenAI,
      withTags,
      urls,
    }),
  );
  await handle.forceFlush();
  await tracing.flush();
  process.stdout.write(JSON.stringify({ results, spans: scenarios.serializeSpans(tracing.spans()) }));
  await handle.shutdown();
  await tracing.shutdown();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
