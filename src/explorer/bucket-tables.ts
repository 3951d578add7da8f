// The bucket tables of a parallel search: a fingerprint table per bucket, in shared memory.
import { doubleInPlace } from './fingerprint.js';
import { bucketOf, bucketShift, sharedInts } from './level-protocol.js';

/**
 * A bucket's fingerprint table, in a SharedArrayBuffer: word 0 holds the number of states, word 1 the
 * number of cells (a power of two), then cells [hi, lo] from word 2, open addressing with linear probing
 * on hi, (0, 0) empty (a fingerprint (0, 0) is stored as (0, 1)), at most 70 % full. One worker at a time
 * inserts into it (the one that took the bucket). It doubles in place, within address space reserved
 * when it is made (only the pages it touches are mapped): doubling into a new buffer faulted in every
 * page of each new table, and took half as long again (on bakery.5, 1.1 s of the two workers' time against 0.75 s). A table
 * that outgrows its reservation moves to a new buffer, and the worker that moved it tells the others.
 */
export const TABLE_HEAD = 2;
export const tableLimit = (cells: number): number => Math.floor(cells * 0.7);
/**
 * Cells a bucket's table reserves: 2^27 over all buckets (1 GiB of 8-byte cells, as the one-worker search's
 * table reserves). The environment variable MC_TABLE_RESERVE_CELLS sets another total: the tests set a small
 * one, so that tables outgrow their reservations, move and are announced, which otherwise takes some 90 M states.
 */
const RESERVED_TOTAL = Number(process.env.MC_TABLE_RESERVE_CELLS) || 1 << 27;
const reservedCells = (buckets: number): number => Math.max(1 << 10, RESERVED_TOTAL / buckets);
/** An empty table of `cells` cells with room to double in place up to `reserve` cells (fewer if the system refuses). */
function newTable(cells: number, reserve: number): Int32Array {
  for (let r = Math.max(cells, reserve); ; r = Math.max(cells, r / 2)) {
    try {
      const t = sharedInts(TABLE_HEAD + 2 * r);
      t.fill(0, 0, TABLE_HEAD + 2 * cells); // already zero: this faults the pages in order (see prefaulted in fingerprint.ts)
      t[1] = cells;
      return t;
    } catch (e) { if (r === cells) throw e; }
  }
}
/** Stores (hi, lo) in t, known absent and with room; no count. */
function putCell(t: Int32Array, hi: number, lo: number): void {
  const mask = t[1]! - 1;
  let i = hi & mask;
  while (t[TABLE_HEAD + 2 * i] !== 0 || t[TABLE_HEAD + 2 * i + 1] !== 0) i = (i + 1) & mask;
  t[TABLE_HEAD + 2 * i] = hi; t[TABLE_HEAD + 2 * i + 1] = lo;
}
/** Doubles table t: in place if its reservation has room (true), else into a new table, returned. */
export function grownTable(t: Int32Array): Int32Array | true {
  const cells = t[1]!;
  if (TABLE_HEAD + 4 * cells <= t.length) {
    doubleInPlace(t.subarray(TABLE_HEAD, TABLE_HEAD + 4 * cells), cells, 2);
    t[1] = 2 * cells;
    return true;
  }
  const g = newTable(2 * cells, 4 * cells);
  for (let j = TABLE_HEAD; j < TABLE_HEAD + 2 * cells; j += 2) if (t[j] !== 0 || t[j + 1] !== 0) putCell(g, t[j]!, t[j + 1]!);
  g[0] = t[0]!;
  return g;
}
/** Bucket tables holding the n fingerprints fps = (hi, lo) pairs (the states found before the parallel search took over). */
export function seedTables(fps: Int32Array, n: number, buckets: number): SharedArrayBuffer[] {
  const per = new Int32Array(buckets);
  const shift = bucketShift(buckets);
  for (let k = 0; k < n; k++) per[bucketOf(fps[2 * k + 1]!, shift)]!++;
  const tables = Array.from(per, (m) => {
    let cells = 1 << 10;
    while (tableLimit(cells) < 2 * m) cells *= 2;
    return newTable(cells, reservedCells(buckets));
  });
  for (let k = 0; k < n; k++) { // as a FingerprintSet gives them: never (0, 0)
    const hi = fps[2 * k]!, lo = fps[2 * k + 1]!, t = tables[bucketOf(lo, shift)]!;
    putCell(t, hi, lo); t[0]!++;
  }
  return tables.map((t) => t.buffer as SharedArrayBuffer);
}
