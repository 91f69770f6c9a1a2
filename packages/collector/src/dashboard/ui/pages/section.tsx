import type { ComponentChildren } from 'preact';

import { AppLink } from '../components/layout.js';
import type { ApiState } from '../use-api.js';

/** A titled card of a page, with optional actions on the right and a link to the page with more. */
export function Section({
  title,
  actions,
  link,
  children,
  testId,
}: {
  title: string;
  actions?: ComponentChildren;
  link?: { path: string; params: URLSearchParams; label: string };
  children: ComponentChildren;
  testId?: string;
}) {
  return (
    <section class="card section" data-testid={testId}>
      <div class="section-head">
        <h2>{title}</h2>
        <div class="section-actions">
          {actions}
          {link ? (
            <AppLink path={link.path} params={link.params} class="small">
              {link.label} →
            </AppLink>
          ) : null}
        </div>
      </div>
      {children}
    </section>
  );
}

/** Loading and error lines of an API state (the data, when any, is rendered by the caller). */
export function Status({ state }: { state: ApiState<unknown> }) {
  if (state.error !== undefined) return <p class="error-text" role="alert">Could not load: {state.error}</p>;
  if (state.loading && state.data === undefined) return <p class="muted loading">Loading…</p>;
  return null;
}
