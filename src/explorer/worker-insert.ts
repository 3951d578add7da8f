// The insert and place phases of one worker of the parallel search (see level-protocol.ts): it takes
// buckets from a shared counter, merges every worker's records of each in claim order into the bucket's
// table, keeps the new states with their claims and marks those claims; then it counts every worker's
// marks and writes its new states' places in the next frontier.
import { LOOKUP_BATCH } from './fingerprint.js';
import type { CompiledModel } from './model.js';
import { bitCount, CTL_BUCKET, grown, grownShared, MARKS, sharedInts, type WorkerLinks } from './level-protocol.js';
import { grownTable, TABLE_HEAD, tableLimit } from './bucket-tables.js';
import type { Peers } from './worker-peers.js';

export interface LevelInsertion {
  /** Starts a level: no new states yet. */
  start(): void;
  /** Clears the last level's marks and makes room for the marks of a frontier of `count` positions. */
  clearMarks(count: number): void;
  /** Inserts buckets taken from the shared counter until none is left. */
  insertBuckets(): void;
  /** After barrier B: ors every worker's marks together and counts them; returns the next frontier's size. */
  countMarks(count: number): number;
  /** Writes this worker's new states' places in the next frontier. */
  place(nextWhere: Int32Array, merged: Int32Array): void;
  /** The new states become this worker's part of the next frontier: returns their buffer. */
  commit(): SharedArrayBuffer;
  /** The bytes its buffers hold. */
  bytes(): number;
}

