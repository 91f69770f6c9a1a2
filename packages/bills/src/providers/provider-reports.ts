import type { AdminApi, AdminClient } from '../http/admin-client.js';
import type { DayRange } from '../reports/report-pages.js';

/** One line of a cost report, read and checked: money exact in nano-USD. */
export interface CostItem {
  /** OpenAI project_id / Anthropic workspace_id; '' where the report says null. */
  projectId: string;
  /** OpenAI line_item / Anthropic description; '' where the report says null. */
  lineItem: string;
  /** The model the report names for the line (Anthropic `model`); '' when it names none (OpenAI never does). */
  reportModel: string;
  /** Anthropic `cost_type` (`tokens`, `web_search`, `code_execution`, ...); '' for OpenAI. */
  costType: string;
  serviceTier: string;
  amountNano: bigint;
}

/** One line of a usage report, in llm-cost's token semantics (input includes cached and cache-write tokens). */
export interface UsageItem {
  projectId: string;
  /** The model as the report names it; '' where it says null. */
  reportModel: string;
  serviceTier: string;
  inputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  outputTokens: number;
  requests: number;
}

/** What one sync read from a provider: each day's cost and usage lines, for the days every report returned. */
export interface ReportDays {
  /** Days every report of the provider returned a bucket for, oldest first. */
  days: string[];
  cost: Map<string, CostItem[]>;
  usage: Map<string, UsageItem[]>;
}

/**
 * A provider's bill, as `syncProviderBills` needs it: its admin API, how to read its reports, and how a cost line
 * maps to one of our models. Adding a provider is adding one module with this shape.
 */
export interface ProviderReports {
  api: AdminApi;
  /** Environment variable the admin key is read from by default. */
  keyEnv: string;
  read(client: AdminClient, range: DayRange, pageSize: number): Promise<ReportDays>;
  /**
   * The model (as `llm_calls` names it) a cost line is for, or '' when it maps to none; `usageModels` are the models
   * the usage report names for the same day. Applied after the explicit `modelMapping`.
   */
  costModel(item: CostItem, usageModels: ReadonlySet<string>): string;
}

/** A non-negative whole number field; `what` names it in the error. Absent or null counts as 0. */
export function tokenCount(value: unknown, what: string, fail: (message: string) => Error): number {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw fail(`${what} must be a whole number >= 0, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** A string field or null; anything else is an error. Null and absent become ''. */
export function nullableText(value: unknown, what: string, fail: (message: string) => Error): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw fail(`${what} must be a string or null, got ${JSON.stringify(value)}`);
  return value;
}

/** The days present in every report, oldest first. */
export function daysInEvery(reports: ReadonlyArray<Map<string, unknown[]>>): string[] {
  const [first, ...rest] = reports;
  if (first === undefined) return [];
  return [...first.keys()].filter((day) => rest.every((report) => report.has(day))).sort();
}
