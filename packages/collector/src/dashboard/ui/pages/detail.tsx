import type { PageProps } from '../app.js';
import type { BreakdownAnswer, CallsAnswer, DailyAnswer, TotalsAnswer } from '../api-types.js';
import { StackedBars } from '../components/charts.js';
import { DataTable } from '../components/data-table.js';
import { AppLink } from '../components/layout.js';
import { StatCard } from '../components/stat-card.js';
import { compact, int, time, usd } from '../format.js';
import { useApi } from '../use-api.js';
import { apiFilters, apiRange, dimensionLabel, filterKey, sharedParams } from '../url-state.js';
import { Section, Status } from './section.js';

/** One user's, tenant's or tag value's usage over the range: the usage_in_period answer, daily cost, models, calls. */
export function DetailPage({ location, range }: PageProps) {
  const dim = location.params.get('dim') ?? 'user';
  const key = location.params.get(filterKey(dim));
  const query = `${apiRange(range)}${apiFilters(location.params)}`;
  const totals = useApi<TotalsAnswer>(key === null ? null : `totals?${query}`);
  const daily = useApi<DailyAnswer>(key === null ? null : `daily?${query}&stack=model`);
  const models = useApi<BreakdownAnswer>(key === null ? null : `breakdown?by=model&${query}`);
  const calls = useApi<CallsAnswer>(key === null ? null : `calls?${query}&limit=10`);
  if (key === null) {
    return (
      <div class="page">
        <p class="muted">Pick a user, tenant or tag value on the Breakdowns page to see its detail.</p>
      </div>
    );
  }
  const t = totals.data?.totals;
  return (
    <div class="page" data-testid="page-detail">
      <h1 class="page-title">
        {dimensionLabel(dim)} <span class="detail-key">{key === '' ? '(none)' : key}</span> <span class="muted">{range.label}</span>
      </h1>
      <Status state={totals} />
      {t !== undefined ? (
        <div class="cards">
          <StatCard label="Cost" testId="detail-cost" value={usd(t.cost)} exact={`${t.cost} USD`} current={Number(t.cost)} previous={Number(totals.data!.previous.totals.cost)} />
          <StatCard label="Billed" value={usd(t.billedCost)} exact={`${t.billedCost} USD`} />
          <StatCard label="Calls" testId="detail-calls" value={int(t.calls)} current={t.calls} previous={totals.data!.previous.totals.calls} upIsBad={false} />
          <StatCard label="Tokens" value={compact(t.totalTokens)} exact={int(t.totalTokens)}>
            <div class="muted small">
              {compact(t.inputTokens)} in ({compact(t.cacheReadTokens)} cached) · {compact(t.outputTokens)} out
            </div>
          </StatCard>
        </div>
      ) : null}
      <Section title="Daily cost by model">
        <Status state={daily} />
        {daily.data ? <StackedBars days={daily.data.days} series={daily.data.series.map((s) => ({ key: s.key, values: s.cost.map(Number) }))} /> : null}
      </Section>
      <div class="grid-2">
        <Section title="Models used">
          <Status state={models} />
          {models.data ? (
            <DataTable
              columns={[
                { id: 'model', label: 'Model', sort: (r) => r.key, render: (r) => r.key },
                { id: 'calls', label: 'Calls', numeric: true, sort: (r) => r.calls, render: (r) => int(r.calls) },
                { id: 'cost', label: 'Cost', numeric: true, sort: (r) => Number(r.cost), render: (r) => usd(r.cost) },
              ]}
              rows={models.data.rows}
              rowKey={(r) => r.key}
              initialSort="cost"
            />
          ) : null}
        </Section>
        <Section title="Latest calls" link={{ path: '/calls', params: sharedParams(location.params), label: 'All calls' }}>
          <Status state={calls} />
          {calls.data ? (
            <DataTable
              columns={[
                { id: 'time', label: 'Time (UTC)', render: (c) => time(c.timestamp) },
                { id: 'model', label: 'Model', render: (c) => c.model },
                { id: 'cost', label: 'Cost', numeric: true, render: (c) => usd(c.cost) },
              ]}
              rows={calls.data.calls}
              rowKey={(c) => c.spanId}
            />
          ) : null}
        </Section>
      </div>
      <p class="muted small">
        <AppLink path="/breakdowns" params={sharedParams(location.params)}>
          ← Breakdowns
        </AppLink>
      </p>
    </div>
  );
}
