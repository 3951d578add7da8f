// Multi-worker breadth-first search whose results do not depend on the number
// of workers.
//
// The fingerprint space is split into buckets (many more than workers), each
// a fingerprint table of its own in shared memory. The main thread is worker 0;
// helper threads are the others. Each level the main thread posts one command,
// and all workers run the level together, meeting at barriers in shared memory:
//   1. expand: the workers expand the frontier (in canonical order), taking
//      chunks of it from a shared counter. Each successor goes to the worker's
//      outbox for its bucket (less those it sent recently); nothing is looked
//      up while expanding.
//   2. insert (after barrier A): the workers take buckets from a shared
//      counter. For each, the worker merges every worker's records of that
//      bucket in claim order and inserts them into the bucket's table: a
//      state's first record has its smallest claim, so a state new in the
//      level is kept, with that claim, by whoever inserted it. Each worker
//      marks its new states' claims in a bitmask of its own, in shared memory:
//      a bit per frontier position and action.
//   3. place (after barrier B): each worker counts the marks (of all workers)
//      before each frontier position and writes its new states' places in the
//      next frontier (`where`, `merged`): a state's place is the number of
//      marks before its claim. No sorting, no merging of the workers' lists.
// Why buckets taken from a counter rather than states owned by a fixed worker:
// with owners, a worker on a faster CPU expanded more chunks, so it sent more
// to the slower one, which then had more to insert. On bakery.5 each worker
// waited about 0.3 s a run for the other to finish inserting.
// A state's invariants and goals are checked when the next level loads it for
// expansion (it is unpacked there anyway), not when it is found: unpacking
// every new state once more cost a tenth of the run. The main thread places
// those results as the sequential search would have found them (see
// bfsParallel in bfs-parallel.ts).
// Every successor carries a claim = (position of its parent in the level, action
// id); a state found several times in the level keeps the smallest claim. That
// is exactly the (parent, action) by which a sequential BFS would first discover
// it, so ordering the level's new states by claim gives the sequential discovery
// order: same indices, parents, traces and first violation, for any number of
// workers.
// Why barriers in shared memory and the main thread as a worker: on this
// project's virtual machines a message took 0.3 to 0.7 ms to wake an idle
// thread's event loop, and with a coordinating main thread and two messages per
// level and worker the workers sat idle for about a sixth of a two-worker
// bakery.5 run. Buffers travel as messages, read synchronously
// (receiveMessageOnPort) once a shared count says they are there.
import { doubleInPlace, fpHi, fpLo, hashState, LOOKUP_BATCH, newRecentCache, seenRecently } from './fingerprint.js';
import { Expander, ExpandFailure } from './expand.js';
import type { CompiledModel } from './model.js';
import { readerError, thrownStack } from './trace.js';
import { IDLE, KIND_CONSTRAINT, KIND_DEADLOCK, KIND_GOAL, KIND_INVARIANT, newProbe, probeCode, WHO } from './control.js';
import { MessageChannel, receiveMessageOnPort, type MessagePort, type Worker } from 'node:worker_threads';

/** The control words shared with the workers: the stop flag (non-zero: stop)... */
export const CTL_STOP = 0;
/** ...the next frontier position not yet taken (the main thread zeroes it before each level)... */
const CTL_NEXT = 1;
/** ...the number of commands the main thread has sent (it bumps this after posting one to every helper)... */
const CTL_COMMANDS = 2;
/** ...non-zero when the run is over (or a helper died): waiting threads give up... */
const CTL_QUIT = 3;
/** ...and the workers' barrier: arrivals and the generation released. */
const CTL_ARRIVED = 4;
const CTL_RELEASED = 5;
/** Set by the last worker to reach barrier A: non-zero if the level was stopped (then nobody exchanges, and the frontier stays as it was). */
const CTL_SKIP = 6;
/** The next bucket not yet taken for inserting (the main thread zeroes it before each level). */
const CTL_BUCKET = 7;
const CTL_WORDS = 8;
/** How long a waiting thread spins before it sleeps (a sleeping thread takes 0.1 to 0.3 ms to wake here). */
const SPIN_MS = 0.5;

/**
 * Workers take the frontier in chunks from a shared counter, so a worker that finishes early takes more
 * (static halves left one worker idle a fifth of the time on bakery.5). Each worker's chunks still come
 * in increasing order, so its claims do too. A chunk is a share of what is left of the level (guided
 * scheduling): 1 / (CHUNK_SHARE * workers) of it, at least MIN_CHUNK and at most MAX_CHUNK positions (a
 * worker sees a stop request between chunks, so a chunk should take milliseconds). Large chunks first keep
 * a worker's successors together, so its cache of sent fingerprints catches more repeats (each chunk edge
 * loses some): on bakery.5 two workers sent 13.6 M records, against 14.7 M with fixed chunks of 64
 * positions; small chunks last keep the workers finishing together.
 */
const MIN_CHUNK = 64, MAX_CHUNK = 4096, CHUNK_SHARE = 4;

