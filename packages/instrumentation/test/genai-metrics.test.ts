/**
 * GenAI client metrics (OpenTelemetry GenAI conventions, gen-ai-metrics.md) through the globally registered
 * MeterProvider of the real OpenTelemetry metrics SDK: token usage, operation duration, time to first chunk for
 * streams, the cost counter with priceSpans, metricTags, metrics: false, and nothing at all without a MeterProvider.
 */
import { metrics, type Attributes } from '@opentelemetry/api';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { createPricer } from '@llm-cost/pricing';
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_TOKEN_TYPE,
  ATTR_LLM_COST_PRICING_STATUS,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  GEN_AI_DURATION_BUCKETS,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  LLM_COST_TAG_PREFIX,
  METRIC_GEN_AI_CLIENT_OPERATION_COST,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '@llm-cost/semconv';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

import { createSpanCollector, fixtureReply, projectFixture, readSse } from '../../../test/support/index.js';
import { registerLlmCostInstrumentation, withTags, type LlmCostInstrumentation } from '../src/index.js';
import { startServers } from './helpers.js';

/** A reader the test collects from on demand (cumulative, as Prometheus scrapes). */
class TestReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

interface Point {
  attributes: Attributes;
  value: unknown;
}
type Collected = Map<string, { unit: string; boundaries?: number[]; points: Point[] }>;

let reader: TestReader;
let meterProvider: MeterProvider;
const collector = createSpanCollector();
let env: Awaited<ReturnType<typeof startServers>>;
let handle: LlmCostInstrumentation | undefined;

