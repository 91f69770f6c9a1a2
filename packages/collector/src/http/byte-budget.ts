/**
 * Bounds the request bodies the collector holds in memory at once. Every export reserves what its body may occupy
 * before it is read (the declared length, times 8 for a compressed body, at most the body limit; the body limit when
 * the length is not declared) and releases it once decoded. When the budget is spent, new exports are refused with
 * 429 and `Retry-After`, so many large concurrent requests slow senders down instead of exhausting memory.
 */
export class ByteBudget {
  private used = 0;

  constructor(readonly limit: number) {}

  /** Bytes reserved right now (for metrics). */
  get inUse(): number {
    return this.used;
  }

  /** Reserves `bytes`; false when that would exceed the budget (a single request may always use a free budget). */
  tryReserve(bytes: number): boolean {
    if (this.used > 0 && this.used + bytes > this.limit) return false;
    this.used += bytes;
    return true;
  }

  release(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** What one request reserves, from its headers. */
export function reservationFor(contentLength: string | undefined, compressed: boolean, maxBodyBytes: number): number {
  const declared = Number(contentLength);
  if (!Number.isFinite(declared) || declared < 0) return maxBodyBytes;
  return Math.min(maxBodyBytes, compressed ? declared * 8 : declared);
}
