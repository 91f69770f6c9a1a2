/**
 * Anthropic's Usage and Cost Admin API, read with an Admin API key (`sk-ant-admin...`, header `x-api-key`, with
 * `anthropic-version: 2023-06-01`), per the API reference
 * (https://platform.claude.com/docs/en/api/admin/cost_report, .../usage_report/retrieve_messages):
 *
 * - `GET /v1/organizations/cost_report?starting_at&ending_at&bucket_width=1d&group_by[]=workspace_id&group_by[]=description&limit&page`
 *   → buckets of `{ currency: "USD", amount, workspace_id, description, cost_type, model, service_tier, token_type,
 *   context_window }`. **`amount` is a decimal string in the lowest currency unit**: cents, so `"123.45"` is
 *   1.2345 USD; divided by 100 exactly (to the nano-dollar). Priority Tier costs are not in this report.
 * - `GET /v1/organizations/usage_report/messages?...&group_by[]=workspace_id&group_by[]=model&group_by[]=service_tier`
 *   → `{ uncached_input_tokens, cache_read_input_tokens, cache_creation: { ephemeral_5m_input_tokens,
 *   ephemeral_1h_input_tokens }, output_tokens, server_tool_use, workspace_id, model, service_tier }`. No request
 *   count. Input in llm-cost's sense (as `llm_calls` counts it for Anthropic) is uncached + cache read + cache
 *   creation; cache writes are both TTLs.
 *
 * Pages: `{ data: [{ starting_at, ending_at, results }], has_more, next_page }` (RFC 3339 times, `page=<next_page>`
 * for the next page, at most 31 daily buckets per page). A null `workspace_id` is the default workspace.
 *
 * Mapping: a cost line grouped by description names its model (`model`, with `cost_type: "tokens"`); that model id
 * is what responses carry, which is what `llm_calls` keys by. Lines without a model (web search, code execution,
 * session runtime) map to no model and stay their own rows.
 */
import { amountToNanoUsd } from '@llm-cost/clickhouse';

import { BillsResponseError } from '../errors.js';
import type { AdminApi, AdminClient } from '../http/admin-client.js';
import { bucketDay, object, readEnvelope, readReport, type DayBucket, type DayRange, type ReportPage } from '../reports/report-pages.js';
import { daysInEvery, nullableText, tokenCount, type CostItem, type ProviderReports, type UsageItem } from './provider-reports.js';

export const ANTHROPIC_ADMIN_API: AdminApi = {
  provider: 'anthropic',
  label: 'Anthropic',
  defaultBaseUrl: 'https://api.anthropic.com/v1',
  authHeaders: (adminKey) => ({ 'x-api-key': adminKey, 'anthropic-version': '2023-06-01' }),
  keyNeeded:
    'The cost and usage reports need an Anthropic Admin API key (sk-ant-admin...), which an organization admin ' +
    'creates in the Console under Settings → Admin keys; a regular API key (sk-ant-api...) cannot read them',
  keyPrefix: 'sk-ant-admin',
};

const fail = (message: string) => new BillsResponseError(message);

function readBucket(bucket: Record<string, unknown>, what: string): DayBucket {
  const start = typeof bucket.starting_at === 'string' ? Date.parse(bucket.starting_at) : Number.NaN;
  const end = typeof bucket.ending_at === 'string' ? Date.parse(bucket.ending_at) : Number.NaN;
  if (Number.isNaN(start) || Number.isNaN(end)) throw fail(`${what}: starting_at and ending_at must be RFC 3339 times`);
  if (!Array.isArray(bucket.results)) throw fail(`${what}: "results" must be a list`);
  return { day: bucketDay(start, end, what), results: bucket.results };
}

const readPage = (body: unknown, what: string): ReportPage => readEnvelope(body, what, readBucket);

