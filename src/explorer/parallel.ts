// Multi-worker breadth-first search whose results do not depend on the number
// of workers.
//
// States are partitioned by fingerprint: worker `ownerOf(fp)` owns a state and
// keeps it in a private fingerprint set (no shared table; no atomics on the hot
// path). The main thread is worker 0; helper threads are the others. Each level
// the main thread posts one command, and all workers run the level together,
// meeting at barriers in shared memory:
//   1. expand: the workers expand the frontier (in canonical order), taking
//      chunks of it from a shared counter. A successor a worker owns is
//      looked up in its set (in batches, see lookUpOwn); one owned by another
//      worker goes to that worker's outbox.
//   2. exchange (after barrier A): each worker inserts what the others sent it,
//      then marks each of its new states' claims in a shared bitmask: a bit per
//      frontier position and action.
//   3. place (after barrier B): each worker counts the marks before each
//      frontier position and writes its new states' places in the next
//      frontier (`where`, `merged`): a state's place is the number of marks
//      before its claim. No sorting, no merging of the workers' lists.
// A state's invariants and goals are checked when the next level loads it for
// expansion (it is unpacked there anyway), not when it is found: unpacking
// every new state once more cost a tenth of the run. The main thread places
// those results as the sequential search would have found them (see
// bfsParallel).
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
// bakery.5 run. Payloads (buffers, results) still travel as messages, read
// synchronously (receiveMessageOnPort) once a control word says they are there.
import { FingerprintSet, fpHi, fpLo, hashState, LOOKUP_BATCH } from './fingerprint.js';
import { Expander, ExpandFailure } from './expand.js';
import { ModelError, type CompiledModel } from './model.js';
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
const CTL_WORDS = 8;
/** How long a waiting thread spins before it sleeps (a sleeping thread takes 0.1 to 0.3 ms to wake here). */
const SPIN_MS = 0.5;

/**
 * Workers take the frontier in chunks of this many positions, from a shared counter, so a worker that
 * finishes early takes more (static halves left one worker idle a fifth of the time on bakery.5). Each
 * worker's chunks still come in increasing order, so its claims do too.
 */
const CHUNK = 64;

/** The worker that owns a fingerprint: from the top of the low lane (the high lane indexes the owner's table); a multiply, not a modulo. */
export const ownerOf = (lo: number, workers: number): number => ((lo >>> 16) * workers) >>> 16;

// ---------- messages ----------

/**
 * Sent once through the worker's parentPort; everything after comes as commands on `commands`
 * (read synchronously when CTL_COMMANDS moves). toPeer[v] / fromPeer[v] connect to worker v (null for itself).
 */
