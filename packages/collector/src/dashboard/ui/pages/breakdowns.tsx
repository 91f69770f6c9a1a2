import { useState } from 'preact/hooks';

import type { PageProps } from '../app.js';
import { downloadCsv } from '../api-client.js';
import type { BreakdownAnswer, BreakdownRow } from '../api-types.js';
import { BarList } from '../components/bar-list.js';
import { DataTable, type TableColumn } from '../components/data-table.js';
import { AppLink } from '../components/layout.js';
import { int, usd } from '../format.js';
import { useApi } from '../use-api.js';
import { apiFilters, apiRange, dimensionLabel, filterKey, navigate, sharedParams, withParams } from '../url-state.js';
import { Section, Status } from './section.js';

const DIMENSIONS = ['model', 'provider', 'user', 'tenant', 'feature', 'service'];
/** Dimensions whose keys have a detail page (a user's or tenant's or tag value's usage). */
const DETAILED = (by: string) => by === 'user' || by === 'tenant' || by === 'feature' || by.startsWith('tag:');

/** Cost by any dimension or tag key: bars of the largest, a sortable table of all, CSV; a click filters everything. */
export function BreakdownsPage({ location, range, session }: PageProps) {
  const requested = location.params.get('by') ?? 'model';
  const by = DIMENSIONS.includes(requested) || requested.startsWith('tag:') ? requested : 'model';
  const query = `${apiRange(range)}${apiFilters(location.params)}`;
  const answer = useApi<BreakdownAnswer>(`breakdown?by=${encodeURIComponent(by)}&${query}`);
  const tagKeys = useApi<{ keys: string[] }>(`tag-keys?${query}`);
  const [csvError, setCsvError] = useState<string | undefined>(undefined);
  const pick = (key: string) => navigate(location.path, withParams(location.params, { [filterKey(by)]: key }));
  const otherTags = (tagKeys.data?.keys ?? []).filter((key) => key !== 'feature' && key !== 'user_id' && key !== 'tenant_id');
  const showBilled = session.tenant !== null || (answer.data?.rows ?? []).some((r) => r.billedCost !== r.cost);
  const label = dimensionLabel(by);
  const columns: TableColumn<BreakdownRow>[] = [
    {
      id: 'key',
      label,
      sort: (r) => r.key,
      render: (r) =>
        DETAILED(by) && r.key !== '' ? (
          <AppLink path="/detail" params={withParams(sharedParams(location.params), { dim: by, [filterKey(by)]: r.key })}>
            {r.key}
          </AppLink>
        ) : (
          <span>{r.key === '' ? '(none)' : r.key}</span>
        ),
    },
    { id: 'calls', label: 'Calls', numeric: true, sort: (r) => r.calls, render: (r) => int(r.calls) },
    { id: 'input', label: 'Input tokens', numeric: true, sort: (r) => r.inputTokens, render: (r) => int(r.inputTokens) },
    { id: 'cached', label: 'Cached', numeric: true, sort: (r) => r.cacheReadTokens, render: (r) => int(r.cacheReadTokens) },
    { id: 'output', label: 'Output tokens', numeric: true, sort: (r) => r.outputTokens, render: (r) => int(r.outputTokens) },
    { id: 'cost', label: 'Cost', numeric: true, sort: (r) => Number(r.cost), render: (r) => <span title={`${r.cost} USD`}>{usd(r.cost)}</span> },
    ...(showBilled
      ? [{ id: 'billed', label: 'Billed', numeric: true, sort: (r: BreakdownRow) => Number(r.billedCost), render: (r: BreakdownRow) => usd(r.billedCost) }]
      : []),
    {
      id: 'unpriced',
      label: 'Unpriced',
      numeric: true,
      sort: (r) => r.unpricedCalls + r.unknownUsageCalls,
      render: (r) => (r.unpricedCalls + r.unknownUsageCalls > 0 ? <span class="warn-text">{int(r.unpricedCalls + r.unknownUsageCalls)}</span> : '0'),
    },
    { id: 'errors', label: 'Errors', numeric: true, sort: (r) => r.errorCalls, render: (r) => int(r.errorCalls) },
  ];
  return (
    <div class="page" data-testid="page-breakdowns">
      <h1 class="page-title">
        Cost by {label} <span class="muted">{range.label}</span>
      </h1>
      <div class="tabs" role="tablist">
        {DIMENSIONS.map((d) => (
          <button key={d} type="button" role="tab" aria-selected={by === d} data-testid={`by-${d}`} onClick={() => navigate(location.path, withParams(location.params, { by: d }))}>
            {d}
          </button>
        ))}
        {otherTags.length > 0 ? (
          <select
            aria-label="tag key"
            value={by.startsWith('tag:') ? by : ''}
            onChange={(event) => {
              const value = (event.target as HTMLSelectElement).value;
              if (value !== '') navigate(location.path, withParams(location.params, { by: value }));
            }}
          >
            <option value="">other tag…</option>
            {otherTags.map((key) => (
              <option key={key} value={`tag:${key}`}>
                {key}
              </option>
            ))}
          </select>
        ) : null}
      </div>
      <Status state={answer} />
      {answer.data ? (
        <>
          <Section title={`Largest ${label} values`}>
            <BarList testId="breakdown-bars" items={answer.data.rows.slice(0, 12)} onPick={pick} />
          </Section>
          <Section
            title={`Every ${label} value`}
            actions={
              <button
                type="button"
                data-testid="csv"
                onClick={() => {
                  setCsvError(undefined);
                  downloadCsv(`breakdown.csv?by=${encodeURIComponent(by)}&${query}`).catch((e: Error) => setCsvError(e.message));
                }}
              >
                Download CSV
              </button>
            }
          >
            {csvError ? <p class="error-text">{csvError}</p> : null}
            <DataTable testId="breakdown-table" columns={columns} rows={answer.data.rows} rowKey={(r) => r.key} onRowClick={(r) => pick(r.key)} initialSort="cost" />
          </Section>
        </>
      ) : null}
    </div>
  );
}
