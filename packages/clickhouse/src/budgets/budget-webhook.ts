import { diag } from '@opentelemetry/api';

import { withoutTracing } from '../tracing/without-tracing.js';
import type { BudgetExceededEvent } from './budget-types.js';

let failing = false;

/**
 * POSTs the event as JSON (`{ "type": "llm_cost.budget_exceeded", ...event }`). Never throws; a failure is logged
 * once until a delivery succeeds again. Sent with tracing suppressed so it does not appear as an application span.
 */
export async function postBudgetWebhook(url: string, event: BudgetExceededEvent, timeoutMs = 5000): Promise<void> {
  try {
    const response = await withoutTracing(() =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ type: 'llm_cost.budget_exceeded', ...event }),
        signal: AbortSignal.timeout(timeoutMs),
      }),
    );
    await response.body?.cancel();
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    failing = false;
  } catch (error) {
    if (!failing) diag.warn(`@llm-cost/clickhouse: budget webhook ${new URL(url).origin} failed: ${String(error)}`);
    failing = true;
  }
}
