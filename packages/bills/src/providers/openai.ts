/**
 * OpenAI's organization reports, read with an Admin key (`sk-admin-...`, `Authorization: Bearer`), per the API
 * reference (https://platform.openai.com/docs/api-reference/usage):
 *
 * - `GET /v1/organization/costs?start_time&end_time&bucket_width=1d&group_by=project_id&group_by=line_item&limit&page`
 *   → buckets of `{ object: "organization.costs.result", amount: { value, currency: "usd" }, line_item, project_id }`.
 *   `amount.value` is USD as a JSON number; made exact to the nano-dollar through its decimal text.
 * - `GET /v1/organization/usage/completions?...&group_by=project_id&group_by=model&group_by=batch` → `{ input_tokens,
 *   input_cached_tokens, output_tokens, num_model_requests, project_id, model, batch }`. `input_tokens` already
 *   includes the cached tokens, as `llm_calls.input_tokens` does.
 * - `GET /v1/organization/usage/embeddings?...&group_by=project_id&group_by=model` → `{ input_tokens,
 *   num_model_requests, project_id, model }`.
 *
 * Pages: `{ object: "page", data: [{ object: "bucket", start_time, end_time, results }], has_more, next_page }` with
 * times in Unix seconds; the next page is asked with `page=<next_page>`. A null `project_id` is usage outside any
 * project (the default project).
 *
 * Mapping: a cost line item names the model and the kind of tokens, `"<model>, <kind>"` (`"gpt-4o-mini-2024-07-18,
 * input"`, `"..., cached input"`, `"..., output"`, a `" (batch)"` suffix for the batch tier); the model part is the
 * model id responses carry, which is what `llm_calls` keys by. A line item that is exactly a model the usage report
 * names for that day (embeddings) maps to it. Anything else (tools, storage, fine-tuning, images) maps to no model
 * and stays its own row.
 */
import { amountToNanoUsd } from '@llm-cost/clickhouse';

import { BillsResponseError } from '../errors.js';
import type { AdminApi, AdminClient } from '../http/admin-client.js';
import { bucketDay, object, readEnvelope, readReport, type DayBucket, type DayRange, type ReportPage } from '../reports/report-pages.js';
import { daysInEvery, nullableText, tokenCount, type CostItem, type ProviderReports, type UsageItem } from './provider-reports.js';

export const OPENAI_ADMIN_API: AdminApi = {
  provider: 'openai',
  label: 'OpenAI',
  defaultBaseUrl: 'https://api.openai.com/v1',
  authHeaders: (adminKey) => ({ authorization: `Bearer ${adminKey}` }),
  keyNeeded:
    'The organization cost and usage reports need an OpenAI Admin key (sk-admin-...), which an organization owner ' +
    'creates under Settings → Organization → Admin keys; a project or user API key (sk-proj-..., sk-...) cannot read them',
  keyPrefix: 'sk-admin-',
};

const fail = (message: string) => new BillsResponseError(message);

function readBucket(bucket: Record<string, unknown>, what: string): DayBucket {
  const start = bucket.start_time;
  const end = bucket.end_time;
  if (typeof start !== 'number' || typeof end !== 'number') throw fail(`${what}: start_time and end_time must be Unix seconds`);
  if (!Array.isArray(bucket.results)) throw fail(`${what}: "results" must be a list`);
  return { day: bucketDay(start * 1000, end * 1000, what), results: bucket.results };
}

const readPage = (body: unknown, what: string): ReportPage => readEnvelope(body, what, readBucket);

function costItem(value: unknown, what: string): CostItem {
  const result = object(value, what);
  const amount = object(result.amount, `${what}.amount`);
  const currency = amount.currency;
  if (typeof currency !== 'string' || currency.toLowerCase() !== 'usd') {
    throw fail(`${what}.amount.currency must be usd (llm-cost stores USD), got ${JSON.stringify(currency)}`);
  }
  if (typeof amount.value !== 'number' && typeof amount.value !== 'string') throw fail(`${what}.amount.value must be a number`);
  let amountNano: bigint;
  try {
    amountNano = amountToNanoUsd(amount.value, 1);
  } catch {
    throw fail(`${what}.amount.value must be a finite number, got ${JSON.stringify(amount.value)}`);
  }
  const lineItem = nullableText(result.line_item, `${what}.line_item`, fail);
  return {
    projectId: nullableText(result.project_id, `${what}.project_id`, fail),
    lineItem,
    reportModel: '',
    costType: '',
    serviceTier: parseOpenAiLineItem(lineItem)?.serviceTier ?? '',
    amountNano,
  };
}

