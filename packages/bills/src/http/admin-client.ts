import { getWithRetries, keyFingerprint, retryPolicy } from '@llm-cost/clickhouse';

import { BillsApiError, BillsAuthError, BillsConfigError, BillsRateLimitedError } from '../errors.js';
import type { AdminClientOptions, BillProvider } from '../types.js';

/** What the client needs to know about a provider's admin API. */
export interface AdminApi {
  provider: BillProvider;
  /** For messages: `OpenAI`, `Anthropic`. */
  label: string;
  defaultBaseUrl: string;
  /** Headers that carry the key. */
  authHeaders(adminKey: string): Record<string, string>;
  /** What kind of key the reports need, for the message of a refused key. */
  keyNeeded: string;
  /** How admin keys start (a key that does not is probably the wrong kind). */
  keyPrefix: string;
}

/** GETs against a provider's admin API with the admin key, retries and backoff; failures as our errors. */
export interface AdminClient {
  /** `path` relative to the base URL, with its query. Resolves the JSON body of a 2xx answer. */
  get(path: string): Promise<unknown>;
  readonly keyFingerprint: string;
  readonly baseUrl: string;
  readonly api: AdminApi;
}

function resolveBaseUrl(value: string | undefined, fallback: string): string {
  const base = value ?? fallback;
  try {
    const url = new URL(base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new BillsConfigError(`baseUrl must be an http(s) URL, got ${JSON.stringify(base)}`);
  }
  return base.replace(/\/+$/, '');
}

/** The message of a refused key: which key, where, and what kind of key the reports need. */
export function refusedKeyMessage(api: AdminApi, status: number, fingerprint: string, path: string, detail: string, adminKey: string): string {
  const prefixHint = adminKey.startsWith(api.keyPrefix) ? '' : ` (this key does not start with ${api.keyPrefix})`;
  return (
    `${api.label} refused the admin key ${fingerprint} (HTTP ${status}) for ${path}${detail ? `: ${detail.replace(/\.$/, '')}` : ''}. ` +
    `${api.keyNeeded}${prefixHint}.`
  );
}

/**
 * Creates the HTTP side of a provider's admin reports. Retries only what can succeed later (429 honouring
 * Retry-After, 408, 5xx, network failures) with jittered exponential backoff (`@llm-cost/clickhouse`'s
 * `getWithRetries`); a refused key fails at once with `BillsAuthError` naming the key type needed.
 */
export function createAdminClient(api: AdminApi, options: AdminClientOptions): AdminClient {
  const { adminKey } = options;
  if (typeof adminKey !== 'string' || adminKey.trim() === '') {
    throw new BillsConfigError(`An ${api.label} admin key is required (${api.keyNeeded})`);
  }
  const baseUrl = resolveBaseUrl(options.baseUrl, api.defaultBaseUrl);
  const fingerprint = keyFingerprint(adminKey);
  const policy = retryPolicy(options);
  const headers = api.authHeaders(adminKey);

  async function get(path: string): Promise<unknown> {
    const result = await getWithRetries(`${baseUrl}${path}`, path, { headers, secret: adminKey, policy, onRetry: options.onRetry });
    switch (result.kind) {
      case 'success':
        return result.body;
      case 'failure':
        if (result.reason === 'auth') {
          throw new BillsAuthError(refusedKeyMessage(api, result.status, fingerprint, path, result.detail, adminKey), result.status, fingerprint);
        }
        throw new BillsApiError(
          api.label,
          path,
          result.status,
          result.reason === 'not_found' ? `${result.detail} (is the base URL ${baseUrl} right?)` : result.detail,
          result.attempts,
        );
      case 'gave_up':
        if (result.reason === 'rate_limited') throw new BillsRateLimitedError(api.label, path, result.retryAfterMs, result.attempts);
        throw new BillsApiError(api.label, path, result.status, result.detail, result.attempts, { cause: result.cause });
    }
  }

  return { get, keyFingerprint: fingerprint, baseUrl, api };
}
