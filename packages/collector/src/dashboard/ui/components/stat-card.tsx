import type { ComponentChildren } from 'preact';

import { change } from '../format.js';

interface StatCardProps {
  label: string;
  value: string;
  /** Exact value for the tooltip (money as a 9-decimal string). */
  exact?: string;
  current?: number;
  previous?: number;
  /** More spend is bad news: an increase is shown in the warning colour. */
  upIsBad?: boolean;
  testId?: string;
  children?: ComponentChildren;
}

/** One headline figure with its change against the previous period of the same length. */
export function StatCard({ label, value, exact, current, previous, upIsBad = true, testId, children }: StatCardProps) {
  const delta = current === undefined || previous === undefined ? undefined : change(current, previous);
  const tone = delta === undefined || delta.direction === 'flat' ? 'flat' : (delta.direction === 'up') === upIsBad ? 'bad' : 'good';
  return (
    <div class="card stat" data-testid={testId}>
      <div class="stat-label">{label}</div>
      <div class="stat-value" title={exact}>
        {value}
      </div>
      {delta !== undefined ? (
        <div class={`stat-change ${tone}`} title="against the previous period of the same length">
          {delta.text} <span class="muted">vs previous</span>
        </div>
      ) : previous !== undefined ? (
        <div class="stat-change flat">
          <span class="muted">nothing in the previous period</span>
        </div>
      ) : null}
      {children}
    </div>
  );
}
