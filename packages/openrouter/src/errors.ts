/**
 * Errors users of `@llm-cost/openrouter` see. One class per kind with a stable `name` and `code`. Messages name an
 * API key by its fingerprint (`…abcd`) only, never by the key.
 */

/** OpenRouter refused the key (401 or 403): wrong, revoked, or not allowed to read this endpoint. */
export class OpenRouterAuthError extends Error {
  override readonly name = 'OpenRouterAuthError';
  readonly code = 'LLM_COST_OPENROUTER_AUTH';
  readonly status: number;
  readonly keyFingerprint: string;

  constructor(status: number, keyFingerprint: string, path: string, detail: string) {
    super(`OpenRouter refused the API key ${keyFingerprint} (HTTP ${status}) for ${path}${detail ? `: ${detail}` : ''}`);
    this.status = status;
    this.keyFingerprint = keyFingerprint;
  }
}

/** OpenRouter kept answering 429 (or asked to wait longer than the client may wait). */
export class OpenRouterRateLimitedError extends Error {
  override readonly name = 'OpenRouterRateLimitedError';
  readonly code = 'LLM_COST_OPENROUTER_RATE_LIMITED';
  /** How long OpenRouter asked to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(path: string, retryAfterMs: number | undefined, attempts: number) {
    const wait = retryAfterMs === undefined ? '' : `; it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    super(`OpenRouter rate-limited ${path} (HTTP 429) after ${attempts} attempt(s)${wait}`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Any other unsuccessful answer (5xx after every retry, 4xx) or a network failure (`status` 0). */
export class OpenRouterApiError extends Error {
  override readonly name = 'OpenRouterApiError';
  readonly code = 'LLM_COST_OPENROUTER_API';
  readonly status: number;

  constructor(path: string, status: number, detail: string, attempts: number, options?: { cause?: unknown }) {
    const what = status === 0 ? 'could not be reached' : `answered HTTP ${status}`;
    super(`OpenRouter ${what} for ${path} after ${attempts} attempt(s)${detail ? `: ${detail}` : ''}`, options);
    this.status = status;
  }
}

/** OpenRouter answered 200 with a body that is not what its documentation describes. */
export class OpenRouterResponseError extends Error {
  override readonly name = 'OpenRouterResponseError';
  readonly code = 'LLM_COST_OPENROUTER_BAD_RESPONSE';
}

/** A configuration (options, config file, environment) that cannot work; the message says what to change. */
export class OpenRouterConfigError extends Error {
  override readonly name = 'OpenRouterConfigError';
  readonly code = 'LLM_COST_OPENROUTER_CONFIG';
}
