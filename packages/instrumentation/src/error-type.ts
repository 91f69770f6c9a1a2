/**
 * `error.type` values: a low-cardinality identifier (an error code or class name), never a message, which may
 * contain prompt text or keys.
 */

export function isAbortError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'AbortError';
}

/** `ECONNREFUSED` for a refused connection (undici puts the code on `cause`), else the error's class name. */
export function errorTypeOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return typeof error === 'string' ? 'Error' : typeof error;
  const cause = (error as { cause?: unknown }).cause;
  const causeCode = typeof cause === 'object' && cause !== null ? (cause as { code?: unknown }).code : undefined;
  if (typeof causeCode === 'string' && /^[A-Z0-9_]{2,64}$/.test(causeCode)) return causeCode;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && /^[A-Z0-9_]{2,64}$/.test(code)) return code;
  const name = (error as { name?: unknown }).name;
  if (typeof name === 'string' && /^[A-Za-z0-9_.]{1,64}$/.test(name)) return name;
  return 'Error';
}