function costItem(value: unknown, what: string): CostItem {
  const result = object(value, what);
  const currency = result.currency ?? 'USD';
  if (currency !== 'USD') throw fail(`${what}.currency must be USD (llm-cost stores USD), got ${JSON.stringify(currency)}`);
  if (typeof result.amount !== 'string' && typeof result.amount !== 'number') throw fail(`${what}.amount must be a decimal string of cents`);
  let amountNano: bigint;
  try {
    amountNano = amountToNanoUsd(result.amount, 100);
  } catch {
    throw fail(`${what}.amount must be a decimal string of cents, got ${JSON.stringify(result.amount)}`);
  }
  const costType = nullableText(result.cost_type, `${what}.cost_type`, fail);
  return {
    projectId: nullableText(result.workspace_id, `${what}.workspace_id`, fail),
    // Without a description (a report not grouped by it) the cost type is the best name the line has.
    lineItem: nullableText(result.description, `${what}.description`, fail) || costType,
    reportModel: nullableText(result.model, `${what}.model`, fail),
    costType,
    serviceTier: nullableText(result.service_tier, `${what}.service_tier`, fail),
    amountNano,
  };
}

function usageItem(value: unknown, what: string): UsageItem {
  const result = object(value, what);
  const creation = result.cache_creation === undefined || result.cache_creation === null ? {} : object(result.cache_creation, `${what}.cache_creation`);
  const uncached = tokenCount(result.uncached_input_tokens, `${what}.uncached_input_tokens`, fail);
  const cacheRead = tokenCount(result.cache_read_input_tokens, `${what}.cache_read_input_tokens`, fail);
  const cacheWrite =
    tokenCount(creation.ephemeral_5m_input_tokens, `${what}.cache_creation.ephemeral_5m_input_tokens`, fail) +
    tokenCount(creation.ephemeral_1h_input_tokens, `${what}.cache_creation.ephemeral_1h_input_tokens`, fail);
  return {
    projectId: nullableText(result.workspace_id, `${what}.workspace_id`, fail),
    reportModel: nullableText(result.model, `${what}.model`, fail),
    serviceTier: nullableText(result.service_tier, `${what}.service_tier`, fail),
    inputTokens: uncached + cacheRead + cacheWrite,
    cacheReadTokens: cacheRead,
    cacheWriteTokens: cacheWrite,
    outputTokens: tokenCount(result.output_tokens, `${what}.output_tokens`, fail),
    requests: 0,
  };
}

function query(range: DayRange, pageSize: number, groupBy: readonly string[]): string {
  const params = new URLSearchParams({
    starting_at: new Date(range.firstMs).toISOString().replace('.000Z', 'Z'),
    ending_at: new Date(range.endMs).toISOString().replace('.000Z', 'Z'),
    bucket_width: '1d',
    limit: String(pageSize),
  });
  for (const group of groupBy) params.append('group_by[]', group);
  return params.toString();
}

export const anthropicReports: ProviderReports = {
  api: ANTHROPIC_ADMIN_API,
  keyEnv: 'ANTHROPIC_ADMIN_KEY',

  async read(client: AdminClient, range: DayRange, pageSize: number) {
    const costs = await readReport(client, `/organizations/cost_report?${query(range, pageSize, ['workspace_id', 'description'])}`, range, readPage);
    const messages = await readReport(
      client,
      `/organizations/usage_report/messages?${query(range, pageSize, ['workspace_id', 'model', 'service_tier'])}`,
      range,
      readPage,
    );
    const days = daysInEvery([costs, messages]);
    const cost = new Map<string, CostItem[]>();
    const usage = new Map<string, UsageItem[]>();
    for (const day of days) {
      cost.set(day, costs.get(day)!.map((result, index) => costItem(result, `Anthropic cost_report ${day} results[${index}]`)));
      usage.set(day, messages.get(day)!.map((result, index) => usageItem(result, `Anthropic usage_report ${day} results[${index}]`)));
    }
    return { days, cost, usage };
  },

  costModel(item: CostItem): string {
    return item.reportModel !== '' && (item.costType === '' || item.costType === 'tokens') ? item.reportModel : '';
  },
};
