// 64-bit state fingerprints and the sets that deduplicate states by them.
//
// A state is usually a short run of packed int32 words, so an inlined pair of
// 32-bit murmur3-style lanes beats a call into xxhash-wasm (whose call overhead
// exceeds the whole hash of a 16-word state). The two lanes use different
// seeds and multipliers and together form the 64-bit fingerprint. Very long
// states (XXHASH_FROM words or more) go to xxhash-wasm's h64 instead.

import xxhash from 'xxhash-wasm';

/** Hash lanes of the last `hashState` call (module-level so the hot path allocates nothing). */
export let fpHi = 0;
export let fpLo = 0;

/**
 * States of at least this many packed words are hashed with xxhash-wasm's h64. Alone
 * (`node dist/bench/hash.js`) it wins from about 100 words, but in a search, where it also makes a
 * BigInt per state, it was 20 % slower at 100 words, about even at 200 to 256, and faster from about 300
 * (test/fixtures/wide-state.ts, one worker: 4 % at 300 words, 8 % at 400, 15 to 25 % at 600).
 */
export const XXHASH_FROM = 320;

/**
 * xxhash-wasm compiles its WebAssembly asynchronously. Awaiting that at the top of this module made mc's
 * public entry a module with top-level await, which a CommonJS `require('mc-checker')` cannot load (nor tsx
 * when it compiles a model to CommonJS). So it starts when the module loads, and whatever hashes long
 * states awaits `fingerprintsReady()` first: `explore` and the worker threads do.
 */
let h64Raw: ((input: Uint8Array) => bigint) | null = null;
let xxhashFailure: unknown = null;
const ready: Promise<void> = xxhash().then((api) => { h64Raw = api.h64Raw; }, (e: unknown) => { xxhashFailure = e; });
/** Resolves once states of XXHASH_FROM words or more can be hashed (rejects if xxhash-wasm could not be compiled). */
export async function fingerprintsReady(): Promise<void> {
  await ready;
  if (xxhashFailure !== null) throw new Error(`xxhash-wasm could not be compiled: ${(xxhashFailure as Error)?.message ?? String(xxhashFailure)}`, { cause: xxhashFailure });
}

/** Sets fpHi, fpLo to the fingerprint of the n words at b[off]. */
export function hashState(b: Int32Array, off: number, n: number): void {
  if (n < XXHASH_FROM) hashLanes(b, off, n); else hashLong(b, off, n);
}

/** The two 32-bit murmur3-style lanes (see the top of the file), whatever the length (the bench compares them with xxhash-wasm). */
export function hashLanes(b: Int32Array, off: number, n: number): void {
  let h1 = 0x9747b28c | 0, h2 = 0x2545f491 | 0;
  for (let k = 0; k < n; k++) {
    const v = b[off + k]!;
    let x = Math.imul(v, 0xcc9e2d51);
    x = (x << 15) | (x >>> 17);
    x = Math.imul(x, 0x1b873593);
    h1 ^= x;
    h1 = (h1 << 13) | (h1 >>> 19);
    h1 = (Math.imul(h1, 5) + 0xe6546b64) | 0;
    let y = Math.imul(v ^ 0x5bd1e995, 0x85ebca6b);
    y = (y << 17) | (y >>> 15);
    y = Math.imul(y, 0xc2b2ae35);
    h2 ^= y;
    h2 = (h2 << 11) | (h2 >>> 21);
    h2 = (Math.imul(h2, 9) + 0x38b34ae5) | 0;
  }
  h1 ^= n; h2 ^= n;
  h2 ^= h1 >>> 7; // let lane 1 influence lane 2 before the final mix
  h1 = fmix(h1); h2 = fmix(h2);
  fpHi = h1; fpLo = h2;
}

