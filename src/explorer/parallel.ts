// Multi-worker breadth-first search whose results do not depend on the number
// of workers.
//
// States are partitioned by fingerprint: worker `ownerOf(fp)` owns a state and
// keeps it in a private fingerprint set (no shared table; the only atomics are
// the stop flag and the chunk counter, once per chunk). A level
// runs in two phases:
//   1. 'level': the workers expand the frontier (in canonical order), taking
//      chunks of it from a shared counter. A successor a worker owns is
//      inserted at once; one owned by another worker goes to that worker's
//      outbox.
//   2. 'exchange': each worker inserts what the others sent it and returns its
//      new states sorted by claim.
// A state's invariants and goals are checked when the next level loads it for
// expansion (it is unpacked there anyway), not when it is found: unpacking
// every new state once more cost a tenth of the run. The main thread places
// those results as the sequential search would have found them (see
// bfsParallel).
// Every successor carries a claim = (position of its parent in the level, action
// id); a state found several times in the level keeps the smallest claim. That
// is exactly the (parent, action) by which a sequential BFS would first discover
// it, so merging the workers' claim-sorted runs gives the sequential discovery
// order: same indices, parents, traces and first violation, for any number of
// workers.
import { fpHi, fpLo, hashState, prefaulted } from './fingerprint.js';
import { Expander, ExpandFailure } from './expand.js';
import { ModelError, type CompiledModel } from './model.js';

/** The control words shared with the workers: the stop flag (non-zero: stop)... */
export const CTL_STOP = 0;
/** ...and the next frontier position not yet taken (the main thread zeroes it before each level). */
export const CTL_NEXT = 1;
export const CTL_WORDS = 2;
/**
 * Workers take the frontier in chunks of this many positions, from a shared counter, so a worker that
 * finishes early takes more (static halves left one worker idle a fifth of the time on bakery.5). Each
 * worker's chunks still come in increasing order, so its claims do too.
 */
const CHUNK = 64;

/** The worker that owns a fingerprint: from the top of the low lane (the high lane indexes the owner's table); a multiply, not a modulo. */
export const ownerOf = (lo: number, workers: number): number => ((lo >>> 16) * workers) >>> 16;

// ---------- messages ----------

export interface InitMessage { type: 'init'; ctl: SharedArrayBuffer; workers: number; self: number }
/** The initial states (packed, deduplicated): each worker records the ones it owns. */
export interface SeedMessage { type: 'seed'; states: SharedArrayBuffer; count: number }
export interface LevelMessage {
  type: 'level';
  /** The frontier: states in these buffers (the workers' committed new states, or the initial states)... */
  buffers: SharedArrayBuffer[];
  /** ...at (buffer, index) = where[2r], where[2r+1] for canonical position r < count. */
  where: SharedArrayBuffer; count: number;
  /** Expand the positions; if false only check them (the last level of a run that stops early). */
  expand: boolean;
  checkDeadlock: boolean;
  /** Check the invariants and goals of the frontier states (false for the initial states, which the main thread checked). */
  check: boolean;
  /** Invariants already violated (not checked, antecedents still counted) and goals already reached (skipped). */
  skipInvariants: number[]; skipGoals: number[];
}
/** An outbox: records [claim, hi, lo, packed words...] for one destination worker. */
export interface Outbox { buffer: SharedArrayBuffer; count: number }
export interface LevelResult {
  type: 'level-done';
  generated: number;
  fires: Float64Array;
  discarded: number;
  /** outboxes[v]: the successors this worker found that worker v owns (empty for itself). */
  outboxes: Outbox[];
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
}
export interface ExchangeMessage {
  type: 'exchange';
  /** The outboxes of the other workers addressed to this one, in worker order. */
  inboxes: Outbox[];
}
/** This worker's new states of the level in claim order: perm[k] is the index in `buffer` of the k-th, claims[k] its claim. */
export interface ExchangeResult {
  type: 'exchange-done';
  claims: Int32Array; perm: Int32Array; buffer: SharedArrayBuffer;
  /** Bytes this worker holds: its fingerprint set, its states and its outboxes. */
  bytes: number;
}
/** A broken action (pos, actionId: the frontier position and the action), or a property that threw on the state at position pos (actionId -1). */
export interface WorkerError { pos: number; actionId: number; message: string; action?: string; field?: string; bad: Int32Array | null }

