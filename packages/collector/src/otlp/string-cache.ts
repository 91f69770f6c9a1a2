/**
 * A small, fixed-size cache of short ASCII strings decoded from protobuf bytes. OTLP repeats the same attribute keys
 * and many of the same values (model, provider, usage source) in every span; returning the cached string saves the
 * decode and, more importantly, hands V8 an already-internalized string for the property store. Bounded by
 * construction: a slot is simply overwritten on collision, so hostile input can only make it miss.
 */
const SLOTS = 4096; // power of two
const MAX_LENGTH = 48;

/** Decodes ASCII bytes (checked by the caller) through the fastest slice Node offers. */
export type Latin1Decoder = (buf: Uint8Array, start: number, end: number) => string;

export class StringCache {
  constructor(private readonly decode: Latin1Decoder) {}

  private readonly hashes = new Int32Array(SLOTS);
  private readonly lengths = new Int32Array(SLOTS);
  private readonly bytes = new Uint8Array(SLOTS * MAX_LENGTH);
  private readonly strings = new Array<string | undefined>(SLOTS).fill(undefined);

  /**
   * The string for `buf[start, end)`, or undefined when the bytes are too long or not ASCII (the caller decodes
   * those as UTF-8 itself).
   */
  get(buf: Uint8Array, start: number, end: number): string | undefined {
    const length = end - start;
    if (length > MAX_LENGTH) return undefined;
    // FNV-1a over the bytes, checking they are ASCII on the way.
    let hash = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) {
      const byte = buf[i]!;
      if (byte >= 0x80) return undefined;
      hash = Math.imul(hash ^ byte, 0x01000193);
    }
    const slot = hash & (SLOTS - 1);
    const cached = this.strings[slot];
    if (cached !== undefined && this.hashes[slot] === hash && this.lengths[slot] === length) {
      const base = slot * MAX_LENGTH;
      let same = true;
      for (let i = 0; i < length; i++) {
        if (this.bytes[base + i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return cached;
    }
    const value = this.decode(buf, start, end);
    this.hashes[slot] = hash;
    this.lengths[slot] = length;
    this.bytes.set(buf.subarray(start, end), slot * MAX_LENGTH);
    this.strings[slot] = value;
    return value;
  }
}
