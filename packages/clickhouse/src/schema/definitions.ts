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
import {
  ATTR_ERROR_TYPE,
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_RESPONSE_ID,
  ATTR_SERVICE_NAME,
  LLM_COST_TAG_PREFIX,
} from '@llm-cost/semconv';

export interface ColumnDefinition {
  name: string;
  type: string;
  comment: string;
  /** `DEFAULT` expression, for columns that writers may leave out (e.g. added by a later migration). */
  default?: string;
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
  /**
   * Sharding key of the cluster variant's `Distributed` table. Tables written by us get a deterministic key, so a
   * retried batch splits across shards the same way and each shard's deduplication recognises its part.
   * @default 'rand()' (rollups: written by views on each shard, never through the Distributed table)
   */
  shardingKey?: string;
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

/**
 * What a row of `llm_calls` is. A `call` is one LLM call as the instrumentation saw it. An `adjustment` corrects the
 * cost of an earlier call to what the provider charged (OpenRouter reconciliation): it repeats the call's identity
 * (time, trace, span, response id, user, tenant, tags, provider, model) and carries the difference in its cost
 * columns, so rollups add it to the call's cost without counting another call. See docs/SCHEMA.md.
 */
export const ROW_KIND = { call: 'call', adjustment: 'adjustment' } as const;

export const llmCallsTable: TableDefinition = {
  name: RAW_TABLE,
  comment: 'One row per LLM call, priced. Written by the llm-cost exporter and collector.',
  engine: 'MergeTree',
  partitionBy: 'toYYYYMM(timestamp)',
  orderBy: ['toDate(timestamp)', 'provider', 'request_model', 'timestamp'],
  ttlColumn: 'timestamp',
  retention: 'raw',
  shardingKey: 'cityHash64(trace_id)',
  columns: [
    { name: 'timestamp', type: "DateTime64(3, 'UTC')", comment: 'Start of the call (UTC)' },
    { name: 'trace_id', type: 'String', comment: 'W3C trace id (hex)' },
    { name: 'span_id', type: 'String', comment: 'Span id of the span that was charged (hex)' },
    { name: 'service_name', type: 'LowCardinality(String)', comment: `${ATTR_SERVICE_NAME} of the resource` },
    { name: 'provider', type: 'LowCardinality(String)', comment: `${ATTR_GEN_AI_PROVIDER_NAME}, e.g. openai` },
    { name: 'operation', type: 'LowCardinality(String)', comment: `${ATTR_GEN_AI_OPERATION_NAME}, e.g. chat` },
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
    { name: 'error_type', type: 'LowCardinality(String)', comment: `${ATTR_ERROR_TYPE}; empty on success` },
    { name: 'user_id', type: 'String', comment: 'Tag user_id; empty when untagged' },
    { name: 'tenant_id', type: 'LowCardinality(String)', comment: 'Tag tenant_id (or the collector token tenant)' },
    { name: 'feature', type: 'LowCardinality(String)', comment: 'Tag feature' },
    { name: 'tags', type: 'Map(LowCardinality(String), String)', comment: `All ${LLM_COST_TAG_PREFIX}* attributes` },
    { name: 'provider_response_id', type: 'String', comment: ATTR_GEN_AI_RESPONSE_ID },
    { name: 'instrumentation', type: 'LowCardinality(String)', comment: 'Instrumentation scope of the charged span' },
    {
      name: 'row_kind',
      type: 'LowCardinality(String)',
      comment: 'call | adjustment (a cost correction of the call with the same ids)',
      default: `'${ROW_KIND.call}'`,
    },
    {
      name: 'adjusted_at',
      type: "Nullable(DateTime64(3, 'UTC'))",
      comment: 'When an adjustment row was written; NULL for calls',
    },
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

/** Selects the rows that are calls (not cost adjustments): only they count as calls, errors, unpriced calls. */
export const IS_CALL = `row_kind = '${ROW_KIND.call}'`;

/**
 * The same measures as `SELECT` expressions over the raw table, in `ROLLUP_MEASURES` order. Counters count calls
 * only; sums take every row, so an adjustment row adds its cost difference (and, for a call whose usage was
 * unknown, its tokens) to the call's day, user, tenant and tags without adding a call.
 */
const ROLLUP_MEASURE_SELECT = [
  `countIf(${IS_CALL}) AS calls`,
  `countIf(${IS_CALL} AND pricing_status = 'unknown_model') AS unpriced_calls`,
  `countIf(${IS_CALL} AND usage_source = 'unknown') AS unknown_usage_calls`,
  `countIf(${IS_CALL} AND error_type != '') AS error_calls`,
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

/**
 * The model the caller asked for, so a query for `gpt-4o` finds calls answered by `gpt-4o-2024-08-06`. The last
 * sorting key (schema version 4 added it to existing rollups, where ClickHouse allows a new key column only at the
 * end); rows written before that hold ''.
 */
const REQUEST_MODEL: ColumnDefinition = {
  name: 'request_model',
  type: 'LowCardinality(String)',
  comment: 'Model the caller asked for (empty in rows written before schema version 4)',
};

export const rollupByModelTable = rollupTable('llm_daily_by_model', 'Daily totals by provider, model and service', [
  DAY,
  PROVIDER,
  MODEL,
  { name: 'service_name', type: 'LowCardinality(String)', comment: 'Service' },
  REQUEST_MODEL,
]);

export const rollupByUserTable = rollupTable('llm_daily_by_user', 'Daily totals by user, provider and model', [
  DAY,
  { name: 'user_id', type: 'String', comment: 'Tag user_id (empty: untagged)' },
  PROVIDER,
  MODEL,
  REQUEST_MODEL,
]);

export const rollupByTenantTable = rollupTable('llm_daily_by_tenant', 'Daily totals by tenant, provider and model', [
  DAY,
  { name: 'tenant_id', type: 'LowCardinality(String)', comment: 'Tenant (empty: none)' },
  PROVIDER,
  MODEL,
  REQUEST_MODEL,
]);

export const rollupByTagTable = rollupTable('llm_daily_by_tag', 'Daily totals by tag key and value, provider, model', [
  DAY,
  { name: 'tag_key', type: 'LowCardinality(String)', comment: 'Tag key' },
  { name: 'tag_value', type: 'String', comment: 'Tag value' },
  PROVIDER,
  MODEL,
  REQUEST_MODEL,
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
  `toDate(timestamp) AS day, provider, ${MODEL_EXPRESSION} AS model, service_name, request_model`,
);
export const rollupByUserView = rollupView(
  rollupByUserTable,
  `toDate(timestamp) AS day, user_id, provider, ${MODEL_EXPRESSION} AS model, request_model`,
);
export const rollupByTenantView = rollupView(
  rollupByTenantTable,
  `toDate(timestamp) AS day, tenant_id, provider, ${MODEL_EXPRESSION} AS model, request_model`,
);
// One rollup row per (call, tag): ARRAY JOIN over the map's keys and values; untagged calls add no row here.
export const rollupByTagView = rollupView(
  rollupByTagTable,
  `toDate(timestamp) AS day, tag_key, tag_value, provider, ${MODEL_EXPRESSION} AS model, request_model`,
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

/**
 * What a provider charged for a call, as read back from the provider (OpenRouter `GET /api/v1/generation`), one row
 * per reconciled call. A call is reconciled when its response id is here; the cost correction itself is an
 * adjustment row in `llm_calls`. Kept apart from `llm_calls` so the provider's native token counts and upstream
 * provider are recorded without touching the rollups, and so `dataQuality()` can compare estimate and charge.
 */
export const providerChargesTable: TableDefinition = {
  name: 'llm_provider_charges',
  comment: 'What the provider charged for each reconciled call (OpenRouter generation records)',
  engine: 'MergeTree',
  partitionBy: 'toYYYYMM(timestamp)',
  orderBy: ['provider', 'toDate(timestamp)', 'provider_response_id'],
  ttlColumn: 'timestamp',
  retention: 'raw',
  shardingKey: 'cityHash64(trace_id)',
  columns: [
    { name: 'timestamp', type: "DateTime64(3, 'UTC')", comment: 'Start of the call (as in llm_calls)' },
    { name: 'reconciled_at', type: "DateTime64(3, 'UTC')", comment: 'When the charge was read from the provider' },
    { name: 'provider', type: 'LowCardinality(String)', comment: 'Provider of the call, e.g. openrouter' },
    { name: 'provider_response_id', type: 'String', comment: 'Response id of the call (OpenRouter generation id)' },
    { name: 'trace_id', type: 'String', comment: 'Trace id of the call' },
    { name: 'span_id', type: 'String', comment: 'Span id of the call' },
    { name: 'model', type: 'LowCardinality(String)', comment: 'Model of the call as the rollups key it' },
    { name: 'charged_model', type: 'LowCardinality(String)', comment: 'Model in the provider record' },
    { name: 'upstream_provider', type: 'LowCardinality(String)', comment: 'Provider that served it (OpenRouter provider_name)' },
    { name: 'estimated_cost', type: `Nullable(${COST})`, comment: 'Cost of the call row(s) before reconciliation; NULL when unpriced' },
    { name: 'charged_cost', type: COST, comment: 'USD the provider charged (OpenRouter total_cost)' },
    { name: 'adjustment_cost', type: COST, comment: 'Cost difference written as an adjustment row by this reconciliation' },
    { name: 'upstream_cost', type: `Nullable(${COST})`, comment: 'Upstream inference cost (BYOK); NULL when not reported' },
    { name: 'cache_discount', type: `Nullable(${COST})`, comment: 'Discount for cached tokens; NULL when not reported' },
    { name: 'native_input_tokens', type: 'UInt64', comment: 'Prompt tokens by the model tokenizer (native_tokens_prompt)' },
    { name: 'native_output_tokens', type: 'UInt64', comment: 'Completion tokens by the model tokenizer (native_tokens_completion)' },
    { name: 'native_reasoning_tokens', type: 'UInt64', comment: 'Reasoning tokens (native_tokens_reasoning)' },
    { name: 'native_cached_tokens', type: 'UInt64', comment: 'Cached prompt tokens (native_tokens_cached)' },
    { name: 'streamed', type: 'Bool', comment: 'The provider record says the call was streamed' },
    { name: 'cancelled', type: 'Bool', comment: 'The call was cancelled' },
    { name: 'is_byok', type: 'Bool', comment: 'Bring-your-own-key call' },
    { name: 'finish_reason', type: 'LowCardinality(String)', comment: 'Finish reason in the provider record' },
    { name: 'key_fingerprint', type: 'LowCardinality(String)', comment: 'Last characters of the API key that read it (never the key)' },
  ],
};

/** Balance of a prepaid account or API key over time (OpenRouter `GET /api/v1/key` and `/credits`). */
export const creditSnapshotsTable: TableDefinition = {
  name: 'llm_credit_snapshots',
  comment: 'Credit balance snapshots of provider API keys (llm-cost credits monitor)',
  engine: 'MergeTree',
  partitionBy: 'toYYYYMM(timestamp)',
  orderBy: ['provider', 'key_fingerprint', 'timestamp'],
  ttlColumn: 'timestamp',
  retention: 'rollup',
  shardingKey: 'cityHash64(key_fingerprint)',
  columns: [
    { name: 'timestamp', type: "DateTime64(3, 'UTC')", comment: 'When the balance was read (UTC)' },
    { name: 'provider', type: 'LowCardinality(String)', comment: 'Provider, e.g. openrouter' },
    { name: 'key_fingerprint', type: 'LowCardinality(String)', comment: 'Last characters of the API key (never the key)' },
    { name: 'tenant_id', type: 'LowCardinality(String)', comment: 'Tenant the key belongs to (config); empty when none' },
    { name: 'key_limit', type: `Nullable(${COST})`, comment: 'Spending limit of the key in USD; NULL: no limit' },
    { name: 'key_usage', type: COST, comment: 'USD spent through the key (all time, or since the limit reset)' },
    { name: 'key_remaining', type: `Nullable(${COST})`, comment: 'USD left under the key limit; NULL: no limit' },
    { name: 'usage_daily', type: `Nullable(${COST})`, comment: 'USD spent through the key today (UTC); NULL when not reported' },
    { name: 'usage_weekly', type: `Nullable(${COST})`, comment: 'USD spent this week (UTC); NULL when not reported' },
    { name: 'usage_monthly', type: `Nullable(${COST})`, comment: 'USD spent this month (UTC); NULL when not reported' },
    { name: 'total_credits', type: `Nullable(${COST})`, comment: 'USD of credits bought by the account; NULL when not readable' },
    { name: 'total_usage', type: `Nullable(${COST})`, comment: 'USD of credits used by the account; NULL when not readable' },
    { name: 'remaining', type: `Nullable(${COST})`, comment: 'Effective balance: the smaller of key and account remaining' },
    { name: 'is_free_tier', type: 'Bool', comment: 'The account has never bought credits' },
    { name: 'level', type: 'LowCardinality(String)', comment: 'ok | warning | critical | unknown at this snapshot' },
    { name: 'burn_rate_per_hour', type: `Nullable(${COST})`, comment: 'USD per hour used for the forecast; NULL when unknown' },
    { name: 'runs_out_at', type: "Nullable(DateTime64(3, 'UTC'))", comment: 'Forecast time the balance reaches 0; NULL: not at this rate' },
  ],
};

/**
 * What a row of `llm_provider_bills` is. Each sync writes a complete snapshot of every day it read: one `day` row (the
 * marker that says the day was read, with zero figures, so a day revised to nothing still replaces the earlier
 * figures), a `cost` row per line of the provider's cost report and a `usage` row per line of its usage report.
 */
export const BILL_ROW_KIND = { day: 'day', cost: 'cost', usage: 'usage' } as const;

/**
 * The providers' own daily bills (OpenAI `GET /v1/organization/costs` and `/usage/*`, Anthropic
 * `GET /v1/organizations/cost_report` and `/usage_report/messages`), written by `@llm-cost/bills`. Snapshots are
 * appended, never updated: a day's figures are those of its latest snapshot (`fetched_at`, then `sync_id`), which is
 * what `llm_provider_bills_latest` and every query read, so a repeated sync, overlapping ranges or a revised day
 * never count twice, and a line item a revision removed disappears. See docs/SCHEMA.md.
 */
export const providerBillsTable: TableDefinition = {
  name: 'llm_provider_bills',
  comment: 'Daily provider bills (OpenAI and Anthropic cost and usage reports), one snapshot per sync and day; read llm_provider_bills_latest',
  engine: 'MergeTree',
  partitionBy: 'toYYYYMM(day)',
  orderBy: ['provider', 'account', 'day', 'sync_id'],
  ttlColumn: 'day',
  retention: 'rollup',
  // A day's snapshots stay on one shard; the latest-snapshot view reads across shards anyway (GLOBAL IN).
  shardingKey: 'cityHash64(provider, account, day)',
  columns: [
    { name: 'day', type: 'Date', comment: 'UTC day of the report bucket' },
    { name: 'provider', type: 'LowCardinality(String)', comment: `openai | anthropic (as ${ATTR_GEN_AI_PROVIDER_NAME} in llm_calls)` },
    { name: 'account', type: 'LowCardinality(String)', comment: 'Organization name from the sync configuration; empty by default' },
    { name: 'sync_id', type: 'String', comment: 'Id of the sync that wrote this snapshot of the day' },
    { name: 'fetched_at', type: "DateTime64(3, 'UTC')", comment: 'When that sync read the reports; the latest snapshot of a day wins' },
    { name: 'snapshot_hash', type: 'String', comment: 'Hash of the figures of the day in this snapshot (an unchanged day is not written again)' },
    { name: 'row_kind', type: 'LowCardinality(String)', comment: 'day (snapshot marker, zero figures) | cost (a cost report line) | usage (a usage report line)' },
    { name: 'project_id', type: 'String', comment: 'OpenAI project_id or Anthropic workspace_id; empty where the report says null (no project, default workspace)' },
    { name: 'line_item', type: 'String', comment: 'Cost line as the report names it (OpenAI line_item, Anthropic description); empty on usage rows' },
    { name: 'report_model', type: 'String', comment: 'Model as the report names it; empty when it names none' },
    { name: 'model', type: 'LowCardinality(String)', comment: 'Model as llm_calls and the rollups key it; empty for a line item that maps to no model' },
    { name: 'service_tier', type: 'LowCardinality(String)', comment: 'Service tier (batch, priority, ...) where the report says; empty otherwise' },
    { name: 'amount', type: COST, comment: 'USD billed (cost rows); 0 on usage and day rows' },
    { name: 'input_tokens', type: 'UInt64', comment: 'All input tokens, cached ones included (usage rows)' },
    { name: 'cache_read_tokens', type: 'UInt64', comment: 'Input tokens read from the prompt cache (usage rows)' },
    { name: 'cache_write_tokens', type: 'UInt64', comment: 'Input tokens written to the prompt cache (usage rows)' },
    { name: 'output_tokens', type: 'UInt64', comment: 'Output tokens (usage rows)' },
    { name: 'requests', type: 'UInt64', comment: 'Model requests (OpenAI num_model_requests); 0 where the report has no count (Anthropic)' },
    { name: 'key_fingerprint', type: 'LowCardinality(String)', comment: 'Last characters of the admin key that read it (never the key)' },
  ],
};

/** A plain (not materialized) view: a query with a name, over the plain table names (Distributed on a cluster). */
export interface PlainViewDefinition {
  name: string;
  comment: string;
  /** The `SELECT`, with `{table}` standing for the qualified table it reads. */
  select: string;
  /** Table `{table}` stands for. */
  from: string;
}

/**
 * Each day's latest snapshot of `llm_provider_bills`, the only figures any query should sum. The latest is the
 * snapshot read last (`fetched_at`), ties broken by `sync_id`, per provider, account and day.
 */
export const latestBillsView: PlainViewDefinition = {
  name: 'llm_provider_bills_latest',
  // No apostrophes in comments: the embedded engine's JSON output of EXPLAIN AST escapes them badly.
  comment: 'The latest snapshot of each day of llm_provider_bills: sum these rows, never the table',
  from: providerBillsTable.name,
  select:
    `SELECT ${providerBillsTable.columns.map((column) => column.name).join(', ')}\nFROM {table}\n` +
    'WHERE (provider, account, day, sync_id) GLOBAL IN (\n' +
    '  SELECT provider, account, day, argMax(sync_id, (fetched_at, sync_id)) FROM {table} GROUP BY provider, account, day\n)',
};

/** Every plain view, created after the data tables. */
export const PLAIN_VIEWS: readonly PlainViewDefinition[] = [latestBillsView];

/** Every data table, raw first (the order DDL runs in: views need their tables). */
export const DATA_TABLES: readonly TableDefinition[] = [
  llmCallsTable,
  ...ROLLUP_TABLES,
  providerChargesTable,
  creditSnapshotsTable,
  providerBillsTable,
];

/** Bookkeeping of applied migrations. */
export const MIGRATIONS_TABLE = 'llm_cost_schema_migrations';