interface Port { postMessage(m: unknown, transfer?: readonly ArrayBuffer[]): void; on(ev: 'message', f: (m: any) => void): void }

const sharedInts = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
const grownShared = (a: Int32Array): Int32Array => { const b = sharedInts(a.length * 2); b.set(a); return b; };
const grown = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b; };

/**
 * The states one worker owns: open addressing over 12-byte cells [hi, lo, seq], seq being the
 * state's insertion rank. One probe answers what a level-synchronous search asks of a successor:
 * new (now stored), seen in an earlier level (seq below the level's first), or new earlier in this
 * level (then its index among the level's new states, so its claim can drop). (hi, lo) = (0, 0)
 * marks an empty cell.
 */
class OwnedStates {
  private t = new Int32Array(3 << 16);
  private mask = (1 << 16) - 1;
  private limit = Math.floor((1 << 16) * 0.7);
  private count = 0;
  /** Insertion rank of the first state new in the level being built. */
  private levelFirst = 0;
  get bytes(): number { return this.t.byteLength; }
  /** The states offered from now on belong to a new level. */
  startLevel(): void { this.levelFirst = this.count; }
  /** NEW if (hi, lo) was absent (now stored, as the level's next new state), OLD if stored by an earlier level, else its index among the level's new states. */
  offer(hi: number, lo: number): number {
    if (hi === 0 && lo === 0) lo = 1;
    const t = this.t, end = t.length;
    let c = (hi & this.mask) * 3;
    for (;;) {
      const h = t[c]!, l = t[c + 1]!;
      if (h === 0 && l === 0) break;
      if (h === hi && l === lo) { const k = t[c + 2]! - this.levelFirst; return k >= 0 ? k : OLD; }
      c += 3;
      if (c === end) c = 0;
    }
    t[c] = hi; t[c + 1] = lo; t[c + 2] = this.count;
    if (++this.count > this.limit) this.grow();
    return NEW;
  }
  private grow(): void {
    const old = this.t, cap = (this.mask + 1) * 2, mask = cap - 1, t = prefaulted(3 * cap), end = t.length;
    for (let j = 0; j < old.length; j += 3) {
      const hi = old[j]!, lo = old[j + 1]!;
      if (hi === 0 && lo === 0) continue;
      let c = (hi & mask) * 3;
      while (t[c] !== 0 || t[c + 1] !== 0) { c += 3; if (c === end) c = 0; }
      t[c] = hi; t[c + 1] = lo; t[c + 2] = old[j + 2]!;
    }
    this.t = t; this.mask = mask; this.limit = Math.floor(cap * 0.7);
  }
}
const NEW = -1, OLD = -2;

