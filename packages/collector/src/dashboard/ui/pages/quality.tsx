import type { PageProps } from '../app.js';
import type { QualityAnswer } from '../api-types.js';
import { DataTable } from '../components/data-table.js';
import { AppLink } from '../components/layout.js';
import { StatCard } from '../components/stat-card.js';
import { int, ms, usd } from '../format.js';
import { useApi } from '../use-api.js';
import { apiFilters, apiRange, sharedParams, withParams } from '../url-state.js';
import { Section, Status } from './section.js';

/** What the numbers may be missing: unpriced models, calls without usage, untagged calls, errors, reconciliation. */
export function QualityPage({ location, range }: PageProps) {
  const answer = useApi<QualityAnswer>(`quality?${apiRange(range)}${apiFilters(location.params)}`);
  const q = answer.data?.quality;
  const calls = (changes: Record<string, string>) => withParams(sharedParams(location.params), changes);
  return (
    <div class="page" data-testid="page-quality">
      <h1 class="page-title">
        Data quality <span class="muted">{range.label}</span>
      </h1>
      <Status state={answer} />
      {q ? (
        <>
          <div class="cards">
            <StatCard label="Calls" value={int(q.calls)} />
            <StatCard label="Unpriced (no price for the model)" testId="quality-unpriced" value={int(q.unpricedCalls)}>
              <AppLink path="/calls" params={calls({ priced: 'no' })} class="small">
                See them →
              </AppLink>
            </StatCard>
            <StatCard label="Without reported usage" value={int(q.unknownUsageCalls)} />
            <StatCard label="Untagged (no user, tenant or feature)" value={int(q.untaggedCalls)} />
            <StatCard label="Failed" value={int(q.errorCalls)}>
              <AppLink path="/calls" params={calls({ status: 'error' })} class="small">
                See them →
              </AppLink>
            </StatCard>
          </div>
          <div class="grid-2">
            <Section title="Models without a price">
              <DataTable
                testId="unpriced-models"
                columns={[
                  { id: 'provider', label: 'Provider', render: (r) => r.provider },
                  { id: 'model', label: 'Model', render: (r) => r.model },
                  { id: 'calls', label: 'Calls', numeric: true, sort: (r) => r.calls, render: (r) => int(r.calls) },
                ]}
                rows={q.unpricedModels}
                rowKey={(r) => `${r.provider}/${r.model}`}
                empty="Every model has a price."
              />
              <p class="muted small">Add a price override (llm-cost prices, LLM_COST_PRICE_OVERRIDES_FILE) to price them.</p>
            </Section>
            <Section title="OpenRouter reconciliation">
              <p>
                {int(q.reconciliation.reconciledCalls)} of {int(q.reconciliation.reconcilableCalls)} calls reconciled;{' '}
                <strong data-testid="unreconciled">{int(q.reconciliation.unreconciledCalls)}</strong> still at our estimate.
              </p>
              <DataTable
                columns={[
                  { id: 'model', label: 'Model', render: (r) => r.model },
                  { id: 'calls', label: 'Reconciled', numeric: true, render: (r) => int(r.reconciledCalls) },
                  { id: 'estimated', label: 'Estimated', numeric: true, render: (r) => usd(r.estimatedCost) },
                  { id: 'charged', label: 'Charged', numeric: true, render: (r) => usd(r.chargedCost) },
                  { id: 'mape', label: 'Mean error', numeric: true, render: (r) => (r.meanAbsolutePercentError === null ? '—' : `${r.meanAbsolutePercentError.toFixed(2)}%`) },
                ]}
                rows={q.reconciliation.byModel}
                rowKey={(r) => `${r.provider}/${r.model}`}
                empty="No reconciled calls in this range."
              />
            </Section>
          </div>
          <Section title="Latency by model">
            <DataTable
              columns={[
                { id: 'model', label: 'Model', sort: (r) => r.model, render: (r) => r.model },
                { id: 'calls', label: 'Calls', numeric: true, sort: (r) => r.calls, render: (r) => int(r.calls) },
                { id: 'p50', label: 'p50', numeric: true, sort: (r) => r.p50Ms, render: (r) => ms(Math.round(r.p50Ms)) },
                { id: 'p95', label: 'p95', numeric: true, sort: (r) => r.p95Ms, render: (r) => ms(Math.round(r.p95Ms)) },
                { id: 'p99', label: 'p99', numeric: true, sort: (r) => r.p99Ms, render: (r) => ms(Math.round(r.p99Ms)) },
              ]}
              rows={answer.data!.latency}
              rowKey={(r) => `${r.provider}/${r.model}`}
              initialSort="calls"
            />
          </Section>
        </>
      ) : null}
    </div>
  );
}
