import { redactKey } from './key-fingerprint.js';
import { backoffDelay, classifyNetworkError, classifyStatus, type ResponseOutcome } from './response-outcome.js';

/**
 * One GET against a provider's API with the retries every llm-cost client of a provider API makes (OpenRouter's
 * account endpoints, OpenAI's and Anthropic's admin reports): only what can succeed later is tried again (429 waiting
 * what `Retry-After` asks, 408, 5xx, network failures), with jittered exponential backoff; 401/403, 404 and other
 * 4xx are answered at once. The result is a small tagged union; each package turns its failures into its own errors.
 * The key travels in `headers` only: every text that comes back (error bodies, network errors) has it redacted.
 */

/** How patiently to retry. Every package's options resolve to this with {@link retryPolicy}. */
export interface RetryPolicy {
  /** Timeout of one attempt, in milliseconds. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** First step of the jittered exponential backoff, in milliseconds. */
  retryBaseMs: number;
  /** Largest backoff step, in milliseconds. */
  retryMaxMs: number;
  /** Longest `Retry-After` honoured; a 429 asking for more gives up at once. */
  maxRetryAfterMs: number;
  /** How the waits between attempts happen (a test or a scheduler can drive time). */
  sleep: (ms: number) => Promise<void>;
}

/** The retry options a provider client accepts (all optional, with the defaults below). */
export interface RetryOptions {
  /** @default 30000 */
  timeoutMs?: number;
  /** @default 4 */
  maxRetries?: number;
  /** @default 500 */
  retryBaseMs?: number;
  /** @default 30000 */
  retryMaxMs?: number;
  /** @default 120000 */
  maxRetryAfterMs?: number;
  /** @default setTimeout-based (unref'd) */
  sleep?: (ms: number) => Promise<void>;
}

/** Told before each retry (for logs and metrics); never carries the key. */
export interface ProviderRetryEvent {
  /** Request path and query. */
  path: string;
  /** The attempt that failed, from 1. */
  attempt: number;
  /** Wait before the next attempt, in milliseconds. */
  delayMs: number;
  reason: 'rate_limited' | 'server_error' | 'network_error';
  /** HTTP status; 0 for a network failure. */
  status: number;
}

export interface ProviderGetOptions {
  /** Request headers, the key among them. */
  headers: Record<string, string>;
  /** The key, redacted from every text that comes back. */
  secret: string;
  policy: RetryPolicy;
  onRetry?: ((event: ProviderRetryEvent) => void) | undefined;
  /** Runs each attempt (a concurrency limiter, say); the waits between attempts run outside it. */
  runAttempt?: <T>(attempt: () => Promise<T>) => Promise<T>;
}

export type ProviderGetResult =
  | { kind: 'success'; status: number; body: unknown; attempts: number }
  /** Not worth retrying: the key was refused, nothing is there, the request is wrong, or a 2xx body is not JSON. */
  | { kind: 'failure'; reason: 'auth' | 'not_found' | 'client_error' | 'not_json'; status: number; detail: string; attempts: number }
  /** Still failing after every retry (or asked to wait longer than allowed). */
  | {
      kind: 'gave_up';
      reason: 'rate_limited' | 'server_error' | 'network_error';
      status: number;
      detail: string;
      attempts: number;
      retryAfterMs: number | undefined;
      cause?: unknown;
    };

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The policy with every default filled in. */
export function retryPolicy(options: RetryOptions): RetryPolicy {
  return {
    timeoutMs: options.timeoutMs ?? 30_000,
    maxRetries: Math.max(0, options.maxRetries ?? 4),
    retryBaseMs: options.retryBaseMs ?? 500,
    retryMaxMs: options.retryMaxMs ?? 30_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 120_000,
    sleep: options.sleep ?? defaultSleep,
  };
}

/** The `error.message` of a provider's error body (OpenAI, Anthropic and OpenRouter all use it), short, key redacted. */
export function errorDetail(text: string, secret: string): string {
  let detail = text;
  try {
    const parsed = JSON.parse(text) as { error?: { message?: unknown } };
    if (typeof parsed.error?.message === 'string') detail = parsed.error.message;
  } catch {
    // not JSON: keep the text (an HTML error page from a proxy, say)
  }
  detail = redactKey(detail.replace(/\s+/g, ' ').trim(), secret);
  return detail.length > 200 ? `${detail.slice(0, 200)}…` : detail;
}

interface Attempt {
  outcome: ResponseOutcome;
  status: number;
  text: string;
  error?: unknown;
}

async function attemptOnce(url: string, options: ProviderGetOptions): Promise<Attempt> {
  try {
    const response = await fetch(url, {
      headers: { accept: 'application/json', ...options.headers },
      signal: AbortSignal.timeout(options.policy.timeoutMs),
    });
    const text = await response.text();
    return { outcome: classifyStatus(response.status, response.headers.get('retry-after'), Date.now()), status: response.status, text };
  } catch (error) {
    return { outcome: classifyNetworkError(), status: 0, text: '', error };
  }
}

/** GETs `url` (`path` names it in events and results) until it succeeds or retrying cannot help. */
export async function getWithRetries(url: string, path: string, options: ProviderGetOptions): Promise<ProviderGetResult> {
  const { policy, secret } = options;
  const run = options.runAttempt ?? (<T>(attempt: () => Promise<T>) => attempt());
  for (let attempts = 1; ; attempts += 1) {
    const { outcome, status, text, error } = await run(() => attemptOnce(url, options));
    if (outcome.kind === 'success') {
      try {
        return { kind: 'success', status, body: JSON.parse(text) as unknown, attempts };
      } catch {
        return { kind: 'failure', reason: 'not_json', status, detail: 'the body is not JSON', attempts };
      }
    }
    if (outcome.kind === 'failure') return { kind: 'failure', reason: outcome.reason, status, detail: errorDetail(text, secret), attempts };
    const retryAfterMs = outcome.retryAfterMs;
    const tooLong = outcome.reason === 'rate_limited' && retryAfterMs !== undefined && retryAfterMs > policy.maxRetryAfterMs;
    if (tooLong || attempts > policy.maxRetries) {
      const detail = error === undefined ? errorDetail(text, secret) : redactKey(String((error as Error).message ?? error), secret);
      return { kind: 'gave_up', reason: outcome.reason, status, detail, attempts, retryAfterMs, ...(error === undefined ? {} : { cause: error }) };
    }
    // Retry-After wins over our backoff (also on a 503 that sends one); otherwise jittered exponential backoff.
    const delayMs = retryAfterMs ?? backoffDelay(attempts, policy.retryBaseMs, policy.retryMaxMs);
    options.onRetry?.({ path, attempt: attempts, delayMs, reason: outcome.reason, status });
    await policy.sleep(delayMs);
  }
}
