// What two threads can give on this machine: a hand-written level-synchronous BFS of bakery.5 whose
// threads share one fingerprint table (SharedArrayBuffer) and insert with compare-and-swap, with no
// views, no model API, no checks and no canonical ordering. docs/performance.md compares
// the engine's --workers against it. It prints the time with 1 and 2 threads. --no-atomics uses plain stores instead, which is wrong (two threads
// can both take one state, or tear a cell; the count may come out off): it only measures what the
// atomic operations cost.
//
//   npm run build && node dist/bench/shared-table.js [--no-atomics]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { fpHi, fpLo, hashState } from '../src/explorer/fingerprint.js';
import { PUBLISHED, S, successors } from './bakery-hand.js';

/** Table cells [hi, lo, claim]: 2^24 of them hold bakery.5 below half load (no growth: this is a probe, not a checker). */
const CELLS = 1 << 24;
/** States a thread's half of a level may hold (bakery.5's widest level has about 120,000 in all). */
const LEVEL_CAP = 1 << 19;
/** Control words: [0] barrier arrivals, [1] barrier generation, [2] overflow flag, [3] next position of the level not yet taken, [8 + t] thread t's count of new states. */
const CTL = 16;
/** Threads take a level in chunks of this many positions (as the engine's workers do), so neither idles while the other has work. */
const CHUNK = 64;

interface Job { threads: number; self: number; atomics: boolean; table: SharedArrayBuffer; ctl: SharedArrayBuffer; levels: SharedArrayBuffer[][] }
interface Done { distinct: number; generated: number; waitedMs: number }

if (isMainThread) {
  const atomics = !process.argv.includes('--no-atomics');
  const seconds: number[] = [];
  for (const threads of [1, 2]) {
    const table = new SharedArrayBuffer(CELLS * 12), ctl = new SharedArrayBuffer(CTL * 4);
    const levels = Array.from({ length: threads }, () => [0, 1].map(() => new SharedArrayBuffer(LEVEL_CAP * S * 4)));
    const t0 = performance.now();
    const done = await Promise.all(Array.from({ length: threads }, (_, self) => new Promise<Done>((resolve, reject) => {
      const w = new Worker(new URL(import.meta.url), { workerData: { threads, self, atomics, table, ctl, levels } satisfies Job });
      w.once('message', resolve); w.once('error', reject);
    })));
    const s = (performance.now() - t0) / 1000;
    seconds.push(s);
    if (new Int32Array(ctl)[2] !== 0) { console.error('a level outgrew LEVEL_CAP'); process.exit(1); }
    const distinct = done.reduce((a, d) => a + d.distinct, 0), generated = done.reduce((a, d) => a + d.generated, 0);
    const note = distinct === PUBLISHED ? '' : ` (wrong: the published figure is ${PUBLISHED})`;
    console.log(`${threads} thread(s), ${atomics ? 'compare-and-swap' : 'plain stores'}: ${distinct} distinct${note}, ${generated} generated in ${s.toFixed(2)} s; waited at barriers ${done.map((d) => (d.waitedMs / 1000).toFixed(2)).join(' + ')} s`);
    if (atomics && distinct !== PUBLISHED) process.exitCode = 1;
  }
  console.log(`2 threads: ${(seconds[0]! / seconds[1]!).toFixed(2)}x the rate of 1`);
} else {
  const { threads, self, atomics, table, ctl: ctlBuffer, levels } = workerData as Job;
  const t = new Int32Array(table), ctl = new Int32Array(ctlBuffer), mask = CELLS - 1;
  const buffers = levels.map((pair) => pair.map((b) => new Int32Array(b)));
  let distinct = 0, generated = 0, waitedMs = 0, generation = 0;

  /** Inserts the state just hashed with `claim`, keeping the smallest claim; true if it was new. */
  const insert = (claim: number): boolean => {
    const hi = fpHi, lo = fpLo | 1; // lo is never 0: a cell whose lo is 0 is being written
    let c = (hi & mask) * 3;
    for (;;) {
      let h = t[c]!;
      if (h === 0) {
        const prev = atomics ? Atomics.compareExchange(t, c, 0, hi) : (t[c] = hi, 0);
        if (prev === 0) { t[c + 2] = claim; if (atomics) Atomics.store(t, c + 1, lo); else t[c + 1] = lo; return true; }
        h = prev;
      }
      if (h === hi) {
        let l = t[c + 1]!;
        while (l === 0) l = Atomics.load(t, c + 1);
        if (l === lo) {
          for (let cur = t[c + 2]!; claim < cur;) {
            if (!atomics) { t[c + 2] = claim; break; }
            const seen = Atomics.compareExchange(t, c + 2, cur, claim);
            if (seen === cur) break;
            cur = seen;
          }
          return false;
        }
      }
      c += 3;
      if (c === t.length) c = 0;
    }
  };
  const barrier = (): void => {
    const t0 = performance.now();
    generation++;
    if (Atomics.add(ctl, 0, 1) === generation * threads - 1) { Atomics.store(ctl, 1, generation); Atomics.notify(ctl, 1); }
    else while (Atomics.load(ctl, 1) < generation) Atomics.wait(ctl, 1, generation - 1);
    waitedMs += performance.now() - t0;
  };

  const succ = new Int32Array(S);
  let par = 0, next = buffers[self]![1]!, nextCount = 0, claimBase = 0;
  const emit = (process: number): void => {
    generated++;
    hashState(succ, 0, S);
    if (!insert(claimBase + process)) return;
    distinct++;
    if (nextCount === LEVEL_CAP) { Atomics.store(ctl, 2, 1); return; }
    next.set(succ, nextCount++ * S);
  };
  // The initial state (all zero) is position 0 of the first level, in thread 0's buffer.
  const counts = new Array<number>(threads).fill(0);
  counts[0] = 1;
  if (self === 0) { hashState(succ, 0, S); insert(0); distinct = generated = 1; }
  for (let total = 1; total > 0;) {
    // This thread expands chunks of the level (the concatenation of every thread's buffer) until none is left.
    nextCount = 0;
    for (;;) {
      const from = Atomics.add(ctl, 3, CHUNK);
      if (from >= total) break;
      const to = Math.min(total, from + CHUNK);
      let owner = 0, base = 0;
      for (let x = from; x < to; x++) {
        while (x - base >= counts[owner]!) base += counts[owner++]!;
        claimBase = x * 64;
        successors(buffers[owner]![par]!, (x - base) * S, succ, emit);
      }
    }
    Atomics.store(ctl, 8 + self, nextCount);
    barrier();
    total = 0;
    for (let k = 0; k < threads; k++) { counts[k] = Atomics.load(ctl, 8 + k); total += counts[k]!; }
    par ^= 1;
    next = buffers[self]![par ^ 1]!;
    if (self === 0) Atomics.store(ctl, 3, 0);
    barrier(); // nobody overwrites a buffer (or takes a chunk) before all have read the counts
  }
  parentPort!.postMessage({ distinct, generated, waitedMs } satisfies Done);
}
