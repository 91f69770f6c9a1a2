import type { PageProps } from '../app.js';
import type { BreakdownAnswer, DailyAnswer, SavingsAnswer, TotalsAnswer } from '../api-types.js';
import { BarList } from '../components/bar-list.js';
import { StackedBars } from '../components/charts.js';
import { AppLink } from '../components/layout.js';
import { StatCard } from '../components/stat-card.js';
import { compact, int, usd } from '../format.js';
import { useApi } from '../use-api.js';
import { apiFilters, apiRange, filterKey, navigate, sharedParams, withParams } from '../url-state.js';
import { Section, Status } from './section.js';

/** Cost, calls and tokens of the range against the previous period; daily cost stacked; caching; warnings. */
export function OverviewPage({ location, range, session }: PageProps) {
  const query = `${apiRange(range)}${apiFilters(location.params)}`;
  const stack = location.params.get('stack') === 'model' ? 'model' : 'provider';
  const totals = useApi<TotalsAnswer>(`totals?${query}`);
  const daily = useApi<DailyAnswer>(`daily?${query}&stack=${stack}`);
  const savings = useApi<SavingsAnswer>(`savings?${query}`);
  const models = useApi<BreakdownAnswer>(`breakdown?by=model&limit=8&${query}`);
  const users = useApi<BreakdownAnswer>(`breakdown?by=user&limit=8&${query}`);
  const pick = (by: string) => (key: string) => navigate(location.path, withParams(location.params, { [filterKey(by)]: key }));
  const t = totals.data?.totals;
  const p = totals.data?.previous.totals;
  const showBilled = session.tenant !== null || (t !== undefined && t.billedCost !== t.cost);
  return (
    <div class="page" data-testid="page-overview">
      <h1 class="page-title">
        Overview <span class="muted">{range.label}</span>
      </h1>
      <Status state={totals} />
      {t !== undefined && (t.unpricedCalls > 0 || t.unknownUsageCalls > 0) ? (
        <div class="warning" role="alert" data-testid="unpriced-warning">
          <strong>Not all calls are in these costs.</strong>{' '}
          {t.unpricedCalls > 0 ? `${int(t.unpricedCalls)} ${t.unpricedCalls === 1 ? 'call' : 'calls'} of models without a price. ` : ''}
          {t.unknownUsageCalls > 0 ? `${int(t.unknownUsageCalls)} ${t.unknownUsageCalls === 1 ? 'call' : 'calls'} without reported usage. ` : ''}
          <AppLink path="/quality" params={sharedParams(location.params)}>
            See data quality
          </AppLink>
        </div>
      ) : null}
      {t !== undefined && p !== undefined ? (
        <div class="cards">
          <StatCard label="Cost (list price)" testId="stat-cost" value={usd(t.cost)} exact={`${t.cost} USD`} current={Number(t.cost)} previous={Number(p.cost)} />
          {showBilled ? (
            <StatCard label="Billed (with markup)" testId="stat-billed" value={usd(t.billedCost)} exact={`${t.billedCost} USD`} current={Number(t.billedCost)} previous={Number(p.billedCost)} />
          ) : null}
          <StatCard label="Calls" testId="stat-calls" value={int(t.calls)} current={t.calls} previous={p.calls} upIsBad={false}>
            {t.errorCalls > 0 ? <div class="muted small">{int(t.errorCalls)} failed</div> : null}
          </StatCard>
          <StatCard label="Tokens" testId="stat-tokens" value={compact(t.totalTokens)} exact={int(t.totalTokens)} current={t.totalTokens} previous={p.totalTokens} upIsBad={false}>
            <div class="muted small">
              {compact(t.inputTokens)} in · {compact(t.outputTokens)} out
            </div>
          </StatCard>
          <StatCard label="Saved by prompt caching" testId="stat-savings" value={savings.data ? usd(savings.data.saved) : '…'} exact={savings.data ? `${savings.data.saved} USD` : undefined}>
            {savings.data ? (
              <div class="muted small">
                {compact(savings.data.cacheReadTokens)} cached tokens: {usd(savings.data.uncachedCost)} uncached, {usd(savings.data.cacheReadCost)} paid
              </div>
            ) : null}
          </StatCard>
        </div>
      ) : null}
      <Section
        title="Daily cost"
        actions={
          <div class="segmented small" role="group" aria-label="stack by">
            {(['provider', 'model'] as const).map((option) => (
              <button
                key={option}
                type="button"
                data-testid={`stack-${option}`}
                class={stack === option ? 'selected' : ''}
                onClick={() => navigate(location.path, withParams(location.params, { stack: option === 'provider' ? undefined : option }))}
              >
                by {option}
              </button>
            ))}
          </div>
        }
      >
        <Status state={daily} />
        {daily.data ? (
          <StackedBars
            testId="daily-chart"
            days={daily.data.days}
            series={daily.data.series.map((s) => ({ key: s.key, values: s.cost.map(Number) }))}
            onPick={pick(stack)}
          />
        ) : null}
      </Section>
      <div class="grid-2">
        <Section title="Top models" link={{ path: '/breakdowns', params: withParams(sharedParams(location.params), { by: 'model' }), label: 'All models' }}>
          <Status state={models} />
          {models.data ? <BarList testId="top-models" items={models.data.rows} onPick={pick('model')} /> : null}
        </Section>
        <Section title="Top users" link={{ path: '/breakdowns', params: withParams(sharedParams(location.params), { by: 'user' }), label: 'All users' }}>
          <Status state={users} />
          {users.data ? <BarList testId="top-users" items={users.data.rows} onPick={pick('user')} emptyKey="(untagged)" /> : null}
        </Section>
      </div>
    </div>
  );
}
