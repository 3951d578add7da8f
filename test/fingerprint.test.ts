// The fingerprint set: every fingerprint inserted is found again, through every way the table grows.
import { describe, expect, it } from 'vitest';
import { FingerprintSet } from '../src/explorer/fingerprint.js';

/** A deterministic stream of 32-bit values (xorshift). */
function xorshift(seed: number): () => number {
  let x = seed | 0 || 1;
  return () => { x ^= x << 13; x ^= x >>> 17; x ^= x << 5; return x | 0; };
}

/**
 * Inserts the pairs twice over: the first time each is new (unless repeated), the second time each is
 * found, and (an indexed set) with the index it was inserted as.
 */
function roundTrip(set: FingerprintSet, pairs: [number, number][], indexed = false): void {
  const seen = new Map<string, number>();
  for (const [hi, lo] of pairs) {
    const key = `${hi},${lo === 0 && hi === 0 ? 1 : lo}`;
    expect(set.insert(hi, lo)).toBe(!seen.has(key));
    if (!seen.has(key)) seen.set(key, seen.size);
  }
  for (const [hi, lo] of pairs) {
    expect(set.insert(hi, lo)).toBe(false);
    if (indexed) expect(set.found).toBe(seen.get(`${hi},${lo === 0 && hi === 0 ? 1 : lo}`));
  }
  expect(set.size).toBe(seen.size);
  const all = set.fingerprints();
  expect(all.length / 2).toBe(seen.size);
}

describe('FingerprintSet', () => {
  it('finds every fingerprint after growing by copying', () => {
    const r = xorshift(1);
    roundTrip(new FingerprintSet(false, 1024, Infinity), Array.from({ length: 50_000 }, () => [r(), r()]));
  });
  it('finds every fingerprint after growing in place (from 2^11 cells)', () => {
    const r = xorshift(2);
    roundTrip(new FingerprintSet(false, 1024, 1 << 11), Array.from({ length: 200_000 }, () => [r(), r()]));
  });
  it('grows in place through a long cluster that wraps around the top of the table', () => {
    // 3,000 fingerprints whose homes are the table's top 8 cells (hi = -1 - j: low bits all ones but j's),
    // so their cluster wraps around to the bottom at every size, among random ones; repeats; and (0, 0),
    // stored as (0, 1).
    const r = xorshift(3);
    const pairs: [number, number][] = [];
    for (let k = 0; k < 30_000; k++) pairs.push(k % 10 === 0 ? [-1 - (k & 7), r()] : [r(), r()]);
    pairs.push([0, 0], [0, 1], ...pairs.slice(0, 100));
    roundTrip(new FingerprintSet(false, 1024, 1 << 11), pairs);
    roundTrip(new FingerprintSet(true, 1024, 1 << 11), pairs, true);
  });
  it('an indexed set (the liveness pass) keeps insertion indices through growth by copying', () => {
    const r = xorshift(5);
    roundTrip(new FingerprintSet(true, 1024, Infinity), Array.from({ length: 50_000 }, () => [r(), r()]), true);
  });
  it('an indexed set keeps insertion indices through growth in place', () => {
    const set = new FingerprintSet(true, 1024, 1 << 11);
    const r = xorshift(4);
    const pairs = Array.from({ length: 20_000 }, () => [r(), r()] as const);
    pairs.forEach(([hi, lo]) => set.insert(hi, lo));
    pairs.forEach(([hi, lo], k) => { expect(set.insert(hi, lo)).toBe(false); expect(set.found).toBe(k); });
  });
});
