/**
 * Errors the explicit APIs (`recordLlmResponse`, `trackLlmCall`) throw. The automatic capture never throws: it logs.
 */

/** `recordLlmResponse` got a body without a usable model or usage field. */
export class MissingResponseFieldError extends Error {
  override readonly name = 'MissingResponseFieldError';
  readonly code = 'LLM_COST_MISSING_RESPONSE_FIELD';
  /** The missing field, as the provider names it (`usage`, `model`, `usageMetadata`, `modelVersion`). */
  readonly field: string;
  readonly provider: string;

  constructor(provider: string, field: string) {
    super(`The ${provider} response has no usable "${field}" field, so the call cannot be recorded`);
    this.field = field;
    this.provider = provider;
  }
}

/** `trackLlmCall` / `recordLlmResponse` got input it cannot record (missing provider or model, bad token counts). */
export class InvalidLlmCallError extends Error {
  override readonly name = 'InvalidLlmCallError';
  readonly code = 'LLM_COST_INVALID_LLM_CALL';
  /** The offending input field, e.g. `usage.inputTokens`. */
  readonly field: string;

  constructor(field: string, detail: string) {
    super(`Cannot record the LLM call: ${field} ${detail}`);
    this.field = field;
  }
}
