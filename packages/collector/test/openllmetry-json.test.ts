import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { priceUsage } from '@llm-cost/pricing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { TOKENS, startTestCollector, waitFor, type CollectorFixture } from './helpers/collector-fixture.js';
import { createOtlpExporter, exportSpans } from './helpers/otel-spans.js';
import { sdkGenAiSpans } from './helpers/sdk-genai-spans.js';

interface JsonSpan {
  startTimeUnixNano: string;
  endTimeUnixNano: string;
}

/**
 * The OTLP JSON a Python service instrumented with OpenLLMetry (`opentelemetry-instrumentation-openai`, traceloop)
 * sends: a FastAPI server span and the OpenAI chat span below it, with OpenLLMetry's attribute names (`gen_ai.system`
 * "OpenAI", `llm.request.type`, `gen_ai.usage.prompt_tokens`, ...) and, since OpenLLMetry logs content by default,
 * the prompt and completion text. Timestamps are moved to now, keeping their offsets.
 */
function pythonExport(): string {
  const body = JSON.parse(readFileSync(join(__dirname, 'fixtures/openllmetry-python-openai.json'), 'utf8'));
  const base = BigInt('1732000000000000000');
  const now = BigInt(Date.now() - 5_000) * 1_000_000n;
  for (const resource of body.resourceSpans) {
    for (const scope of resource.scopeSpans) {
      for (const span of scope.spans as JsonSpan[]) {
        span.startTimeUnixNano = String(now + BigInt(span.startTimeUnixNano) - base);
        span.endTimeUnixNano = String(now + BigInt(span.endTimeUnixNano) - base);
      }
    }
  }
  return JSON.stringify(body);
}

describe('GenAI spans from another language (OpenLLMetry for Python, OTLP JSON)', () => {
  let fx: CollectorFixture;
  beforeAll(async () => {
    fx = await startTestCollector();
  });
  afterAll(() => fx.close());

  const rows = async (service: string) =>
    (await fx.queries.store.client.query({
      query:
        `SELECT provider, response_model, input_tokens, cache_read_tokens, output_tokens, instrumentation, ` +
        `toDecimalString(assumeNotNull(total_cost), 9) AS cost FROM ${fx.queries.store.database}.llm_calls ` +
        'WHERE service_name = {service:String}',
      query_params: { service },
      format: 'JSONEachRow',
    })).json<Record<string, string | number>>();

  it('prices the Python span exactly as the same call made in Node and as @llm-cost/pricing', async () => {
    const response = await fetch(`${fx.collector.url}/v1/traces`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKENS.acme}` },
      body: pythonExport(),
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});

    const node = sdkGenAiSpans('node-support-bot', [
      { model: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 },
    ]);
    const exporter = createOtlpExporter('protobuf', fx.collector.url, { headers: { Authorization: `Bearer ${TOKENS.acme}` } });
    expect((await exportSpans(exporter, node)).code).toBe(0);
    await exporter.shutdown();

    await waitFor(async () => (await rows('py-support-bot')).length === 1 && (await rows('node-support-bot')).length === 1, 'both rows');
    const [python] = await rows('py-support-bot');
    const [fromNode] = await rows('node-support-bot');
    expect(python).toMatchObject({
      provider: 'openai',
      response_model: 'gpt-4o-mini-2024-07-18',
      instrumentation: 'opentelemetry.instrumentation.openai.v1',
    });
    expect([python!.input_tokens, python!.cache_read_tokens, python!.output_tokens].map(Number)).toEqual([1149, 1024, 353]);
    const expected = priceUsage({
      provider: 'openai',
      model: 'gpt-4o-mini-2024-07-18',
      usage: { inputTokens: 1149, cacheReadTokens: 1024, outputTokens: 353 },
    });
    expect(expected.status).toBe('priced');
    expect(python!.cost).toBe(expected.totalCost);
    expect(fromNode!.cost).toBe(python!.cost);
  });

  it('keeps no prompt or completion text anywhere in the store', async () => {
    await waitFor(async () => (await rows('py-support-bot')).length === 1, 'the Python row');
    const client = fx.queries.store.client;
    const tables = (await (await client.query({
      query: 'SELECT name FROM system.tables WHERE database = {db:String} AND engine NOT LIKE \'%View%\'',
      query_params: { db: fx.queries.store.database },
      format: 'JSONEachRow',
    })).json<{ name: string }>()).map((t) => t.name);
    expect(tables).toContain('llm_calls');
    for (const table of tables) {
      const text = await (await client.query({ query: `SELECT * FROM ${fx.queries.store.database}.${table}`, format: 'TabSeparated' })).text();
      expect(text, table).not.toMatch(/CANARY|order 4411/);
    }
  });
});