/**
 * How many buckets split the fingerprint space: enough that the last bucket a worker takes is a small
 * part of a level's inserting (a power of two, at least 16 a worker).
 */
export const bucketsFor = (workers: number): number => { let b = 64; while (b < 16 * workers) b *= 2; return b; };
/** A fingerprint's bucket: the top bits of the low lane (the high lane indexes the bucket's table, the low bits of the low lane the cache of sent fingerprints). */
const bucketOf = (lo: number, shift: number): number => lo >>> shift;
/** The shift bucketOf takes for `buckets` buckets. */
const bucketShift = (buckets: number): number => 32 - Math.log2(buckets);

/**
 * A bucket's fingerprint table, in a SharedArrayBuffer: word 0 holds the number of states, word 1 the
 * number of cells (a power of two), then cells [hi, lo] from word 2, open addressing with linear probing
 * on hi, (0, 0) empty (a fingerprint (0, 0) is stored as (0, 1)), at most 70 % full. One worker at a time
 * inserts into it (the one that took the bucket). It doubles in place, within address space reserved
 * when it is made (only the pages it touches are mapped): doubling into a new buffer faulted in every
 * page of each new table, and took half as long again (on bakery.5, 1.1 s of the two workers' time against 0.75 s). A table
 * that outgrows its reservation moves to a new buffer, and the worker that moved it tells the others.
 */
const TABLE_HEAD = 2;
const tableLimit = (cells: number): number => Math.floor(cells * 0.7);
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
function grownTable(t: Int32Array): Int32Array | true {
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

// ---------- messages ----------

/**
 * Sent once through the worker's parentPort; everything after comes as commands on `commands`
 * (read synchronously when CTL_COMMANDS moves). toPeer[v] / fromPeer[v] connect to worker v (null for
 * itself). `counts` is shared by all workers (see WorkerLinks).
 */
export interface InitMessage { type: 'init'; ctl: SharedArrayBuffer; counts: SharedArrayBuffer; workers: number; buckets: number; self: number; commands: MessagePort; toPeer: (MessagePort | null)[]; fromPeer: (MessagePort | null)[]; probe: SharedArrayBuffer }
/** The bucket tables, holding every state found before the parallel search took over. No reply. */
export interface SeedMessage { type: 'seed'; tables: SharedArrayBuffer[] }
export interface LevelMessage {
  type: 'level';
  /** The frontier: states in these buffers (the workers' committed new states, or the initial states)... */
  buffers: SharedArrayBuffer[];
  /** ...at (buffer, index) = where[2r], where[2r+1] for canonical position r < count. The workers overwrite it with the next frontier's. */
  where: SharedArrayBuffer; count: number;
  /** Where the workers write the claims of the level's new states in discovery order (two buffers alternate, so the main thread can read the last level's while this one runs). */
  merged: SharedArrayBuffer;
  /** Expand the positions; if false only check them (the last level of a run that stops early). */
  expand: boolean;
  checkDeadlock: boolean;
  /** Check the invariants and goals of the frontier states (false for the initial states, which the main thread checked). */
  check: boolean;
  /** Invariants already violated (not checked, antecedents still counted) and goals already reached (skipped). */
  skipInvariants: number[]; skipGoals: number[];
}
export interface LevelResult {
  type: 'level-done';
  generated: number;
  fires: Float64Array;
  discarded: number;
  /** Canonical positions of the frontier states that are unexpected deadlocks. */
  deadlocks: number[];
  /** Per step property, the smallest claim (position × actions + action) of a step where it failed, or -1. */
  steps: number[];
  /** Stopped early because a stop was requested. */
  stopped: boolean;
  /** An action that failed (the first in this worker's positions). */
  error: WorkerError | null;
  /** Checking the frontier states: antecedent hits per invariant; pairs (invariant index, position) of violations; goals reached. */
  antecedents: number[]; violations: number[]; goals: number[];
  /** An invariant or goal that threw on the state at position checkError.pos (the first in this worker's positions). */
  checkError: WorkerError | null;
  /**
   * Whether the workers built the next frontier (false when only checking, or when the level was stopped:
   * then `where` still holds this level's). If so: `count` new states in all, this worker's in `buffer`,
   * and (worker 0 only) the larger `where` / `merged` it had to allocate, or null.
   */
  exchanged: boolean; count: number; buffer: SharedArrayBuffer | null;
  where: SharedArrayBuffer | null; merged: SharedArrayBuffer | null;
  /** Bytes this worker holds: its new states and their claims, its outboxes, its cache of sent fingerprints, its claim marks and their counts; worker 0 also counts the bucket tables (the cells in use). */
  bytes: number;
}
/** A worker to every other when it replaces a buffer the others read: its outboxes (bucket OUTBOX), its claim marks (MARKS), or a bucket's table. */
interface NewBuffer { bucket: number; buffer: SharedArrayBuffer }
const OUTBOX = -1, MARKS = -2;
/** Worker 0 to the others when the next frontier outgrows `where` or `merged`. */
interface GrowMessage { where: SharedArrayBuffer; merged: SharedArrayBuffer }
/** A broken action (pos, actionId: the frontier position and the action), or a property that threw on the state at position pos (actionId -1). */
export interface WorkerError { pos: number; actionId: number; message: string; action?: string; field?: string; bad: Int32Array | null; /** The stack trace of what the model's code threw (thrownStack), for --debug. */ stack?: string }

interface Port { on(ev: 'message', f: (m: any) => void): void }

const sharedInts = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
const grownShared = (a: Int32Array): Int32Array => { const b = sharedInts(a.length * 2); b.set(a); return b; };
const grown = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
/** The number of set bits of a 32-bit word. */
const bitCount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
};


