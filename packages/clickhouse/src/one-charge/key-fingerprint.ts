/**
 * 64-bit fingerprints of the keys the one-charge memory remembers, as two 32-bit halves, so the memory can keep them
 * in typed arrays instead of a `Map` of strings (a 300k-entry `Map` cost ~3 µs per span in lookups, evictions and
 * garbage collection; see docs/benchmarks.md).
 *
 * - A span id in its canonical form (16 lowercase hex digits: 64 bits) is its own fingerprint, exactly.
 * - Anything else (a response id within its trace, a span id in another form) is hashed to 64 bits. Two different
 *   keys then share a fingerprint with probability about 2^-64 per pair: the odds of two random span ids colliding,
 *   which the memory already accepts (span ids are remembered without their trace id).
 *
 * The result is left in {@link fingerprint} (no object per call: this runs several times per span).
 */
export const fingerprint = { hi: 0, lo: 0 };

// Per-process seeds: nobody can precompute keys that collide with someone else's.
const SEED_HI = (Math.random() * 0x100000000) | 0;
const SEED_LO = (Math.random() * 0x100000000) | 0;

/** Value of a lowercase hex digit, or -1. */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/** Exact 64 bits of a 16-digit lowercase hex id into {@link fingerprint}; false when `key` is not one. */
function hexFingerprint(key: string): boolean {
  if (key.length !== 16) return false;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 8; i++) {
    const high = hexDigit(key.charCodeAt(i));
    const low = hexDigit(key.charCodeAt(i + 8));
    if (high < 0 || low < 0) return false;
    hi = (hi << 4) | high;
    lo = (lo << 4) | low;
  }
  fingerprint.hi = hi;
  fingerprint.lo = lo;
  return true;
}

/** MurmurHash3's 32-bit finalizer: every input bit affects every output bit. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

let hashHi = 0;
let hashLo = 0;

/** Feeds one string into the running hash: two 32-bit lanes, each fed by the other, so they do not move together. */
function feed(text: string): void {
  let hi = hashHi;
  let lo = hashLo;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    lo = Math.imul(lo ^ code, 0x9e3779b1);
    lo = (lo << 13) | (lo >>> 19);
    hi = Math.imul(hi ^ code ^ lo, 0x85ebca77);
    hi = (hi << 17) | (hi >>> 15);
  }
  // The length ends each part, so ('ab', 'c') and ('a', 'bc') differ.
  hashLo = Math.imul(lo ^ text.length, 0xc2b2ae3d);
  hashHi = Math.imul(hi ^ text.length, 0x27d4eb2f);
}

/**
 * The fingerprint of `key` within `scope` (a response id within its trace id; `''` for span ids) into
 * {@link fingerprint}.
 */
export function fingerprintKey(key: string, scope: string): void {
  if (scope === '' && hexFingerprint(key)) return;
  hashHi = SEED_HI;
  hashLo = SEED_LO;
  feed(scope);
  feed(key);
  fingerprint.hi = mix(hashHi ^ mix(hashLo));
  fingerprint.lo = mix(hashLo);
}
