/**
 * A flush that stores, with the wiring most Node applications use: `@opentelemetry/sdk-node`'s `NodeSDK` with
 * `ClickHouseCostExporter` as its trace exporter (NodeSDK puts it behind a BatchSpanProcessor and registers its provider
 * globally), and `registerLlmCostInstrumentation()` sending to that registered provider. Real `openai` SDK calls
 * against a loopback server; the store is queried right after each flush resolves. In a file of its own: NodeSDK
 * registers process-wide globals.
 */
import { trace } from '@opentelemetry/api';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '@llm-cost/instrumentation';
import { createPricer } from '@llm-cost/pricing';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OpenAI } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { fixtureReply, projectFixture, startProviderServer, type ProviderServer } from '../../../test/support/index.js';
import { connectClickHouse } from '../src/connection/connect.js';
import { ClickHouseCostExporter } from '../src/exporter.js';
import { queryRows } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';

const path = testStorePath();
const database = uniqueDatabase('nodesdk');
let server: ProviderServer;
let exporter: ClickHouseCostExporter;
let sdk: NodeSDK;
let instrumentation: LlmCostInstrumentation;

beforeAll(async () => {
  const fixture = projectFixture('openai/chat-completions');
  const body = JSON.parse(fixture.body.toString('utf8')) as Record<string, unknown>;
  let served = 0;
  server = await startProviderServer(() => fixtureReply(fixture, { body: { ...body, id: `chatcmpl-nodesdk-${++served}` } }));
  exporter = new ClickHouseCostExporter({ path, database, pricer: createPricer() });
  sdk = new NodeSDK({ serviceName: 'nodesdk-app', traceExporter: exporter, instrumentations: [] });
  sdk.start();
  instrumentation = registerLlmCostInstrumentation({ hosts: { [server.host]: 'openai' } });
});

afterAll(async () => {
  await instrumentation.shutdown();
  await server.close();
});

async function chats(count: number): Promise<void> {
  const openai = new OpenAI({ apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries: 0 });
  await withTags({ user_id: 'u-nodesdk' }, async () => {
    for (let i = 0; i < count; i++) {
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    }
  });
}

/** A call whose body is read with text(): its span ends on the turn after the application got the answer. */
async function fetchChat(): Promise<void> {
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
  });
  JSON.parse(await response.text());
}

async function rows(client = exporter.pipeline.store.client): Promise<number> {
  const result = await queryRows<{ n: string }>(client, `SELECT toString(count()) AS n FROM \`${database}\`.llm_calls`).catch(() => []);
  return Number(result[0]?.n ?? 0);
}

describe('NodeSDK with ClickHouseCostExporter as its trace exporter', () => {
  it("the registered provider's forceFlush() stores every call", async () => {
    await chats(5);
    expect(exporter.stats().received).toBe(0);
    await (trace.getTracerProvider() as unknown as { getDelegate(): { forceFlush(): Promise<void> } }).getDelegate().forceFlush();
    expect(await rows()).toBe(5);
  });

  it("the instrumentation handle's forceFlush() stores every call", async () => {
    await chats(3);
    await instrumentation.forceFlush();
    expect(await rows()).toBe(8);
  });

  it('sdk.shutdown() stores every call (the last one ending just after it was called), then closes the store', async () => {
    await chats(3);
    await fetchChat();
    await sdk.shutdown();
    expect(exporter.stats()).toMatchObject({ written: 12, queueDepth: 0, lost: 0 });
    // The exporter closed its store: read it through a handle of our own.
    const client = connectClickHouse({ path });
    try {
      expect(await rows(client)).toBe(12);
    } finally {
      await client.close();
    }
  });
});