/**
 * How a worker reaches the others: the control words, a port to and from each other worker (null for
 * itself), and `counts`, shared by all: first posted[u * workers + v], the NewBuffer messages worker u
 * has posted to v; then sent[u * buckets + b], the records in worker u's outbox for bucket b this level.
 */
export interface WorkerLinks { ctl: Int32Array; counts: Int32Array; workers: number; buckets: number; self: number; toPeer: (MessagePort | null)[]; fromPeer: (MessagePort | null)[]; probe: SharedArrayBuffer }

/**
 * One worker's part of the search, driven by a helper thread (serveWorker) or by the main thread, which
 * is worker 0. `finishLevel` yields the barrier generation it waits for whenever it must wait (a helper
 * sleeps on it; the main thread awaits, so its event loop runs); a driver that gives up waiting (the run
 * ended) simply drops the generator.
 */
export interface LevelWorker {
  seed(tables: SharedArrayBuffer[]): void;
  startLevel(m: LevelMessage): void;
  /** Expands chunks until none is left (true) or `deadline` (performance.now()) has passed (false). */
  expandChunks(deadline: number): boolean;
  finishLevel(): Generator<number, LevelResult, void>;
}

export function levelWorker(c: CompiledModel, debug: boolean, links: WorkerLinks): LevelWorker {
  const x = new Expander(c, debug, links.probe);
  const who = x.who;
  const n = c.layout.slots, W = c.layout.words, acts = c.actions, A = acts.length, R = 3 + W;
  const { ctl, counts, workers, buckets: B, self, toPeer, fromPeer } = links;
  const SENT = workers * workers, shift = bucketShift(B);
  /** Every bucket's table (kept current: see NewBuffer). */
  let tables: Int32Array[] = [];
  /** The level's new states this worker inserted: `fresh` of them, held here (packed) with their claims. */
  let fresh = 0;
  let states = sharedInts(1024 * W), committed = sharedInts(1024 * W), claims: Int32Array = new Int32Array(1024);
  /**
   * Claim marks: a bit per (frontier position, action), M words per position. Each worker marks the claims
   * of the new states it inserted in its own marks, in shared memory (every worker's, as last announced, in
   * marksOf; marksOf[self] is this one's), and clears them before the next level's. Marking straight into
   * one shared bitmask took atomic writes (two workers write to the same words): or-ing them in cost
   * each worker 0.1 s on bakery.5. After barrier B every worker ors all of them into allMarks, and
   * counts them (marksBefore: how many marks come before each position).
   */
  const M = (A + 31) >>> 5;
  let ownMarks = sharedInts(1024), marked = 0;
  const marksOf: Int32Array[] = Array.from({ length: workers }, () => new Int32Array(0));
  marksOf[self] = ownMarks;
  let allMarks = new Int32Array(1024), marksBefore = new Int32Array(1024);
  /**
   * The fingerprints this worker last sent (see seenRecently).
   * A worker's claims only grow, so a repeat it drops could never have lowered the claim its earlier record carries.
   */
  const sent = newRecentCache();
  /**
   * This worker's outboxes, one buffer: bucket b's records [claim, hi, lo, packed state] from record
   * b * cap, outCount[b] of them (published in counts.sent before barrier A). Every worker's, as last
   * announced (boxes[self] is this one).
   */
  let cap = 256;
  // Many workers means many buckets: start each bucket smaller, so that a worker's outboxes take about
  // 1 MiB to begin with (each bucket a worker sends to touches a page or more of them).
  while (cap > 16 && B * cap * R * 4 > 1 << 20) cap /= 2;
  while (cap < 2 * A) cap *= 2;
  let outbox = sharedInts(B * cap * R);
  const outCount = new Int32Array(B);
  const boxes: Int32Array[] = Array.from({ length: workers }, () => new Int32Array(0));
  boxes[self] = outbox;
  /** NewBuffer messages read from each worker. */
  const read = new Int32Array(workers);

  /** Keeps a new state this worker inserted (packed, with its claim) for the next frontier. */
  const keep = (claim: number, words: Int32Array, off: number): void => {
    if ((fresh + 1) * W > states.length) states = grownShared(states);
    if (fresh + 1 > claims.length) claims = grown(claims);
    for (let k = 0, d = fresh * W; k < W; k++) states[d + k] = words[off + k]!;
    claims[fresh++] = claim;
  };

  /** A message already posted to `from` (the poster moved a shared word after posting it). */
  function take<T>(from: MessagePort): T {
    for (;;) {
      const got = receiveMessageOnPort(from);
      if (got !== undefined) return got.message as T;
      if (Atomics.load(ctl, CTL_QUIT) !== 0) throw new Error('the run ended while a worker waited for a message');
    }
  }
  /** Tells every other worker that this one replaced a buffer they read. */
  function announce(bucket: number, buffer: SharedArrayBuffer): void {
    for (let v = 0; v < workers; v++) {
      if (v === self) continue;
      toPeer[v]!.postMessage({ bucket, buffer } satisfies NewBuffer);
      Atomics.add(counts, self * workers + v, 1);
    }
  }
  announce(OUTBOX, outbox.buffer as SharedArrayBuffer);
  announce(MARKS, ownMarks.buffer as SharedArrayBuffer);
  /** Takes the buffers the others replaced (called after a barrier, so every announcement made before it is counted). */
  function takeNewBuffers(): void {
    for (let u = 0; u < workers; u++) {
      for (const posted = Atomics.load(counts, u * workers + self); read[u]! < posted; read[u]!++) {
        const nb = take<NewBuffer>(fromPeer[u]!);
        if (nb.bucket === OUTBOX) boxes[u] = new Int32Array(nb.buffer);
        else if (nb.bucket === MARKS) marksOf[u] = new Int32Array(nb.buffer);
        else tables[nb.bucket] = new Int32Array(nb.buffer);
      }
    }
  }
  let barriers = 0;
  /** Waits for every worker to arrive (yielding the generation to wait for); the last to arrive runs `last` before releasing the others. */
  function* barrier(last?: () => void): Generator<number, void, void> {
    const gen = ++barriers;
    if (Atomics.add(ctl, CTL_ARRIVED, 1) === gen * workers - 1) {
      last?.();
      Atomics.store(ctl, CTL_RELEASED, gen); Atomics.notify(ctl, CTL_RELEASED);
      return;
    }
    while (Atomics.load(ctl, CTL_RELEASED) < gen) yield gen;
  }
  /** Sends this worker's result of the level to worker 0 (the main thread), which reads it after the level's last barrier. */
  function report(res: LevelResult): void {
    if (self !== 0) toPeer[0]!.postMessage(res, [res.fires.buffer as ArrayBuffer]);
  }

  /** The state constraint on the successor in scratch; a throw becomes the action's failure. */
  const inConstraint = (actionId: number): boolean => {
    who[WHO] = probeCode(KIND_CONSTRAINT, 0, true);
    try { return c.constraint!(x.scratchView); } catch (e) {
      throw new ExpandFailure(readerError('the state constraint', e), actionId, x.scratch.slice(0, n));
    }
  };
  const hasSteps = c.steps.length > 0;
  /** Per step property, the first claim (this worker's claims only grow) of a step where it failed, or -1. */
  let stepFirst: number[] = [];
  /** Notes the step properties that failed (checkSteps returned `failed`) on the step with this claim. */
  const stepsFailed = (failed: number, claim: number): void => {
    for (let j = 0; j < failed; j++) { const k = x.failedSteps[j]!; if (stepFirst[k]! < 0) stepFirst[k] = claim; }
  };
  /** Whether the current state (no action enabled) is an expected terminal state. */
  const expectedTerminal = (): boolean => {
    const d = c.deadlock;
    if (typeof d !== 'object') return false;
    who[WHO] = probeCode(KIND_DEADLOCK, 0, false);
    try { return d.expected(x.curView); } catch (e) {
      throw new ExpandFailure(readerError('the deadlock policy', e), -1, null);
    }
  };

  /** The frontier position being expanded (for the error of an action that fails there). */
  let expandingAt = 0;

  /** The properties checked in this level, and what checking found. */
  let checkInv: boolean[] = [], checkGoal: boolean[] = [];
  let antecedents: number[] = [], goals: number[] = [], violations: number[] = [];
  let checkError: WorkerError | null = null;

  /** Checks the invariants and goals of the loaded frontier state (position r); false if one threw (checkError says which). */
  function checkState(r: number): boolean {
    if (!level!.check) return true;
    const view = x.curView;
    // Which property is being evaluated: invariant q, or goal q as -2 - q. (Naming it here, as a string
    // built per state, allocated about 300 MB in a two-worker bakery.5 run: 78 young-generation collections.)
    let at = -1;
    try {
      for (let q = 0; q < c.invariants.length; q++) {
        const inv = c.invariants[q]!;
        at = q;
        who[WHO] = probeCode(KIND_INVARIANT, q, false);
        if (inv.antecedent !== undefined && inv.antecedent(view)) antecedents[q]!++;
        // Evaluated even once violated (only not recorded again): the sequential search evaluates it too, and it may throw.
        if (!inv.check(view) && checkInv[q]) violations.push(q, r);
      }
      for (let q = 0; q < goals.length; q++) {
        if (!checkGoal[q] || goals[q]) continue;
        at = -2 - q;
        who[WHO] = probeCode(KIND_GOAL, q, false);
        if (c.goals[q]!.check(view)) goals[q] = 1;
      }
      who[WHO] = IDLE;
      return true;
    } catch (e) {
      const what = at >= 0 ? `invariant ${c.invariants[at]!.name}` : `goal ${c.goals[-2 - at]!.name}`;
      const failure = readerError(what, e), stack = debug ? thrownStack(failure) : null;
      checkError = { pos: r, actionId: -1, message: failure.message, bad: null, ...(stack ? { stack } : {}) };
      return false;
    }
  }

  /** What expandRange returns when a stop was requested, and the successors it generated otherwise. */
  const STOPPED = -1;
  let rangeGenerated = 0;
  /**
   * Checks (if m.check) and expands (if `expand`) frontier positions from..to-1, sending each successor
   * to this worker's outbox for its bucket. Stops at a property that throws, and after a state that left
   * an outbox with room for fewer than A more records. Returns where to go on (once the outboxes have
   * grown), or STOPPED if a stop was requested; rangeGenerated is the successors it generated. (It returns
   * a number, not an object, and sets rangeGenerated rather than adding to it: V8 at times compiled the code
   * after the loop before it had run, then deoptimized the function there, again and again.)
   */
  function expandRange(m: LevelMessage, expand: boolean, from: number, to: number, bufs: Int32Array[], where: Int32Array, fires: Float64Array, deadlocks: number[]): number {
    const packed = x.packed, checkDeadlock = m.checkDeadlock, box = outbox, room = cap - A;
    let generated = 0, full = 0;
    for (let r = from; r < to; r++) {
      if (expand && r === from && Atomics.load(ctl!, CTL_STOP) !== 0) return STOPPED;
      expandingAt = r;
      x.loadPacked(bufs[where[2 * r]!]!, where[2 * r + 1]! * W);
      if (!checkState(r)) break;
      if (!expand) continue;
      const claimBase = r * A;
      let enabled = 0;
      const cand = x.candidates();
      for (let w = 0; w < cand.length; w++) for (let bits = cand[w]!; bits !== 0; bits &= bits - 1) {
        const ai = (w << 5) + 31 - Math.clz32(bits & -bits);
        const a = acts[ai]!;
        if (!x.successor(a)) continue;
        enabled++; generated++; fires[ai]!++;
        if (c.constraint !== undefined && !inConstraint(a.id)) continue;
        // Every step is checked, to a new state or not (as the sequential search does).
        if (hasSteps) { const failed = x.checkSteps(a); if (failed !== 0) stepsFailed(failed, claimBase + ai); }
        hashState(packed, 0, W);
        const hi = fpHi, lo = fpLo;
        // Sent before (this level, with a smaller claim, or in an earlier one): inserted already, or will be.
        if (seenRecently(sent, hi, lo)) continue;
        const b = bucketOf(lo, shift), j = outCount[b]!++, at = (b * cap + j) * R;
        full |= (room - j - 1) >> 31; // -1 once fewer than A records fit after this one (no branch: see growOutboxes)
        box[at] = claimBase + ai; box[at + 1] = hi; box[at + 2] = lo;
        for (let k = 0; k < W; k++) box[at + 3 + k] = packed[k]!;
      }
      if (enabled === 0 && checkDeadlock && !expectedTerminal()) deadlocks.push(r);
      if (full !== 0) { rangeGenerated = generated; return r + 1; }
    }
    rangeGenerated = generated;
    return to;
  }

  /**
   * Doubles the room of every outbox (into a new buffer, announced to the others). expandRange leaves
   * room for a whole state's successors and returns before that room runs out, rather than growing the
   * outbox itself: a branch its optimized code had not yet taken, levels into the run, deoptimized it.
   */
  function growOutboxes(): void {
    const wider = sharedInts(B * 2 * cap * R);
    for (let b = 0; b < B; b++) wider.set(outbox.subarray(b * cap * R, (b * cap + outCount[b]!) * R), b * 2 * cap * R);
    cap *= 2; outbox = wider; boxes[self] = wider;
    announce(-1, wider.buffer as SharedArrayBuffer);
  }

  /** The level being run, and what expanding it found so far. */
  let level: LevelMessage | null = null, bufs: Int32Array[] = [], where: Int32Array = new Int32Array(0);
  let generated = 0, error: WorkerError | null = null, stopped = false, expand = false, discarded0 = 0;
  let fires = new Float64Array(A), deadlocks: number[] = [];

  function startLevel(m: LevelMessage): void {
    level = m;
    bufs = m.buffers.map((b) => new Int32Array(b));
    where = new Int32Array(m.where);
    fresh = 0;
    outCount.fill(0);
    generated = 0; error = null; stopped = false; expand = m.expand; discarded0 = x.discarded;
    fires = new Float64Array(A); deadlocks = []; stepFirst = c.steps.map(() => -1);
    checkInv = c.invariants.map((_, k) => !m.skipInvariants.includes(k));
    checkGoal = c.goals.map((_, k) => !m.skipGoals.includes(k));
    antecedents = c.invariants.map(() => 0); goals = c.goals.map(() => 0); violations = []; checkError = null;
  }

  /** The end of the chunk takeChunk took last. */
  let chunkEnd = 0;
  /** Takes the next chunk of a frontier of `count` positions: returns its start (count or more if none is left) and sets chunkEnd. */
  function takeChunk(count: number): number {
    for (;;) {
      const from = Atomics.load(ctl, CTL_NEXT);
      if (from >= count) return from;
      const to = Math.min(count, from + Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.floor((count - from) / (CHUNK_SHARE * workers)))));
      if (Atomics.compareExchange(ctl, CTL_NEXT, from, to) === from) { chunkEnd = to; return from; }
    }
  }

  function expandChunks(deadline: number): boolean {
    const m = level!;
    // Every chunk below the one where this worker stops was taken by some worker, which expanded it or
    // stopped at an earlier failure, so the first failure of the level is found for any number of workers.
    while (!stopped && checkError === null && !(error !== null && !m.check)) {
      let from = takeChunk(m.count);
      if (from >= m.count) break;
      const to = chunkEnd;
      // The try is around the call, not inside the hot loop (where it costs V8 optimizations); expandingAt says where it failed.
      try {
        for (;;) {
          const next = expandRange(m, expand, from, to, bufs, where, fires, deadlocks);
          if (next === STOPPED) { stopped = true; break; } // before generating anything
          generated += rangeGenerated;
          if (next >= to) break;
          growOutboxes(); // an outbox is nearly full
          from = next;
        }
      } catch (e) {
        who[WHO] = IDLE;
        if (!(e instanceof ExpandFailure)) throw e;
        // The states found before the failure are this level's too: the main thread checks them, as the sequential search does before it fails.
        const stack = debug ? thrownStack(e.error) : null;
        error = { pos: expandingAt, actionId: e.actionId, message: e.error.message, ...(e.error.details.action ? { action: e.error.details.action } : {}), ...(e.error.details.field ? { field: e.error.details.field } : {}), bad: e.badSuccessor, ...(stack ? { stack } : {}) };
        // A property that throws on a later state comes first (that state belongs to the previous level): check on.
        if (!m.check) break;
        expand = false;
        expandRange(m, false, expandingAt + 1, to, bufs, where, fires, deadlocks);
      }
      who[WHO] = IDLE;
      if (performance.now() > deadline) return false;
    }
    return true;
  }

  /** After expanding: with the others, builds the next frontier (unless only checking, or stopped), and reports. */
  function* finishLevel(): Generator<number, LevelResult, void> {
    const m = level!;
    const res: LevelResult = {
      type: 'level-done', generated, fires, discarded: x.discarded - discarded0, deadlocks, steps: stepFirst, stopped, error,
      antecedents, violations, goals, checkError,
      exchanged: false, count: 0, buffer: null, where: null, merged: null, bytes: 0,
    };
    if (!m.expand) { report(res); yield* barrier(); return res; }
    // Barrier A: every worker has expanded. The last to arrive decides for all whether the level was stopped.
    for (let b = 0; b < B; b++) counts[SENT + self * B + b] = outCount[b]!;
    yield* barrier(() => Atomics.store(ctl, CTL_SKIP, Atomics.load(ctl, CTL_STOP)));
    takeNewBuffers();
    if (Atomics.load(ctl, CTL_SKIP) !== 0) { report(res); yield* barrier(); return res; }
    // Everyone has placed the last level's states (barrier C), so its marks can go.
    ownMarks.fill(0, 0, marked);
    marked = m.count * M;
    if (marked > ownMarks.length) {
      ownMarks = sharedInts(Math.max(marked, 2 * ownMarks.length)); marksOf[self] = ownMarks;
      announce(MARKS, ownMarks.buffer as SharedArrayBuffer);
    }
    insertBuckets();
    // Barrier B: every new state's claim is marked; count them.
    yield* barrier();
    takeNewBuffers();
    const total = countMarks(m.count);
    // The next frontier's positions go over this level's (nobody reads those after barrier A).
    let nextWhere: Int32Array = new Int32Array(m.where), merged: Int32Array = new Int32Array(m.merged);
    if (2 * total > nextWhere.length || total > merged.length) {
      // Every worker sees the same total, so all take this branch; worker 0 allocates and shares.
      if (self === 0) {
        if (2 * total > nextWhere.length) nextWhere = sharedInts(Math.max(2 * total, 2 * nextWhere.length));
        if (total > merged.length) merged = sharedInts(Math.max(total, 2 * merged.length));
        for (let v = 1; v < workers; v++) toPeer[v]!.postMessage({ where: nextWhere.buffer as SharedArrayBuffer, merged: merged.buffer as SharedArrayBuffer } satisfies GrowMessage);
        res.where = nextWhere.buffer as SharedArrayBuffer; res.merged = merged.buffer as SharedArrayBuffer;
      }
      yield* barrier();
      if (self !== 0) { const g = take<GrowMessage>(fromPeer[0]!); nextWhere = new Int32Array(g.where); merged = new Int32Array(g.merged); }
    }
    // The per-level loops live in small functions (insertBucket, mark, countMarks, place): written inline here, they
    // made V8 recompile this generator about ten times a run, as later levels took branches it had not seen yet.
    place(nextWhere, merged);
    // The new states become this worker's part of the next frontier.
    const old = committed; committed = states; states = old;
    res.exchanged = true; res.count = total; res.buffer = committed.buffer as SharedArrayBuffer;
    // The bucket tables are shared: worker 0 counts them.
    res.bytes = (self === 0 ? tables.reduce((a, t) => a + 4 * (TABLE_HEAD + 2 * t[1]!), 0) : 0) + committed.byteLength + states.byteLength + claims.byteLength + marksBefore.byteLength + ownMarks.byteLength + allMarks.byteLength + sent.byteLength + outbox.byteLength;
    report(res);
    // Barrier C: nobody starts the next level (or lets the main thread read `where`) before all have written their positions.
    yield* barrier();
    return res;
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
   * Writes this worker's new states' places in the next frontier: a state's place is the number of claims
   * marked before its own (claims are distinct), which is its place in the sequential discovery order.
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

  /** Takes buckets from the shared counter until none is left, and inserts every worker's records of each. */
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
    if (moved) announce(b, t.buffer as SharedArrayBuffer);
  }
  function seed(shared: SharedArrayBuffer[]): void { tables = shared.map((t) => new Int32Array(t)); }

  return { seed, startLevel, expandChunks, finishLevel };
}

