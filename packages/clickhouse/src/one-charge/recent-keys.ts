/**
 * A map that forgets its oldest keys beyond `capacity` (a ring of insertion order, so eviction allocates nothing):
 * the memory of recently charged calls, bounded so a flood of spans cannot grow it without limit. Values are bit
 * flags; setting a flag on a remembered key does not renew it.
 */
export class RecentKeys {
  private readonly flags = new Map<string, number>();
  private readonly ring: Array<string | undefined>;
  private next = 0;

  constructor(private readonly capacity: number) {
    this.ring = new Array<string | undefined>(Math.max(0, capacity));
  }

  get(key: string): number {
    return this.flags.get(key) ?? 0;
  }

  has(key: string, flag: number): boolean {
    return ((this.flags.get(key) ?? 0) & flag) !== 0;
  }

  add(key: string, flag: number): void {
    if (this.capacity === 0) return;
    const current = this.flags.get(key);
    if (current !== undefined) {
      this.flags.set(key, current | flag);
      return;
    }
    const evicted = this.ring[this.next];
    if (evicted !== undefined) this.flags.delete(evicted);
    this.ring[this.next] = key;
    this.next = (this.next + 1) % this.capacity;
    this.flags.set(key, flag);
  }

  get size(): number {
    return this.flags.size;
  }
}
