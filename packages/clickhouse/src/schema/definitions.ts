/**
 * The schema as data: every table and materialized view of llm-cost, described once. The single-node DDL
 * (`render-ddl.ts`) and the cluster DDL (`render-cluster-ddl.ts`) are both generated from these definitions, so the
 * two variants cannot drift apart. Documented in docs/SCHEMA.md.
 *
 * Money: `Decimal(18, 9)` per row (nano-USD, the precision of `@llm-cost/pricing`), `Decimal(38, 9)` in rollups so
 * sums never overflow. A call whose model has no price keeps NULL costs in `llm_calls` (never guessed, never zero)
 * and adds 0 to the rollup cost columns while `unpriced_calls` counts it, so rollup sums stay exact and unpriced
 * calls stay visible.
 */

export interface ColumnDefinition {
  name: string;
  type: string;
  comment: string;
}

export type TableEngine = 'MergeTree' | 'SummingMergeTree';

export interface TableDefinition {
  name: string;
  comment: string;
  columns: readonly ColumnDefinition[];
  engine: TableEngine;
  partitionBy: string;
  orderBy: readonly string[];
  /** Column the retention TTL counts from. */
  ttlColumn: string;
  /** Which retention setting applies: raw rows or rollups. */
  retention: 'raw' | 'rollup';
}

export interface MaterializedViewDefinition {
  name: string;
  /** Rollup table the view writes to. */
  to: string;
  /** Table the view reads from (the raw table). */
  from: string;
  /** `SELECT` list and clauses after `FROM <from>`, with `{from}` standing for the qualified source table. */
  select: string;
}

/**
 * Every table whose rows arrive through an insert (directly or through a materialized view) keeps a window of
 * recent block hashes, so a retried batch with the same `insert_deduplication_token` is dropped by the raw table
 * and by every rollup alike. Replicated tables deduplicate by default; non-replicated MergeTree needs this setting
 * (see /work/shared/CLICKHOUSE-NOTES.md: without it on the rollup, a retry counted twice there).
 */
export const DEDUPLICATION_WINDOW = 10_000;

const COST = 'Decimal(18, 9)';
const SUM_COST = 'Decimal(38, 9)';

export const RAW_TABLE = 'llm_calls';

export const llmCallsTable: TableDefinition = {
  name: RAW_TABLE,
  comment: 'One row per LLM call, priced. Written by the llm-cost exporter and collector.',
  engine: 'MergeTree',
  partitionBy: 'toYYYYMM(timestamp)',
  orderBy: ['toDate(timestamp)', 'provider', 'request_model', 'timestamp'],
  ttlColumn: 'timestamp',
  retention: 'raw',
  columns: [
    { name: 'timestamp', type: "DateTime64(3, 'UTC')", comment: 'Start of the call (UTC)' },
    { name: 'trace_id', type: 'String', comment: 'W3C trace id (hex)' },
    { name: 'span_id', type: 'String', comment: 'Span id of the span that was charged (hex)' },
    { name: 'service_name', type: 'LowCardinality(String)', comment: 'service.name of the resource' },
    { name: 'provider', type: 'LowCardinality(String)', comment: 'gen_ai.provider.name, e.g. openai' },
    { name: 'operation', type: 'LowCardinality(String)', comment: 'gen_ai.operation.name, e.g. chat' },
    { name: 'request_model', type: 'LowCardinality(String)', comment: 'Model the caller asked for' },
    { name: 'response_model', type: 'LowCardinality(String)', comment: 'Model the provider answered with' },
    { name: 'priced_model', type: 'LowCardinality(String)', comment: 'Price table entry used (provider:model)' },
    { name: 'input_tokens', type: 'UInt64', comment: 'All input tokens, cached ones included' },
    { name: 'cache_read_tokens', type: 'UInt64', comment: 'Input tokens read from the prompt cache' },
    { name: 'cache_write_tokens', type: 'UInt64', comment: 'Input tokens written to the prompt cache' },
    { name: 'output_tokens', type: 'UInt64', comment: 'All output tokens, reasoning included' },
    { name: 'reasoning_tokens', type: 'UInt64', comment: 'Reasoning tokens (part of output_tokens)' },
    { name: 'input_cost', type: `Nullable(${COST})`, comment: 'USD for uncached input; NULL when unpriced' },
    { name: 'cache_read_cost', type: `Nullable(${COST})`, comment: 'USD for cache reads; NULL when unpriced' },
    { name: 'cache_write_cost', type: `Nullable(${COST})`, comment: 'USD for cache writes; NULL when unpriced' },
    { name: 'output_cost', type: `Nullable(${COST})`, comment: 'USD for output; NULL when unpriced' },
    { name: 'total_cost', type: `Nullable(${COST})`, comment: 'List cost in USD; NULL when unpriced' },
    { name: 'billed_cost', type: `Nullable(${COST})`, comment: 'Billed cost (tenant markup); NULL when unpriced' },
    { name: 'pricing_status', type: 'LowCardinality(String)', comment: 'priced | provider_reported | unknown_model' },
    { name: 'price_version', type: 'LowCardinality(String)', comment: 'Price data version used' },
    { name: 'usage_source', type: 'LowCardinality(String)', comment: 'response | stream_final | manual | unknown' },
    { name: 'stream', type: 'Bool', comment: 'Streamed response' },
    { name: 'latency_ms', type: 'UInt32', comment: 'Span duration in milliseconds' },
    { name: 'http_status', type: 'UInt16', comment: 'HTTP status of the provider response; 0 when unknown' },
    { name: 'error_type', type: 'LowCardinality(String)', comment: 'error.type; empty on success' },
    { name: 'user_id', type: 'String', comment: 'Tag user_id; empty when untagged' },
    { name: 'tenant_id', type: 'LowCardinality(String)', comment: 'Tag tenant_id (or the collector token tenant)' },
    { name: 'feature', type: 'LowCardinality(String)', comment: 'Tag feature' },
    { name: 'tags', type: 'Map(LowCardinality(String), String)', comment: 'All llm_cost.tag.* attributes' },
    { name: 'provider_response_id', type: 'String', comment: 'gen_ai.response.id' },
    { name: 'instrumentation', type: 'LowCardinality(String)', comment: 'Instrumentation scope of the charged span' },
  ],
};

