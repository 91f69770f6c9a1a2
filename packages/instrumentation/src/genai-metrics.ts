/**
 * GenAI client metrics per the OpenTelemetry conventions (gen-ai-metrics.md): `gen_ai.client.token.usage`,
 * `gen_ai.client.operation.duration`, `gen_ai.client.operation.time_to_first_chunk` (streamed calls), and, when spans
 * are priced, the proposed cost counter `gen_ai.client.operation.cost` (USD). Recorded through the globally registered
 * MeterProvider, as the contrib instrumentations do.
 *
 * The per-call path stays cheap: without a MeterProvider (the API's no-op one) a call costs one read of the global
 * provider and one comparison, and allocates nothing. The instruments are made once per provider (a provider
 * registered later is picked up at the next call). With one, a call builds one attribute object and one per token
 * type (the SDK keeps the object of a new series as its key, so one object cannot be reused for two series).
 */
import { createNoopMeter, metrics, type Attributes, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
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
  GEN_AI_TOKEN_TYPE,
  GEN_AI_TOKEN_USAGE_BUCKETS,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
  METRIC_GEN_AI_CLIENT_OPERATION_COST,
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
  type TokenUsage,
} from '@llm-cost/semconv';
import { errorOnce } from './diag-once.js';
import type { TagValue } from './types.js';
import { VERSION } from './version.js';

interface Instruments {
  tokenUsage: Histogram;
  duration: Histogram;
  timeToFirstChunk: Histogram;
  cost: Counter;
}

/** What one finished call tells the metrics. */
export interface CallMeasurement {
  provider: string;
  operation: string;
  requestModel: string | undefined;
  responseModel: string | undefined;
  /** `server.address` / `server.port` of the endpoint (shared start attributes of the span). */
  endpoint: Readonly<Attributes> | undefined;
  errorType: string | undefined;
  usage: TokenUsage | undefined;
  durationS: number;
  /** Streamed calls only: seconds from the request to the first chunk. */
  timeToFirstChunkS: number | undefined;
  /** With `priceSpans`: the call's cost in USD and its pricing status (`unknown_model` has no cost). */
  costUsd: number | undefined;
  pricingStatus: string | undefined;
  /** The call's merged tags; only those listed in `metricTags` become attributes. */
  tags: Readonly<Record<string, TagValue>> | undefined;
}

/** The no-op meter's class: a meter of it means no MeterProvider is registered. */
const NoopMeter = createNoopMeter().constructor;

export class GenAiMetrics {
  private provider: MeterProvider | undefined;
  private instruments: Instruments | undefined;
  /** `[tag, attribute name]` of each tag listed in `metricTags`. */
  private readonly tagAttributes: ReadonlyArray<readonly [string, string]>;

  constructor(metricTags: readonly string[]) {
    this.tagAttributes = metricTags.map((tag) => [tag, `${LLM_COST_TAG_PREFIX}${tag}`] as const);
  }

  /** The instruments of the registered MeterProvider, or undefined when none (or only the no-op one) is registered. */
  private current(): Instruments | undefined {
    const provider = metrics.getMeterProvider();
    if (provider !== this.provider) {
      this.provider = provider;
      this.instruments = undefined;
      const meter = provider.getMeter(INSTRUMENTATION_SCOPE_NAME, VERSION);
      if (!(meter instanceof NoopMeter)) this.instruments = createInstruments(meter);
    }
    return this.instruments;
  }

  /** Whether `metricTags` lists any tag (the call's merged tags are only computed then). */
  get wantsTags(): boolean {
    return this.tagAttributes.length > 0;
  }

  /** True when a MeterProvider is registered: only then is a call's measurement worth building. Never throws. */
  active(): boolean {
    try {
      return this.current() !== undefined;
    } catch (error) {
      errorOnce('metrics:provider', 'could not get a meter from the registered MeterProvider', error);
      return false;
    }
  }

  /** Records one call (after {@link active} said yes). Never throws. */
  record(call: CallMeasurement): void {
    try {
      const instruments = this.instruments;
      if (instruments === undefined) return;
      const attributes = this.attributesOf(call);
      instruments.duration.record(call.durationS, attributes);
      if (call.timeToFirstChunkS !== undefined) instruments.timeToFirstChunk.record(call.timeToFirstChunkS, attributes);
      const usage = call.usage;
      if (usage !== undefined) {
        instruments.tokenUsage.record(usage.inputTokens, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE.input });
        instruments.tokenUsage.record(usage.outputTokens, { ...attributes, [ATTR_GEN_AI_TOKEN_TYPE]: GEN_AI_TOKEN_TYPE.output });
      }
      if (call.pricingStatus !== undefined) {
        // An unpriced call adds 0 under its status, so a dashboard sees that some spend is unknown.
        const cost = call.costUsd !== undefined && Number.isFinite(call.costUsd) && call.costUsd >= 0 ? call.costUsd : 0;
        instruments.cost.add(cost, { ...attributes, [ATTR_LLM_COST_PRICING_STATUS]: call.pricingStatus });
      }
    } catch (error) {
      errorOnce('metrics:record', 'recording GenAI metrics failed', error);
    }
  }

  /** The spec's attributes (required, conditionally required, recommended) and the tags listed in `metricTags`. */
  private attributesOf(call: CallMeasurement): Attributes {
    const attributes: Attributes = {
      [ATTR_GEN_AI_OPERATION_NAME]: call.operation,
      [ATTR_GEN_AI_PROVIDER_NAME]: call.provider,
    };
    if (call.requestModel !== undefined) attributes[ATTR_GEN_AI_REQUEST_MODEL] = call.requestModel;
    if (call.responseModel !== undefined) attributes[ATTR_GEN_AI_RESPONSE_MODEL] = call.responseModel;
    const endpoint = call.endpoint;
    if (endpoint !== undefined) {
      const address = endpoint[ATTR_SERVER_ADDRESS];
      if (address !== undefined) {
        attributes[ATTR_SERVER_ADDRESS] = address;
        const port = endpoint[ATTR_SERVER_PORT];
        if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
      }
    }
    if (call.errorType !== undefined) attributes[ATTR_ERROR_TYPE] = call.errorType;
    const tags = call.tags;
    if (tags !== undefined) {
      for (const [tag, name] of this.tagAttributes) {
        const value = tags[tag];
        if (value !== undefined) attributes[name] = value;
      }
    }
    return attributes;
  }
}

function createInstruments(meter: ReturnType<MeterProvider['getMeter']>): Instruments {
  return {
    tokenUsage: meter.createHistogram(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, {
      description: 'Number of input and output tokens used.',
      unit: '{token}',
      advice: { explicitBucketBoundaries: [...GEN_AI_TOKEN_USAGE_BUCKETS] },
    }),
    duration: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, {
      description: 'GenAI operation duration.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...GEN_AI_DURATION_BUCKETS] },
    }),
    timeToFirstChunk: meter.createHistogram(METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, {
      description: 'Time to receive the first chunk of a streamed response, from when the request was issued.',
      unit: 's',
      advice: { explicitBucketBoundaries: [...GEN_AI_DURATION_BUCKETS] },
    }),
    cost: meter.createCounter(METRIC_GEN_AI_CLIENT_OPERATION_COST, {
      description: 'What GenAI operations cost, in USD (list price, or what the provider reported).',
      unit: 'USD',
    }),
  };
}