/** Waits until ctl[i] differs from `seen`: spins briefly, then sleeps; false if the run is over. */
function waitChange(ctl: Int32Array, i: number, seen: number): boolean {
  const t0 = performance.now();
  while (Atomics.load(ctl, i) === seen) {
    if (Atomics.load(ctl, CTL_QUIT) !== 0) return false;
    if (performance.now() - t0 > SPIN_MS) Atomics.wait(ctl, i, seen, 50);
  }
  return Atomics.load(ctl, CTL_QUIT) === 0;
}

/** A helper thread (workers 1..N-1): takes the main thread's commands until the run ends (CTL_QUIT). */
export function serveWorker(c: CompiledModel, debug: boolean, port: Port): void {
  port.on('message', (init: InitMessage) => {
    const ctl = new Int32Array(init.ctl);
    const lw = levelWorker(c, debug, { ctl, counts: new Int32Array(init.counts), workers: init.workers, buckets: init.buckets, self: init.self, toPeer: init.toPeer, fromPeer: init.fromPeer, probe: init.probe });
    serve: for (let done = 0; ; ) {
      if (!waitChange(ctl, CTL_COMMANDS, done)) break;
      done++;
      const got = receiveMessageOnPort(init.commands);
      if (got === undefined) throw new Error('a worker was told of a command that was not there');
      const m = got.message as SeedMessage | LevelMessage;
      if (m.type === 'seed') { lw.seed(m.tables); continue; }
      lw.startLevel(m);
      lw.expandChunks(Infinity);
      const fin = lw.finishLevel();
      for (let r = fin.next(); !r.done; r = fin.next()) if (!waitChange(ctl, CTL_RELEASED, r.value - 1)) break serve;
    }
    for (const q of [init.commands, ...init.toPeer, ...init.fromPeer]) q?.close();
  });
}

