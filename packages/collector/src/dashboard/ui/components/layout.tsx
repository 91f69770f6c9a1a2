import { setToken } from '../api-client.js';
import type { Session } from '../app.js';
import { FILTER_KEYS, href, navigate, RANGES, sharedParams, withParams, type DayRange, type Location } from '../url-state.js';

const NAV = [
  { path: '/', label: 'Overview' },
  { path: '/breakdowns', label: 'Breakdowns' },
  { path: '/calls', label: 'Calls' },
  { path: '/quality', label: 'Data quality' },
  { path: '/credits', label: 'Credits' },
];

/** A link inside the app: changes the URL without reloading. */
export function AppLink({ path, params, children, class: className, testId }: { path: string; params: URLSearchParams; children: preact.ComponentChildren; class?: string; testId?: string }) {
  return (
    <a
      href={href(path, params)}
      class={className}
      data-testid={testId}
      onClick={(event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
        event.preventDefault();
        navigate(path, params);
      }}
    >
      {children}
    </a>
  );
}

export function Header({ location, range, session }: { location: Location; range: DayRange; session: Session }) {
  const shared = sharedParams(location.params);
  const active = location.path === '/overview' ? '/' : location.path;
  const custom = location.params.has('from');
  return (
    <header class="header">
      <div class="header-row">
        <AppLink path="/" params={shared} class="brand">
          llm-cost
        </AppLink>
        <nav class="nav" aria-label="pages">
          {NAV.map((item) => (
            <AppLink key={item.path} path={item.path} params={shared} class={active === item.path ? 'active' : ''}>
              {item.label}
            </AppLink>
          ))}
        </nav>
        <div class="header-end">
          {session.tenant !== null ? (
            <span class="badge" data-testid="tenant-scope">
              tenant {session.tenant}
            </span>
          ) : session.tenants.length > 0 ? (
            <select
              aria-label="tenant"
              data-testid="tenant-select"
              value={location.params.get('tenant') ?? ''}
              onChange={(event) => navigate(location.path, withParams(location.params, { tenant: (event.target as HTMLSelectElement).value || undefined }))}
            >
              <option value="">All tenants</option>
              {session.tenants.map((tenant) => (
                <option key={tenant} value={tenant}>
                  {tenant}
                </option>
              ))}
            </select>
          ) : null}
          <button
            type="button"
            class="link-button"
            title="Forget the token in this tab"
            onClick={() => {
              setToken(undefined);
              dispatchEvent(new Event('llm-cost:unauthorized'));
            }}
          >
            Sign out
          </button>
        </div>
      </div>
      <div class="header-row controls">
        <div class="segmented" role="group" aria-label="range">
          {RANGES.map((r) => (
            <button
              key={r.id}
              type="button"
              data-testid={`range-${r.id}`}
              class={!custom && range.label === r.label ? 'selected' : ''}
              onClick={() => navigate(location.path, withParams(location.params, { range: r.id, from: undefined, to: undefined }))}
            >
              {r.label}
            </button>
          ))}
        </div>
        <form
          class="custom-range"
          onSubmit={(event) => {
            event.preventDefault();
            const form = new FormData(event.currentTarget as HTMLFormElement);
            const from = String(form.get('from') ?? '');
            const to = String(form.get('to') ?? '');
            if (from !== '' && to !== '' && from <= to) navigate(location.path, withParams(location.params, { range: undefined, from, to }));
          }}
        >
          <input type="date" name="from" aria-label="from" value={range.first} key={`f${range.first}`} />
          <span class="muted">–</span>
          <input type="date" name="to" aria-label="to" value={range.last} key={`t${range.last}`} />
          <button type="submit">Apply</button>
        </form>
      </div>
    </header>
  );
}

/** The active filters as chips; each one can be removed. Tenant scope of a tenant token is not a removable filter. */
export function Filters({ location, session }: { location: Location; session: Session }) {
  const chips: Array<{ key: string; label: string; value: string }> = [];
  for (const [key, value] of location.params) {
    if (key === 'tenant' && session.tenant !== null) continue;
    if ((FILTER_KEYS as readonly string[]).includes(key)) chips.push({ key, label: key, value });
    else if (key.startsWith('tag.')) chips.push({ key, label: key.slice(4), value });
  }
  if (chips.length === 0) return null;
  return (
    <div class="filters" data-testid="filters">
      <span class="muted">Filtered by</span>
      {chips.map((chip) => (
        <span class="chip" key={chip.key}>
          <span class="chip-label">{chip.label}</span> {chip.value === '' ? '(none)' : chip.value}
          <button type="button" aria-label={`remove filter ${chip.label}`} onClick={() => navigate(location.path, withParams(location.params, { [chip.key]: undefined }))}>
            ×
          </button>
        </span>
      ))}
      <button
        type="button"
        class="link-button"
        onClick={() => navigate(location.path, withParams(location.params, Object.fromEntries(chips.map((c) => [c.key, undefined]))))}
      >
        Clear
      </button>
    </div>
  );
}
