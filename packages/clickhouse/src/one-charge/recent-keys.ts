import { fingerprint, fingerprintKey } from './key-fingerprint.js';

/** Fewest slots of the table; it doubles as keys arrive, up to twice the capacity (load at most 1/2). */
const MIN_SLOTS = 1024;

/**
 * A set of keys with bit flags that forgets its oldest keys beyond `capacity`: the memory of recently charged calls,
 * bounded so a flood of spans cannot grow it without limit. Setting a flag on a remembered key does not renew it.
 *
 * Keys are kept as 64-bit fingerprints (`key-fingerprint.ts`) in an open-addressing table of typed arrays (linear
 * probing, backward-shift deletion) with a ring of insertion order for eviction: no object per key, nothing for the
 * garbage collector to trace, and a lookup is one or two cache lines. Both grow with use, up to what `capacity` needs.
 */
export class RecentKeys {
  /**
   * Slots of three: fingerprint high half, low half, flags (0 marks an empty slot: every stored key has a flag).
   * Interleaved so a probe touches one cache line.
   */
  private table = new Int32Array(0);
  private slots = 0;
  private shift = 32;
  private readonly maxSlots: number;
  /** Fingerprints in insertion order; once `capacity` are stored, the next one replaces the oldest. */
  private ringHi = new Int32Array(0);
  private ringLo = new Int32Array(0);
  private next = 0;
  private count = 0;

  constructor(private readonly capacity: number) {
    this.capacity = Math.max(0, Math.floor(capacity));
    let slots = MIN_SLOTS;
    while (slots < this.capacity * 2) slots *= 2;
    this.maxSlots = slots;
    if (this.capacity > 0) this.resize(MIN_SLOTS);
  }

  /** Flags of `key` (within `scope`, e.g. the trace of a response id), 0 when it is not remembered. */
  get(key: string, scope = ''): number {
    if (this.count === 0) return 0;
    fingerprintKey(key, scope);
    return this.flagsOf(fingerprint.hi, fingerprint.lo);
  }

  has(key: string, flag: number, scope = ''): boolean {
    return (this.get(key, scope) & flag) !== 0;
  }

  add(key: string, flag: number, scope = ''): void {
    if (this.capacity === 0) return;
    fingerprintKey(key, scope);
    this.addFingerprint(fingerprint.hi, fingerprint.lo, flag);
  }

  /** Flags of a key given by its fingerprint (`fingerprintKey`), for callers that reuse one fingerprint. */
  flagsOf(hi: number, lo: number): number {
    if (this.count === 0) return 0;
    const slot = this.find(hi, lo);
    return slot < 0 ? 0 : this.table[slot * 3 + 2]!;
  }

  addFingerprint(hi: number, lo: number, flag: number): void {
    if (this.capacity === 0 || flag === 0) return;
    const found = this.find(hi, lo);
    if (found >= 0) {
      this.table[found * 3 + 2] = this.table[found * 3 + 2]! | flag;
      return;
    }
    if (this.next === this.ringHi.length && this.ringHi.length < this.capacity) this.growRing();
    if (this.count === this.capacity) {
      // Full: forget the oldest key, whose place in the ring the new key takes.
      const oldest = this.find(this.ringHi[this.next]!, this.ringLo[this.next]!);
      if (oldest >= 0) this.remove(oldest);
    } else if ((this.count + 1) * 2 > this.slots && this.slots < this.maxSlots) {
      this.resize(this.slots * 2);
    }
    this.ringHi[this.next] = hi;
    this.ringLo[this.next] = lo;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.insert(hi, lo, flag);
  }

  get size(): number {
    return this.count;
  }

  /** Home slot of a fingerprint: Fibonacci hashing of both halves (the top bits of the product). */
  private home(hi: number, lo: number): number {
    return Math.imul(lo ^ Math.imul(hi, 0x9e3779b1), 0x85ebca6b) >>> this.shift;
  }

  private find(hi: number, lo: number): number {
    const table = this.table;
    const mask = this.slots - 1;
    for (let slot = this.home(hi, lo); table[slot * 3 + 2] !== 0; slot = (slot + 1) & mask) {
      if (table[slot * 3 + 1] === lo && table[slot * 3] === hi) return slot;
    }
    return -1;
  }

  private insert(hi: number, lo: number, flag: number): void {
    const table = this.table;
    const mask = this.slots - 1;
    let slot = this.home(hi, lo);
    while (table[slot * 3 + 2] !== 0) slot = (slot + 1) & mask;
    table[slot * 3] = hi;
    table[slot * 3 + 1] = lo;
    table[slot * 3 + 2] = flag;
    this.count += 1;
  }

  /** Empties `slot` and shifts back the entries after it that would otherwise no longer be found. */
  private remove(slot: number): void {
    const table = this.table;
    const mask = this.slots - 1;
    let hole = slot;
    table[hole * 3 + 2] = 0;
    this.count -= 1;
    for (let next = (hole + 1) & mask; table[next * 3 + 2] !== 0; next = (next + 1) & mask) {
      const home = this.home(table[next * 3]!, table[next * 3 + 1]!);
      // The entry stays when its home lies cyclically in (hole, next]: the hole is not on its probe path.
      const stays = hole <= next ? hole < home && home <= next : hole < home || home <= next;
      if (stays) continue;
      table[hole * 3] = table[next * 3]!;
      table[hole * 3 + 1] = table[next * 3 + 1]!;
      table[hole * 3 + 2] = table[next * 3 + 2]!;
      table[next * 3 + 2] = 0;
      hole = next;
    }
  }

  private resize(slots: number): void {
    const old = this.table;
    this.table = new Int32Array(slots * 3);
    this.slots = slots;
    this.shift = 32 - Math.log2(slots);
    this.count = 0;
    for (let at = 0; at < old.length; at += 3) if (old[at + 2] !== 0) this.insert(old[at]!, old[at + 1]!, old[at + 2]!);
  }

  private growRing(): void {
    const length = Math.min(this.capacity, Math.max(MIN_SLOTS, this.ringHi.length * 2));
    const hi = new Int32Array(length);
    const lo = new Int32Array(length);
    hi.set(this.ringHi);
    lo.set(this.ringLo);
    this.ringHi = hi;
    this.ringLo = lo;
  }
}
