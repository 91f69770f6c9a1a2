/**
 * Public configuration and result types of `@llm-cost/instrumentation`.
 */
import type { TracerProvider } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type { PricingMode, TokenUsage } from '@llm-cost/semconv';

/** A tag value: strings, finite numbers and booleans (anything else is dropped with one warning). */
export type TagValue = string | number | boolean;

/** Tags attached to the calls made inside a {@link withTags} scope, e.g. `{ user_id: '42', feature: 'chat' }`. */
export type Tags = Record<string, TagValue>;

/** What a budget guard is asked before an LLM request leaves the process. */
export interface BudgetCheckRequest {
  /** `gen_ai.provider.name` of the call, e.g. `openai`, `anthropic`, `gcp.gemini`. */
  provider: string;
  /** Requested model, when the request names one. */
  model?: string;
  /** `gen_ai.operation.name`, e.g. `chat`, `embeddings`, `generate_content`. */
  operation?: string;
  /** The call's merged tags (default tags, then the `withTags` scopes). */
  tags: Tags;
}

/** A budget guard's answer: let the call through, or reject it with `error` before it is sent. */
export type BudgetDecision = { action: 'allow' } | { action: 'block'; error: Error };

/** One finished LLM call, as handed to {@link BudgetGuard.record}. */
export interface RecordedLlmCall {
  provider: string;
  operation?: string;
  requestModel?: string;
  responseModel?: string;
  /** Token usage, or `undefined` when the call did not report it (usage source `unknown`). */
  usage: TokenUsage | undefined;
  tags: Tags;
  /** When the call ended, in milliseconds since the epoch. */
  timestamp: number;
  /** Cost the provider reported (USD decimal string), when it reported one. */
  providerReportedCost?: string;
  /** Pricing mode when it is not the standard one (OpenAI `service_tier` flex/priority, Anthropic batch). */
  pricingMode?: PricingMode;
}

/**
 * Budget hook, implemented by `@llm-cost/clickhouse`'s budgets. `check` runs before every instrumented LLM request
 * (synchronously when it answers synchronously: no added `await`); `record` after every finished call.
 *
 * If `check` throws or rejects, the call proceeds (our failure must not stop the application) and the error is logged
 * once through `diag`. If `record` throws, the error is logged once.
 */
export interface BudgetGuard {
  check(
    request: BudgetCheckRequest,
  ): BudgetDecision | undefined | Promise<BudgetDecision | undefined>;
  record(call: RecordedLlmCall): void;
}

/** Input of a span pricer (the shape of `@llm-cost/pricing`'s `PriceUsageInput`). */
export interface SpanPriceInput {
  provider: string;
  model: string;
  usage: TokenUsage;
  timestamp?: Date | number | string;
  mode?: PricingMode;
  providerReportedCost?: string | number;
  tenant?: string;
}

/** Result of a span pricer (the shape of `@llm-cost/pricing`'s `PriceResult`). */
export interface SpanPriceResult {
  status: 'priced' | 'provider_reported' | 'unknown_model';
  currency: 'USD';
  inputCost: string | null;
  cacheReadCost: string | null;
  cacheWriteCost: string | null;
  outputCost: string | null;
  totalCost: string | null;
  billedCost: string | null;
  priceVersion: string;
  matchedModel: string | null;
  flags: string[];
}

/** Anything with `@llm-cost/pricing`'s `priceUsage` (the module itself, or a pricer from its `createPricer()`). */
export interface SpanPricer {
  priceUsage(input: SpanPriceInput): SpanPriceResult;
}

