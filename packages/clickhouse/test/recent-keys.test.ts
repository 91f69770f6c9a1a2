import { describe, expect, it } from 'vitest';

import { fingerprint, fingerprintKey } from '../src/one-charge/key-fingerprint.js';
import { RecentKeys } from '../src/one-charge/recent-keys.js';

/** A deterministic pseudo-random sequence (mulberry32), so a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex16 = (next: () => number) =>
  Math.floor(next() * 2 ** 32).toString(16).padStart(8, '0') + Math.floor(next() * 2 ** 32).toString(16).padStart(8, '0');

describe('RecentKeys', () => {
  it('remembers the flags set on a key, and nothing for other keys', () => {
    const keys = new RecentKeys(10);
    keys.add('00f0e1d2c3b4a596', 1);
    keys.add('00f0e1d2c3b4a596', 2);
    expect(keys.get('00f0e1d2c3b4a596')).toBe(3);
    expect(keys.has('00f0e1d2c3b4a596', 2)).toBe(true);
    expect(keys.has('00f0e1d2c3b4a596', 4)).toBe(false);
    expect(keys.get('00f0e1d2c3b4a597')).toBe(0);
    expect(keys.size).toBe(1);
  });

  it('keeps a key within a scope apart from the same key in another scope or as a span id', () => {
    const keys = new RecentKeys(10);
    keys.add('resp-1', 4, 'trace-a');
    expect(keys.get('resp-1', 'trace-a')).toBe(4);
    expect(keys.get('resp-1', 'trace-b')).toBe(0);
    expect(keys.get('resp-1')).toBe(0);
    // The parts are delimited: ('ab', 'c') is not ('a', 'bc').
    keys.add('c', 1, 'ab');
    expect(keys.get('bc', 'a')).toBe(0);
  });

  it('forgets the oldest keys beyond its capacity; setting a flag does not renew a key', () => {
    const keys = new RecentKeys(3);
    keys.add('a', 1);
    keys.add('b', 1);
    keys.add('c', 1);
    keys.add('a', 2);
    keys.add('d', 1);
    expect(keys.get('a')).toBe(0);
    expect([keys.get('b'), keys.get('c'), keys.get('d')]).toEqual([1, 1, 1]);
    expect(keys.size).toBe(3);
  });

  it('remembers nothing with capacity 0', () => {
    const keys = new RecentKeys(0);
    keys.add('a', 1);
    expect(keys.get('a')).toBe(0);
    expect(keys.size).toBe(0);
  });

  it('answers exactly like a map of the last `capacity` keys through growth and many evictions', () => {
    const capacity = 3000;
    const keys = new RecentKeys(capacity);
    const model = new Map<string, number>();
    const order: string[] = [];
    const next = random(7);
    const pool: string[] = [];
    for (let i = 0; i < 60_000; i++) {
      // Span ids (exact fingerprints), arbitrary strings (hashed) and repeats of recent keys.
      const roll = next();
      const key = roll < 0.3 && pool.length > 0 ? pool[Math.floor(next() * pool.length)]! : roll < 0.75 ? hex16(next) : `resp-${i}-${next()}`;
      pool.push(key);
      if (pool.length > 5000) pool.splice(0, 1000);
      const flag = 1 << Math.floor(next() * 3);
      expect(keys.get(key)).toBe(model.get(key) ?? 0);
      keys.add(key, flag);
      const current = model.get(key);
      if (current === undefined) {
        if (order.length === capacity) model.delete(order.shift()!);
        order.push(key);
        model.set(key, flag);
      } else model.set(key, current | flag);
    }
    expect(keys.size).toBe(model.size);
    for (const [key, flags] of model) expect(keys.get(key)).toBe(flags);
  });
});

describe('fingerprintKey', () => {
  it('takes a canonical span id as its exact 64 bits', () => {
    fingerprintKey('8000000000000001', '');
    expect([fingerprint.hi >>> 0, fingerprint.lo >>> 0]).toEqual([0x80000000, 1]);
  });

  it('spreads other keys over 64 bits without collisions among 200,000 response ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200_000; i++) {
      fingerprintKey(`chatcmpl-${i}`, '0af7651916cd43dd8448eb211c80319c');
      seen.add(`${fingerprint.hi}:${fingerprint.lo}`);
    }
    expect(seen.size).toBe(200_000);
  });
});
