// Multi-worker breadth-first search whose results do not depend on the number
// of workers.
//
// Level-synchronous: the frontier of level L (in canonical order) is split into
// contiguous chunks, one per worker. Workers insert successors into one shared
// open-addressing fingerprint table (SharedArrayBuffer, CAS on a per-cell tag).
// Every successor carries a claim = (position of its parent in the level,
// action id); a state found several times in the level keeps the smallest claim
// (atomic min). That smallest claim is exactly the (parent, action) by which a
// sequential BFS would first discover it, so after the level the main thread
// orders the new states by claim (a counting sort) and gets the sequential
// discovery order: same indices, parents, traces and first violation, for any
// number of workers.
import { hashState, fpHi, fpLo } from './fingerprint.js';
import { Expander, ExpandFailure } from './expand.js';
import type { CompiledModel } from './model.js';

/** Cell layout: [tag, hi, lo, claim]; tag 0 = empty, -1 = being written, L >= 1 = state of level L. */
export const CELL = 4;
const BUSY = -1;
/** Control words: [inserted count, stop flag (1 = table full, 2 = stop)]. */
export const CTL_COUNT = 0, CTL_STOP = 1;

export class SharedTable {
  readonly t: Int32Array;
  readonly mask: number;
  /** Cell index of the last insert or hit. */
  cell = -1;
  /** Inserts not yet added to the shared count (batched: one atomic add per 256 inserts). */
  private pending = 0;
  constructor(readonly buffer: SharedArrayBuffer, readonly ctl: Int32Array, readonly limit: number) {
    this.t = new Int32Array(buffer);
    this.mask = this.t.length / CELL - 1;
  }
  static create(cells: number, ctl: Int32Array): SharedTable {
    return new SharedTable(new SharedArrayBuffer(cells * CELL * 4), ctl, Math.floor(cells * 0.85));
  }
  /** Inserts the fingerprint just computed by hashState. 1: new (claimed with `claim`), 0: present. */
  insert(claim: number, level: number): number {
    const t = this.t, mask = this.mask;
    const hi = fpHi, lo = fpLo === 0 && fpHi === 0 ? 1 : fpLo;
    let i = hi & mask;
    for (;;) {
      const base = i * CELL;
      // Plain reads first (cheap); a cell's words only ever change from 0 to their final value,
      // so a zero may be stale and is re-read atomically, and any other value is final.
      let tag = t[base]!;
      if (tag === 0) tag = Atomics.load(t, base);
      if (tag === 0) {
        if (Atomics.compareExchange(t, base, 0, BUSY) !== 0) continue; // lost the race: look at this cell again
        t[base + 1] = hi; t[base + 2] = lo; t[base + 3] = claim;
        Atomics.store(t, base, level);
        this.cell = i;
        if (++this.pending === 256) this.flush();
        return 1;
      }
      while (tag === BUSY) tag = Atomics.load(t, base);
      let h = t[base + 1]!, l = t[base + 2]!;
      if (h === 0 || l === 0) { h = Atomics.load(t, base + 1); l = Atomics.load(t, base + 2); }
      if (h === hi && l === lo) {
        if (tag === level) { // found in this level: keep the smallest claim
          let old = Atomics.load(t, base + 3);
          while (claim < old) { const prev = Atomics.compareExchange(t, base + 3, old, claim); if (prev === old) break; old = prev; }
        }
        this.cell = i;
        return 0;
      }
      i = (i + 1) & mask;
    }
  }
  /** Adds the batched inserts to the shared count; raises the stop flag when the table is too full. */
  flush(): void {
    if (this.pending === 0) return;
    if (Atomics.add(this.ctl, CTL_COUNT, this.pending) + this.pending > this.limit) Atomics.compareExchange(this.ctl, CTL_STOP, 0, 1);
    this.pending = 0;
  }
  /** A copy with twice the cells (or more), dropping the cells of level `drop` (a level being redone). */
  grow(minCells: number, drop: number): SharedTable {
    let cells = (this.mask + 1) * 2;
    while (cells * 0.85 < minCells) cells *= 2;
    const next = SharedTable.create(cells, this.ctl);
    const t = this.t, u = next.t, mask = next.mask;
    let count = 0;
    for (let c = 0; c < t.length; c += CELL) {
      const tag = t[c]!;
      if (tag === 0 || tag === drop) continue;
      let i = t[c + 1]! & mask;
      while (u[i * CELL] !== 0) i = (i + 1) & mask;
      u.set(t.subarray(c, c + CELL), i * CELL);
      count++;
    }
    Atomics.store(this.ctl, CTL_COUNT, count);
    Atomics.store(this.ctl, CTL_STOP, 0);
    return next;
  }
}