/** Counters and sums every rollup carries; summed by SummingMergeTree on merge and by `sum()` in every query. */
const ROLLUP_MEASURES: readonly ColumnDefinition[] = [
  { name: 'calls', type: 'UInt64', comment: 'Calls' },
  { name: 'unpriced_calls', type: 'UInt64', comment: 'Calls without a price (costs not included)' },
  { name: 'unknown_usage_calls', type: 'UInt64', comment: 'Calls whose provider reported no usage' },
  { name: 'error_calls', type: 'UInt64', comment: 'Calls that ended with an error' },
  { name: 'input_tokens', type: 'UInt64', comment: 'Sum of input_tokens' },
  { name: 'cache_read_tokens', type: 'UInt64', comment: 'Sum of cache_read_tokens' },
  { name: 'cache_write_tokens', type: 'UInt64', comment: 'Sum of cache_write_tokens' },
  { name: 'output_tokens', type: 'UInt64', comment: 'Sum of output_tokens' },
  { name: 'reasoning_tokens', type: 'UInt64', comment: 'Sum of reasoning_tokens' },
  { name: 'input_cost', type: SUM_COST, comment: 'Sum of input_cost over priced calls' },
  { name: 'cache_read_cost', type: SUM_COST, comment: 'Sum of cache_read_cost over priced calls' },
  { name: 'cache_write_cost', type: SUM_COST, comment: 'Sum of cache_write_cost over priced calls' },
  { name: 'output_cost', type: SUM_COST, comment: 'Sum of output_cost over priced calls' },
  { name: 'total_cost', type: SUM_COST, comment: 'Sum of total_cost over priced calls' },
  { name: 'billed_cost', type: SUM_COST, comment: 'Sum of billed_cost over priced calls' },
];

/** The same measures as `SELECT` expressions over the raw table, in `ROLLUP_MEASURES` order. */
const ROLLUP_MEASURE_SELECT = [
  'count() AS calls',
  "countIf(pricing_status = 'unknown_model') AS unpriced_calls",
  "countIf(usage_source = 'unknown') AS unknown_usage_calls",
  "countIf(error_type != '') AS error_calls",
  'sum(input_tokens) AS input_tokens',
  'sum(cache_read_tokens) AS cache_read_tokens',
  'sum(cache_write_tokens) AS cache_write_tokens',
  'sum(output_tokens) AS output_tokens',
  'sum(reasoning_tokens) AS reasoning_tokens',
  'sum(ifNull(input_cost, 0)) AS input_cost',
  'sum(ifNull(cache_read_cost, 0)) AS cache_read_cost',
  'sum(ifNull(cache_write_cost, 0)) AS cache_write_cost',
  'sum(ifNull(output_cost, 0)) AS output_cost',
  'sum(ifNull(total_cost, 0)) AS total_cost',
  'sum(ifNull(billed_cost, 0)) AS billed_cost',
].join(',\n  ');