/** The worker side: owns a share of the states and expands its part of each level on request. */
export function serveWorker(c: CompiledModel, debug: boolean, port: Port): void {
  const x = new Expander(c, debug);
  const n = c.layout.slots, W = c.layout.words, acts = c.actions, A = acts.length, R = 3 + W;
  let ctl: Int32Array | null = null, workers = 1, self = 0;
  /** The states this worker owns, and (level) those of them new in this level: `fresh` of them, held here (packed) with their claims. */
  const owned = new OwnedStates();
  let fresh = 0;
  /** Per new state: 1 if its claim was lowered after it was inserted (it left its sorted run). */
  let lowered = new Uint8Array(1024);
  /** Where each run of new states begins: the ones this worker found, then those of each inbox. */
  const runStarts: number[] = [];
  let states = sharedInts(1024 * W), committed = sharedInts(1024 * W), claims: Int32Array = new Int32Array(1024);
  let outboxes: Int32Array[] = [], outCount: number[] = [];

  /** Offers a successor this worker owns, found with `claim`; new states are kept (packed) for the exchange. */
  const offer = (hi: number, lo: number, claim: number, words: Int32Array, off: number): void => {
    const j = owned.offer(hi, lo);
    if (j === OLD) return;
    if (j >= 0) { // found in this level: keep the smallest claim
      if (claim < claims[j]!) { claims[j] = claim; lowered[j] = 1; }
      return;
    }
    if ((fresh + 1) * W > states.length) states = grownShared(states);
    if (fresh + 1 > claims.length) claims = grown(claims);
    for (let k = 0, d = fresh * W; k < W; k++) states[d + k] = words[off + k]!;
    if (fresh + 1 > lowered.length) { const b = new Uint8Array(lowered.length * 2); b.set(lowered); lowered = b; }
    lowered[fresh] = 0;
    claims[fresh++] = claim;
  };

  port.on('message', (m: InitMessage | SeedMessage | LevelMessage | ExchangeMessage) => {
    if (m.type === 'init') {
      ctl = new Int32Array(m.ctl); workers = m.workers; self = m.self;
      outboxes = Array.from({ length: workers }, () => sharedInts(1024 * R));
      outCount = new Array<number>(workers).fill(0);
      return;
    }
    if (m.type === 'seed') {
      const s = new Int32Array(m.states);
      for (let i = 0; i < m.count; i++) {
        hashState(s, i * W, W);
        if (ownerOf(fpLo, workers) === self) owned.offer(fpHi, fpLo);
      }
      return;
    }
    if (m.type === 'level') { port.postMessage(...expandLevel(m)); return; }
    const res = exchange(m);
    port.postMessage(res, [res.claims.buffer as ArrayBuffer, res.perm.buffer as ArrayBuffer]);
  });

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
    const view = x.curView;
    let what = '';
    try {
      for (let q = 0; q < c.invariants.length; q++) {
        const inv = c.invariants[q]!;
        what = `invariant ${inv.name}`;
        if (inv.antecedent !== undefined && inv.antecedent(view)) antecedents[q]!++;
        if (checkInv[q] && !inv.check(view)) violations.push(q, r);
      }
      for (let q = 0; q < goals.length; q++) {
        if (!checkGoal[q] || goals[q]) continue;
        what = `goal ${c.goals[q]!.name}`;
        if (c.goals[q]!.check(view)) goals[q] = 1;
      }
      return true;
    } catch (e) {
      checkError = { pos: r, actionId: -1, message: `${what} threw: ${(e as Error)?.message ?? String(e)}`, bad: null };
      return false;
    }
  }

  /**
   * Checks (if m.check) and expands (if `expand`) frontier positions from..to-1: successors this
   * worker owns are offered, the others go to their owners' outboxes. Stops at a property that throws.
   */
  function expandRange(m: LevelMessage, expand: boolean, from: number, to: number, bufs: Int32Array[], where: Int32Array, fires: Float64Array, deadlocks: number[]): { generated: number; stopped: boolean } {
    const packed = x.packed;
    let generated = 0;
    for (let r = from; r < to; r++) {
      if (expand && r === from && Atomics.load(ctl!, CTL_STOP) !== 0) return { generated, stopped: true };
      expandingAt = r;
      x.loadPacked(bufs[where[2 * r]!]!, where[2 * r + 1]! * W);
      if (m.check && !checkState(r)) break;
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
        if (owner === self) { offer(hi, lo, claimBase + ai, packed, 0); continue; }
        let box = outboxes[owner]!;
        const at = outCount[owner]!++ * R;
        if (at + R > box.length) box = outboxes[owner] = grownShared(box);
        box[at] = claimBase + ai; box[at + 1] = hi; box[at + 2] = lo;
        for (let k = 0; k < W; k++) box[at + 3 + k] = packed[k]!;
      }
      if (enabled === 0 && m.checkDeadlock && !expectedTerminal()) deadlocks.push(r);
    }
    return { generated, stopped: false };
  }

  function expandLevel(m: LevelMessage): [LevelResult, ArrayBuffer[]] {
    const bufs = m.buffers.map((b) => new Int32Array(b));
    const where = new Int32Array(m.where);
    fresh = 0; owned.startLevel();
    runStarts.length = 0; runStarts.push(0);
    outCount.fill(0);
    let generated = 0, error: WorkerError | null = null, stopped = false;
    const fires = new Float64Array(A), deadlocks: number[] = [];
    const discarded0 = x.discarded;
    checkInv = c.invariants.map((_, k) => !m.skipInvariants.includes(k));
    checkGoal = c.goals.map((_, k) => !m.skipGoals.includes(k));
    antecedents = c.invariants.map(() => 0); goals = c.goals.map(() => 0); violations = []; checkError = null;
    // Every chunk below the one where this worker stops was taken by some worker, which expanded it or
    // stopped at an earlier failure, so the first failure of the level is found for any number of workers.
    let expand = m.expand;
    for (;;) {
      const from = Atomics.add(ctl!, CTL_NEXT, CHUNK);
      if (from >= m.count) break;
      const to = Math.min(m.count, from + CHUNK);
      // The try is around the call, not inside the hot loop (where it costs V8 optimizations); expandingAt says where it failed.
      try {
        const done = expandRange(m, expand, from, to, bufs, where, fires, deadlocks);
        generated += done.generated;
        if (done.stopped) { stopped = true; break; }
      } catch (e) {
        if (!(e instanceof ExpandFailure)) throw e;
        error = { pos: expandingAt, actionId: e.actionId, message: e.error.message, ...(e.error.details.action ? { action: e.error.details.action } : {}), ...(e.error.details.field ? { field: e.error.details.field } : {}), bad: e.badSuccessor };
        // A property that throws on a later state comes first (that state belongs to the previous level): check on.
        if (!m.check) break;
        expand = false;
        expandRange(m, false, expandingAt + 1, to, bufs, where, fires, deadlocks);
      }
      if (checkError !== null) break;
    }
    const res: LevelResult = {
      type: 'level-done', generated, fires, discarded: x.discarded - discarded0, deadlocks, stopped, error,
      outboxes: outboxes.map((b, v) => ({ buffer: b.buffer as SharedArrayBuffer, count: v === self ? 0 : outCount[v]! })),
      antecedents, violations, goals, checkError,
    };
    return [res, [fires.buffer as ArrayBuffer]];
  }

  /**
   * The new states in claim order. Each run (this worker's discoveries, then each inbox) was inserted
   * in increasing claim order, so only the states whose claim was lowered later need sorting; the
   * runs and those are then merged.
   */
  function claimOrder(): Int32Array {
    const bounds = [...runStarts, fresh];
    const runs: Int32Array[] = [];
    const low: number[] = [];
    for (let r = 0; r + 1 < bounds.length; r++) {
      const run = new Int32Array(bounds[r + 1]! - bounds[r]!);
      let len = 0;
      for (let j = bounds[r]!; j < bounds[r + 1]!; j++) if (lowered[j] === 0) run[len++] = j; else low.push(j);
      runs.push(run.subarray(0, len));
    }
    low.sort((a, b) => claims[a]! - claims[b]!);
    runs.push(Int32Array.from(low));
    const order = new Int32Array(fresh), head = new Int32Array(runs.length);
    for (let k = 0; k < fresh; k++) {
      let best = -1, bestClaim = 0;
      for (let r = 0; r < runs.length; r++) {
        const h = head[r]!, run = runs[r]!;
        if (h < run.length && (best < 0 || claims[run[h]!]! < bestClaim)) { best = r; bestClaim = claims[run[h]!]!; }
      }
      order[k] = runs[best]![head[best]!++]!;
    }
    return order;
  }

  function exchange(m: ExchangeMessage): ExchangeResult {
    for (const inbox of m.inboxes) {
      runStarts.push(fresh);
      const b = new Int32Array(inbox.buffer);
      for (let i = 0; i < inbox.count; i++) offer(b[i * R + 1]!, b[i * R + 2]!, b[i * R]!, b, i * R + 3);
    }
    const order = claimOrder();
    const sorted = new Int32Array(fresh);
    for (let k = 0; k < fresh; k++) sorted[k] = claims[order[k]!]!;
    // The new states become this worker's part of the next frontier.
    const buffer = states.buffer as SharedArrayBuffer;
    const old = committed; committed = states; states = old;
    const bytes = owned.bytes + committed.byteLength + states.byteLength + claims.byteLength + outboxes.reduce((a, b) => a + b.byteLength, 0);
    return { type: 'exchange-done', claims: sorted, perm: order, buffer, bytes };
  }
}
