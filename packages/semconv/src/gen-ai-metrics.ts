/**
 * OpenTelemetry GenAI client metrics (incubating), as `@llm-cost/instrumentation` records them.
 * Spec: https://github.com/open-telemetry/semantic-conventions/blob/main/docs/gen-ai/gen-ai-metrics.md
 */

/** Histogram, `{token}`: input and output tokens per call, split by {@link ATTR_GEN_AI_TOKEN_TYPE}. */
export const METRIC_GEN_AI_CLIENT_TOKEN_USAGE = 'gen_ai.client.token.usage';
/** Histogram, `s`: how long the call took, from the request to the end of the response. */
export const METRIC_GEN_AI_CLIENT_OPERATION_DURATION = 'gen_ai.client.operation.duration';
/** Histogram, `s`: from the request to the first chunk of a streamed response; streamed calls only. */
export const METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK = 'gen_ai.client.operation.time_to_first_chunk';
/**
 * Counter, `USD`: what the call cost. Not in the conventions yet: named after the open proposal for GenAI cost
 * (open-telemetry/semantic-conventions-genai#443, from #287), whose span attributes are `gen_ai.usage.cost.*` and
 * whose metric is `gen_ai.client.operation.cost`.
 */
export const METRIC_GEN_AI_CLIENT_OPERATION_COST = 'gen_ai.client.operation.cost';

/** `input` or `output` on {@link METRIC_GEN_AI_CLIENT_TOKEN_USAGE}. */
export const ATTR_GEN_AI_TOKEN_TYPE = 'gen_ai.token.type';
export const GEN_AI_TOKEN_TYPE = { input: 'input', output: 'output' } as const;

/** The spec's ExplicitBucketBoundaries for token usage. */
export const GEN_AI_TOKEN_USAGE_BUCKETS: readonly number[] = [
  1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864,
];
/** The spec's ExplicitBucketBoundaries for operation duration (seconds), also used for time to first chunk. */
export const GEN_AI_DURATION_BUCKETS: readonly number[] = [
  0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92,
];
