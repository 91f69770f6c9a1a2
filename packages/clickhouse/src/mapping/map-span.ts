import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_REQUEST_STREAM,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_USAGE_COST_AMOUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_LLM_COST_COST_BILLED,
  ATTR_LLM_COST_COST_CACHE_READ,
  ATTR_LLM_COST_COST_CACHE_WRITE,
  ATTR_LLM_COST_COST_INPUT,
  ATTR_LLM_COST_COST_OUTPUT,
  ATTR_LLM_COST_PRICED_MODEL,
  ATTR_LLM_COST_PRICE_VERSION,
  ATTR_LLM_COST_PRICING_MODE,
  ATTR_LLM_COST_PRICING_STATUS,
  ATTR_LLM_COST_PROVIDER_REPORTED_COST,
  ATTR_LLM_COST_USAGE_SOURCE,
  ATTR_LLM_REQUEST_TYPE,
  ATTR_OPENINFERENCE_MODEL_NAME,
  ATTR_OPENINFERENCE_PROVIDER,
  ATTR_OPENINFERENCE_SYSTEM,
  ATTR_SERVICE_NAME,
  ATTR_AI_MODEL_PROVIDER,
  ATTR_AI_OPERATION_ID,
  ATTR_OPENINFERENCE_SPAN_KIND,
  INSTRUMENTATION_SCOPE_NAME,
  LLM_COST_TAG_PREFIX,
  USAGE_SOURCE,
  type PricingMode,
} from '@llm-cost/semconv';
import { hrTimeToMs, type SpanLike } from '../spans/span-like.js';
import { readCount, readFirstString, readString, readUsd } from './attribute-values.js';
import type { LlmCall, SpanPrice } from './llm-call.js';
import { readAiSdkSpan, readOpenInferenceSpan, type FrameworkReading } from './framework-spans.js';
import { normalizeProviderName } from './provider-names.js';
import { readUsage } from './read-usage.js';

const PROVIDER_KEYS = [ATTR_GEN_AI_PROVIDER_NAME, ATTR_GEN_AI_SYSTEM, ATTR_OPENINFERENCE_PROVIDER, ATTR_OPENINFERENCE_SYSTEM];
const REQUEST_MODEL_KEYS = [ATTR_GEN_AI_REQUEST_MODEL, ATTR_OPENINFERENCE_MODEL_NAME];

/** Operations that describe agents, tools and guardrails rather than a model call; they are never charged. */
const NON_MODEL_OPERATIONS: ReadonlySet<string> = new Set([
  'execute_tool',
  'invoke_agent',
  'create_agent',
  'guardrail.run',
  'guard',
  // OpenLLMetry's LangChain chains (`gen_ai.provider.name = langchain`) and the AI SDK 7's steps: containers of calls.
  'workflow',
  'agent_step',
]);

/** OpenLLMetry's older `llm.request.type` values, as `gen_ai.operation.name` values. */
const LEGACY_REQUEST_TYPES: Readonly<Record<string, string>> = {
  chat: 'chat',
  completion: 'text_completion',
  embedding: 'embeddings',
  rerank: 'rerank',
};

/** Limits on what one span can put into a row (spans reach the collector from outside). */
export const TAG_LIMITS = { maxTags: 64, maxKeyLength: 128, maxValueLength: 1024 } as const;

/**
 * Cheap test run on every exported span: does it name a model provider the way any GenAI instrumentation or AI
 * framework we know does? Non-GenAI spans cost six property reads.
 */
export function isGenAiAttributes(attributes: Readonly<Record<string, unknown>>): boolean {
  return (
    attributes[ATTR_GEN_AI_PROVIDER_NAME] !== undefined ||
    attributes[ATTR_GEN_AI_SYSTEM] !== undefined ||
    attributes[ATTR_OPENINFERENCE_PROVIDER] !== undefined ||
    attributes[ATTR_OPENINFERENCE_SYSTEM] !== undefined ||
    attributes[ATTR_AI_MODEL_PROVIDER] !== undefined ||
    attributes[ATTR_OPENINFERENCE_SPAN_KIND] !== undefined
  );
}