// ---------- messages ----------
// Per level: 'level' (expand your frontier; new states stay in the worker), then
// 'claims' (read the final claims of your new states; they become your frontier).

export interface InitMessage { type: 'init'; ctl: SharedArrayBuffer }
export interface LevelMessage {
  type: 'level';
  table: SharedArrayBuffer; limit: number;
  /** The frontier: states in these buffers (the workers' committed new states, or the initial states)... */
  buffers: SharedArrayBuffer[];
  /** ...at (buffer, index) = where[2r], where[2r+1] for canonical position r; this worker expands positions from..to-1. */
  where: SharedArrayBuffer; from: number; to: number;
  /** Tag of the new states (their depth). */
  level: number;
  /** Invariants already violated (skipped) and goals already reached (skipped). */
  skipInvariants: number[]; skipGoals: number[];
  checkDeadlock: boolean;
}
export interface ClaimsMessage { type: 'claims'; table: SharedArrayBuffer }
/** The answer to 'claims': the winning claim of each new state, and the buffer holding the states (next frontier). */
export interface ClaimsResult { claims: Int32Array; buffer: SharedArrayBuffer }
export interface LevelResult {
  type: 'done';
  count: number;
  generated: number;
  fires: Float64Array;
  discarded: number;
  antecedents: number[];
  /** Pairs (invariant index, local index of the violating new state). */
  violations: number[];
  goals: number[];
  /** Canonical positions of the frontier states that are unexpected deadlocks. */
  deadlocks: number[];
  /** Stopped early because the table filled up or a stop was requested. */
  stopped: boolean;
  error: { pos: number; actionId: number; message: string; action?: string; field?: string; bad: Int32Array | null } | null;
  /** Bytes this worker holds for states (committed and new). */
  bytes: number;
}

interface Port { postMessage(m: unknown, transfer?: readonly ArrayBuffer[]): void; on(ev: 'message', f: (m: any) => void): void }

const sharedInts = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));

