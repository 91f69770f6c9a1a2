import { useState } from 'preact/hooks';

import type { PageProps } from '../app.js';
import { downloadCsv } from '../api-client.js';
import type { CallRecord, CallsAnswer } from '../api-types.js';
import { DataTable, type TableColumn } from '../components/data-table.js';
import { int, ms, time, usd } from '../format.js';
import { useApi } from '../use-api.js';
import { apiFilters, apiRange, navigate, withParams } from '../url-state.js';
import { Section, Status } from './section.js';

/** A trace link from the template, the id URL-encoded; only http(s) templates are accepted by the server. */
function traceLink(template: string | null, traceId: string) {
  if (template === null || traceId === '') return <code>{traceId.slice(0, 12)}</code>;
  return (
    <a href={template.replace('{traceId}', encodeURIComponent(traceId))} target="_blank" rel="noopener noreferrer">
      <code>{traceId.slice(0, 12)}</code>
    </a>
  );
}

/** The latest calls with filters, newest first, a page at a time (bounded by the range and the page size). */
export function CallsPage({ location, range, session }: PageProps) {
  const status = location.params.get('status');
  const priced = location.params.get('priced');
  const before = location.params.get('before');
  const filters = `${apiRange(range)}${apiFilters(location.params)}${status ? `&status=${status}` : ''}${priced ? `&priced=${priced}` : ''}`;
  const page = useApi<CallsAnswer>(`calls?${filters}&limit=50${before ? `&before=${encodeURIComponent(before)}` : ''}`);
  const [csvError, setCsvError] = useState<string | undefined>(undefined);
  const set = (changes: Record<string, string | undefined>) => navigate(location.path, withParams(location.params, changes));
  const columns: TableColumn<CallRecord>[] = [
    { id: 'time', label: 'Time (UTC)', render: (c) => <span title={c.timestamp}>{time(c.timestamp).slice(5)}</span> },
    {
      id: 'model',
      label: 'Model',
      render: (c) => (
        <span title={c.provider}>
          {c.model}
          {c.stream ? <span class="tag">stream</span> : null}
        </span>
      ),
    },
    { id: 'user', label: 'User', render: (c) => (c.userId === '' ? <span class="muted">—</span> : <span title={c.userId}>{c.userId}</span>) },
    ...(session.tenant === null ? [{ id: 'tenant', label: 'Tenant', render: (c: CallRecord) => c.tenantId }] : []),
    { id: 'feature', label: 'Feature', render: (c) => <span title={c.feature}>{c.feature}</span> },
    {
      id: 'tokens',
      label: 'In / cached / out',
      numeric: true,
      render: (c) => `${int(c.inputTokens)} / ${int(c.cacheReadTokens)} / ${int(c.outputTokens)}`,
    },
    {
      id: 'cost',
      label: 'Cost',
      numeric: true,
      render: (c) => (c.cost === null ? <span class="warn-text" title={c.pricingStatus}>{c.pricingStatus === 'unknown_usage' ? 'no usage' : 'unpriced'}</span> : <span title={`${c.cost} USD`}>{usd(c.cost)}</span>),
    },
    { id: 'latency', label: 'Latency', numeric: true, render: (c) => ms(c.latencyMs) },
    { id: 'error', label: 'Error', render: (c) => (c.errorType === '' ? '' : <span class="error-text">{c.errorType}</span>) },
    { id: 'trace', label: 'Trace', render: (c) => traceLink(session.traceUrl, c.traceId) },
  ];
  return (
    <div class="page" data-testid="page-calls">
      <h1 class="page-title">
        Calls <span class="muted">{range.label}</span>
      </h1>
      <div class="toolbar">
        <label>
          Status{' '}
          <select value={status ?? ''} data-testid="status-filter" onChange={(e) => set({ status: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">all</option>
            <option value="ok">succeeded</option>
            <option value="error">failed</option>
          </select>
        </label>
        <label>
          Priced{' '}
          <select value={priced ?? ''} data-testid="priced-filter" onChange={(e) => set({ priced: (e.target as HTMLSelectElement).value || undefined })}>
            <option value="">all</option>
            <option value="yes">priced</option>
            <option value="no">unpriced or no usage</option>
          </select>
        </label>
      </div>
      <Section
        title={before ? 'Older calls' : 'Latest calls'}
        actions={
          <button
            type="button"
            onClick={() => downloadCsv(`calls.csv?${filters}&limit=500${before ? `&before=${encodeURIComponent(before)}` : ''}`).catch((e: Error) => setCsvError(e.message))}
          >
            Download CSV
          </button>
        }
      >
        <Status state={page} />
        {csvError ? <p class="error-text">{csvError}</p> : null}
        {page.data ? <DataTable testId="calls-table" columns={columns} rows={page.data.calls} rowKey={(c) => c.spanId} empty="No calls match." /> : null}
        <div class="pager">
          {before ? (
            <button type="button" onClick={() => set({ before: undefined })}>
              ← Newest
            </button>
          ) : null}
          {page.data?.next ? (
            <button type="button" data-testid="older" onClick={() => set({ before: page.data!.next! })}>
              Older →
            </button>
          ) : null}
        </div>
      </Section>
    </div>
  );
}
