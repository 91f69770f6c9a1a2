/**
 * What to do with a provider API's answer (OpenRouter's account endpoints, OpenAI's and Anthropic's admin reports),
 * decided by small pure functions (each tested on its own): a tagged union of `success`, `retryable` (429, 408, 5xx,
 * network failures) and `failure` (everything else), the wait a 429 asks for, and the jittered backoff between
 * retries.
 */

export type ResponseOutcome =
  | { kind: 'success' }
  | { kind: 'retryable'; reason: 'rate_limited' | 'server_error' | 'network_error'; retryAfterMs: number | undefined }
  | { kind: 'failure'; reason: 'auth' | 'not_found' | 'client_error' };

/**
 * `Retry-After` in milliseconds: delay-seconds (`"2"`, `"0.5"`) or an HTTP date (relative to `nowMs`, never
 * negative). Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isFinite(date) ? Math.max(0, date - nowMs) : undefined;
}

/** Classifies an HTTP status (and its Retry-After header). */
export function classifyStatus(status: number, retryAfter: string | null | undefined, nowMs: number): ResponseOutcome {
  if (status >= 200 && status < 300) return { kind: 'success' };
  if (status === 429) return { kind: 'retryable', reason: 'rate_limited', retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
  // 408 Request Timeout and every 5xx (502/503/504 from the edge, 500 from the provider itself) are transient.
  if (status === 408 || status >= 500) {
    return { kind: 'retryable', reason: 'server_error', retryAfterMs: parseRetryAfter(retryAfter, nowMs) };
  }
  if (status === 401 || status === 403) return { kind: 'failure', reason: 'auth' };
  if (status === 404) return { kind: 'failure', reason: 'not_found' };
  return { kind: 'failure', reason: 'client_error' };
}

/** A fetch that threw (connection refused, reset, DNS, timeout) is worth another try. */
export function classifyNetworkError(): ResponseOutcome {
  return { kind: 'retryable', reason: 'network_error', retryAfterMs: undefined };
}

/**
 * Exponential backoff with full jitter: a random wait in `[0, min(maxMs, baseMs × 2^(attempt-1))]` (attempt counts
 * from 1), so clients retrying after the same outage spread out instead of arriving together.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(random() * ceiling);
}
