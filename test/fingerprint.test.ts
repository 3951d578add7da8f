// The fingerprint set: every fingerprint inserted is found again, through every way the table grows.
import { describe, expect, it } from 'vitest';
import xxhash from 'xxhash-wasm';
import { FingerprintSet, fpHi, fpLo, hashState, XXHASH_FROM } from '../src/explorer/fingerprint.js';
import { compileModel, resolveParams } from '../src/explorer/model.js';
import { explore } from '../src/explorer/search.js';
import wideState from './fixtures/wide-state.js';

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

describe('hashState', () => {
  it('hashes states of XXHASH_FROM words or more with xxhash64 (high half, low half), shorter ones with its own lanes', async () => {
    const { h64Raw } = await xxhash();
    const b = new Int32Array(XXHASH_FROM + 8).map((_, i) => Math.imul(i + 1, 0x9e3779b1));
    const xx = (off: number, n: number): number[] => {
      const h = h64Raw(new Uint8Array(b.buffer, off * 4, n * 4));
      return [Number(h >> 32n) | 0, Number(h & 0xffffffffn) | 0];
    };
    hashState(b, 3, XXHASH_FROM);
    expect([fpHi, fpLo]).toEqual(xx(3, XXHASH_FROM));
    hashState(b, 0, XXHASH_FROM - 1);
    expect([fpHi, fpLo]).not.toEqual(xx(0, XXHASH_FROM - 1));
  });
  it('a wide model explores every state once, just below XXHASH_FROM words (the lanes) and above it (xxhash-wasm)', async () => {
    for (const n of [XXHASH_FROM - 1, XXHASH_FROM + 10]) {
      const r = await explore(compileModel(wideState, resolveParams(wideState, { n, k: 6 })));
      expect(compileModel(wideState, resolveParams(wideState, { n })).layout.words).toBe(n);
      // (k+1)^4 states; each increments one of four counts, k times each: depth 4k + 1.
      expect([r.verdict, r.stats.distinct, r.stats.depth]).toEqual(['ok', 7 ** 4, 25]);
    }
  });
});
