import {
  getWithRetries,
  keyFingerprint,
  retryPolicy,
} from '@llm-cost/clickhouse';

import {
  OpenRouterApiError,
  OpenRouterAuthError,
  OpenRouterConfigError,
  OpenRouterRateLimitedError,
} from '../errors.js';
import type { OpenRouterClientOptions } from '../types.js';
import { createLimiter } from './limiter.js';

export const DEFAULT_BASE_URL = 'https://openrouter.ai/api/v1';

/** A GET that answered: 200 with its JSON body, or 404 (for lookups of things that may not exist yet). */
export type GetResult = { status: 200; body: unknown } | { status: 404 };

/** GETs against OpenRouter's API with the key, bounded concurrency, retries and backoff. */
export interface OpenRouterHttp {
  /** `path` relative to the base URL, e.g. `/key`. Throws our errors; resolves 404 as `{ status: 404 }`. */
  get(path: string): Promise<GetResult>;
  readonly keyFingerprint: string;
  readonly baseUrl: string;
}

function resolveBaseUrl(value: string | undefined): string {
  const base = value ?? process.env.OPENROUTER_BASE_URL ?? DEFAULT_BASE_URL;
  try {
    const url = new URL(base);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new OpenRouterConfigError(`baseUrl must be an http(s) URL, got ${JSON.stringify(base)}`);
  }
  return base.replace(/\/+$/, '');
}

/**
 * Creates the HTTP side of the OpenRouter client. Retries only what can succeed later (429 honouring Retry-After,
 * 408, 5xx, network failures) with jittered exponential backoff; never retries 401/403/404 or other 4xx.
 */
export function createOpenRouterHttp(options: OpenRouterClientOptions): OpenRouterHttp {
  const { apiKey } = options;
  if (typeof apiKey !== 'string' || apiKey.trim() === '') {
    throw new OpenRouterConfigError('An OpenRouter API key is required (option apiKey, a config file, or env OPENROUTER_API_KEY)');
  }
  const baseUrl = resolveBaseUrl(options.baseUrl);
  const fingerprint = keyFingerprint(apiKey);
  const policy = retryPolicy(options);
  const limiter = createLimiter(options.concurrency ?? 4);
  const headers = { authorization: `Bearer ${apiKey}` };

  async function get(path: string): Promise<GetResult> {
    const result = await getWithRetries(`${baseUrl}${path}`, path, {
      headers,
      secret: apiKey,
      policy,
      onRetry: options.onRetry,
      // Each attempt takes a slot; a request waiting to retry does not hold one.
      runAttempt: (attempt) => limiter.run(attempt),
    });
    switch (result.kind) {
      case 'success':
        return { status: 200, body: result.body };
      case 'failure':
        if (result.reason === 'not_found') return { status: 404 };
        if (result.reason === 'auth') throw new OpenRouterAuthError(result.status, fingerprint, path, result.detail);
        throw new OpenRouterApiError(path, result.status, result.detail, result.attempts);
      case 'gave_up':
        if (result.reason === 'rate_limited') throw new OpenRouterRateLimitedError(path, result.retryAfterMs, result.attempts);
        throw new OpenRouterApiError(path, result.status, result.detail, result.attempts, { cause: result.cause });
    }
  }

  return { get, keyFingerprint: fingerprint, baseUrl };
}