/** The model a rollup groups by: what the provider answered with, else what was requested. */
const MODEL_EXPRESSION = "if(response_model != '', response_model, request_model)";

function rollupTable(name: string, comment: string, keys: readonly ColumnDefinition[]): TableDefinition {
  return {
    name,
    comment,
    engine: 'SummingMergeTree',
    partitionBy: 'toYYYYMM(day)',
    orderBy: keys.map((key) => key.name),
    ttlColumn: 'day',
    retention: 'rollup',
    columns: [...keys, ...ROLLUP_MEASURES],
  };
}

const DAY: ColumnDefinition = { name: 'day', type: 'Date', comment: 'UTC day of the call' };
const PROVIDER: ColumnDefinition = { name: 'provider', type: 'LowCardinality(String)', comment: 'Provider' };
const MODEL: ColumnDefinition = {
  name: 'model',
  type: 'LowCardinality(String)',
  comment: 'response_model, else request_model',
};

export const rollupByModelTable = rollupTable('llm_daily_by_model', 'Daily totals by provider, model and service', [
  DAY,
  PROVIDER,
  MODEL,
  { name: 'service_name', type: 'LowCardinality(String)', comment: 'Service' },
]);

export const rollupByUserTable = rollupTable('llm_daily_by_user', 'Daily totals by user, provider and model', [
  DAY,
  { name: 'user_id', type: 'String', comment: 'Tag user_id (empty: untagged)' },
  PROVIDER,
  MODEL,
]);

export const rollupByTenantTable = rollupTable('llm_daily_by_tenant', 'Daily totals by tenant, provider and model', [
  DAY,
  { name: 'tenant_id', type: 'LowCardinality(String)', comment: 'Tenant (empty: none)' },
  PROVIDER,
  MODEL,
]);

export const rollupByTagTable = rollupTable('llm_daily_by_tag', 'Daily totals by tag key and value, provider, model', [
  DAY,
  { name: 'tag_key', type: 'LowCardinality(String)', comment: 'Tag key' },
  { name: 'tag_value', type: 'String', comment: 'Tag value' },
  PROVIDER,
  MODEL,
]);

function rollupView(table: TableDefinition, keySelect: string, tail = ''): MaterializedViewDefinition {
  const keys = table.orderBy.join(', ');
  return {
    name: `${table.name}_mv`,
    to: table.name,
    from: RAW_TABLE,
    select: `SELECT\n  ${keySelect},\n  ${ROLLUP_MEASURE_SELECT}\nFROM {from}${tail}\nGROUP BY ${keys}`,
  };
}

export const rollupByModelView = rollupView(
  rollupByModelTable,
  `toDate(timestamp) AS day, provider, ${MODEL_EXPRESSION} AS model, service_name`,
);
export const rollupByUserView = rollupView(
  rollupByUserTable,
  `toDate(timestamp) AS day, user_id, provider, ${MODEL_EXPRESSION} AS model`,
);
export const rollupByTenantView = rollupView(
  rollupByTenantTable,
  `toDate(timestamp) AS day, tenant_id, provider, ${MODEL_EXPRESSION} AS model`,
);
// One rollup row per (call, tag): ARRAY JOIN over the map's keys and values; untagged calls add no row here.
export const rollupByTagView = rollupView(
  rollupByTagTable,
  `toDate(timestamp) AS day, tag_key, tag_value, provider, ${MODEL_EXPRESSION} AS model`,
  '\nARRAY JOIN mapKeys(tags) AS tag_key, mapValues(tags) AS tag_value',
);

export const ROLLUP_TABLES: readonly TableDefinition[] = [
  rollupByModelTable,
  rollupByUserTable,
  rollupByTenantTable,
  rollupByTagTable,
];

export const ROLLUP_VIEWS: readonly MaterializedViewDefinition[] = [
  rollupByModelView,
  rollupByUserView,
  rollupByTenantView,
  rollupByTagView,
];

/** Every data table, raw first (the order DDL runs in: views need their tables). */
export const DATA_TABLES: readonly TableDefinition[] = [llmCallsTable, ...ROLLUP_TABLES];

/** Bookkeeping of applied migrations. */
export const MIGRATIONS_TABLE = 'llm_cost_schema_migrations';