/** Atomics.waitAsync (Node 16+; not in TypeScript's ES2022 library). */
const waitAsync = (Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } }).waitAsync;

/**
 * The main thread's side of a parallel search: it starts the helpers (workers 1..N-1; they load the
 * model while the search goes on sequentially) and runs worker 0's share of each level itself.
 */
export class Crew {
  readonly ctl = new Int32Array(new SharedArrayBuffer(4 * CTL_WORDS));
  private readonly helpers: Worker[];
  private readonly failed: Error[] = [];
  private readonly commands: MessageChannel[];
  private readonly pairs: (MessageChannel | null)[][];
  private readonly mine: LevelWorker;
  /** How many buckets split the fingerprint space (see bucketsFor). */
  private readonly buckets: number;

  /**
   * `onProbe` (a supervised run) is given each worker's probe (control.ts), so that a supervisor can
   * name the model code a worker runs.
   */
  constructor(c: CompiledModel, debug: boolean, readonly workers: number, spawn: () => Worker, onProbe: ((probe: SharedArrayBuffer) => void) | null = null) {
    const ctl = this.ctl;
    this.buckets = bucketsFor(workers);
    const counts = sharedInts(workers * workers + workers * this.buckets);
    const probes = Array.from({ length: workers }, () => newProbe(c.layout.slots));
    for (const p of probes) onProbe?.(p);
    this.helpers = Array.from({ length: workers - 1 }, () => spawn());
    // A command channel per helper, and one channel per ordered pair of workers (new buffers, results, grown frontier buffers).
    this.commands = this.helpers.map(() => new MessageChannel());
    this.pairs = Array.from({ length: workers }, (_, u) => Array.from({ length: workers }, (__, v) => (u === v ? null : new MessageChannel())));
    this.helpers.forEach((w, h) => {
      const self = h + 1, to = this.toPeer(self), from = this.fromPeer(self);
      w.on('error', (e) => { this.failed.push(e); Atomics.store(ctl, CTL_QUIT, 1); Atomics.notify(ctl, CTL_RELEASED); });
      const ports = [this.commands[h]!.port2, ...to, ...from].filter((q): q is MessagePort => q !== null);
      w.postMessage({ type: 'init', ctl: ctl.buffer as SharedArrayBuffer, counts: counts.buffer as SharedArrayBuffer, workers, buckets: this.buckets, self, commands: this.commands[h]!.port2, toPeer: to, fromPeer: from, probe: probes[self]! } satisfies InitMessage, ports);
    });
    this.mine = levelWorker(c, debug, { ctl, counts, workers, buckets: this.buckets, self: 0, toPeer: this.toPeer(0), fromPeer: this.fromPeer(0), probe: probes[0]! });
  }
  private toPeer(u: number): (MessagePort | null)[] { return this.pairs[u]!.map((ch) => ch?.port1 ?? null); }
  private fromPeer(v: number): (MessagePort | null)[] { return this.pairs.map((row) => row[v]?.port2 ?? null); }

