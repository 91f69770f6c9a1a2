/** A loopback webhook endpoint that records every JSON body POSTed to it (answers 200, or queued statuses). */
import { startProviderServer, type ProviderServer } from '../../../../test/support/index.js';

export interface WebhookReceiver {
  readonly url: string;
  /** Bodies received, in order. */
  bodies(): unknown[];
  /** The next requests are answered with these statuses. */
  failNext(...statuses: number[]): void;
  readonly server: ProviderServer;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const statuses: number[] = [];
  const server = await startProviderServer(() => ({ status: statuses.shift() ?? 200, body: { ok: true } }));
  return {
    url: `${server.url}/hooks/T000/B000/XXXX?token=secret-webhook-token`,
    bodies: () => server.requests.map((request) => request.json),
    failNext: (...next) => statuses.push(...next),
    server,
    close: () => server.close(),
  };
}
