// The llm-cost quickstart: an app that registers the instrumentation, serves a few users through withTags, calls
// OpenAI, Anthropic, Gemini and OpenRouter through their real SDKs, and prints a cost report read from the daily
// rollups of the embedded ClickHouse store (./.llm-cost/clickhouse).
//
// With OPENAI_API_KEY / ANTHROPIC_API_KEY / GEMINI_API_KEY / OPENROUTER_API_KEY set, those providers are called for
// real. Without a key, that provider is answered by a local replay server (./replay-server.mjs).
import { randomUUID } from 'node:crypto';

import { registerLlmCostInstrumentation, withTags } from '@llm-cost/instrumentation';
import { createUsageQueries } from '@llm-cost/clickhouse';
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { GoogleGenAI } from '@google/genai';

import { startReplayServers } from './replay-server.mjs';
import { printReport } from './report.mjs';
import { users } from './users.mjs';

const keys = {
  openai: process.env.OPENAI_API_KEY,
  anthropic: process.env.ANTHROPIC_API_KEY,
  gemini: process.env.GEMINI_API_KEY ?? process.env.GOOGLE_API_KEY,
  openrouter: process.env.OPENROUTER_API_KEY,
};
const replayed = Object.keys(keys).filter((provider) => !keys[provider]);

const replay = replayed.length > 0 ? await startReplayServers() : undefined;
if (replay) {
  console.log(
    `No API key for ${replayed.join(', ')}: answering those calls from a local replay server ` +
      `(set ${replayed.map((p) => `${p.toUpperCase()}_API_KEY`).join(' / ')} to call the real providers).\n`,
  );
}
const local = (provider) => (keys[provider] ? undefined : replay.origins[provider]);

// The replay listeners are plain 127.0.0.1 ports: tell the instrumentation which provider each one stands for.
const hosts = Object.fromEntries(replayed.map((provider) => [new URL(replay.origins[provider]).host, provider]));

// One call at startup. No exporter is configured here, so the instrumentation uses @llm-cost/clickhouse's exporter
// on the embedded store (OTEL_EXPORTER_OTLP_ENDPOINT would send the spans to a collector instead).
const instrumentation = registerLlmCostInstrumentation({ serviceName: 'quickstart', hosts });

const clients = {
  openai: new OpenAI({ apiKey: keys.openai ?? 'replay', baseURL: local('openai') && `${local('openai')}/v1` }),
  anthropic: new Anthropic({ apiKey: keys.anthropic ?? 'replay', baseURL: local('anthropic') }),
  gemini: new GoogleGenAI({
    apiKey: keys.gemini ?? 'replay',
    ...(local('gemini') ? { httpOptions: { baseUrl: local('gemini') } } : {}),
  }),
  openrouter: new OpenAI({
    apiKey: keys.openrouter ?? 'replay',
    baseURL: `${local('openrouter') ?? 'https://openrouter.ai'}/api/v1`,
  }),
};

// Each user's requests run inside withTags: every span made inside carries user_id, tenant_id and feature.
const runId = randomUUID();
const started = Date.now();
await Promise.all(
  users.map((user) =>
    withTags({ user_id: user.id, tenant_id: user.tenant, feature: user.feature, demo_run: runId }, async () => {
      for (const call of user.calls) await call(clients);
    }),
  ),
);
const callCount = users.reduce((n, user) => n + user.calls.length, 0);
console.log(`Made ${callCount} LLM calls for ${users.length} users in ${Date.now() - started} ms.`);

// Write everything to ClickHouse, then read the report back from the rollups: directly from the embedded store, or,
// when the spans went to a collector (docker-compose.yml), through that collector's query endpoint.
await instrumentation.forceFlush();
const collectorUrl = process.env.LLM_COST_COLLECTOR_URL;
const queries = collectorUrl
  ? (await import('@llm-cost/collector')).createCollectorQueries({
      url: collectorUrl,
      token: process.env.LLM_COST_COLLECTOR_TOKEN,
    })
  : createUsageQueries();
try {
  await printReport(queries, { runId, expectedCalls: callCount });
} finally {
  await queries.close?.();
  await instrumentation.shutdown();
  await replay?.close();
}
