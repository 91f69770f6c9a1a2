import { fromNanoUsd, type BillLine, type DayBill } from '@llm-cost/clickhouse';

import { BillsConfigError } from '../errors.js';
import type { CostItem, ProviderReports, ReportDays, UsageItem } from '../providers/provider-reports.js';

/**
 * Turns what the reports said into the lines stored in `llm_provider_bills`, deciding for each line which of our
 * models it is for. The decision is explicit, in this order:
 *
 * 1. `modelMapping` (the user's): the line item, else the model as the report names it → our model name (`''`:
 *    the line maps to no model);
 * 2. the provider's rule (`ProviderReports.costModel`: OpenAI's `"<model>, <kind>"` line items, Anthropic's
 *    `model` field);
 * 3. otherwise no model: the line is stored with `model = ''` under its own line item, never dropped, and
 *    `billDrift()` shows it as its own row.
 *
 * Usage lines keep the model the report names (those are the model ids responses carry, which `llm_calls` keys by),
 * unless `modelMapping` says otherwise.
 */

export type ModelMapping = Readonly<Record<string, string>>;

/** Checks a user's mapping: every value a string (a model name, or '' for none). */
export function checkModelMapping(mapping: unknown, where = 'modelMapping'): ModelMapping {
  if (mapping === undefined || mapping === null) return {};
  if (typeof mapping !== 'object' || Array.isArray(mapping)) throw new BillsConfigError(`${where} must map report names to model names`);
  for (const [name, model] of Object.entries(mapping)) {
    if (typeof model !== 'string') throw new BillsConfigError(`${where}["${name}"] must be a model name (or '' for none), got ${JSON.stringify(model)}`);
  }
  return mapping as ModelMapping;
}

const has = (mapping: ModelMapping, name: string) => name !== '' && Object.prototype.hasOwnProperty.call(mapping, name);

/** The model a cost line is for ('' for none). */
export function costLineModel(provider: ProviderReports, item: CostItem, usageModels: ReadonlySet<string>, mapping: ModelMapping): string {
  if (has(mapping, item.lineItem)) return mapping[item.lineItem]!;
  if (has(mapping, item.reportModel)) return mapping[item.reportModel]!;
  return provider.costModel(item, usageModels);
}

/** The model a usage line is for: the report's, unless mapped. */
export function usageLineModel(item: UsageItem, mapping: ModelMapping): string {
  return has(mapping, item.reportModel) ? mapping[item.reportModel]! : item.reportModel;
}

export interface BillLines {
  days: DayBill[];
  /** Lines read (cost and usage). */
  lines: number;
  /** Distinct line items that map to no model. */
  unmapped: string[];
  /** Sum of the cost lines, nano-USD. */
  billedNano: bigint;
}

/** Every day of a sync as stored lines, each with its model decided. */
export function billLines(provider: ProviderReports, reports: ReportDays, mapping: ModelMapping): BillLines {
  const unmapped = new Set<string>();
  let lines = 0;
  let billedNano = 0n;
  const days = reports.days.map((day): DayBill => {
    const usage = reports.usage.get(day) ?? [];
    const usageModels = new Set(usage.map((item) => item.reportModel).filter((model) => model !== ''));
    const costLines = (reports.cost.get(day) ?? []).map((item): BillLine => {
      const model = costLineModel(provider, item, usageModels, mapping);
      if (model === '') unmapped.add(item.lineItem);
      billedNano += item.amountNano;
      return {
        kind: 'cost',
        projectId: item.projectId,
        lineItem: item.lineItem,
        reportModel: item.reportModel,
        model,
        serviceTier: item.serviceTier,
        amount: fromNanoUsd(item.amountNano),
        inputTokens: 0,
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        outputTokens: 0,
        requests: 0,
      };
    });
    const usageLines = usage.map(
      (item): BillLine => ({
        kind: 'usage',
        projectId: item.projectId,
        lineItem: '',
        reportModel: item.reportModel,
        model: usageLineModel(item, mapping),
        serviceTier: item.serviceTier,
        amount: '0',
        inputTokens: item.inputTokens,
        cacheReadTokens: item.cacheReadTokens,
        cacheWriteTokens: item.cacheWriteTokens,
        outputTokens: item.outputTokens,
        requests: item.requests,
      }),
    );
    lines += costLines.length + usageLines.length;
    return { day, lines: [...costLines, ...usageLines] };
  });
  return { days, lines, unmapped: [...unmapped].sort(), billedNano };
}