export interface InitMessage { type: 'init'; ctl: SharedArrayBuffer; workers: number; self: number; commands: MessagePort; toPeer: (MessagePort | null)[]; fromPeer: (MessagePort | null)[] }
/** The fingerprints of every state found before the parallel search took over, as (hi, lo) pairs: each worker records the ones it owns. No reply. */
export interface SeedMessage { type: 'seed'; fingerprints: SharedArrayBuffer; count: number }
export interface LevelMessage {
  type: 'level';
  /** The frontier: states in these buffers (the workers' committed new states, or the initial states)... */
  buffers: SharedArrayBuffer[];
  /** ...at (buffer, index) = where[2r], where[2r+1] for canonical position r < count. The workers overwrite it with the next frontier's. */
  where: SharedArrayBuffer; count: number;
  /** Where the workers write the claims of the level's new states in discovery order (two buffers alternate, so the main thread can read the last level's while this one runs). */
  merged: SharedArrayBuffer;
  /** A bit per (frontier position, action), ceil(actions / 32) words per position, all zero: the workers mark the claims of the level's new states (the Crew allocates it). */
  marks: SharedArrayBuffer;
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
  /** Bytes this worker holds: its fingerprint set, its states and their claims, its outboxes, its cache of sent fingerprints and its counts of claim marks. */
  bytes: number;
}
/** What a worker sends each other worker after expanding: its outbox for it. */
interface PeerMessage { buffer: SharedArrayBuffer; count: number }
/** Worker 0 to the others when the next frontier outgrows `where` or `merged`. */
interface GrowMessage { where: SharedArrayBuffer; merged: SharedArrayBuffer }
/** A broken action (pos, actionId: the frontier position and the action), or a property that threw on the state at position pos (actionId -1). */
export interface WorkerError { pos: number; actionId: number; message: string; action?: string; field?: string; bad: Int32Array | null }

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
 * The states one worker owns: the engine's fingerprint set (8-byte cells [hi, lo]), and the level's
 * new states in order (their fingerprints), indexed on demand by a small table of their own. What a
 * level-synchronous search asks of a successor depends on who found it:
 * - one this worker found while expanding: new or not. Its claims only grow, so a repeat can never
 *   lower a claim: `add` probes the large table alone (one cache miss, as the sequential search).
 * - one another worker sent: new, seen in an earlier level, or new earlier in this level (then its
 *   index k, so its claim can drop). `indexLevel` builds the level's table from the fingerprints, and
 *   `offer` probes it first. (Probing it on every successor cost a second cache miss on each: about a
 *   third of a worker's table time on bakery.5.)
 * Keeping the level's indices out of the large table's cells makes them 8 bytes instead of 12. An
 * indexed set (12-byte cells with each state's insertion index: new in the level iff past the level's
 * start) would need no level table; tried on bakery.5, the exchange took about 50 ms less per worker,
 * runs were no faster, and a state took 8 bytes more.
 */
class OwnedStates {
  /** Every state this worker owns (the engine's fingerprint set). */
  private readonly all = new FingerprintSet(false);
  /** The level's new states' fingerprints, (hi, lo) by index. */
  private fps: Int32Array = new Int32Array(2048);
  private count = 0;
  /** The level's table: cells [hi, lo, k + 1] (0 marks an empty cell), at most half full, indexed by the top bits of hi (the large table uses the low ones). */
  private lt = new Int32Array(3 << 12);
  private lshift = 32 - 12;
  get bytes(): number { return this.all.bytes + this.fps.byteLength + this.lt.byteLength; }
  /** The first cell (hi, lo) would probe in the large table (reading it brings its cache line in). */
  touch(hi: number): number { return this.all.touch(hi); }
  /** The states added from now on belong to a new level. */
  startLevel(): void { this.count = 0; }
  /** Records a state found before the parallel search (none of the level's). */
  seed(hi: number, lo: number): void { this.all.insert(hi, lo); }
  /** True if (hi, lo) was absent: now stored, as the level's next new state. */
  add(hi: number, lo: number): boolean {
    if (!this.all.insert(hi, lo)) return false;
    if (2 * this.count + 2 > this.fps.length) this.fps = grown(this.fps);
    this.fps[2 * this.count] = hi; this.fps[2 * this.count + 1] = lo;
    this.count++;
    return true;
  }
  /** Indexes the level's new states so far; `offer` keeps the index up to date. */
  indexLevel(): void {
    let cap = this.lt.length / 3;
    while (2 * this.count >= cap) cap *= 2;
    if (cap * 3 !== this.lt.length) { this.lt = new Int32Array(3 * cap); this.lshift = 32 - Math.log2(cap); } else this.lt.fill(0);
    for (let k = 0; k < this.count; k++) this.place(this.fps[2 * k]!, this.fps[2 * k + 1]!, k);
  }
  /** NEW if (hi, lo) was absent (now stored, as the level's next new state), OLD if stored by an earlier level, else its index among the level's new states. */
  offer(hi: number, lo: number): number {
    if (hi === 0 && lo === 0) lo = 1; // as the fingerprint set stores it
    const lt = this.lt, lmask = (lt.length / 3) - 1;
    for (let i = hi >>> this.lshift; ; i = (i + 1) & lmask) {
      const k = lt[3 * i + 2]!;
      if (k === 0) break;
      if (lt[3 * i] === hi && lt[3 * i + 1] === lo) return k - 1;
    }
    if (!this.add(hi, lo)) return OLD;
    if (2 * this.count > lmask) this.indexLevel(); else this.place(hi, lo, this.count - 1);
    return NEW;
  }
  private place(hi: number, lo: number, k: number): void {
    if (hi === 0 && lo === 0) lo = 1;
    const lt = this.lt, lmask = (lt.length / 3) - 1;
    let i = hi >>> this.lshift;
    while (lt[3 * i + 2] !== 0) i = (i + 1) & lmask;
    lt[3 * i] = hi; lt[3 * i + 1] = lo; lt[3 * i + 2] = k + 1;
  }
}
const NEW = -1, OLD = -2;
/**
 * Slots of a worker's cache of sent fingerprints: 2^10 of them, 8 KiB, so a lookup stays in the first-level
 * cache. Most repeats are close together (two interleavings of the same pair of steps), so a small cache
 * catches most of them: on bakery.5 a worker sent 6.2 M records with no cache, 3.6 M with 2^10 slots and
 * 3.0 M with 2^18 (2 MiB), but the larger cache's lookups missed the processor's caches and cost a worker
 * 0.6 s (six alternating rounds, two workers: median 5.96 s with 2^18 slots, 5.45 s with 2^10).
 */
const SENT_MASK = (1 << 10) - 1;

/** How a worker reaches the others: the control words and a port to and from each other worker (null for itself). */
export interface WorkerLinks { ctl: Int32Array; workers: number; self: number; toPeer: (MessagePort | null)[]; fromPeer: (MessagePort | null)[] }

/**
 * One worker's part of the search, driven by a helper thread (serveWorker) or by the main thread, which
 * is worker 0. `finishLevel` yields the barrier generation it waits for whenever it must wait (a helper
 * sleeps on it; the main thread awaits, so its event loop runs); a driver that gives up waiting (the run
 * ended) simply drops the generator.
 */
export interface LevelWorker {
  seed(fingerprints: Int32Array, count: number): void;
  startLevel(m: LevelMessage): void;
  /** Expands chunks until none is left (true) or `deadline` (performance.now()) has passed (false). */
  expandChunks(deadline: number): boolean;
  finishLevel(): Generator<number, LevelResult, void>;
}

export function levelWorker(c: CompiledModel, debug: boolean, links: WorkerLinks): LevelWorker {
  const x = new Expander(c, debug);
  const n = c.layout.slots, W = c.layout.words, acts = c.actions, A = acts.length, R = 3 + W;
  const { ctl, workers, self, toPeer, fromPeer } = links;
  /** The states this worker owns, and (level) those of them new in this level: `fresh` of them, held here (packed) with their claims. */
  const owned = new OwnedStates();
  let fresh = 0;
  let states = sharedInts(1024 * W), committed = sharedInts(1024 * W), claims: Int32Array = new Int32Array(1024);
  /** Words of the claim marks per frontier position; and (place) how many marks come before each position. */
  const M = (A + 31) >>> 5;
  let marksBefore = new Int32Array(1024);
  /**
   * The fingerprints this worker last sent to other workers, direct-mapped (a newer one evicts an older):
   * on bakery.5 it drops two in five of the successors a worker would send; its claims only grow, so a repeat
   * can never lower the claim its owner holds. (0, 0) is an empty slot, never a hit.
   */
  const sent = new Int32Array(2 * (SENT_MASK + 1));
  const outboxes: Int32Array[] = Array.from({ length: workers }, () => sharedInts(1024 * R)), outCount = new Array<number>(workers).fill(0);

  /** Successors this worker owns, waiting to be looked up (see lookUpOwn): about LOOKUP_BATCH, plus at most one per action instance of the last state. */
  const P = LOOKUP_BATCH + A;
  const pendHi = new Int32Array(P), pendLo = new Int32Array(P), pendClaim = new Int32Array(P), pendPacked = new Int32Array(P * W);
  /**
   * Looks up the pending successors, in order (so claims still arrive in increasing order): their
   * table cells are loaded first, together, so their cache misses overlap; looked up as they were found,
   * each waited for its own, between a state's worth of other work.
   */
  let pending = 0;
  /** Where touched cells' words go (so the loads are kept). */
  let touched = 0;
  const lookUpOwn = (): void => {
    const np = pending;
    pending = 0;
    for (let j = 0; j < np; j++) touched ^= owned.touch(pendHi[j]!);
    for (let j = 0; j < np; j++) if (owned.add(pendHi[j]!, pendLo[j]!)) keep(pendClaim[j]!, pendPacked, j * W);
  };
  /** Keeps a new state this worker owns (packed, with its claim) for the exchange. */
  const keep = (claim: number, words: Int32Array, off: number): void => {
    if ((fresh + 1) * W > states.length) states = grownShared(states);
    if (fresh + 1 > claims.length) claims = grown(claims);
    for (let k = 0, d = fresh * W; k < W; k++) states[d + k] = words[off + k]!;
    claims[fresh++] = claim;
  };
  /** Offers a successor another worker sent, found with `claim`: kept if new, its claim lowered if found earlier in this level. */
  const offer = (hi: number, lo: number, claim: number, words: Int32Array, off: number): void => {
    const j = owned.offer(hi, lo);
    if (j === NEW) keep(claim, words, off);
    else if (j >= 0 && claim < claims[j]!) claims[j] = claim;
  };

  /** A message already posted to `from` (the poster moved a control word after posting it). */
  function take<T>(from: MessagePort): T {
    for (;;) {
      const got = receiveMessageOnPort(from);
      if (got !== undefined) return got.message as T;
      if (Atomics.load(ctl, CTL_QUIT) !== 0) throw new Error('the run ended while a worker waited for a message');
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
    try { return c.constraint!(x.nextView); } catch (e) {
      throw new ExpandFailure(new ModelError(`the state constraint threw: ${(e as Error)?.message ?? String(e)}`), actionId, x.scratch.slice(0, n));
    }
  };
  /** Whether the current state (no action enabled) is an expected terminal state. */
  const expectedTerminal = (): boolean => {
    const d = c.deadlock;
    if (typeof d !== 'object') return false;
    try { return d.expected(x.curView); } catch (e) {
      throw new ExpandFailure(new ModelError(`the deadlock policy threw: ${(e as Error)?.message ?? String(e)}`), -1, null);
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
        if (inv.antecedent !== undefined && inv.antecedent(view)) antecedents[q]!++;
        // Evaluated even once violated (only not recorded again): the sequential search evaluates it too, and it may throw.
        if (!inv.check(view) && checkInv[q]) violations.push(q, r);
      }
      for (let q = 0; q < goals.length; q++) {
        if (!checkGoal[q] || goals[q]) continue;
        at = -2 - q;
        if (c.goals[q]!.check(view)) goals[q] = 1;
      }
      return true;
    } catch (e) {
      const what = at >= 0 ? `invariant ${c.invariants[at]!.name}` : `goal ${c.goals[-2 - at]!.name}`;
      checkError = { pos: r, actionId: -1, message: `${what} threw: ${(e as Error)?.message ?? String(e)}`, bad: null };
      return false;
    }
  }

  /**
   * Checks (if m.check) and expands (if `expand`) frontier positions from..to-1: successors this
   * worker owns are offered, the others go to their owners' outboxes. Stops at a property that throws.
   */
  function expandRange(m: LevelMessage, expand: boolean, from: number, to: number, bufs: Int32Array[], where: Int32Array, fires: Float64Array, deadlocks: number[]): { generated: number; stopped: boolean } {
    const packed = x.packed, checkDeadlock = m.checkDeadlock;
    let generated = 0;
    for (let r = from; r < to; r++) {
      if (expand && r === from && Atomics.load(ctl!, CTL_STOP) !== 0) return { generated, stopped: true };
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
        hashState(packed, 0, W);
        const hi = fpHi, lo = fpLo, owner = ownerOf(lo, workers);
        if (owner === self) {
          const j = pending++;
          pendHi[j] = hi; pendLo[j] = lo; pendClaim[j] = claimBase + ai;
          for (let k = 0, d = j * W; k < W; k++) pendPacked[d + k] = packed[k]!;
          continue;
        }
        // Sent before (this level, with a smaller claim, or in an earlier one): its owner has it already.
        const slot = (lo & SENT_MASK) << 1;
        if (sent[slot] === hi && sent[slot + 1] === lo && (hi | lo) !== 0) continue;
        sent[slot] = hi; sent[slot + 1] = lo;
        const box = outboxes[owner]!, at = outCount[owner]!++ * R;
        box[at] = claimBase + ai; box[at + 1] = hi; box[at + 2] = lo;
        for (let k = 0; k < W; k++) box[at + 3 + k] = packed[k]!;
      }
      if (pending > LOOKUP_BATCH) lookUpOwn();
      if (enabled === 0 && checkDeadlock && !expectedTerminal()) deadlocks.push(r);
    }
    lookUpOwn();
    return { generated, stopped: false };
  }

  /**
   * Makes room in every outbox for all the successors of `positions` states, so expandRange never grows
   * one: a branch its optimized code had not yet taken (an outbox outgrowing its buffer, levels into the
   * run) deoptimized it, and it ran slower until V8 compiled it again.
   */
  function roomToSend(positions: number): void {
    for (let v = 0; v < workers; v++) {
      const need = (outCount[v]! + positions * A) * R;
      if (v !== self && need > outboxes[v]!.length) { const b = sharedInts(Math.max(need, 2 * outboxes[v]!.length)); b.set(outboxes[v]!.subarray(0, outCount[v]! * R)); outboxes[v] = b; }
    }
  }

  /** The level being run, and what expanding it found so far. */
  let level: LevelMessage | null = null, bufs: Int32Array[] = [], where: Int32Array = new Int32Array(0);
  let generated = 0, error: WorkerError | null = null, stopped = false, expand = false, discarded0 = 0;
  let fires = new Float64Array(A), deadlocks: number[] = [];

  function startLevel(m: LevelMessage): void {
    level = m;
    bufs = m.buffers.map((b) => new Int32Array(b));
    where = new Int32Array(m.where);
    fresh = 0; owned.startLevel();
    outCount.fill(0);
    generated = 0; error = null; stopped = false; expand = m.expand; discarded0 = x.discarded;
    fires = new Float64Array(A); deadlocks = [];
    checkInv = c.invariants.map((_, k) => !m.skipInvariants.includes(k));
    checkGoal = c.goals.map((_, k) => !m.skipGoals.includes(k));
    antecedents = c.invariants.map(() => 0); goals = c.goals.map(() => 0); violations = []; checkError = null;
  }

  function expandChunks(deadline: number): boolean {
    const m = level!;
    // Every chunk below the one where this worker stops was taken by some worker, which expanded it or
    // stopped at an earlier failure, so the first failure of the level is found for any number of workers.
    while (!stopped && checkError === null && !(error !== null && !m.check)) {
      const from = Atomics.add(ctl, CTL_NEXT, CHUNK);
      if (from >= m.count) break;
      const to = Math.min(m.count, from + CHUNK);
      roomToSend(to - from);
      // The try is around the call, not inside the hot loop (where it costs V8 optimizations); expandingAt says where it failed.
      try {
        const done = expandRange(m, expand, from, to, bufs, where, fires, deadlocks);
        generated += done.generated;
        if (done.stopped) stopped = true;
      } catch (e) {
        if (!(e instanceof ExpandFailure)) throw e;
        // The states found before the failure are this level's too: the main thread checks them, as the sequential search does before it fails.
        lookUpOwn();
        error = { pos: expandingAt, actionId: e.actionId, message: e.error.message, ...(e.error.details.action ? { action: e.error.details.action } : {}), ...(e.error.details.field ? { field: e.error.details.field } : {}), bad: e.badSuccessor };
        // A property that throws on a later state comes first (that state belongs to the previous level): check on.
        if (!m.check) break;
        expand = false;
        expandRange(m, false, expandingAt + 1, to, bufs, where, fires, deadlocks);
      }
      if (performance.now() > deadline) return false;
    }
    return true;
  }

  /** After expanding: with the others, builds the next frontier (unless only checking, or stopped), and reports. */
  function* finishLevel(): Generator<number, LevelResult, void> {
    const m = level!;
    const res: LevelResult = {
      type: 'level-done', generated, fires, discarded: x.discarded - discarded0, deadlocks, stopped, error,
      antecedents, violations, goals, checkError,
      exchanged: false, count: 0, buffer: null, where: null, merged: null, bytes: 0,
    };
    if (!m.expand) { report(res); yield* barrier(); return res; }
    // Barrier A: every worker has expanded. The last to arrive decides for all whether the level was stopped.
    for (let v = 0; v < workers; v++) if (v !== self) toPeer[v]!.postMessage({ buffer: outboxes[v]!.buffer as SharedArrayBuffer, count: outCount[v]! } satisfies PeerMessage);
    yield* barrier(() => Atomics.store(ctl, CTL_SKIP, Atomics.load(ctl, CTL_STOP)));
    const inboxes = fromPeer.map((q) => (q === null ? null : take<PeerMessage>(q)));
    if (Atomics.load(ctl, CTL_SKIP) !== 0) { report(res); yield* barrier(); return res; }
    exchange(inboxes);
    const marks = new Int32Array(m.marks);
    mark(marks);
    // Barrier B: every new state's claim is marked; count them.
    yield* barrier();
    const total = countMarks(marks, m.count);
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
    // The per-level loops live in small functions (insertInbox, mark, countMarks, place): written inline here, they
    // made V8 recompile this generator about ten times a run, as later levels took branches it had not seen yet.
    place(marks, nextWhere, merged);
    // The new states become this worker's part of the next frontier.
    const old = committed; committed = states; states = old;
    res.exchanged = true; res.count = total; res.buffer = committed.buffer as SharedArrayBuffer;
    res.bytes = owned.bytes + committed.byteLength + states.byteLength + claims.byteLength + marksBefore.byteLength + sent.byteLength + outboxes.reduce((a, b) => a + b.byteLength, 0);
    report(res);
    // Barrier C: nobody starts the next level (or lets the main thread read `where`) before all have written their positions.
    yield* barrier();
    return res;
  }

  /** Marks the claim of each of this worker's new states (claim = position * A + action). */
  function mark(marks: Int32Array): void {
    for (let j = 0; j < fresh; j++) {
      const cl = claims[j]!, r = Math.floor(cl / A), a = cl - r * A;
      Atomics.or(marks, r * M + (a >>> 5), 1 << (a & 31));
    }
  }
  /** marksBefore[r] = the marks of frontier positions before r, for r <= count; returns them all (the next frontier's size). */
  function countMarks(marks: Int32Array, count: number): number {
    if (count + 1 > marksBefore.length) marksBefore = new Int32Array(Math.max(count + 1, 2 * marksBefore.length));
    let n = 0;
    for (let r = 0; r < count; r++) {
      marksBefore[r] = n;
      for (let w = r * M, end = w + M; w < end; w++) n += bitCount(marks[w]!);
    }
    marksBefore[count] = n;
    return n;
  }
  /**
   * Writes this worker's new states' places in the next frontier: a state's place is the number of claims
   * marked before its own (claims are distinct), which is its place in the sequential discovery order.
   */
  function place(marks: Int32Array, nextWhere: Int32Array, merged: Int32Array): void {
    for (let j = 0; j < fresh; j++) {
      const cl = claims[j]!, r = Math.floor(cl / A), a = cl - r * A, w = r * M + (a >>> 5);
      let p = marksBefore[r]! + bitCount(marks[w]! & ((1 << (a & 31)) - 1));
      for (let u = r * M; u < w; u++) p += bitCount(marks[u]!);
      nextWhere[2 * p] = self; nextWhere[2 * p + 1] = j;
      merged[p] = cl;
    }
  }

  /** Inserts what the other workers sent. */
  function exchange(inboxes: (PeerMessage | null)[]): void {
    owned.indexLevel();
    for (const inbox of inboxes) if (inbox !== null) insertInbox(new Int32Array(inbox.buffer), inbox.count);
  }
  /**
   * Offers the n records of an inbox, in batches: first read each record's first cell (independent
   * loads, so their cache misses overlap), then offer the records. Offered one by one, each waited
   * for its own miss.
   */
  function insertInbox(b: Int32Array, n: number): void {
    for (let i = 0; i < n; i += LOOKUP_BATCH) {
      const end = Math.min(n, i + LOOKUP_BATCH);
      for (let k = i; k < end; k++) touched ^= owned.touch(b[k * R + 1]!);
      for (let k = i; k < end; k++) offer(b[k * R + 1]!, b[k * R + 2]!, b[k * R]!, b, k * R + 3);
    }
  }
  function seed(fps: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) if (ownerOf(fps[2 * i + 1]!, workers) === self) owned.seed(fps[2 * i]!, fps[2 * i + 1]!);
  }

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
    const lw = levelWorker(c, debug, { ctl, workers: init.workers, self: init.self, toPeer: init.toPeer, fromPeer: init.fromPeer });
    serve: for (let done = 0; ; ) {
      if (!waitChange(ctl, CTL_COMMANDS, done)) break;
      done++;
      const got = receiveMessageOnPort(init.commands);
      if (got === undefined) throw new Error('a worker was told of a command that was not there');
      const m = got.message as SeedMessage | LevelMessage;
      if (m.type === 'seed') { lw.seed(new Int32Array(m.fingerprints), m.count); continue; }
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
  /** The claim marks (see LevelMessage.marks), reused from level to level. */
  private marks = sharedInts(1024);
  /** Words of marks per frontier position. */
  private readonly marksPer: number;

  constructor(c: CompiledModel, debug: boolean, readonly workers: number, spawn: () => Worker) {
    const ctl = this.ctl;
    this.marksPer = (c.actions.length + 31) >>> 5;
    this.helpers = Array.from({ length: workers - 1 }, () => spawn());
    // A command channel per helper, and one channel per ordered pair of workers (outboxes, results, grown frontier buffers).
    this.commands = this.helpers.map(() => new MessageChannel());
    this.pairs = Array.from({ length: workers }, (_, u) => Array.from({ length: workers }, (__, v) => (u === v ? null : new MessageChannel())));
    this.helpers.forEach((w, h) => {
      const self = h + 1, to = this.toPeer(self), from = this.fromPeer(self);
      w.on('error', (e) => { this.failed.push(e); Atomics.store(ctl, CTL_QUIT, 1); Atomics.notify(ctl, CTL_RELEASED); });
      const ports = [this.commands[h]!.port2, ...to, ...from].filter((q): q is MessagePort => q !== null);
      w.postMessage({ type: 'init', ctl: ctl.buffer as SharedArrayBuffer, workers, self, commands: this.commands[h]!.port2, toPeer: to, fromPeer: from } satisfies InitMessage, ports);
    });
    this.mine = levelWorker(c, debug, { ctl, workers, self: 0, toPeer: this.toPeer(0), fromPeer: this.fromPeer(0) });
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

  /** Every worker records the states it owns among these fingerprints. */
  seed(fingerprints: Int32Array, count: number): void {
    this.command({ type: 'seed', fingerprints: fingerprints.buffer as SharedArrayBuffer, count });
    this.mine.seed(fingerprints, count);
  }

  /**
   * Runs a level on every worker; returns every worker's result (worker order). `beforeOwnShare` runs
   * once the helpers have started; `between` runs between 50 ms slices of this thread's share, after
   * which the event loop runs (Ctrl-C) before more chunks are taken.
   */
  async level(level: Omit<LevelMessage, 'marks'>, beforeOwnShare: () => void, between: () => void): Promise<LevelResult[]> {
    const words = level.count * this.marksPer;
    if (words > this.marks.length) this.marks = sharedInts(Math.max(words, 2 * this.marks.length)); else this.marks.fill(0, 0, words);
    const m: LevelMessage = { ...level, marks: this.marks.buffer as SharedArrayBuffer };
    Atomics.store(this.ctl, CTL_NEXT, 0);
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

  /** Bytes the main thread holds for the workers (the claim marks). */
  get bytes(): number { return this.marks.byteLength; }

  /** Ends the helpers (idempotent). */
  async close(): Promise<void> {
    Atomics.store(this.ctl, CTL_QUIT, 1);
    Atomics.notify(this.ctl, CTL_COMMANDS);
    await Promise.all(this.helpers.map((w) => w.terminate()));
    for (const ch of [...this.commands, ...this.pairs.flat()]) ch?.port1.close();
  }
}