export function levelInsertion(c: CompiledModel, links: WorkerLinks, peers: Peers): LevelInsertion {
  const W = c.layout.words, A = c.actions.length, R = 3 + W;
  const { ctl, counts, workers, buckets: B, self } = links, SENT = workers * workers;
  const { boxes, tables, marksOf } = peers;
  /** The level's new states this worker inserted: `fresh` of them, held here (packed) with their claims. */
  let fresh = 0;
  let states = sharedInts(1024 * W), committed = sharedInts(1024 * W), claims: Int32Array = new Int32Array(1024);
  /**
   * Claim marks: a bit per (frontier position, action), M words per position. Each worker marks the claims
   * of the new states it inserted in its own marks, in shared memory (every worker's, as last announced, in
   * peers.marksOf), and clears them before the next level's. Marking straight into one shared bitmask took
   * atomic writes (two workers write to the same words): or-ing them in cost each worker 0.1 s on
   * bakery.5. After barrier B every worker ors all of them into allMarks, and counts them (marksBefore:
   * how many marks come before each position).
   */
  const M = (A + 31) >>> 5;
  let ownMarks = sharedInts(1024), marked = 0;
  marksOf[self] = ownMarks;
  peers.announce(MARKS, ownMarks.buffer as SharedArrayBuffer);
  let allMarks = new Int32Array(1024), marksBefore = new Int32Array(1024);

  /** Keeps a new state this worker inserted (packed, with its claim) for the next frontier. */
  const keep = (claim: number, words: Int32Array, off: number): void => {
    if ((fresh + 1) * W > states.length) states = grownShared(states);
    if (fresh + 1 > claims.length) claims = grown(claims);
    for (let k = 0, d = fresh * W; k < W; k++) states[d + k] = words[off + k]!;
    claims[fresh++] = claim;
  };

  function clearMarks(count: number): void {
    // Everyone has placed the last level's states (barrier C), so its marks can go.
    ownMarks.fill(0, 0, marked);
    marked = count * M;
    if (marked > ownMarks.length) {
      ownMarks = sharedInts(Math.max(marked, 2 * ownMarks.length)); marksOf[self] = ownMarks;
      peers.announce(MARKS, ownMarks.buffer as SharedArrayBuffer);
    }
  }

  /**
   * allMarks = every worker's marks or-ed together; marksBefore[r] = the marks of frontier positions
   * before r, for r <= count; returns them all (the next frontier's size).
   */
  function countMarks(count: number): number {
    if (count + 1 > marksBefore.length) marksBefore = new Int32Array(Math.max(count + 1, 2 * marksBefore.length));
    if (count * M > allMarks.length) allMarks = new Int32Array(Math.max(count * M, 2 * allMarks.length));
    const all = allMarks, of = marksOf;
    let n = 0;
    for (let r = 0; r < count; r++) {
      marksBefore[r] = n;
      for (let w = r * M, end = w + M; w < end; w++) {
        let bits = 0;
        for (let u = 0; u < workers; u++) bits |= of[u]![w]!;
        all[w] = bits;
        n += bitCount(bits);
      }
    }
    marksBefore[count] = n;
    return n;
  }
  /**
   * A state's place in the next frontier is the number of claims marked before its own (claims are
   * distinct), which is its place in the sequential discovery order.
   */
  function place(nextWhere: Int32Array, merged: Int32Array): void {
    const marks = allMarks;
    for (let j = 0; j < fresh; j++) {
      const cl = claims[j]!, r = Math.floor(cl / A), a = cl - r * A, w = r * M + (a >>> 5);
      let p = marksBefore[r]! + bitCount(marks[w]! & ((1 << (a & 31)) - 1));
      for (let u = r * M; u < w; u++) p += bitCount(marks[u]!);
      nextWhere[2 * p] = self; nextWhere[2 * p + 1] = j;
      merged[p] = cl;
    }
  }

  function insertBuckets(): void {
    for (let b = Atomics.add(ctl, CTL_BUCKET, 1); b < B; b = Atomics.add(ctl, CTL_BUCKET, 1)) insertBucket(b);
  }
  /** Where touched cells' words go (so the loads are kept). */
  let touched = 0;
  /** Where each worker's records of the bucket being inserted are read next (record offsets), and end. */
  const head = new Int32Array(workers), end = new Int32Array(workers);
  /** The bucket's records in claim order (as outbox, record offset), in batches. */
  const batchBox = new Int32Array(LOOKUP_BATCH), batchAt = new Int32Array(LOOKUP_BATCH);
  /**
   * Inserts the workers' records of bucket b into its table, in claim order (each worker's records are in
   * claim order already: merged, a state's first record carries its smallest claim). A new state is kept
   * with that claim. Records go in batches: first each one's first cell is read (independent loads, so
   * their cache misses overlap), then they are inserted; one by one, each waited for its own miss.
   */
  function insertBucket(b: number): void {
    for (let u = 0; u < workers; u++) {
      const k = (b * (boxes[u]!.length / (B * R))) * R;
      head[u] = k; end[u] = k + counts[SENT + u * B + b]! * R;
    }
    let t = tables[b]!, mask = t[1]! - 1, limit = tableLimit(mask + 1), stored = t[0]!, moved = false;
    for (;;) {
      // The next batch, merged: the worker whose next record has the smallest claim goes first.
      let n = 0;
      for (; n < LOOKUP_BATCH; n++) {
        let best = -1, bestClaim = 0;
        for (let u = 0; u < workers; u++) {
          if (head[u]! < end[u]! && (best < 0 || boxes[u]![head[u]!]! < bestClaim)) { best = u; bestClaim = boxes[u]![head[u]!]!; }
        }
        if (best < 0) break;
        batchBox[n] = best; batchAt[n] = head[best]!; head[best] = head[best]! + R;
      }
      if (n === 0) break;
      for (let k = 0; k < n; k++) touched ^= t[TABLE_HEAD + 2 * (boxes[batchBox[k]!]![batchAt[k]! + 1]! & mask)]!;
      for (let k = 0; k < n; k++) {
        const box = boxes[batchBox[k]!]!, at = batchAt[k]!, hi = box[at + 1]!;
        let lo = box[at + 2]!;
        if (hi === 0 && lo === 0) lo = 1;
        let i = hi & mask, found = false;
        for (;;) {
          const h = t[TABLE_HEAD + 2 * i]!, l = t[TABLE_HEAD + 2 * i + 1]!;
          if (h === 0 && l === 0) break;
          if (h === hi && l === lo) { found = true; break; }
          i = (i + 1) & mask;
        }
        if (found) continue;
        t[TABLE_HEAD + 2 * i] = hi; t[TABLE_HEAD + 2 * i + 1] = lo;
        const cl = box[at]!, r = Math.floor(cl / A), a = cl - r * A;
        ownMarks[r * M + (a >>> 5)] |= 1 << (a & 31);
        keep(cl, box, at + 3);
        if (++stored > limit) {
          t[0] = stored;
          const g = grownTable(t);
          if (g !== true) { t = g; tables[b] = t; moved = true; }
          mask = t[1]! - 1; limit = tableLimit(mask + 1);
        }
      }
    }
    t[0] = stored;
    if (moved) peers.announce(b, t.buffer as SharedArrayBuffer);
  }

  function commit(): SharedArrayBuffer {
    const old = committed; committed = states; states = old;
    return committed.buffer as SharedArrayBuffer;
  }
  const bytes = (): number => committed.byteLength + states.byteLength + claims.byteLength + marksBefore.byteLength + ownMarks.byteLength + allMarks.byteLength;
  return { start: () => { fresh = 0; }, clearMarks, insertBuckets, countMarks, place, commit, bytes };
}