function registerMeterProvider(): void {
  reader = new TestReader({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  meterProvider = new MeterProvider({ readers: [reader] });
  metrics.setGlobalMeterProvider(meterProvider);
}

async function collect(): Promise<Collected> {
  const { resourceMetrics } = await reader.collect();
  const out: Collected = new Map();
  for (const scope of resourceMetrics.scopeMetrics) {
    for (const metric of scope.metrics) {
      const points = (metric.dataPoints as Array<DataPoint<unknown>>).map((p) => ({ attributes: p.attributes, value: p.value }));
      const first = points[0]?.value as Histogram | undefined;
      out.set(metric.descriptor.name, {
        unit: metric.descriptor.unit,
        ...(first?.buckets !== undefined ? { boundaries: first.buckets.boundaries } : {}),
        points,
      });
    }
  }
  return out;
}

async function call(fixtureId: string, init: { status?: number } = {}): Promise<void> {
  const fixture = projectFixture(fixtureId);
  const server = env.servers.openai!;
  server.route(() => (init.status ? { status: init.status, body: { error: { message: 'down' } } } : fixtureReply(fixture)));
  const stream = fixtureId.endsWith('-stream');
  const response = await fetch(`${server.url}/v1/chat/completions`, {
    method: 'POST',
    body: JSON.stringify({ model: 'gpt-4o-mini', stream, ...(stream ? { stream_options: { include_usage: true } } : {}) }),
  });
  if (stream) await readSse(response.body);
  else await response.text();
  await collector.waitForLlmSpans(1);
  collector.clear();
}

beforeAll(async () => {
  env = await startServers(['openai']);
});
beforeEach(() => registerMeterProvider());
afterEach(async () => {
  await handle?.shutdown();
  handle = undefined;
  await meterProvider.shutdown();
  metrics.disable();
  collector.clear();
});
afterAll(() => env.close());

describe('GenAI client metrics', () => {
  it('records token usage and duration with the spec units, buckets and attributes', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
    await call('openai/chat-completions');
    const collected = await collect();
    const base = {
      [ATTR_GEN_AI_OPERATION_NAME]: 'chat',
      [ATTR_GEN_AI_PROVIDER_NAME]: 'openai',
      [ATTR_GEN_AI_REQUEST_MODEL]: 'gpt-4o-mini',
      [ATTR_GEN_AI_RESPONSE_MODEL]: 'gpt-4o-mini-2024-07-18',
      [ATTR_SERVER_ADDRESS]: '127.0.0.1',
      [ATTR_SERVER_PORT]: env.servers.openai!.port,
    };
    const tokens = collected.get(METRIC_GEN_AI_CLIENT_TOKEN_USAGE)!;
    expect(tokens.unit).toBe('{token}');
    expect(tokens.boundaries).toEqual(GEN_AI_TOKEN_USAGE_BUCKETS);
    expect(tokens.points.map((p) => [p.attributes, (p.value as Histogram).sum, (p.value as Histogram).count])).toEqual([
      [{ ...base, [ATTR_GEN_AI_TOKEN_TYPE]: 'input' }, 1200, 1],
      [{ ...base, [ATTR_GEN_AI_TOKEN_TYPE]: 'output' }, 300, 1],
    ]);
    const duration = collected.get(METRIC_GEN_AI_CLIENT_OPERATION_DURATION)!;
    expect(duration.unit).toBe('s');
    expect(duration.boundaries).toEqual(GEN_AI_DURATION_BUCKETS);
    expect(duration.points).toHaveLength(1);
    expect(duration.points[0]!.attributes).toEqual(base);
    const seconds = (duration.points[0]!.value as Histogram).sum;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThan(10);
    // Not a stream: no time to first chunk; not priced: no cost.
    expect(collected.has(METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK)).toBe(false);
    expect(collected.has(METRIC_GEN_AI_CLIENT_OPERATION_COST)).toBe(false);
  });

  it('records time to first chunk for a stream, no later than its duration', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
    await call('openai/chat-completions-stream');
    const collected = await collect();
    const ttfc = collected.get(METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK)!;
    expect(ttfc.unit).toBe('s');
    expect(ttfc.boundaries).toEqual(GEN_AI_DURATION_BUCKETS);
    expect(ttfc.points).toHaveLength(1);
    const first = (ttfc.points[0]!.value as Histogram).sum;
    const total = (collected.get(METRIC_GEN_AI_CLIENT_OPERATION_DURATION)!.points[0]!.value as Histogram).sum;
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(total!);
    // chatcmpl-fixture-0002: 850 input, 42 output tokens.
    const sums = collected.get(METRIC_GEN_AI_CLIENT_TOKEN_USAGE)!.points.map((p) => (p.value as Histogram).sum);
    expect(sums).toEqual([850, 42]);
  });

  it('marks a failed call with error.type and records no token usage for it', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
    await call('openai/chat-completions', { status: 503 });
    const collected = await collect();
    expect(collected.get(METRIC_GEN_AI_CLIENT_OPERATION_DURATION)!.points[0]!.attributes[ATTR_ERROR_TYPE]).toBe('503');
    expect(collected.has(METRIC_GEN_AI_CLIENT_TOKEN_USAGE)).toBe(false);
  });

  it('with priceSpans counts the cost in USD under its pricing status', async () => {
    const pricer = createPricer();
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, priceSpans: pricer });
    await call('openai/chat-completions');
    await call('openai/chat-completions');
    const cost = (await collect()).get(METRIC_GEN_AI_CLIENT_OPERATION_COST)!;
    expect(cost.unit).toBe('USD');
    const one = Number(
      pricer.priceUsage({
        provider: 'openai',
        model: 'gpt-4o-mini-2024-07-18',
        usage: { inputTokens: 1200, cacheReadTokens: 1024, outputTokens: 300, reasoningTokens: 128 },
      }).totalCost,
    );
    expect(cost.points).toHaveLength(1);
    expect(cost.points[0]!.attributes[ATTR_LLM_COST_PRICING_STATUS]).toBe('priced');
    expect(cost.points[0]!.value).toBeCloseTo(2 * one, 12);
  });

  it('adds only the tags listed in metricTags (cardinality)', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, metricTags: ['feature'] });
    await withTags({ feature: 'search', user_id: 'u-42' }, () => call('openai/chat-completions'));
    const [point] = (await collect()).get(METRIC_GEN_AI_CLIENT_OPERATION_DURATION)!.points;
    expect(point!.attributes[`${LLM_COST_TAG_PREFIX}feature`]).toBe('search');
    expect(Object.keys(point!.attributes).some((key) => key.includes('user_id'))).toBe(false);
  });

  it('records nothing with metrics: false', async () => {
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts, metrics: false });
    await call('openai/chat-completions');
    expect((await collect()).size).toBe(0);
  });

  it('is a no-op without a MeterProvider, and picks one up when it is registered later', async () => {
    metrics.disable();
    handle = registerLlmCostInstrumentation({ tracerProvider: collector.provider, hosts: env.hosts });
    await call('openai/chat-completions');
    registerMeterProvider();
    expect((await collect()).size).toBe(0);
    await call('openai/chat-completions');
    const duration = (await collect()).get(METRIC_GEN_AI_CLIENT_OPERATION_DURATION)!;
    expect((duration.points[0]!.value as Histogram).count).toBe(1);
  });
});
