import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import {
  CostPipeline,
  createUsageQueries,
  insertCreditSnapshots,
  recordProviderBills,
  type BillLine,
  type BreakdownDimension,
} from '@llm-cost/clickhouse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';

import { expandGrafanaSql, type DashboardVariableValue, type MacroContext } from './helpers/grafana-macros.js';
import { genAiSpan } from './helpers/genai-spans.js';

const grafanaDir = resolve(__dirname, '../../../examples/grafana');

interface Target {
  rawSql: string;
  format: number;
}
interface Panel {
  title: string;
  type: string;
  targets: Target[];
}
interface Variable {
  type: string;
  name: string;
  query: string;
  multi?: boolean;
}
interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: { list: Variable[] };
}

/** Columns each panel's query must return, in order; a new panel needs an entry here. */
const EXPECTED_COLUMNS: Record<string, string[]> = {
  'Spend (list price)': ['cost'],
  Billed: ['billed'],
  'LLM calls': ['calls'],
  'Unpriced calls': ['unpriced_calls'],
  'Daily budget used': ['spent_today', 'budget_used_pct'],
  'Monthly budget used': ['spent_this_month', 'budget_used_pct'],
  'Spend over time by model': ['time', 'model', 'cost'],
  'Spend by provider': ['provider', 'cost'],
  'Spend by model': ['provider', 'model', 'calls', 'input_tokens', 'output_tokens', 'cost'],
  'Spend by service': ['service', 'cost'],
  'Top users': ['user', 'calls', 'tokens', 'cost'],
  'Spend by tenant': ['tenant', 'calls', 'cost', 'billed'],
  'Spend by feature': ['feature', 'calls', 'cost'],
  'Cache-hit share by model': ['model', 'input', 'cache_read', 'cache_hit_share'],
  'Tokens by bucket': ['time', 'uncached_input', 'cache_read', 'cache_write', 'output', 'reasoning'],
  'Unpriced models': ['provider', 'model', 'calls', 'last_seen'],
  'Calls with unknown usage': ['provider', 'model', 'unknown_usage_calls', 'calls'],
  'Latency by model': ['model', 'calls', 'p50_ms', 'p95_ms', 'p99_ms'],
  "Users' daily budget use": ['user', 'spent_today', 'budget_used_pct'],
  'OpenRouter credit balance': ['time', 'key', 'remaining_usd'],
  'Bill coverage by day': ['time', 'provider', 'coverage'],
  'Billed vs estimated by day': ['day', 'provider', 'estimated_usd', 'billed_usd', 'unseen_usd', 'coverage', 'tokens_seen', 'tokens_billed', 'likely_cause'],
  'Billed line items without a model': ['day', 'provider', 'line_item', 'billed_usd'],
};