export interface MapSpanOptions {
  /** Tenant that wins over the span's own `tenant_id` tag (the collector's token tenant). */
  tenantId?: string;
}

/**
 * Reads one span into an {@link LlmCall}, or undefined when it does not describe a model call (no provider, an
 * agent or tool span, or no model and no usage). Accepts spans of `@llm-cost/instrumentation` (including
 * `trackLlmCall`), `@opentelemetry/instrumentation-openai`, OpenLLMetry (LangChain included), OpenInference and the
 * Vercel AI SDK (see `framework-spans.ts`).
 */
export function mapSpan(span: SpanLike, options: MapSpanOptions = {}): LlmCall | undefined {
  const attributes = span.attributes;
  // An AI SDK span's `gen_ai.system` is the SDK's provider id (`openai.responses`), read with the rest of its `ai.*`.
  let framework: FrameworkReading | undefined =
    attributes[ATTR_AI_OPERATION_ID] !== undefined ? readAiSdkSpan(attributes) : undefined;
  const providerName = framework === undefined ? readFirstString(attributes, PROVIDER_KEYS) : undefined;
  if (framework === undefined && providerName === undefined) {
    framework = readOpenInferenceSpan(attributes);
    if (framework === undefined) return undefined;
  }
  const operation = framework?.operation ?? readOperation(attributes);
  if (NON_MODEL_OPERATIONS.has(operation)) return undefined;

  const provider = framework?.provider ?? normalizeProviderName(providerName!);
  const scopeName = span.scope?.name ?? '';
  const isOurs = scopeName === INSTRUMENTATION_SCOPE_NAME;
  const requestModel = readFirstString(attributes, REQUEST_MODEL_KEYS) ?? framework?.requestModel ?? '';
  const responseModel = readString(attributes, ATTR_GEN_AI_RESPONSE_MODEL) ?? framework?.responseModel ?? '';
  const { usage, completeness } = readUsage(attributes, provider, scopeName, isOurs);
  if (usage === undefined && requestModel === '' && responseModel === '') return undefined;

  const startMs = hrTimeToMs(span.startTime);
  const endMs = hrTimeToMs(span.endTime);
  const tags = readTags(attributes);
  if (options.tenantId !== undefined) tags.tenant_id = options.tenantId;
  return {
    traceId: span.traceId,
    spanId: span.spanId,
    parentSpanId: span.parentSpanId ?? '',
    timestampMs: startMs,
    latencyMs: Math.max(0, endMs - startMs),
    serviceName: readString(span.resource?.attributes ?? {}, ATTR_SERVICE_NAME) ?? '',
    provider,
    operation,
    requestModel,
    responseModel,
    responseId: readString(attributes, ATTR_GEN_AI_RESPONSE_ID) ?? framework?.responseId ?? '',
    usage,
    usageSource: readUsageSource(attributes, isOurs, usage !== undefined),
    stream: attributes[ATTR_GEN_AI_REQUEST_STREAM] === true || framework?.stream === true,
    httpStatus: readCount(attributes, ATTR_HTTP_RESPONSE_STATUS_CODE) ?? 0,
    errorType: readString(attributes, ATTR_ERROR_TYPE) ?? (span.status?.code === 2 ? '_OTHER' : ''),
    tags,
    tenantOverridden: options.tenantId !== undefined,
    instrumentation: scopeName,
    isOurs,
    providerReportedCost: readUsd(attributes, ATTR_LLM_COST_PROVIDER_REPORTED_COST),
    pricingMode: readPricingMode(attributes),
    spanPrice: readSpanPrice(attributes),
    completeness: completeness + (isOurs ? 0.5 : 0),
  };
}

function readOperation(attributes: Readonly<Record<string, unknown>>): string {
  const operation = readString(attributes, ATTR_GEN_AI_OPERATION_NAME);
  if (operation !== undefined) return operation;
  const legacy = readString(attributes, ATTR_LLM_REQUEST_TYPE);
  return legacy === undefined ? '' : (LEGACY_REQUEST_TYPES[legacy] ?? legacy);
}

