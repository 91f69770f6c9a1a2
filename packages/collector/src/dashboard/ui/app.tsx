import { useEffect, useState } from 'preact/hooks';

import { getJson, setToken, UnauthorizedError } from './api-client.js';
import { Filters, Header } from './components/layout.js';
import { Login } from './components/login.js';
import { BreakdownsPage } from './pages/breakdowns.js';
import { CallsPage } from './pages/calls.js';
import { CreditsPage } from './pages/credits.js';
import { DetailPage } from './pages/detail.js';
import { OverviewPage } from './pages/overview.js';
import { QualityPage } from './pages/quality.js';
import { dayRange, useLocation, type DayRange, type Location } from './url-state.js';

/** What the server says about the reader: its tenant scope, the tenants it may switch between, the trace link. */
export interface Session {
  authenticated: true;
  tenant: string | null;
  tenants: string[];
  traceUrl: string | null;
}

export interface PageProps {
  location: Location;
  range: DayRange;
  session: Session;
}

const PAGES: Record<string, (props: PageProps) => preact.JSX.Element> = {
  '/': OverviewPage,
  '/overview': OverviewPage,
  '/breakdowns': BreakdownsPage,
  '/detail': DetailPage,
  '/calls': CallsPage,
  '/quality': QualityPage,
  '/credits': CreditsPage,
};

type SessionState = { kind: 'loading' } | { kind: 'login'; failed: boolean } | { kind: 'ready'; session: Session } | { kind: 'error'; message: string };

export function App() {
  const location = useLocation();
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    getJson<Session | { authenticated: false }>('session').then(
      (session) => {
        if (!live) return;
        setState(session.authenticated ? { kind: 'ready', session } : { kind: 'login', failed: attempt > 0 });
      },
      (error: Error) => {
        if (!live) return;
        if (error instanceof UnauthorizedError) setState({ kind: 'login', failed: attempt > 0 });
        else setState({ kind: 'error', message: error.message });
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(() => {
    const expired = () => setState({ kind: 'login', failed: true });
    addEventListener('llm-cost:unauthorized', expired);
    return () => removeEventListener('llm-cost:unauthorized', expired);
  }, []);

  if (state.kind === 'loading') return <div class="boot muted">Loading…</div>;
  if (state.kind === 'error') return <div class="boot error-box">The dashboard could not start: {state.message}</div>;
  if (state.kind === 'login') {
    return (
      <Login
        failed={state.failed}
        onSubmit={(token) => {
          setToken(token);
          setState({ kind: 'loading' });
          setAttempt((n) => n + 1);
        }}
      />
    );
  }
  const Page = PAGES[location.path] ?? OverviewPage;
  const range = dayRange(location.params);
  return (
    <div class="app">
      <Header location={location} range={range} session={state.session} />
      <main class="main">
        <Filters location={location} session={state.session} />
        <Page location={location} range={range} session={state.session} />
      </main>
    </div>
  );
}
