import { keyFingerprint, redactKey } from '../credits/key-fingerprint.js';
import {
  OpenRouterApiError,
  OpenRouterAuthError,
  OpenRouterConfigError,
  OpenRouterRateLimitedError,
} from '../errors.js';
import type { OpenRouterClientOptions } from '../types.js';
import { createLimiter } from './limiter.js';
import { backoffDelay, classifyNetworkError, classifyStatus, type ResponseOutcome } from './response-outcome.js';

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

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The `error.message` of an OpenRouter error body, short and without the key. */
function errorDetail(text: string, apiKey: string): string {
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') detail = parsed.error.message;
  } catch {
    // not JSON: keep the text (an HTML error page from a proxy, say)
  }
  detail = redactKey(detail.replace(/\s+/g, ' ').trim(), apiKey);
  return detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
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
  const timeoutMs = options.timeoutMs ?? 30_000;
  const maxRetries = Math.max(0, options.maxRetries ?? 4);
  const retryBaseMs = options.retryBaseMs ?? 500;
  const retryMaxMs = options.retryMaxMs ?? 30_000;
  const maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
  const sleep = options.sleep ?? defaultSleep;
  const limiter = createLimiter(options.concurrency ?? 4);

  async function attempt(path: string): Promise<{ outcome: ResponseOutcome; status: number; text: string; error?: unknown }> {
    try {
      const response = await fetch(`${baseUrl}${path}`, {
        headers: { authorization: `Bearer ${apiKey}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await response.text();
      return { outcome: classifyStatus(response.status, response.headers.get('retry-after'), Date.now()), status: response.status, text };
    } catch (error) {
      return { outcome: classifyNetworkError(), status: 0, text: '', error };
    }
  }

  async function get(path: string): Promise<GetResult> {
    for (let attemptNumber = 1; ; attemptNumber += 1) {
      const { outcome, status, text, error } = await limiter.run(() => attempt(path));
      if (outcome.kind === 'success') {
        try {
          return { status: 200, body: JSON.parse(text) as unknown };
        } catch {
          throw new OpenRouterApiError(path, status, 'the body is not JSON', attemptNumber);
        }
      }
      if (outcome.kind === 'failure') {
        if (outcome.reason === 'not_found') return { status: 404 };
        if (outcome.reason === 'auth') throw new OpenRouterAuthError(status, fingerprint, path, errorDetail(text, apiKey));
        throw new OpenRouterApiError(path, status, errorDetail(text, apiKey), attemptNumber);
      }
      const retryAfter = outcome.retryAfterMs;
      if (outcome.reason === 'rate_limited' && retryAfter !== undefined && retryAfter > maxRetryAfterMs) {
        throw new OpenRouterRateLimitedError(path, retryAfter, attemptNumber);
      }
      if (attemptNumber > maxRetries) {
        if (outcome.reason === 'rate_limited') throw new OpenRouterRateLimitedError(path, retryAfter, attemptNumber);
        const detail = error === undefined ? errorDetail(text, apiKey) : redactKey(String((error as Error).message ?? error), apiKey);
        throw new OpenRouterApiError(path, status, detail, attemptNumber, { cause: error });
      }
      // Retry-After wins over our backoff (also on a 503 that sends one); otherwise jittered exponential backoff.
      const delayMs = retryAfter ?? backoffDelay(attemptNumber, retryBaseMs, retryMaxMs);
      options.onRetry?.({ path, attempt: attemptNumber, delayMs, reason: outcome.reason, status });
      await sleep(delayMs);
    }
  }

  return { get, keyFingerprint: fingerprint, baseUrl };
}
