import type { CreditAlert, WebhookTarget } from '../types.js';

export interface DeliveryResult {
  /** Host of the webhook (never its path or query: Slack-style URLs carry secrets there). */
  host: string;
  ok: boolean;
  /** HTTP status, or 0 when the request failed. */
  status: number;
  error?: string;
}

/** `hooks.slack.com`, or `(invalid url)`. */
export function webhookHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}

/** The body a target gets: the alert object, or `{ text }` for Slack-compatible webhooks. */
export function webhookBody(alert: CreditAlert, target: WebhookTarget): unknown {
  return target.format === 'slack' ? { text: alert.message } : alert;
}

async function post(alert: CreditAlert, target: WebhookTarget, timeoutMs: number): Promise<DeliveryResult> {
  const host = webhookHost(target.url);
  try {
    const response = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(webhookBody(alert, target)),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return { host, ok: response.ok, status: response.status };
  } catch (error) {
    return { host, ok: false, status: 0, error: error instanceof Error ? error.name : 'Error' };
  }
}

/**
 * Sends an alert to every webhook (in parallel; a 5xx or a network failure is tried once more) and never throws:
 * the results say which deliveries failed.
 */
export async function deliverToWebhooks(alert: CreditAlert, targets: readonly WebhookTarget[], timeoutMs: number): Promise<DeliveryResult[]> {
  return Promise.all(
    targets.map(async (target) => {
      const first = await post(alert, target, timeoutMs);
      return first.ok || (first.status !== 0 && first.status < 500) ? first : post(alert, target, timeoutMs);
    }),
  );
}
