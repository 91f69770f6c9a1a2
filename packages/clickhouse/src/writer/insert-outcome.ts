/**
 * What a failed insert means for the batch, decided from the error alone:
 * - `retryable`: the store was unreachable, slow, overloaded or answered garbage; the same batch (same
 *   deduplication token) is sent again later. Unknown errors are retryable too: losing data is worse than waiting.
 * - `missing_schema`: the tables are gone (a fresh or wiped store); migrate, then retry.
 * - `bad_data`: the store rejected the rows themselves; retrying the same bytes cannot succeed.
 */
export type InsertFailureKind = 'retryable' | 'missing_schema' | 'bad_data';

/** ClickHouse error codes raised by the rows of an insert rather than by the store's state. */
const BAD_DATA_CODES: ReadonlySet<string> = new Set([
  '6', // CANNOT_PARSE_TEXT
  '26', // CANNOT_PARSE_QUOTED_STRING
  '27', // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  '32', // ATTEMPT_TO_READ_AFTER_EOF
  '38', // CANNOT_PARSE_DATE
  '41', // CANNOT_PARSE_DATETIME
  '53', // TYPE_MISMATCH
  '69', // ARGUMENT_OUT_OF_BOUND
  '70', // CANNOT_CONVERT_TYPE
  '72', // CANNOT_PARSE_NUMBER
  '117', // INCORRECT_DATA
  '131', // TOO_LARGE_STRING_SIZE
  '407', // DECIMAL_OVERFLOW
  '691', // UNKNOWN_ELEMENT_OF_ENUM
]);

const MISSING_SCHEMA_CODES: ReadonlySet<string> = new Set(['60', '81']); // UNKNOWN_TABLE, UNKNOWN_DATABASE

export function classifyInsertFailure(error: unknown): InsertFailureKind {
  const code = (error as { code?: unknown } | null)?.code;
  const text = code === undefined || code === null ? '' : String(code);
  if (MISSING_SCHEMA_CODES.has(text)) return 'missing_schema';
  if (BAD_DATA_CODES.has(text)) return 'bad_data';
  return 'retryable';
}

/**
 * Delay before retry number `attempt` (1-based): exponential from `baseMs`, capped at `maxMs`, with full jitter so
 * many writers recovering from one outage do not retry in step.
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