/** Options of {@link registerLlmCostInstrumentation}. */
export interface LlmCostInstrumentationOptions {
  /**
   * Capture LLM calls. `false` registers the handle without patching `fetch` (turn it on later with `enable()`).
   * Environment: `LLM_COST_ENABLED=false` turns capture off.
   * @default true
   */
  enabled?: boolean;
  /**
   * Where our spans go. Wins over everything else. Without it: the TracerProvider the application registered
   * (e.g. with `@opentelemetry/sdk-node`), else our own provider with {@link spanProcessors} / {@link exporter},
   * else the default exporter (see the README, "Where spans go").
   */
  tracerProvider?: TracerProvider;
  /** Span processors of our own provider (used when the application registered none). */
  spanProcessors?: SpanProcessor[];
  /** Exporter of our own provider, behind a `BatchSpanProcessor` (used when the application registered none). */
  exporter?: SpanExporter;
  /**
   * `service.name` of our own provider's resource.
   * Environment: `OTEL_SERVICE_NAME`.
   * @default 'unknown_service:node'
   */
  serviceName?: string;
  /**
   * Extra hosts to capture, or overrides of the built-in ones: host (optionally `host:port`) to provider name.
   * A known name or alias (`openai`, `anthropic`, `gemini`, `openrouter`, `xai`, `azure`, `mistral`, ...) parses the
   * calls as that provider; any other name is an OpenAI-compatible provider of that name. `false` stops capturing
   * a built-in host. Example: `{ '127.0.0.1:4010': 'anthropic', 'llm.internal.example': 'internal_gateway' }`.
   * @default {} (the built-in provider hosts only)
   */
  hosts?: Record<string, string | false>;
  /**
   * Tags added to every call, under the {@link withTags} scopes (scopes win). A function is called once per call;
   * if it throws, the call goes on without its tags and the error is logged once.
   * @default {}
   */
  defaultTags?: Tags | (() => Tags);
  /**
   * Add `stream_options: { include_usage: true }` to OpenAI-compatible streaming chat / completion requests that lack
   * it, so the stream ends with a usage chunk. This changes the request body and adds one final chunk with empty
   * `choices` to the stream the application reads; code that assumes every chunk has `choices[0]` must cope with it.
   * Off by default: without it such streams are recorded with usage source `unknown`.
   * Environment: `LLM_COST_CAPTURE_STREAM_USAGE=true`.
   * @default false
   */
  captureStreamUsage?: boolean;
  /**
   * Most tags on one call; further tags are dropped with one warning.
   * @default 32
   */
  maxTags?: number;
  /**
   * Longest tag key (keys are letters, digits, `_`, `.`, `-` and `:`).
   * @default 64
   */
  maxTagKeyLength?: number;
  /**
   * Longest string tag value; longer values are dropped with one warning (never truncated: a cut id would
   * attribute cost to the wrong user).
   * @default 256
   */
  maxTagValueLength?: number;
  /** Budget hook asked before every LLM request (see {@link BudgetGuard}). @default undefined */
  budgetGuard?: BudgetGuard;
  /**
   * Price each call when its span ends and set `gen_ai.usage.cost.*` and `llm_cost.cost.*` on it, so any tracing
   * backend shows the cost. `true` loads `@llm-cost/pricing` (an optional peer dependency) on first use; or pass a
   * pricer (`createPricer(...)` from `@llm-cost/pricing`).
   * @default false
   */
  priceSpans?: boolean | SpanPricer;
  /**
   * Record the GenAI client metrics of the OpenTelemetry conventions (`gen_ai.client.token.usage`,
   * `gen_ai.client.operation.duration`, `gen_ai.client.operation.time_to_first_chunk` for streams, and with
   * {@link priceSpans} the cost counter `gen_ai.client.operation.cost`) through the globally registered
   * `MeterProvider`. Without one registered nothing is recorded (and nearly nothing is spent).
   * Environment: `LLM_COST_METRICS=false` turns them off.
   * @default true
   */
  metrics?: boolean;
  /**
   * Tags that become metric attributes (`llm_cost.tag.<key>`), e.g. `['feature', 'tenant_id']`. Only listed tags:
   * a per-user or per-request tag would make one time series per value (cardinality explosion in Prometheus,
   * Mimir or Datadog). Spans carry every tag regardless.
   * @default [] (no tags on metrics)
   */
  metricTags?: string[];
  /**
   * Replace `globalThis.fetch`. With `false`, only fetch functions passed through {@link wrapFetch} are captured.
   * @default true
   */
  patchGlobalFetch?: boolean;
  /**
   * Capture calls made with `node:http` / `node:https` (`request`, `get`: node-fetch, axios, got, superagent, openai
   * 4.x, older `@anthropic-ai/sdk`) and `node:http2` client sessions (the AWS SDK v3). `false` leaves those modules
   * untouched.
   * Environment: `LLM_COST_PATCH_NODE_HTTP=false`.
   * @default true
   */
  patchNodeHttp?: boolean;
}

/** Handle returned by {@link registerLlmCostInstrumentation} (the same handle on every call). */
export interface LlmCostInstrumentation {
  /** The provider our spans go to. */
  readonly tracerProvider: TracerProvider;
  /** Whether calls are being captured. */
  readonly enabled: boolean;
  /** Capture again after {@link disable} (patches the global fetch again). */
  enable(): void;
  /** Stop capturing and restore the original global fetch. Calls in flight finish their spans. */
  disable(): void;
  /** Export every ended span now. */
  forceFlush(): Promise<void>;
  /**
   * Disable, flush, and shut down our own provider (an application's provider is flushed, never shut down).
   * Safe to call twice. A later `registerLlmCostInstrumentation()` starts afresh.
   */
  shutdown(): Promise<void>;
}

/** A call made by a client the instrumentation cannot see (a gateway, a batch replay), for {@link trackLlmCall}. */
export interface TrackLlmCallInput {
  /** Provider name or alias (`openai`, `anthropic`, `gemini`, `x_ai`, ...), as in the `hosts` option. */
  provider: string;
  /** Model requested (also the response model unless {@link responseModel} is given). */
  model: string;
  /** Model the provider answered with, when it differs (dated snapshot, routed model). */
  responseModel?: string;
  /** `gen_ai.operation.name`. @default 'chat' */
  operation?: string;
  /** Token usage; omit it when unknown (the span is marked usage source `unknown`, never zero). */
  usage?: TokenUsage;
  /** Tags of this call, on top of the current scope's (these win). */
  tags?: Tags;
  /** Provider's response id. */
  responseId?: string;
  finishReasons?: string[];
  /** Whether the call streamed. */
  streamed?: boolean;
  /** Cost the provider reported, USD (decimal string or number). */
  providerReportedCost?: string | number;
  pricingMode?: PricingMode;
  /** When the call started and ended (Date or epoch milliseconds). @default now */
  startTime?: Date | number;
  endTime?: Date | number;
  /** `error.type` when the call failed (a status code or an error class name). */
  errorType?: string;
}

/** Options of {@link recordLlmResponse}. */
export interface RecordLlmResponseOptions {
  /** Provider name or alias whose response shape the body has. */
  provider: string;
  tags?: Tags;
  /** Model requested; defaults to the response's model. */
  requestModel?: string;
  /** `gen_ai.operation.name`; inferred from the body when omitted (`chat`, `embeddings`, `generate_content`...). */
  operation?: string;
  startTime?: Date | number;
  endTime?: Date | number;
}