function loadDashboards(): Dashboard[] {
  const dir = join(grafanaDir, 'dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as Dashboard);
}

describe('Grafana dashboards run on the real schema', () => {
  const path = mkdtempSync(join(tmpdir(), 'llm-cost-grafana-'));
  let pipeline: CostPipeline;
  const dashboards = loadDashboards();
  const to = new Date();
  const from = new Date(to.getTime() - 7 * 86_400_000);

  beforeAll(async () => {
    pipeline = new CostPipeline({ path, database: 'llm_cost', dedupHoldMs: 0 });
    const spans = [
      genAiSpan({ provider: 'openai', model: 'gpt-4o-mini', cacheReadTokens: 400, tags: { user_id: 'u1', tenant_id: 'acme', feature: 'search' } }),
      genAiSpan({ provider: 'openai', model: 'gpt-4o-mini', tags: { user_id: 'u2', feature: 'chat' }, service: 'support' }),
      genAiSpan({ provider: 'anthropic', model: 'claude-sonnet-4-20250514', reasoningTokens: 50, tags: { user_id: 'u1' } }),
      genAiSpan({ provider: 'openai', model: 'no-such-model-xyz', tags: { user_id: 'u3' } }),
      genAiSpan({ provider: 'openai', model: 'gpt-4o-mini', noUsage: true }),
    ];
    expect(pipeline.submit(spans).status).toBe('accepted');
    expect((await pipeline.flush()).drained).toBe(true);
    expect(pipeline.stats().written).toBe(spans.length);
    // One OpenRouter credit reading, as `llm-cost credits monitor` stores it, for the balance panel.
    await insertCreditSnapshots(pipeline.store, [
      {
        timestampMs: Date.now() - 3_600_000,
        keyFingerprint: '…abcd',
        tenantId: 'acme',
        keyLimit: '20',
        keyUsage: '7.5',
        keyRemaining: '12.5',
        usageDaily: '1.25',
        usageWeekly: null,
        usageMonthly: null,
        totalCredits: null,
        totalUsage: null,
        remaining: '12.5',
        isFreeTier: false,
        level: 'ok',
        burnRatePerHour: '0.05',
        runsOutAtMs: Date.now() + 250 * 3_600_000,
      },
    ]);
    // Today's OpenAI bill, as `llm-cost bills sync openai` stores it: the gpt-4o-mini calls above and more, and a tool.
    const line = (kind: 'cost' | 'usage', model: string, amount: string, lineItem = '', tokens = 0): BillLine => ({
      kind,
      projectId: '',
      lineItem,
      reportModel: model,
      model,
      amount,
      inputTokens: tokens,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      outputTokens: 0,
      requests: 0,
    });
    await recordProviderBills(pipeline.store, {
      provider: 'openai',
      keyFingerprint: '…abcd',
      fetchedAtMs: Date.now(),
      days: [
        {
          day: new Date().toISOString().slice(0, 10),
          lines: [line('cost', 'gpt-4o-mini', '0.01', 'gpt-4o-mini, input'), line('cost', '', '0.02', 'web search tool calls'), line('usage', 'gpt-4o-mini', '0', '', 9000)],
        },
      ],
    });
  });

  afterAll(async () => {
    await pipeline.shutdown();
    rmSync(path, { recursive: true, force: true });
  });

  async function run(sql: string): Promise<{ names: string[]; types: string[]; rows: unknown[][] }> {
    const result = await pipeline.store.client.query({ query: sql, format: 'JSONCompact' });
    const body = (await result.json()) as unknown as { meta: Array<{ name: string; type: string }>; data: unknown[][] };
    return { names: body.meta.map((m) => m.name), types: body.meta.map((m) => m.type), rows: body.data };
  }

  /** Variable values as the dashboard shows them by default (All), with All's options read by the variable query. */
  async function defaultVariables(dashboard: Dashboard, select: 'all' | 'first'): Promise<Record<string, DashboardVariableValue>> {
    const values: Record<string, DashboardVariableValue> = {};
    for (const variable of dashboard.templating.list) {
      if (variable.type !== 'query') {
        values[variable.name] = { value: variable.query };
        continue;
      }
      const ctx: MacroContext = { from, to, intervalMs: 3_600_000, variables: values };
      const { names, rows } = await run(expandGrafanaSql(variable.query, ctx));
      expect(names, `variable ${variable.name} returns one column`).toHaveLength(1);
      const options = rows.map((row) => String(row[0]));
      expect(options.length, `variable ${variable.name} has options`).toBeGreaterThan(0);
      values[variable.name] = select === 'all' ? { values: ['$__all'], options } : { values: [options[0]!], options };
    }
    return values;
  }

  it('every dashboard panel is listed with the columns it expects', () => {
    const titles = dashboards.flatMap((d) => d.panels.map((p) => p.title));
    expect(titles.sort()).toEqual(Object.keys(EXPECTED_COLUMNS).sort());
  });

  for (const select of ['all', 'first'] as const) {
    it(`every panel's SQL runs with macros expanded and returns its columns (variables: ${select})`, async () => {
      for (const dashboard of dashboards) {
        const variables = await defaultVariables(dashboard, select);
        for (const panel of dashboard.panels) {
          for (const target of panel.targets) {
            const sql = expandGrafanaSql(target.rawSql, { from, to, intervalMs: 3_600_000, variables });
            expect(sql).not.toContain('$');
            const { names, types, rows } = await run(sql);
            expect(names, panel.title).toEqual(EXPECTED_COLUMNS[panel.title]);
            if (target.format === 0) expect(types[0], `${panel.title}: time column`).toMatch(/^DateTime/);
            if (select === 'all' && !/budget|Unpriced models|unknown usage/i.test(panel.title)) {
              expect(rows.length, `${panel.title} shows the fixture data`).toBeGreaterThan(0);
            }
          }
        }
      }
    });
  }

  it('shows the fixture spend where it belongs', async () => {
    const dashboard = dashboards.find((d) => d.uid === 'llm-cost-overview')!;
    const variables = await defaultVariables(dashboard, 'all');
    const sqlOf = (title: string) =>
      expandGrafanaSql(dashboard.panels.find((p) => p.title === title)!.targets[0]!.rawSql, {
        from,
        to,
        intervalMs: 3_600_000,
        variables,
      });
    const unpriced = await run(sqlOf('Unpriced models'));
    expect(unpriced.rows.map((r) => r[1])).toEqual(['no-such-model-xyz']);
    const unknownUsage = await run(sqlOf('Calls with unknown usage'));
    expect(unknownUsage.rows).toHaveLength(1);
    const tenants = await run(sqlOf('Spend by tenant'));
    expect(tenants.rows.map((r) => r[0]).sort()).toEqual(['(none)', 'acme']);
    const features = await run(sqlOf('Spend by feature'));
    expect(features.rows.map((r) => r[0]).sort()).toEqual(['chat', 'search']);
  });

  it('flags a billed day with the cause billDrift gives it', async () => {
    const dashboard = dashboards.find((d) => d.uid === 'llm-cost-bills')!;
    const variables = await defaultVariables(dashboard, 'all');
    const panel = dashboard.panels.find((p) => p.title === 'Billed vs estimated by day')!;
    const { rows } = await run(expandGrafanaSql(panel.targets[0]!.rawSql, { from, to, intervalMs: 3_600_000, variables }));
    const queries = createUsageQueries({ client: pipeline.store.client, database: 'llm_cost' });
    const drift = (await queries.billDrift({ from, to })).filter((entry) => entry.kind === 'total');
    expect(rows.map((row) => [row[0], row[1], row[3], row[8]])).toEqual(
      drift.map((entry) => [entry.day, entry.provider, Number(entry.billedCost), entry.causes[0] ?? '']),
    );
    expect(rows[0]![8]).toBe('uninstrumented_traffic');
    const unmapped = await run(
      expandGrafanaSql(dashboard.panels.find((p) => p.title === 'Billed line items without a model')!.targets[0]!.rawSql, { from, to, intervalMs: 3_600_000, variables }),
    );
    expect(unmapped.rows.map((row) => [row[2], row[3]])).toEqual([['web search tool calls', 0.02]]);
  });

  it('Grafana and the built-in dashboard read the same rollups the same way: equal figures for every shared view', async () => {
    // The dashboard's /api/ answers come from createUsageQueries; the Grafana panels are SQL in the dashboard JSON.
    // Both must sum the same rollups to the same numbers, so a change to either that drifts fails here.
    const dashboard = dashboards.find((d) => d.uid === 'llm-cost-overview')!;
    const variables = await defaultVariables(dashboard, 'all');
    const queries = createUsageQueries({ client: pipeline.store.client, database: 'llm_cost' });
    const range = { from: Date.parse(`${from.toISOString().slice(0, 10)}T00:00:00Z`), to: Date.parse(`${to.toISOString().slice(0, 10)}T00:00:00Z`) + 86_400_000 };
    const panelRows = async (title: string) => {
      const target = dashboard.panels.find((p) => p.title === title)!.targets[0]!;
      const { names, rows } = await run(expandGrafanaSql(target.rawSql, { from, to, intervalMs: 3_600_000, variables }));
      return rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]])));
    };
    const nano = (value: unknown) => Number(value).toFixed(9);
    const shared: Array<[title: string, by: BreakdownDimension, key: string, empty: string]> = [
      ['Spend by provider', 'provider', 'provider', ''],
      ['Spend by model', 'model', 'model', ''],
      ['Spend by service', 'service', 'service', '(unknown)'],
      ['Top users', 'user', 'user', '(untagged)'],
      ['Spend by tenant', 'tenant', 'tenant', '(none)'],
      ['Spend by feature', { tag: 'feature' }, 'feature', ''],
    ];
    for (const [title, by, key, empty] of shared) {
      const grafana = (await panelRows(title)).map((row) => [String(row[key]), nano(row.cost)]).sort();
      const ours = (await queries.costBreakdown({ by, ...range }))
        .map((row) => [row.key === '' && empty !== '' ? empty : row.key, nano(row.cost)])
        .sort();
      expect(ours.length, title).toBeGreaterThan(0);
      expect(grafana, title).toEqual(ours);
    }
    const totals = await queries.usageInPeriod(range);
    expect(nano((await panelRows('Spend (list price)'))[0]!.cost)).toBe(nano(totals.cost));
    expect(nano((await panelRows('Billed'))[0]!.billed)).toBe(nano(totals.billedCost));
    expect(Number((await panelRows('LLM calls'))[0]!.calls)).toBe(totals.calls);
    expect(Number((await panelRows('Unpriced calls'))[0]!.unpriced_calls)).toBe(totals.unpricedCalls);
    await queries.close();
  });

  it('the provisioning files point Grafana at these dashboards and the ClickHouse data source', () => {
    const datasources = parseYaml(readFileSync(join(grafanaDir, 'provisioning/datasources/clickhouse.yaml'), 'utf8'));
    const ds = datasources.datasources[0];
    expect(ds.type).toBe('grafana-clickhouse-datasource');
    for (const dashboard of dashboards) {
      const uids = new Set<string>();
      const walk = (node: unknown): void => {
        if (Array.isArray(node)) node.forEach(walk);
        else if (node && typeof node === 'object') {
          const record = node as Record<string, unknown>;
          if (record.type === 'grafana-clickhouse-datasource') uids.add(String(record.uid));
          Object.values(record).forEach(walk);
        }
      };
      walk(dashboard);
      expect(uids).toEqual(new Set([ds.uid]));
    }
    const providers = parseYaml(readFileSync(join(grafanaDir, 'provisioning/dashboards/llm-cost.yaml'), 'utf8'));
    expect(providers.providers[0].options.path).toBe('/var/lib/grafana/dashboards/llm-cost');
  });
});