function usageItem(value: unknown, what: string, kind: 'completions' | 'embeddings'): UsageItem {
  const result = object(value, what);
  const batch = result.batch === true ? 'batch' : '';
  return {
    projectId: nullableText(result.project_id, `${what}.project_id`, fail),
    reportModel: nullableText(result.model, `${what}.model`, fail),
    serviceTier: kind === 'completions' ? nullableText(result.service_tier, `${what}.service_tier`, fail) || batch : '',
    inputTokens: tokenCount(result.input_tokens, `${what}.input_tokens`, fail),
    cacheReadTokens: kind === 'completions' ? tokenCount(result.input_cached_tokens, `${what}.input_cached_tokens`, fail) : 0,
    cacheWriteTokens: 0,
    outputTokens: kind === 'completions' ? tokenCount(result.output_tokens, `${what}.output_tokens`, fail) : 0,
    requests: tokenCount(result.num_model_requests, `${what}.num_model_requests`, fail),
  };
}

// The token kinds of a line item: "input", "cached input", "output", "audio input", "input (batch)", ...
const TOKEN_KIND = /^(?:(?:cached|uncached) )?(?:(?:text|audio|image) )?(?:input|output)(?: (?:text|audio|image))?(?: tokens)?(?: \((batch|flex|priority|scale)\))?$/i;
const MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:\-/]*$/;

/** `"gpt-4o-mini-2024-07-18, cached input"` → its model, the kind of tokens and the tier; undefined for other lines. */
export function parseOpenAiLineItem(lineItem: string): { model: string; kind: string; serviceTier: string } | undefined {
  const at = lineItem.lastIndexOf(', ');
  if (at <= 0) return undefined;
  const model = lineItem.slice(0, at).trim();
  const kind = lineItem.slice(at + 2).trim();
  const match = TOKEN_KIND.exec(kind);
  if (!match || !MODEL_ID.test(model)) return undefined;
  return { model, kind: kind.toLowerCase(), serviceTier: (match[1] ?? '').toLowerCase() };
}

function query(range: DayRange, pageSize: number, groupBy: readonly string[]): string {
  const params = new URLSearchParams({
    start_time: String(range.firstMs / 1000),
    end_time: String(range.endMs / 1000),
    bucket_width: '1d',
    limit: String(pageSize),
  });
  for (const group of groupBy) params.append('group_by', group);
  return params.toString();
}

export const openAiReports: ProviderReports = {
  api: OPENAI_ADMIN_API,
  keyEnv: 'OPENAI_ADMIN_KEY',

  async read(client: AdminClient, range: DayRange, pageSize: number) {
    const costs = await readReport(client, `/organization/costs?${query(range, pageSize, ['project_id', 'line_item'])}`, range, readPage);
    const completions = await readReport(
      client,
      `/organization/usage/completions?${query(range, pageSize, ['project_id', 'model', 'batch'])}`,
      range,
      readPage,
    );
    const embeddings = await readReport(client, `/organization/usage/embeddings?${query(range, pageSize, ['project_id', 'model'])}`, range, readPage);
    const days = daysInEvery([costs, completions, embeddings]);
    const cost = new Map<string, CostItem[]>();
    const usage = new Map<string, UsageItem[]>();
    for (const day of days) {
      cost.set(day, costs.get(day)!.map((result, index) => costItem(result, `OpenAI costs ${day} results[${index}]`)));
      usage.set(day, [
        ...completions.get(day)!.map((result, index) => usageItem(result, `OpenAI completions usage ${day} results[${index}]`, 'completions')),
        ...embeddings.get(day)!.map((result, index) => usageItem(result, `OpenAI embeddings usage ${day} results[${index}]`, 'embeddings')),
      ]);
    }
    return { days, cost, usage };
  },

  costModel(item: CostItem, usageModels: ReadonlySet<string>): string {
    const parsed = parseOpenAiLineItem(item.lineItem);
    if (parsed) return parsed.model;
    return usageModels.has(item.lineItem.trim()) ? item.lineItem.trim() : '';
  },
};
