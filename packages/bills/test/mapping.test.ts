/**
 * How a line of a provider's report becomes one of our models (or none): OpenAI's "<model>, <kind>" line items,
 * Anthropic's model field, the user's explicit mapping first, and an unmappable line kept as its own line.
 */
import { describe, expect, it } from 'vitest';

import { billLines, checkModelMapping, costLineModel, usageLineModel } from '../src/mapping/bill-lines.js';
import { anthropicReports } from '../src/providers/anthropic.js';
import { openAiReports, parseOpenAiLineItem } from '../src/providers/openai.js';
import type { CostItem, UsageItem } from '../src/providers/provider-reports.js';

const cost = (lineItem: string, extra: Partial<CostItem> = {}): CostItem => ({
  projectId: '',
  lineItem,
  reportModel: '',
  costType: '',
  serviceTier: '',
  amountNano: 1_000n,
  ...extra,
});
const usage = (reportModel: string): UsageItem => ({
  projectId: '',
  reportModel,
  serviceTier: '',
  inputTokens: 10,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  outputTokens: 1,
  requests: 1,
});

describe('OpenAI line items', () => {
  it('name the model and the kind of tokens', () => {
    expect(parseOpenAiLineItem('gpt-4o-mini-2024-07-18, input')).toEqual({ model: 'gpt-4o-mini-2024-07-18', kind: 'input', serviceTier: '' });
    expect(parseOpenAiLineItem('gpt-4o-2024-08-06, cached input')).toEqual({ model: 'gpt-4o-2024-08-06', kind: 'cached input', serviceTier: '' });
    expect(parseOpenAiLineItem('o3-2025-04-16, output')).toMatchObject({ model: 'o3-2025-04-16', kind: 'output' });
    expect(parseOpenAiLineItem('gpt-4o-mini-2024-07-18, input (batch)')).toEqual({
      model: 'gpt-4o-mini-2024-07-18',
      kind: 'input (batch)',
      serviceTier: 'batch',
    });
    expect(parseOpenAiLineItem('gpt-4o-realtime-preview-2024-12-17, audio input')).toMatchObject({ model: 'gpt-4o-realtime-preview-2024-12-17' });
    expect(parseOpenAiLineItem('ft:gpt-4o-mini-2024-07-18:acme::AbC123, output')).toMatchObject({ model: 'ft:gpt-4o-mini-2024-07-18:acme::AbC123' });
  });

  it('that name no model and a token kind are not guessed at', () => {
    for (const lineItem of ['web search tool calls', 'file search tool storage', 'Assistants API | file search', 'fine-tuning training, hours', 'gpt 4o, input', '', ', input']) {
      expect(parseOpenAiLineItem(lineItem), lineItem).toBeUndefined();
    }
  });

  it('map to their model; a bare model name maps only when the usage report names it that day', () => {
    const usageModels = new Set(['text-embedding-3-small', 'gpt-4o-mini-2024-07-18']);
    expect(openAiReports.costModel(cost('gpt-4o-mini-2024-07-18, output'), usageModels)).toBe('gpt-4o-mini-2024-07-18');
    expect(openAiReports.costModel(cost('text-embedding-3-small'), usageModels)).toBe('text-embedding-3-small');
    expect(openAiReports.costModel(cost('text-embedding-3-large'), usageModels)).toBe('');
    expect(openAiReports.costModel(cost('web search tool calls'), usageModels)).toBe('');
  });
});

describe('Anthropic cost lines', () => {
  it('map to the model the report names for token costs only', () => {
    expect(anthropicReports.costModel(cost('Claude Sonnet 4 Usage - Input Tokens', { reportModel: 'claude-sonnet-4-20250514', costType: 'tokens' }), new Set())).toBe(
      'claude-sonnet-4-20250514',
    );
    expect(anthropicReports.costModel(cost('Web Search Usage', { costType: 'web_search' }), new Set())).toBe('');
    expect(anthropicReports.costModel(cost('Code Execution Usage', { reportModel: 'claude-sonnet-4-20250514', costType: 'code_execution' }), new Set())).toBe('');
    expect(anthropicReports.costModel(cost('Claude Opus 4 Usage - Output Tokens'), new Set())).toBe('');
  });
});

describe('the explicit mapping', () => {
  const mapping = checkModelMapping({
    'gpt-4o-mini-2024-07-18, input': 'gpt-4o-mini',
    'Claude Opus 4 Usage - Output Tokens': 'claude-opus-4-20250514',
    'web search tool calls': '',
    'gpt-4.1-2025-04-14': 'gpt-4.1',
  });

  it('comes first: a line item, else the model the report names, to a model or to none', () => {
    expect(costLineModel(openAiReports, cost('gpt-4o-mini-2024-07-18, input'), new Set(), mapping)).toBe('gpt-4o-mini');
    expect(costLineModel(openAiReports, cost('gpt-4o-mini-2024-07-18, output'), new Set(), mapping)).toBe('gpt-4o-mini-2024-07-18');
    expect(costLineModel(anthropicReports, cost('Claude Opus 4 Usage - Output Tokens'), new Set(), mapping)).toBe('claude-opus-4-20250514');
    expect(costLineModel(openAiReports, cost('web search tool calls'), new Set(), mapping)).toBe('');
    expect(usageLineModel(usage('gpt-4.1-2025-04-14'), mapping)).toBe('gpt-4.1');
    expect(usageLineModel(usage('gpt-4o-2024-08-06'), mapping)).toBe('gpt-4o-2024-08-06');
  });

  it('refuses a mapping to something that is not a model name', () => {
    expect(() => checkModelMapping({ 'web search tool calls': 3 })).toThrow('modelMapping["web search tool calls"] must be a model name');
    expect(() => checkModelMapping(['a'])).toThrow('modelMapping must map report names to model names');
  });
});

describe('stored lines', () => {
  it('keep a line that maps to no model, under its line item, and count it', () => {
    const day = '2026-02-01';
    const lines = billLines(
      openAiReports,
      {
        days: [day],
        cost: new Map([[day, [cost('gpt-4o-2024-08-06, input', { amountNano: 2_500_000n }), cost('web search tool calls', { amountNano: 25_000_000n })]]]),
        usage: new Map([[day, [usage('gpt-4o-2024-08-06')]]]),
      },
      {},
    );
    expect(lines.unmapped).toEqual(['web search tool calls']);
    expect(lines.billedNano).toBe(27_500_000n);
    expect(lines.days[0]!.lines.map((line) => [line.kind, line.lineItem, line.model, line.amount])).toEqual([
      ['cost', 'gpt-4o-2024-08-06, input', 'gpt-4o-2024-08-06', '0.002500000'],
      ['cost', 'web search tool calls', '', '0.025000000'],
      ['usage', '', 'gpt-4o-2024-08-06', '0'],
    ]);
  });
});