  /** Posts a command to every helper, then moves CTL_COMMANDS so the waiting helpers read it. */
  private command(msg: SeedMessage | LevelMessage): void {
    for (const ch of this.commands) ch.port1.postMessage(msg);
    Atomics.add(this.ctl, CTL_COMMANDS, 1); Atomics.notify(this.ctl, CTL_COMMANDS);
  }
  /** A helper died or the run was ended: stop waiting. */
  private checkFailed(): void {
    if (this.failed.length) throw this.failed[0];
    if (Atomics.load(this.ctl, CTL_QUIT) !== 0) throw new Error('the parallel search ended unexpectedly');
  }
  /** Waits for barrier generation `gen`: spins briefly (the others are usually close), then yields to the event loop between short sleeps. */
  private async awaitBarrier(gen: number): Promise<void> {
    const t0 = performance.now();
    while (Atomics.load(this.ctl, CTL_RELEASED) < gen) {
      this.checkFailed();
      if (performance.now() - t0 < SPIN_MS) continue;
      const w = waitAsync(this.ctl, CTL_RELEASED, gen - 1, 20);
      if (!w.async) continue;
      // A pending waitAsync does not keep Node's event loop alive; this timer does. Without it, a run
      // whose helper had died could find its loop empty and exit, silently, with status 0.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([w.value, new Promise((r) => { timer = setTimeout(r, 20); })]);
      clearTimeout(timer);
    }
  }

