import { context, SpanKind, trace } from '@opentelemetry/api';
import { ExportResultCode } from '@opentelemetry/core';
import { createPricer } from '@llm-cost/pricing';
import { BatchSpanProcessor as BatchSpanProcessor3, TracerProvider as TracerProvider3 } from 'otel-sdk-trace-3';
import { afterAll, describe, expect, it } from 'vitest';

import { ClickHouseCostExporter } from '../src/exporter.js';
import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  ATTR_LLM_COST_USAGE_SOURCE,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/semconv';
import { queryRows, totalsPerTable } from './support/rows.js';
import { testStorePath, uniqueDatabase } from './support/store.js';
import { createTestTracing, recordSpan } from './support/tracing.js';

const path = testStorePath();
const DAY = Date.UTC(2026, 0, 15, 10, 0, 0);
const pricer = createPricer();

function tags(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [`${LLM_COST_TAG_PREFIX}${key}`, value]));
}

function chat(model: string, input: number | undefined, output: number | undefined, extra: Record<string, string | number> = {}) {
  return {
    [ATTR_GEN_AI_PROVIDER_NAME]: model.startsWith('claude') ? 'anthropic' : 'openai',
    [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
    [ATTR_GEN_AI_REQUEST_MODEL]: model,
    [ATTR_GEN_AI_RESPONSE_MODEL]: model,
    [ATTR_LLM_COST_USAGE_SOURCE]: input === undefined ? 'unknown' : 'response',
    ...(input === undefined ? {} : { [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: input }),
    ...(output === undefined ? {} : { [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: output }),
    ...extra,
  };
}

describe('ClickHouseCostExporter', () => {
  const database = uniqueDatabase('rollups');
  const exporter = new ClickHouseCostExporter({ path, database, pricer });
  const tracing = createTestTracing(exporter);
  afterAll(async () => {
    await tracing.shutdown();
  });

  it('writes priced rows and rollups that match hand-computed costs exactly', async () => {
    // gpt-4o-mini: $0.15 / M input, $0.075 / M cached input, $0.60 / M output.
    // 125 uncached, 1024 cached, 353 output: 0.00001875 + 0.0000768 + 0.0002118 = 0.00030735
    recordSpan(tracing.ours, 'chat gpt-4o-mini', {
      ...chat('gpt-4o-mini', 1149, 353, {
        [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 1024,
        [ATTR_GEN_AI_RESPONSE_ID]: 'chatcmpl-a',
      }),
      ...tags({ user_id: 'u1', tenant_id: 'acme', feature: 'search', team: 'core' }),
    }, DAY);
    // 1000 input, 500 output: 0.00015 + 0.0003 = 0.00045
    recordSpan(tracing.ours, 'chat gpt-4o-mini', {
      ...chat('gpt-4o-mini', 1000, 500),
      ...tags({ user_id: 'u2', tenant_id: 'acme', feature: 'chat' }),
    }, DAY + 1000);
    // claude-3-5-sonnet: $3 / M input, $0.30 / M cache read, $15 / M output.
    // 4 uncached + 1163 cached, 202 output: 0.000012 + 0.0003489 + 0.00303 = 0.0033909
    recordSpan(tracing.ours, 'chat claude-3-5-sonnet-20240620', {
      ...chat('claude-3-5-sonnet-20240620', 1167, 202, { [ATTR_GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS]: 1163 }),
      ...tags({ user_id: 'u1', tenant_id: 'globex', feature: 'search' }),
    }, DAY + 2000);
    // A model without a price: stored with NULL costs, counted as unpriced, never as zero.
    recordSpan(tracing.ours, 'chat my-finetune', {
      ...chat('my-finetune-xyz', 10, 10),
      ...tags({ user_id: 'u2' }),
    }, DAY + 3000);
    // No usage reported (a stream without include_usage).
    recordSpan(tracing.ours, 'chat gpt-4o-mini', chat('gpt-4o-mini', undefined, undefined), DAY + 4000);
    // Not a GenAI span: ignored.
    recordSpan(tracing.tracer('app'), 'GET /search', { 'http.route': '/search' }, DAY);

    await tracing.flush();
    await exporter.forceFlush();

    const client = exporter.pipeline.store.client;
    const rows = await queryRows<Record<string, unknown>>(
      client,
      `SELECT user_id, response_model, pricing_status, toString(total_cost) AS total, toString(input_cost) AS input,
              toString(cache_read_cost) AS cache_read, usage_source, tags, tenant_id, feature, service_name
       FROM \`${database}\`.llm_calls ORDER BY timestamp`,
    );
    expect(rows.map((row) => [row.user_id, row.pricing_status, row.total])).toEqual([
      ['u1', 'priced', '0.00030735'],
      ['u2', 'priced', '0.00045'],
      ['u1', 'priced', '0.0033909'],
      ['u2', 'unknown_model', null],
      ['', 'unknown_usage', null],
    ]);
    expect(rows[0]).toMatchObject({
      input: '0.00001875',
      cache_read: '0.0000768',
      tenant_id: 'acme',
      feature: 'search',
      service_name: 'test-service',
      tags: { user_id: 'u1', tenant_id: 'acme', feature: 'search', team: 'core' },
    });

    const byUser = await queryRows<{ user_id: string; calls: string; unpriced: string; cost: string }>(
      client,
      `SELECT user_id, toString(sum(calls)) AS calls, toString(sum(unpriced_calls)) AS unpriced,
              toDecimalString(sum(total_cost), 9) AS cost
       FROM \`${database}\`.llm_daily_by_user GROUP BY user_id ORDER BY user_id`,
    );
    expect(byUser).toEqual([
      { user_id: '', calls: '1', unpriced: '0', cost: '0.000000000' },
      { user_id: 'u1', calls: '2', unpriced: '0', cost: '0.003698250' },
      { user_id: 'u2', calls: '2', unpriced: '1', cost: '0.000450000' },
    ]);
    const byTag = await queryRows<{ tag_key: string; tag_value: string; calls: string; cost: string }>(
      client,
      `SELECT tag_key, tag_value, toString(sum(calls)) AS calls, toDecimalString(sum(total_cost), 9) AS cost
       FROM \`${database}\`.llm_daily_by_tag WHERE tag_key IN ('feature', 'team') GROUP BY tag_key, tag_value ORDER BY tag_key, tag_value`,
    );
    expect(byTag).toEqual([
      { tag_key: 'feature', tag_value: 'chat', calls: '1', cost: '0.000450000' },
      { tag_key: 'feature', tag_value: 'search', calls: '2', cost: '0.003698250' },
      { tag_key: 'team', tag_value: 'core', calls: '1', cost: '0.000307350' },
    ]);
    const totals = await totalsPerTable(client, database);
    for (const table of Object.values(totals)) expect(table).toEqual({ calls: 5, cost: '0.004148250', input: 3326 });

    const stats = exporter.stats();
    expect(stats).toMatchObject({ received: 6, accepted: 5, priced: 3, unpriced: 2, written: 5, queueDepth: 0, rejected: 0 });
  });

  it('reads spans of the OpenTelemetry JS 3.x SDK (parentSpanContext, instrumentationScope)', async () => {
    const database3 = uniqueDatabase('sdk3');
    const exporter3 = new ClickHouseCostExporter({ path, database: database3, pricer });
    const provider = new TracerProvider3({ spanProcessors: [new BatchSpanProcessor3({ exporter: exporter3 })] });
    const tracer = provider.getTracer('@llm-cost/instrumentation');
    const app = provider.getTracer('app').startSpan('request');
    const llm = tracer.startSpan(
      'chat gpt-4o-mini',
      { kind: SpanKind.CLIENT, attributes: { ...chat('gpt-4o-mini', 1000, 500), ...tags({ user_id: 'u3x' }) }, startTime: DAY },
      trace.setSpan(context.active(), app),
    );
    llm.end(DAY + 100);
    app.end(DAY + 200);
    await provider.forceFlush();
    await exporter3.forceFlush();
    const rows = await queryRows<Record<string, unknown>>(
      exporter3.pipeline.store.client,
      `SELECT user_id, toString(total_cost) AS cost, instrumentation FROM \`${database3}\`.llm_calls`,
    );
    expect(rows).toEqual([{ user_id: 'u3x', cost: '0.00045', instrumentation: '@llm-cost/instrumentation' }]);
    await provider.shutdown();
  });

  it('reads 1.x-shaped spans (parentSpanId, instrumentationLibrary) and skips non-GenAI spans', async () => {
    const database1 = uniqueDatabase('sdk1');
    const exporter1 = new ClickHouseCostExporter({ path, database: database1, pricer });
    const base = {
      kind: 2,
      startTime: [Math.floor(DAY / 1000), 0] as [number, number],
      endTime: [Math.floor(DAY / 1000) + 1, 0] as [number, number],
      status: { code: 0 },
      resource: { attributes: { 'service.name': 'legacy' } },
      instrumentationLibrary: { name: '@llm-cost/instrumentation' },
    };
    const spans = [
      {
        ...base,
        name: 'chat gpt-4o-mini',
        spanContext: () => ({ traceId: 'c'.repeat(32), spanId: '1'.repeat(16), traceFlags: 1 }),
        parentSpanId: '2'.repeat(16),
        attributes: { ...chat('gpt-4o-mini', 1000, 500), ...tags({ user_id: 'u1x' }) },
      },
      { ...base, name: 'GET /', spanContext: () => ({ traceId: 'c'.repeat(32), spanId: '2'.repeat(16), traceFlags: 1 }), attributes: {} },
    ];
    const results: number[] = [];
    exporter1.export(spans, (result) => results.push(result.code));
    expect(results).toEqual([ExportResultCode.SUCCESS]);
    await exporter1.shutdown();
    expect(exporter1.stats()).toMatchObject({ received: 2, accepted: 1, written: 1 });
    exporter1.export(spans, (result) => results.push(result.code));
    expect(results).toEqual([ExportResultCode.SUCCESS, ExportResultCode.FAILED]);
  });
});