function readUsageSource(attributes: Readonly<Record<string, unknown>>, isOurs: boolean, known: boolean): string {
  const source = isOurs ? readString(attributes, ATTR_LLM_COST_USAGE_SOURCE) : undefined;
  if (source !== undefined && (known || source === USAGE_SOURCE.unknown)) return source;
  return known ? USAGE_SOURCE.response : USAGE_SOURCE.unknown;
}

/** Tag names by attribute key: the same few keys come in every span, so the name is sliced once. Bounded. */
const tagNames = new Map<string, string>();
/** One character of the prefix, compared first: it rules out almost every other key without a string compare. */
const PREFIX_PROBE = LLM_COST_TAG_PREFIX.indexOf('t');
const PREFIX_PROBE_CODE = LLM_COST_TAG_PREFIX.charCodeAt(PREFIX_PROBE);

function tagName(key: string): string {
  let name = tagNames.get(key);
  if (name === undefined) {
    name = key.slice(LLM_COST_TAG_PREFIX.length);
    if (tagNames.size < 1024) tagNames.set(key, name);
  }
  return name;
}

function readTags(attributes: Readonly<Record<string, unknown>>): Record<string, string> {
  const tags: Record<string, string> = {};
  let count = 0;
  for (const key in attributes) {
    if (key.charCodeAt(PREFIX_PROBE) !== PREFIX_PROBE_CODE || !key.startsWith(LLM_COST_TAG_PREFIX)) continue;
    const name = tagName(key);
    if (name === '' || name.length > TAG_LIMITS.maxKeyLength) continue;
    const value = readString(attributes, key, TAG_LIMITS.maxValueLength);
    if (value === undefined) continue;
    tags[name] = value;
    if (++count >= TAG_LIMITS.maxTags) break;
  }
  return tags;
}

const PRICING_MODES: ReadonlySet<string> = new Set(['standard', 'batch', 'flex', 'priority']);

function readPricingMode(attributes: Readonly<Record<string, unknown>>): PricingMode | undefined {
  const mode = readString(attributes, ATTR_LLM_COST_PRICING_MODE);
  if (mode !== undefined && PRICING_MODES.has(mode)) return mode as PricingMode;
  // OpenAI reports the tier that served the request; flex and priority are priced differently.
  const tier = readString(attributes, ATTR_GEN_AI_OPENAI_RESPONSE_SERVICE_TIER);
  return tier === 'flex' || tier === 'priority' ? tier : undefined;
}

function readSpanPrice(attributes: Readonly<Record<string, unknown>>): SpanPrice | undefined {
  const priceVersion = readString(attributes, ATTR_LLM_COST_PRICE_VERSION);
  const status = readString(attributes, ATTR_LLM_COST_PRICING_STATUS);
  if (priceVersion === undefined || status === undefined) return undefined;
  const price: SpanPrice = {
    priceVersion,
    status,
    pricedModel: readString(attributes, ATTR_LLM_COST_PRICED_MODEL) ?? '',
    inputCost: readUsd(attributes, ATTR_LLM_COST_COST_INPUT) ?? null,
    cacheReadCost: readUsd(attributes, ATTR_LLM_COST_COST_CACHE_READ) ?? null,
    cacheWriteCost: readUsd(attributes, ATTR_LLM_COST_COST_CACHE_WRITE) ?? null,
    outputCost: readUsd(attributes, ATTR_LLM_COST_COST_OUTPUT) ?? null,
    totalCost: readUsd(attributes, ATTR_GEN_AI_USAGE_COST_AMOUNT) ?? null,
    billedCost: readUsd(attributes, ATTR_LLM_COST_COST_BILLED) ?? null,
  };
  // A priced span must carry every part; otherwise the exporter prices the call itself.
  const complete =
    status === 'unknown_model' ||
    (price.inputCost !== null &&
      price.cacheReadCost !== null &&
      price.cacheWriteCost !== null &&
      price.outputCost !== null &&
      price.totalCost !== null &&
      price.billedCost !== null);
  return complete ? price : undefined;
}