  /** Gives the workers the bucket tables, holding these fingerprints (the states found so far). */
  seed(fingerprints: Int32Array, count: number): void {
    const tables = seedTables(fingerprints, count, this.buckets);
    this.command({ type: 'seed', tables });
    this.mine.seed(tables);
  }

  /**
   * Runs a level on every worker; returns every worker's result (worker order). `beforeOwnShare` runs
   * once the helpers have started; `between` runs between 50 ms slices of this thread's share, after
   * which the event loop runs (Ctrl-C) before more chunks are taken.
   */
  async level(m: LevelMessage, beforeOwnShare: () => void, between: () => void): Promise<LevelResult[]> {
    Atomics.store(this.ctl, CTL_NEXT, 0); Atomics.store(this.ctl, CTL_BUCKET, 0);
    this.command(m);
    beforeOwnShare();
    this.mine.startLevel(m);
    while (!this.mine.expandChunks(performance.now() + 50)) {
      between();
      await new Promise((r) => setImmediate(r));
      this.checkFailed();
    }
    const fin = this.mine.finishLevel();
    let r = fin.next();
    for (; !r.done; r = fin.next()) await this.awaitBarrier(r.value);
    const from = this.fromPeer(0);
    return [r.value, ...this.helpers.map((_, h) => {
      const got = receiveMessageOnPort(from[h + 1]!);
      if (got === undefined) throw new Error(`worker ${h + 1} sent no result`);
      return got.message as LevelResult;
    })];
  }

  /** Ends the helpers (idempotent). */
  async close(): Promise<void> {
    Atomics.store(this.ctl, CTL_QUIT, 1);
    Atomics.notify(this.ctl, CTL_COMMANDS);
    await Promise.all(this.helpers.map((w) => w.terminate()));
    for (const ch of [...this.commands, ...this.pairs.flat()]) ch?.port1.close();
  }
}