/** A long state's fingerprint: xxhash64 of its bytes, split into the two lanes. */
function hashLong(b: Int32Array, off: number, n: number): void {
  if (h64Raw === null) throw new Error('internal error: a long state was hashed before fingerprintsReady() resolved');
  const h = h64Raw(new Uint8Array(b.buffer, b.byteOffset + off * 4, n * 4));
  fpHi = Number(h >> 32n) | 0;
  fpLo = Number(h & 0xffffffffn) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16; h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13; h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/**
 * A zeroed Int32Array whose pages are already mapped. A grown hash table is written in a scattered
 * order; faulting its pages in one sequential pass first is several times cheaper than taking the
 * faults one by one during the rehash (measured: 16-byte cells, 4 M entries, two threads growing at
 * once: 0.8 s of rehash against 0.29 s).
 */
export function prefaulted(n: number): Int32Array<ArrayBuffer> {
  const t = new Int32Array(n);
  t.fill(0);
  return t;
}

/** The set of visited states: by 64-bit fingerprint, or (exact mode) by full state. */
export interface StateSet {
  readonly size: number;
  readonly bytes: number;
  /** Adds the state whose fingerprint was just computed by hashState; true if it was new. */
  add(b: Int32Array, off: number): boolean;
  /** Adds the state b[off..] whose fingerprint is (hi, lo); true if it was new. */
  addHashed(b: Int32Array, off: number, hi: number, lo: number): boolean;
  /** Reads the first table cell a state with fingerprint high lane `hi` probes (so its cache line is on the way; see the BFS). */
  touch(hi: number): number;
  /** With indexing on: the index of the state `add` found already present (states are numbered in insertion order). */
  readonly found: number;
}

/**
 * How many lookups the searches batch: they read the first table cell of each (`touch`) before inserting
 * any, so the cache misses overlap (on bakery.5, batches of 32 made no clear difference).
 */
export const LOOKUP_BATCH = 16;

/**
 * The searches' direct-mapped caches of recent fingerprints (one worker: those it looked up; a parallel
 * worker: those it sent), RECENT_MASK + 1 slots of [hi, lo]. 2^10 slots, 8 KiB, so a lookup stays in the first-level
 * cache. Most repeats are close together (two interleavings of the same pair of steps), so a small cache
 * catches most of them: one worker on bakery.5 looks up 13.5 M of 27 M successors fewer. (A parallel worker on
 * bakery.5, when states were owned by workers, sent 6.2 M records with no cache, 3.6 M with 2^10 slots
 * and 3.0 M with 2^18, 2 MiB, but the larger cache's lookups missed the processor's caches and cost a
 * worker 0.6 s.) (0, 0) is an empty slot, never a hit.
 */
const RECENT_MASK = (1 << 10) - 1;
export const newRecentCache = (): Int32Array => new Int32Array(2 * (RECENT_MASK + 1));
/** Whether (hi, lo) is in the cache; if not, it takes its slot (evicting the one there). */
export function seenRecently(cache: Int32Array, hi: number, lo: number): boolean {
  const slot = (lo & RECENT_MASK) << 1;
  if (cache[slot] === hi && cache[slot + 1] === lo && (hi | lo) !== 0) return true;
  cache[slot] = hi; cache[slot + 1] = lo;
  return false;
}

/** Address space a large fingerprint table reserves to grow in place: 2^27 cells (1 GiB of 8-byte cells); only the pages it touches are mapped. */
const RESERVED_CELLS = 1 << 27;

/**
 * Open addressing over (hi, lo) pairs with linear probing; (0,0) marks an empty cell. About 11 bytes per state at the target load.
 * An indexed set's cells also hold the state's insertion index, in the same cache line as its fingerprint.
 * A large table (from `inPlaceFrom` cells) lives at the start of a reserved buffer and doubles in place:
 * only the new half's pages are faulted in (at about 10 µs per 4 KiB page on this project's VMs, a
 * doubling into a fresh table cost twice that, plus the old table's), and old and new never coexist.
 */
export class FingerprintSet implements StateSet {
  private table: Int32Array;
  private mask: number;
  private count = 0;
  private limit: number;
  /** Words per cell: [hi, lo], or [hi, lo, insertion index] when indexed (the liveness pass needs edge targets). */
  private readonly w: number;
  /** The reserved buffer the table grows in (null until it is large, or if the reservation failed). */
  private reserved: ArrayBuffer | null = null;
  found = -1;
  constructor(indexed = false, initialCapacity = 1 << 16, private readonly inPlaceFrom = 1 << 20) {
    let cap = 1 << 10;
    while (cap < initialCapacity) cap <<= 1;
    this.w = indexed ? 3 : 2;
    this.table = new Int32Array(cap * this.w);
    this.mask = cap - 1;
    this.limit = Math.floor(cap * 0.7);
  }
  get size(): number { return this.count; }
  get bytes(): number { return this.table.byteLength; }
  add(_b: Int32Array, _off: number): boolean { return this.insert(fpHi, fpLo); }
  addHashed(_b: Int32Array, _off: number, hi: number, lo: number): boolean { return this.insert(hi, lo); }
  /** Adds the fingerprint (hi, lo); true if it was new (indexed: else `found` is its insertion index). */
  insert(hi: number, lo: number): boolean {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.table, mask = this.mask, w = this.w;
    let i = hi & mask;
    for (;;) {
      const a = t[w * i]!, c = t[w * i + 1]!;
      if (a === 0 && c === 0) break;
      if (a === hi && c === lo) { if (w === 3) this.found = t[w * i + 2]!; return false; }
      i = (i + 1) & mask;
    }
    t[w * i] = hi; t[w * i + 1] = lo;
    if (w === 3) t[w * i + 2] = this.count;
    if (++this.count > this.limit) this.grow();
    return true;
  }
  /** The first cell insert(hi, ...) probes (the searches read it early, for a batch of lookups, so its cache line is on the way). */
  touch(hi: number): number { return this.table[this.w * (hi & this.mask)]!; }
  /** Every stored fingerprint, as (hi, lo) pairs in a shared buffer (to seed a parallel search's workers). */
  fingerprints(): Int32Array {
    const out = new Int32Array(new SharedArrayBuffer(Math.max(1, this.count) * 8)), t = this.table, w = this.w;
    let k = 0;
    for (let j = 0; j < t.length; j += w) if (t[j] !== 0 || t[j + 1] !== 0) { out[k++] = t[j]!; out[k++] = t[j + 1]!; }
    return out;
  }
  private grow(): void {
    const w = this.w, cap = (this.mask + 1) * 2;
    const fits = (): boolean => this.reserved !== null && cap * w * 4 <= this.reserved.byteLength;
    if (cap >= this.inPlaceFrom) {
      if (fits()) return this.growInPlace();
      this.reserved = reserve(cap * w * 4); // the first time; or, once it is full, a larger one (or null)
    }
    const old = this.table;
    const t = fits() ? new Int32Array(this.reserved!, 0, cap * w).fill(0) : prefaulted(cap * w), mask = cap - 1; // fill: fault in order
    for (let j = 0; j < old.length; j += w) {
      const hi = old[j]!, lo = old[j + 1]!;
      if (hi === 0 && lo === 0) continue;
      let i = hi & mask;
      while (t[w * i] !== 0 || t[w * i + 1] !== 0) i = (i + 1) & mask;
      for (let k = 0; k < w; k++) t[w * i + k] = old[j + k]!;
    }
    this.table = t; this.mask = mask; this.limit = Math.floor(cap * 0.7);
  }

  /** Doubles the table within the reserved buffer (see doubleInPlace). */
  private growInPlace(): void {
    const w = this.w, cap = this.mask + 1;
    const t = new Int32Array(this.reserved!, 0, 2 * cap * w); // the new half was never written: all empty
    doubleInPlace(t, cap, w);
    this.table = t; this.mask = 2 * cap - 1; this.limit = Math.floor(2 * cap * 0.7);
  }
}
/**
 * Doubles an open-addressing table of `cap` cells of w words, [hi, lo, ...], linear probing from hi's
 * low bits, in place: t holds 2 * cap cells, the upper half never written. Each entry's new home is its
 * old home h or h + cap. Entries are moved in cyclic order from just after an empty cell, so every
 * cluster is moved from its beginning: an entry's probe then only passes cells already moved (or empty),
 * never an unmoved entry that would later leave a hole in its path. A probe could pass unmoved entries
 * only by wrapping from the top of the new table to its bottom before the bottom's entries are moved; the
 * entries moved by then did not wrap in the old table, so (linear probing fills the same cells in any
 * order) they do not wrap in the new one. Should that argument be wrong, such an entry is set aside and
 * inserted last.
 */
export function doubleInPlace(t: Int32Array, cap: number, w: number): void {
  const mask = 2 * cap - 1;
  // Fault the new half's pages in one sequential pass (see prefaulted): taken one by one in the
  // rehash's scattered order they cost 3.5x more with one worker growing, 13x with two at once.
  t.fill(0, cap * w);
  let start = 0;
  while (t[w * start] !== 0 || t[w * start + 1] !== 0) start++;
  const later: number[] = [];
  for (let step = 1; step < cap; step++) {
    const p = (start + step) & (cap - 1);
    const hi = t[w * p]!, lo = t[w * p + 1]!, x = w === 3 ? t[w * p + 2]! : 0;
    if (hi === 0 && lo === 0) continue;
    t[w * p] = 0; t[w * p + 1] = 0;
    let i = hi & mask;
    while (t[w * i] !== 0 || t[w * i + 1] !== 0) {
      i = (i + 1) & mask;
      if (i === 0 && p > start) break; // wrapped while the bottom is not yet moved
    }
    if (i === 0 && p > start && (t[0] !== 0 || t[1] !== 0)) { later.push(hi, lo, x); continue; }
    t[w * i] = hi; t[w * i + 1] = lo;
    if (w === 3) t[w * i + 2] = x;
  }
  for (let k = 0; k < later.length; k += 3) {
    let i = later[k]! & mask;
    while (t[w * i] !== 0 || t[w * i + 1] !== 0) i = (i + 1) & mask;
    t[w * i] = later[k]!; t[w * i + 1] = later[k + 1]!;
    if (w === 3) t[w * i + 2] = later[k + 2]!;
  }
}
/** A zeroed buffer of RESERVED_CELLS 8-byte cells (1 GiB), or smaller if the system refuses, but at least `bytes`; null if even that is refused. */
function reserve(bytes: number): ArrayBuffer | null {
  for (let size = RESERVED_CELLS * 8; size >= bytes; size /= 2) {
    try { return new ArrayBuffer(size); } catch { /* try smaller */ }
  }
  return null;
}

/** Exact mode: stores every state in full and compares slots on a fingerprint match, so a collision cannot merge two states. */
export class ExactStateSet implements StateSet {
  private table: Int32Array;
  private mask: number;
  private states: Int32Array;
  private count = 0;
  found = -1;
  constructor(private readonly slots: number) {
    this.table = new Int32Array(1 << 12).fill(-1);
    this.mask = (1 << 12) - 1;
    this.states = new Int32Array(Math.max(1, slots) * 1024);
  }
  get size(): number { return this.count; }
  get bytes(): number { return this.table.byteLength + this.count * this.slots * 4; }
  add(b: Int32Array, off: number): boolean { return this.addHashed(b, off, fpHi, fpLo); }
  touch(hi: number): number { return this.table[hi & this.mask]!; }
  addHashed(b: Int32Array, off: number, hi: number, _lo: number): boolean {
    const n = this.slots, s = this.states;
    let i = hi & this.mask;
    for (;;) {
      const id = this.table[i]!;
      if (id < 0) break;
      let same = true;
      for (let k = 0; k < n; k++) if (s[id * n + k] !== b[off + k]) { same = false; break; }
      if (same) { this.found = id; return false; }
      i = (i + 1) & this.mask;
    }
    if ((this.count + 1) * n > s.length) { const bigger = new Int32Array(s.length * 2); bigger.set(s); this.states = bigger; }
    this.states.set(b.subarray(off, off + n), this.count * n);
    this.table[i] = this.count++;
    if (this.count * 10 > (this.mask + 1) * 7) this.grow();
    return true;
  }
  private grow(): void {
    const cap = (this.mask + 1) * 2, mask = cap - 1, t = new Int32Array(cap).fill(-1), n = this.slots;
    const saveHi = fpHi, saveLo = fpLo;
    for (let id = 0; id < this.count; id++) {
      hashState(this.states, id * n, n);
      let i = fpHi & mask;
      while (t[i]! >= 0) i = (i + 1) & mask;
      t[i] = id;
    }
    fpHi = saveHi; fpLo = saveLo;
    this.table = t; this.mask = mask;
  }
}

/**
 * Probability that fingerprinting merged two distinct states, TLC's "optimistic"
 * estimate: each of the (generated - distinct) duplicate hits could have been a
 * new state whose fingerprint collided with one of `distinct` stored ones.
 */
export function collisionProbability(distinct: number, generated: number): number {
  return (distinct * Math.max(0, generated - distinct)) / 2 ** 64;
}
