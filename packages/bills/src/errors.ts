/**
 * Errors users of `@llm-cost/bills` see. One class per kind with a stable `name` and `code`. Messages name an admin
 * key by its fingerprint (`…abcd`) only, never by the key.
 */

/**
 * The provider refused the admin key (401 or 403). The message names the kind of key the reports need: an OpenAI
 * Admin key (`sk-admin-...`) or an Anthropic Admin API key (`sk-ant-admin...`); ordinary API keys cannot read them.
 */
export class BillsAuthError extends Error {
  override readonly name = 'BillsAuthError';
  readonly code = 'LLM_COST_BILLS_AUTH';
  readonly status: number;
  readonly keyFingerprint: string;

  constructor(message: string, status: number, keyFingerprint: string) {
    super(message);
    this.status = status;
    this.keyFingerprint = keyFingerprint;
  }
}

/** The provider kept answering 429 (or asked to wait longer than the client may wait). */
export class BillsRateLimitedError extends Error {
  override readonly name = 'BillsRateLimitedError';
  readonly code = 'LLM_COST_BILLS_RATE_LIMITED';
  /** How long the provider asked to wait (Retry-After), when it said. */
  readonly retryAfterMs: number | undefined;

  constructor(provider: string, path: string, retryAfterMs: number | undefined, attempts: number) {
    const wait = retryAfterMs === undefined ? '' : `; it asked to retry after ${Math.ceil(retryAfterMs / 1000)} s`;
    super(`${provider} rate-limited ${path} (HTTP 429) after ${attempts} attempt(s)${wait}`);
    this.retryAfterMs = retryAfterMs;
  }
}

/** Any other unsuccessful answer (5xx after every retry, 404, other 4xx) or a network failure (`status` 0). */
export class BillsApiError extends Error {
  override readonly name = 'BillsApiError';
  readonly code = 'LLM_COST_BILLS_API';
  readonly status: number;

  constructor(provider: string, path: string, status: number, detail: string, attempts: number, options?: { cause?: unknown }) {
    const what = status === 0 ? 'could not be reached' : `answered HTTP ${status}`;
    super(`${provider} ${what} for ${path} after ${attempts} attempt(s)${detail ? `: ${detail}` : ''}`, options);
    this.status = status;
  }
}

/** The provider answered 200 with a body that is not what its documentation describes. */
export class BillsResponseError extends Error {
  override readonly name = 'BillsResponseError';
  readonly code = 'LLM_COST_BILLS_BAD_RESPONSE';
}

/** A configuration (options, config file, environment, flags) that cannot work; the message says what to change. */
export class BillsConfigError extends Error {
  override readonly name = 'BillsConfigError';
  readonly code = 'LLM_COST_BILLS_CONFIG';
}
