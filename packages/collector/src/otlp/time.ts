import type { HrTime } from '../span.js';

import { OtlpDecodeError } from '../errors.js';

const NANOS_PER_SECOND = 1_000_000_000;

/**
 * Unix nanoseconds given as the two 32-bit halves of a fixed64, as an exact `[seconds, nanoseconds]` HrTime (the
 * shape OpenTelemetry JS spans use). A double cannot hold today's nanosecond timestamps exactly (about 2^61), so the
 * division by 1e9 is split into steps whose intermediates stay below 2^53.
 */
export function hrTimeFromFixed64(low: number, high: number): HrTime {
  // value = high * 2^32 + low = (high * 2^16) * 2^16 + low
  const a = high * 65536; // < 2^48
  const aSeconds = Math.floor(a / NANOS_PER_SECOND);
  const aRemainder = a - aSeconds * NANOS_PER_SECOND; // < 1e9
  const rest = aRemainder * 65536 + low; // < 2^47
  const restSeconds = Math.floor(rest / NANOS_PER_SECOND);
  return [aSeconds * 65536 + restSeconds, rest - restSeconds * NANOS_PER_SECOND];
}

const DIGITS = /^\d{1,20}$/;

/**
 * Unix nanoseconds as the OTLP JSON mapping sends them: a decimal string (int64 per the proto3 JSON mapping) or, from
 * lenient senders, a number. Exact for strings.
 */
export function hrTimeFromJson(value: unknown, field: string): HrTime {
  if (value === undefined || value === null) return [0, 0];
  if (typeof value === 'string') {
    if (!DIGITS.test(value)) throw new OtlpDecodeError(`${field} must be a decimal string of nanoseconds`);
    if (value.length <= 9) return [0, Number(value)];
    return [Number(value.slice(0, -9)), Number(value.slice(-9))];
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    const seconds = Math.floor(value / NANOS_PER_SECOND);
    return [seconds, Math.max(0, Math.min(NANOS_PER_SECOND - 1, Math.round(value - seconds * NANOS_PER_SECOND)))];
  }
  throw new OtlpDecodeError(`${field} must be a decimal string of nanoseconds`);
}