/** The worker side: expands its part of each level on request. */
export function serveWorker(c: CompiledModel, debug: boolean, port: Port): void {
  const x = new Expander(c, debug);
  const n = c.layout.slots, W = c.layout.words, acts = c.actions, A = acts.length;
  let ctl: Int32Array | null = null;
  // Two state buffers: the committed one (read by every worker during the next level) and the one being filled.
  let committed = sharedInts(1024), states = sharedInts(1024), cells = new Int32Array(256), count = 0;
  port.on('message', (m: InitMessage | LevelMessage | ClaimsMessage) => {
    if (m.type === 'init') { ctl = new Int32Array(m.ctl); return; }
    if (m.type === 'claims') {
      // The level is committed: read the winning claims, and the new states become the frontier.
      const t = new Int32Array(m.table), claims = new Int32Array(count);
      for (let j = 0; j < count; j++) claims[j] = t[cells[j]! * CELL + 3]!;
      const old = committed;
      committed = states;
      states = old;
      const res: ClaimsResult = { claims, buffer: committed.buffer as SharedArrayBuffer };
      port.postMessage(res, [claims.buffer]);
      return;
    }
    const bufs = m.buffers.map((b) => new Int32Array(b));
    const where = new Int32Array(m.where);
    const table = new SharedTable(m.table, ctl!, m.limit);
    const skipInv = new Set(m.skipInvariants), skipGoal = new Set(m.skipGoals);
    count = 0;
    let generated = 0;
    const fires = new Float64Array(A);
    const antecedents = c.invariants.map(() => 0);
    const violations: number[] = [], deadlocks: number[] = [];
    const goals = c.goals.map(() => 0);
    let error: LevelResult['error'] = null, stopped = false;
    const discarded0 = x.discarded;
    let r = m.from, ai = 0;
    const fail = (what: string, err: unknown): void => {
      error = { pos: r, actionId: acts[ai]!.id, message: `${what} threw: ${(err as Error)?.message ?? String(err)}`, bad: x.scratch.slice(0, n) };
    };
    outer: for (; r < m.to; r++) {
      if ((r & 63) === 0 && Atomics.load(ctl!, CTL_STOP) !== 0) { stopped = true; break; }
      x.loadPacked(bufs[where[2 * r]!]!, where[2 * r + 1]! * W);
      const claimBase = r * A;
      let enabled = 0;
      for (ai = 0; ai < A; ai++) {
        const a = acts[ai]!;
        try {
          if (!x.successor(a)) continue;
        } catch (e) {
          if (!(e instanceof ExpandFailure)) throw e;
          error = { pos: r, actionId: e.actionId, message: e.error.message, ...(e.error.details.action ? { action: e.error.details.action } : {}), ...(e.error.details.field ? { field: e.error.details.field } : {}), bad: e.badSuccessor };
          break outer;
        }
        enabled++; generated++; fires[ai]!++;
        if (c.constraint !== undefined) {
          let inside: boolean;
          try { inside = c.constraint(x.nextView); } catch (e) { fail('the state constraint', e); break outer; }
          if (!inside) continue;
        }
        hashState(x.packed, 0, W);
        if (table.insert(claimBase + ai, m.level) === 0) continue;
        // A new state: keep it (packed), check it.
        if ((count + 1) * W > states.length) { const b = sharedInts(states.length * 2); b.set(states); states = b; }
        if (count + 1 > cells.length) { const b = new Int32Array(cells.length * 2); b.set(cells); cells = b; }
        for (let k = 0, d = count * W; k < W; k++) states[d + k] = x.packed[k]!;
        cells[count] = table.cell;
        const local = count++;
        const view = x.nextView;
        for (let k = 0; k < c.invariants.length; k++) {
          const inv = c.invariants[k]!;
          let ok: boolean;
          try {
            if (inv.antecedent !== undefined && inv.antecedent(view)) antecedents[k]!++;
            ok = skipInv.has(k) || inv.check(view);
          } catch (e) { fail(`invariant ${inv.name}`, e); break outer; }
          if (!ok) violations.push(k, local);
        }
        for (let k = 0; k < c.goals.length; k++) {
          if (skipGoal.has(k) || goals[k]) continue;
          try { if (c.goals[k]!.check(view)) goals[k] = 1; } catch (e) { fail(`goal ${c.goals[k]!.name}`, e); break outer; }
        }
      }
      if (enabled === 0 && m.checkDeadlock) {
        const d = c.deadlock;
        let expected = false;
        if (typeof d === 'object') { try { expected = d.expected(x.curView); } catch (e) { error = { pos: r, actionId: -1, message: `the deadlock policy threw: ${(e as Error)?.message ?? String(e)}`, bad: null }; break; } }
        if (!expected) deadlocks.push(r);
      }
    }
    table.flush();
    const res: LevelResult = {
      type: 'done', count, generated, fires, discarded: x.discarded - discarded0,
      antecedents, violations, goals, deadlocks, stopped, error, bytes: committed.byteLength + states.byteLength,
    };
    port.postMessage(res, [res.fires.buffer as ArrayBuffer]);
  });
}
