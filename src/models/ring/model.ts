// Protocol A of protocols.md: the io_uring-style SPSC capability ring of capOS.
// A submission queue (SQ) and a completion queue (CQ) in one shared page,
// written by the userspace runtime (UP produces SQEs, UC consumes CQEs) and by
// the kernel (K dispatches SQEs and posts CQEs; A posts the CQEs of asynchronous
// CALLs under the same cq_lock). The kernel keeps private copies of the indices
// it owns, reserves a CQ slot before it consumes an SQE (back-pressure), and an
// optional adversary X scribbles on any shared field. See README.md beside this
// file for the mapping of every action and property to protocols.md A.5-A.9.
import { defineModel, enumParam, intParam, type ActionDef, type Ctx, type Invariant, type Goal, type LivenessProperty, type Fairness } from '../../explorer/model.js';
import { array, bool, enumOf, int, list, record, setOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { invariant, leadsTo, sometimes, terminalStates, WF, SF } from '../../invariants/index.js';
import { goldenFile } from '../../explorer/golden.js';
import { MUTANTS } from './mutants.js';

const params = {
  slots: intParam({ min: 1, max: 8, default: 2, help: 'SQ entries SQ_N (indices run modulo 2*SQ_N)' }),
  cqSlots: intParam({ min: 1, max: 8, default: (p) => p.slots as number, help: 'CQ entries CQ_N (default: same as --slots)' }),
  ids: intParam({ min: 1, max: 12, default: (p) => Math.max(p.slots as number, p.cqSlots as number) + 1, help: 'requests UP submits, ids 1..ids (default max(slots, cq-slots)+1, so both indices wrap)' }),
  adversary: intParam({ min: 0, max: 4, default: 0, help: 'scribble budget of the adversary X (0: honest configuration, no X)' }),
  config: enumParam(['loom3', 'proc'], { default: 'loom3', help: 'loom3: UP, UC and K free-running threads; proc: user steps and the kernel pass (cap_enter or timer poll) exclude each other (A.2)' }),
};
type P = Ctx<typeof params>;

const OPS = ['NONE', 'NOP', 'CALLA', 'BAD'] as const;
type Op = (typeof OPS)[number];
const RES = ['OK', 'ERR_INVALID'] as const;
type Res = (typeof RES)[number];
const KPC = ['Idle', 'Entered', 'Pick', 'Copy', 'Release', 'Dispatch', 'Post1', 'Post2', 'Post3', 'SqCorrupt', 'CqCorrupt'] as const;

/** Everything derived from the parameters that the actions need. */
interface Cfg {
  readonly N: number; readonly C: number; readonly K: number;
  /** Index moduli 2*SQ_N and 2*CQ_N. */
  readonly MS: number; readonly MC: number;
  readonly adv: boolean; readonly budget: number; readonly proc: boolean;
  readonly m: string | null;
}
const cfgOf = (p: P): Cfg => ({ N: p.slots, C: p.cqSlots, K: p.ids, MS: 2 * p.slots, MC: 2 * p.cqSlots, adv: p.adversary > 0, budget: p.adversary, proc: p.config === 'proc', m: p.mutant });

const dist = (a: number, b: number, m: number): number => (a - b + m) % m;

function schema(p: P) {
  const c = cfgOf(p);
  const { N, C, K, MS, MC } = c;
  return {
    // ---- the shared page (every field user-writable) ----
    sq_head_sh: int(0, MS - 1),
    sq_tail_sh: int(0, MS - 1),
    cq_head_sh: int(0, MC - 1),
    cq_tail_sh: int(0, MC - 1),
    sqe: array(N, record({ op: enumOf(OPS), id: int(0, K) })),
    cqe: array(C, record({ id: int(0, K), res: enumOf(RES) })),
    // ---- UP: SQ producer (u_head_seen is folded into the LoadHead guard, see README) ----
    up_pc: enumOf(['Load', 'Write', 'Publish']),
    u_sq_tail: int(0, MS - 1),
    next_id: int(1, K + 1),
    // ---- UC: CQ consumer ----
    uc_pc: enumOf(['Load', 'Read', 'Release']),
    u_cq_head: int(0, MC - 1),
    // ---- K: kernel dispatcher, private state ----
    k_pc: enumOf(KPC),
    k_timer: bool(),
    k_flush: bool(),
    k_sq_head: int(0, MS - 1),
    k_cq_tail: int(0, MC - 1),
    k_reserved: int(0, C + K),
    k_backlog: list(C + K, int(0, 4 * K + 3)),
    k_inflight: setOf(K + 1),
    k_snap_t: int(0, MS - 1),
    k_snap_ch: int(0, MC - 1),
    k_op: enumOf(OPS),
    k_id: int(0, K),
    k_res: enumOf(RES),
    k_disp: int(0, N),
    cq_lock: enumOf(['free', 'K', 'A']),
    // ---- A: asynchronous completer ----
    a_pc: enumOf(['Idle', 'Post1', 'Post2', 'Post3']),
    a_id: int(0, K),
    // ---- X: adversary ----
    x_budget: int(0, c.budget),
    // ---- ghosts (never read by a guard) ----
    g_disp: array(K + 1, int(0, 2)),
    g_post: array(K + 1, int(0, 2)),
    g_cons: array(K + 1, int(0, 2)),
    g_res: array(K + 1, enumOf(['none', 'OK', 'ERR_INVALID'])),
    g_slot_seq: array(C, int(0, MC - 1)),
    g_sq_pos: array(N, int(-1, MS - 1)),
    g_k_gen: bool(),
    g_a_gen: bool(),
    g_inflight_gen: setOf(K + 1),
    g_stale_read: bool(),
    g_pair_bad: bool(),
    g_bad_dispatch: bool(),
    g_bad_post: bool(),
    g_reprocessed: bool(),
    g_unvalidated: bool(),
    g_bad_seen: int(0, MS * MS),
    g_rec: int(0, 3),
    g_rec_id: int(0, K),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

// Backlog entries (id, res, genuine) packed into one small int.
const enc = (id: number, res: Res, gen: boolean): number => ((id * 2 + (res === 'OK' ? 0 : 1)) * 2) + (gen ? 1 : 0);
const decId = (x: number): number => x >> 2;
const decRes = (x: number): Res => (((x >> 1) & 1) === 0 ? 'OK' : 'ERR_INVALID');
const decGen = (x: number): boolean => (x & 1) === 1;

const expectedRes = (op: Op): 'OK' | 'ERR_INVALID' => (op === 'NOP' || op === 'CALLA' ? 'OK' : 'ERR_INVALID');
const sat = (x: number): number => (x >= 2 ? 2 : x + 1);

function init(p: P) {
  const { N, C, K, MC, budget } = cfgOf(p);
  return [{
    sq_head_sh: 0, sq_tail_sh: 0, cq_head_sh: 0, cq_tail_sh: 0,
    sqe: Array.from({ length: N }, () => ({ op: 'NONE' as Op, id: 0 })),
    cqe: Array.from({ length: C }, () => ({ id: 0, res: 'OK' as Res })),
    up_pc: 'Load' as const, u_sq_tail: 0, next_id: 1,
    uc_pc: 'Load' as const, u_cq_head: 0,
    k_pc: 'Idle' as const, k_timer: false, k_flush: false, k_sq_head: 0, k_cq_tail: 0, k_reserved: 0, k_backlog: [], k_inflight: [],
    k_snap_t: 0, k_snap_ch: 0, k_op: 'NONE' as Op, k_id: 0, k_res: 'OK' as Res, k_disp: 0, cq_lock: 'free' as const,
    a_pc: 'Idle' as const, a_id: 0,
    x_budget: budget,
    g_disp: Array.from({ length: K + 1 }, () => 0), g_post: Array.from({ length: K + 1 }, () => 0), g_cons: Array.from({ length: K + 1 }, () => 0),
    g_res: Array.from({ length: K + 1 }, () => 'none' as const),
    // A never-written slot counts as written one lap ago (so first-lap stale reads are caught).
    g_slot_seq: Array.from({ length: C }, (_, j) => (j + C) % MC),
    g_sq_pos: Array.from({ length: N }, () => -1),
    g_k_gen: false, g_a_gen: false, g_inflight_gen: [],
    g_stale_read: false, g_pair_bad: false, g_bad_dispatch: false, g_bad_post: false, g_reprocessed: false, g_unvalidated: false,
    g_bad_seen: 0, g_rec: 0, g_rec_id: 0,
  }];
}

// ---------------------------------------------------------------------------
// Actions

function actions(p: P): ActionDef<V, any, R>[] {
  const c = cfgOf(p);
  const { N, C, K, MS, MC, adv, proc, m } = c;
  const A1 = m === 'M-A1', A2 = m === 'M-A2', A3 = m === 'M-A3', A4 = m === 'M-A4', A5 = m === 'M-A5', A6 = m === 'M-A6', A7 = m === 'M-A7', A8 = m === 'M-A8';

  /** In proc, the user's steps run only while the kernel is not running on its CPU. */
  const userRuns = (s: R): boolean => !proc || s.k_pc === 'Idle';

  /** Would a kernel pass started now do anything (dispatch, flush, or find corruption)? A pass that would not is a stutter. */
  const kWork = (s: R): boolean => {
    const head = A4 ? s.sq_head_sh : s.k_sq_head;
    const avail = dist(s.sq_tail_sh, head, MS), used = dist(s.k_cq_tail, s.cq_head_sh, MC);
    if (avail > N && !A5) return true;
    if (used > C) return true;
    if (s.k_backlog.length > 0 && used < C) return true;
    return avail >= 1 && used + (A8 ? 0 : s.k_reserved) < C;
  };

  /** The ring as the user restores it before a recovery NOP (the premise of RingRecovers). */
  const consistent = (s: R): boolean =>
    s.k_pc === 'Idle' && s.uc_pc === 'Load' && s.cq_head_sh === s.u_cq_head && s.cq_tail_sh === s.k_cq_tail
    && dist(s.k_cq_tail, s.u_cq_head, MC) < C && dist(s.u_sq_tail, s.k_sq_head, MS) < N && s.sq_tail_sh === s.u_sq_tail;

  // ---- posting a CQE: P1 (lock, load cq_head, space check), P2 (payload), P3 (publish cq_tail, unlock) ----
  const publishTail = (s: R, n: V, id: number, gen: boolean): void => {
    n.k_cq_tail = (s.k_cq_tail + 1) % MC;
    n.cq_tail_sh = n.k_cq_tail;
    n.k_reserved = s.k_reserved - 1;
    if (!adv || gen) n.g_post.set(id, sat(s.g_post.get(id)));
  };
  const writePayload = (n: V, pos: number, id: number, res: Res): void => {
    const j = pos % C;
    const e = n.cqe.at(j);
    e.id = id; e.res = res;
    n.g_slot_seq.set(j, pos);
  };
  const full = (s: R): boolean => dist(s.k_cq_tail, s.cq_head_sh, MC) >= C;

  const kFinishPost = (n: V): void => {
    n.k_id = 0; n.k_res = 'OK'; n.g_k_gen = false;
    if (n.k_flush) {
      if (n.k_backlog.length > 0) n.k_pc = 'Post1';
      else { n.k_flush = false; n.k_pc = 'Pick'; }
    } else n.k_pc = 'Pick';
  };
  const aFinishPost = (n: V): void => { n.a_pc = 'Idle'; n.a_id = 0; n.g_a_gen = false; };

  /** K.Pick's test: budget left (MAX_DISPATCH = SQ_N), an SQE in the snapshot, and a CQ slot to reserve. */
  const canPick = (s: R): boolean => {
    const avail = dist(s.k_snap_t, s.k_sq_head, MS), used = dist(s.k_cq_tail, s.k_snap_ch, MC);
    // k_disp is kept only where FailClosed(c) is checked (adversary on); without X the snapshot bounds it.
    return (!adv || s.k_disp < N) && avail >= 1 && used + (A8 ? 0 : s.k_reserved) < C;
  };
  /** End of the pass: scratch registers back to 0 so equivalent states coincide. */
  const kReturn = (n: V): void => {
    n.k_snap_t = 0; n.k_snap_ch = 0; n.k_disp = 0; n.k_timer = false; n.k_flush = false;
    n.k_pc = 'Idle';
  };

  const acts: ActionDef<V, any, R>[] = [
    // ---------------- UP: SQ producer ----------------
    {
      name: 'UP.LoadHead', actor: 'UP',
      // Load sq_head (acquire). A load that sees a full SQ leaves UP where it was (a stutter), so the
      // guard includes "the loaded head leaves room" and u_head_seen need not be kept.
      when: () => ({ up_pc: 'Load' }),
      guard: (s) => s.next_id <= K && userRuns(s) && dist(s.u_sq_tail, s.sq_head_sh, MS) < N,
      effect: (_s, n) => { n.up_pc = 'Write'; },
    },
    {
      name: 'UP.WriteSqe', actor: 'UP', over: ['NOP', 'CALLA', 'BAD'] as Op[],
      when: () => ({ up_pc: 'Write' }),
      guard: (s) => userRuns(s),
      effect: (s, n, op: Op) => {
        const slot = s.u_sq_tail % N;
        const e = n.sqe.at(slot);
        e.op = op; e.id = s.next_id;
        if (adv) n.g_sq_pos.set(slot, s.u_sq_tail);
        else n.g_res.set(s.next_id, expectedRes(op));
        n.up_pc = 'Publish';
      },
    },
    {
      name: 'UP.Publish', actor: 'UP',
      when: () => ({ up_pc: 'Publish' }),
      guard: (s) => userRuns(s),
      effect: (s, n) => {
        if (adv && s.g_rec === 1 && s.x_budget === 0 && consistent(s)) {
          const slot = s.u_sq_tail % N;
          if (s.sqe.at(slot).op === 'NOP' && s.g_sq_pos.get(slot) === s.u_sq_tail) { n.g_rec = 2; n.g_rec_id = s.next_id; }
        }
        n.u_sq_tail = (s.u_sq_tail + 1) % MS;
        n.sq_tail_sh = n.u_sq_tail; // release
        n.g_bad_seen = 0; // a new tail: any later bad window is a different one
        n.next_id = s.next_id + 1;
        n.up_pc = 'Load';
      },
    },
    // ---------------- UC: CQ consumer ----------------
    {
      name: 'UC.LoadTail', actor: 'UC',
      // Load cq_tail (acquire). Seeing nothing new is a stutter (hence the guard). A tail more than CQ_N
      // ahead is impossible for an honest kernel: the runtime fails closed and consumes nothing.
      when: () => ({ uc_pc: 'Load' }),
      guard: (s) => userRuns(s) && s.cq_tail_sh !== s.u_cq_head,
      effect: (s, n) => {
        if (dist(s.cq_tail_sh, s.u_cq_head, MC) > C) return false;
        n.uc_pc = 'Read'; // the loaded tail is consumed by this decision (one CQE per load), so it is not kept
      },
    },
    {
      name: 'UC.ReadCqe', actor: 'UC',
      when: () => ({ uc_pc: 'Read' }),
      guard: (s) => userRuns(s),
      effect: (s, n) => {
        const u = s.u_cq_head, j = u % C;
        const e = s.cqe.at(j);
        const id = e.id, res = e.res;
        if (!adv) {
          if (s.g_slot_seq.get(j) !== u) n.g_stale_read = true;
          n.g_cons.set(id, sat(s.g_cons.get(id)));
          if (s.g_res.get(id) !== res) n.g_pair_bad = true;
          n.g_res.set(id, 'none');
        } else if (s.g_rec === 2 && id === s.g_rec_id && res === 'OK') n.g_rec = 3;
        n.u_cq_head = (u + 1) % MC;
        n.uc_pc = 'Release';
      },
    },
    {
      name: 'UC.Release', actor: 'UC',
      when: () => ({ uc_pc: 'Release' }),
      guard: (s) => userRuns(s),
      effect: (s, n) => {
        n.cq_head_sh = s.u_cq_head; // release
        n.uc_pc = 'Load';
      },
    },
    // ---------------- K: one kernel pass ----------------
    {
      name: 'K.Snap', actor: 'K',
      guard: (s) => s.k_pc === 'Entered' || (s.k_pc === 'Idle' && kWork(s)),
      effect: (s, n) => {
        n.k_snap_t = s.sq_tail_sh; // acquire
        n.k_snap_ch = s.cq_head_sh; // acquire
        if (A4) n.k_sq_head = s.sq_head_sh; // the mutant trusts the shared head
        n.k_timer = proc && s.k_pc === 'Idle';
        const head = A4 ? s.sq_head_sh : s.k_sq_head;
        const avail = dist(s.sq_tail_sh, head, MS), used = dist(s.k_cq_tail, s.cq_head_sh, MC);
        if (avail > N && !A5) n.k_pc = 'SqCorrupt';
        else {
          n.g_bad_seen = 0; // FailClosed(b) compares consecutive SqCorrupt passes only
          if (used > C) n.k_pc = 'CqCorrupt';
          else if (s.k_backlog.length > 0) { n.k_flush = true; n.k_pc = 'Post1'; }
          else n.k_pc = 'Pick';
        }
      },
    },
    {
      name: 'K.Pick', actor: 'K',
      when: () => ({ k_pc: 'Pick' }),
      guard: (s) => canPick(s),
      effect: (_s, n) => { n.k_pc = A1 ? 'Release' : 'Copy'; },
    },
    {
      // The other branch of K.Pick: nothing (more) to dispatch, cap_enter / the poll returns.
      name: 'K.Return', actor: 'K',
      when: () => ({ k_pc: 'Pick' }),
      guard: (s) => !canPick(s),
      effect: (_s, n) => { kReturn(n); },
    },
    {
      name: 'K.Copy', actor: 'K',
      when: () => ({ k_pc: 'Copy' }),
      effect: (s, n) => {
        const h = A1 ? (s.k_sq_head + MS - 1) % MS : s.k_sq_head;
        const slot = h % N;
        const e = s.sqe.at(slot);
        const d = dist(s.k_snap_t, h, MS);
        if (d < 1 || d > N) n.g_bad_dispatch = true;
        if (s.k_timer && e.op === 'CALLA' && !A1) { kReturn(n); return; } // timer poll stops at a CALL: leave it, return
        n.k_op = e.op; n.k_id = e.id; // the one copy into kernel memory
        if (adv) {
          const gen = s.g_sq_pos.get(slot) === h;
          n.g_k_gen = gen;
          if (!gen) n.g_sq_pos.set(slot, -1);
        }
        if (A1) { if (!adv || n.g_k_gen) n.g_disp.set(e.id, sat(s.g_disp.get(e.id))); n.k_pc = 'Dispatch'; } else n.k_pc = 'Release';
      },
    },
    {
      name: 'K.Release', actor: 'K',
      when: () => ({ k_pc: 'Release' }),
      effect: (s, n) => {
        n.k_sq_head = (s.k_sq_head + 1) % MS;
        n.sq_head_sh = n.k_sq_head; // release
        if (A1) { n.k_pc = 'Copy'; return; }
        if (!adv || s.g_k_gen) n.g_disp.set(s.k_id, sat(s.g_disp.get(s.k_id)));
        n.k_pc = 'Dispatch';
      },
    },
    {
      name: 'K.Dispatch', actor: 'K',
      when: () => ({ k_pc: 'Dispatch' }),
      effect: (s, n) => {
        // Validation and dispatch act on the private copy; the mutant M-A7 re-reads the shared op.
        let op: Op = s.k_op;
        if (A7) {
          op = s.sqe.at(((s.k_sq_head + MS - 1) % MS) % N).op;
          if (op !== s.k_op) n.g_unvalidated = true;
        }
        const id = s.k_id;
        const valid = id !== 0 && (s.k_op === 'NOP' || (s.k_op === 'CALLA' && !s.k_inflight.has(id)));
        if (adv) n.k_disp = s.k_disp + 1;
        n.k_op = 'NONE';
        n.k_reserved = s.k_reserved + 1; // a CQ slot is reserved for this SQE's completion
        if (valid && op === 'CALLA') {
          n.k_inflight.add(id);
          if (adv && s.g_k_gen) n.g_inflight_gen.add(id);
          n.k_id = 0; n.g_k_gen = false;
          n.k_pc = 'Pick';
        } else {
          n.k_res = valid && op === 'NOP' ? 'OK' : 'ERR_INVALID';
          n.k_pc = 'Post1';
        }
      },
    },
    {
      name: 'K.Post1', actor: 'K',
      when: () => ({ k_pc: 'Post1' }),
      guard: (s) => s.cq_lock === 'free',
      effect: (s, n) => {
        n.cq_lock = 'K';
        const isFull = full(s); // loads cq_head_sh
        if (s.k_flush) {
          if (isFull && !A3) { n.cq_lock = 'free'; kReturn(n); return; }
          if (isFull) n.g_bad_post = true;
          const x = n.k_backlog.shift();
          n.k_id = decId(x); n.k_res = decRes(x); n.g_k_gen = decGen(x);
          n.k_pc = 'Post2';
          return;
        }
        if (isFull && !A3) {
          // never overwrite: keep the completion (it stays reserved) in the backlog
          n.k_backlog.push(enc(s.k_id, s.k_res, !adv || s.g_k_gen));
          n.cq_lock = 'free';
          n.k_id = 0; n.k_res = 'OK'; n.g_k_gen = false;
          n.k_pc = 'Pick';
          return;
        }
        if (isFull) n.g_bad_post = true;
        n.k_pc = 'Post2';
      },
    },
    {
      name: 'K.Post2', actor: 'K',
      when: () => ({ k_pc: 'Post2' }),
      effect: (s, n) => {
        if (A2) publishTail(s, n, s.k_id, s.g_k_gen);
        else writePayload(n, s.k_cq_tail, s.k_id, s.k_res);
        n.k_pc = 'Post3';
      },
    },
    {
      name: 'K.Post3', actor: 'K',
      when: () => ({ k_pc: 'Post3' }),
      effect: (s, n) => {
        if (A2) writePayload(n, (s.k_cq_tail + MC - 1) % MC, s.k_id, s.k_res);
        else publishTail(s, n, s.k_id, s.g_k_gen);
        n.cq_lock = 'free';
        kFinishPost(n);
      },
    },
    // ---------------- A: asynchronous completer ----------------
    {
      name: 'A.Complete', actor: 'A', over: Array.from({ length: K }, (_, i) => i + 1),
      guard: (s, id: number) => s.a_pc === 'Idle' && s.k_inflight.has(id),
      effect: (s, n, id: number) => {
        n.k_inflight.delete(id);
        n.a_id = id;
        n.g_a_gen = s.g_inflight_gen.has(id);
        n.g_inflight_gen.delete(id);
        n.a_pc = 'Post1';
      },
    },
    {
      name: 'A.Post1', actor: 'A',
      when: () => ({ a_pc: 'Post1' }),
      guard: (s) => s.cq_lock === 'free',
      effect: (s, n) => {
        const isFull = full(s);
        if (isFull && !A3) {
          n.k_backlog.push(enc(s.a_id, 'OK', !adv || s.g_a_gen));
          aFinishPost(n);
          return;
        }
        if (isFull) n.g_bad_post = true;
        n.cq_lock = 'A';
        n.a_pc = 'Post2';
      },
    },
    {
      name: 'A.Post2', actor: 'A',
      when: () => ({ a_pc: 'Post2' }),
      effect: (s, n) => {
        if (A2) publishTail(s, n, s.a_id, s.g_a_gen);
        else writePayload(n, s.k_cq_tail, s.a_id, 'OK');
        n.a_pc = 'Post3';
      },
    },
    {
      name: 'A.Post3', actor: 'A',
      when: () => ({ a_pc: 'Post3' }),
      effect: (s, n) => {
        if (A2) writePayload(n, (s.k_cq_tail + MC - 1) % MC, s.a_id, 'OK');
        else publishTail(s, n, s.a_id, s.g_a_gen);
        n.cq_lock = 'free';
        aFinishPost(n);
      },
    },
  ];

  if (proc) {
    acts.push({
      name: 'UP.Enter', actor: 'UP',
      // cap_enter: hand the CPU to the kernel for one pass; the user resumes when it returns.
      when: () => ({ k_pc: 'Idle' }),
      guard: (s) => s.up_pc === 'Load' && kWork(s),
      effect: (_s, n) => { n.k_pc = 'Entered'; },
    });
  }

  if (adv) {
    acts.push(
      {
        name: 'K.SqCorrupt', actor: 'K',
        when: () => ({ k_pc: 'SqCorrupt' }),
        effect: (s, n) => {
          const code = s.k_sq_head * MS + s.k_snap_t + 1;
          if (s.g_bad_seen === code) n.g_reprocessed = true;
          n.g_bad_seen = code;
          if (!A6) {
            // resync: skip the bad window (A.10.1); the SQ contents from before are void
            n.k_sq_head = s.k_snap_t;
            n.sq_head_sh = s.k_snap_t;
            for (let j = 0; j < N; j++) n.g_sq_pos.set(j, -1);
          }
          if (s.g_rec === 0) n.g_rec = 1; // cap_enter returns ERR_RING
          kReturn(n);
        },
      },
      {
        name: 'K.CqCorrupt', actor: 'K',
        when: () => ({ k_pc: 'CqCorrupt' }),
        effect: (s, n) => {
          // post nothing, dispatch nothing; owed completions stay reserved / backlogged
          if (s.g_rec === 0) n.g_rec = 1; // cap_enter returns ERR_RING
          kReturn(n);
        },
      },
      scribble(c),
    );
  }
  return acts;
}

/** X.Scribble(field, value): one store of any value into any shared field. */
interface ScribbleArg { readonly f: string; readonly v: number | string }
function scribble(c: Cfg): ActionDef<V, ScribbleArg, R> {
  const { N, K, MS, MC } = c;
  type Kind = 'sq_tail' | 'sq_head' | 'cq_head' | 'cq_tail' | 'op' | 'id';
  const args: ScribbleArg[] = [];
  // Only f and v are enumerable: they make the instance name X.Scribble(f,v).
  const mk = (f: string, v: number | string, kind: Kind, j = 0): void => {
    const a = { f, v };
    Object.defineProperty(a, 'kind', { value: kind, enumerable: false });
    Object.defineProperty(a, 'j', { value: j, enumerable: false });
    args.push(a);
  };
  for (let v = 0; v < MS; v++) mk('sq_tail_sh', v, 'sq_tail');
  for (let v = 0; v < MS; v++) mk('sq_head_sh', v, 'sq_head');
  for (let v = 0; v < MC; v++) mk('cq_head_sh', v, 'cq_head');
  for (let v = 0; v < MC; v++) mk('cq_tail_sh', v, 'cq_tail');
  for (let j = 0; j < N; j++) {
    for (const op of OPS) mk(`sqe[${j}].op`, op, 'op', j);
    for (let v = 0; v <= K; v++) mk(`sqe[${j}].id`, v, 'id', j);
  }
  const K_ = (a: ScribbleArg): Kind => (a as unknown as { kind: Kind }).kind;
  const J = (a: ScribbleArg): number => (a as unknown as { j: number }).j;
  const current = (s: R, a: ScribbleArg): number | string => {
    switch (K_(a)) {
      case 'sq_tail': return s.sq_tail_sh;
      case 'sq_head': return s.sq_head_sh;
      case 'cq_head': return s.cq_head_sh;
      case 'cq_tail': return s.cq_tail_sh;
      case 'op': return s.sqe.at(J(a)).op;
      case 'id': return s.sqe.at(J(a)).id;
    }
  };
  return {
    name: 'X.Scribble', actor: 'X', over: args,
    guard: (s, a) => s.x_budget > 0 && current(s, a) !== a.v,
    effect: (s, n, a) => {
      switch (K_(a)) {
        case 'sq_tail': n.sq_tail_sh = a.v as number; break;
        case 'sq_head': n.sq_head_sh = a.v as number; break;
        case 'cq_head': n.cq_head_sh = a.v as number; break;
        case 'cq_tail': n.cq_tail_sh = a.v as number; break;
        case 'op': n.sqe.at(J(a)).op = a.v as Op; n.g_sq_pos.set(J(a), -1); break;
        case 'id': n.sqe.at(J(a)).id = a.v as number; n.g_sq_pos.set(J(a), -1); break;
      }
      n.x_budget = s.x_budget - 1;
      n.g_bad_seen = 0;
    },
  };
}

// ---------------------------------------------------------------------------
// Properties

function invariants(p: P): Invariant<R>[] {
  const { N, C, K, MS, MC, adv, m } = cfgOf(p);
  const A2 = m === 'M-A2';
  const win = new Int32Array(K + 1); // scratch for the CQ window multiset

  /** Completions the kernel owes and holds in a register (reserved, not yet published). */
  const held = (s: R): number => {
    const k = (s.k_pc === 'Post1' && !s.k_flush) || s.k_pc === 'Post2' || (s.k_pc === 'Post3' && !A2) ? 1 : 0;
    const a = s.a_pc === 'Post1' || s.a_pc === 'Post2' || (s.a_pc === 'Post3' && !A2) ? 1 : 0;
    return k + a;
  };
  const accounted = (s: R): boolean => s.k_reserved === s.k_inflight.size + s.k_backlog.length + held(s);
  const isSet = (a: { get(i: number): number }): boolean => { for (let i = 1; i <= K; i++) if (a.get(i) > 1) return false; return true; };

  const out: Invariant<R>[] = [];
  if (!adv) {
    out.push(
      invariant('TailHeadBound', 'A.6: 0 <= tail - head <= entries for both rings (win_sq <= SQ_N, win_cq <= CQ_N), and no copy outside the SQ window nor post into a full CQ (¬g_bad_dispatch ∧ ¬g_bad_post)',
        (s) => dist(s.u_sq_tail, s.k_sq_head, MS) <= N && dist(s.k_cq_tail, s.u_cq_head, MC) <= C && !s.g_bad_dispatch && !s.g_bad_post),
      invariant('NoLostCQE', 'A.6: posted − consumed = the ids in the live CQ window [u_cq_head, k_cq_tail), the backlog is empty, and every reserved completion is accounted for (in flight, backlogged or being posted)',
        (s) => {
          win.fill(0);
          for (let q = s.u_cq_head, k = 0; q !== s.k_cq_tail && k < MC; q = (q + 1) % MC, k++) win[s.cqe.at(q % C).id]!++;
          for (let i = 0; i <= K; i++) if (s.g_post.get(i) - s.g_cons.get(i) !== win[i]) return false;
          return s.k_backlog.length === 0 && accounted(s);
        }),
      invariant('NoDoubleDelivery', 'A.6: g_dispatched, g_posted and g_consumed are sets (no id 1..ids twice)',
        (s) => isSet(s.g_disp) && isSet(s.g_post) && isSet(s.g_cons)),
      invariant('NoStaleCQERead', 'A.6: at UC.ReadCqe the slot holds the CQE written for position u_cq_head (g_slot_seq[u_cq_head mod CQ_N] = u_cq_head)',
        (s) => !s.g_stale_read),
      invariant('Pairing', 'A.6: consumed ⊆ posted ⊆ dispatched ⊆ submitted, and every CQE (live or consumed) carries the result of its own SQE',
        (s) => {
          for (let i = 1; i <= K; i++) {
            const sub = i < s.next_id ? 1 : 0;
            if (!(s.g_cons.get(i) <= s.g_post.get(i) && s.g_post.get(i) <= s.g_disp.get(i) && s.g_disp.get(i) <= sub)) return false;
          }
          if (s.g_pair_bad) return false;
          for (let q = s.u_cq_head, k = 0; q !== s.k_cq_tail && k < MC; q = (q + 1) % MC, k++) {
            const e = s.cqe.at(q % C);
            if (s.g_res.get(e.id) !== e.res) return false;
          }
          return true;
        }),
    );
  } else {
    out.push(
      invariant('TailHeadBound', 'A.6 (every configuration): the kernel never copies an SQE outside [1, SQ_N] of its window nor posts into a CQ that looks full (¬g_bad_dispatch ∧ ¬g_bad_post)',
        (s) => !s.g_bad_dispatch && !s.g_bad_post),
      invariant('NoLostCQE', 'A.6 (kernel side, adversary on): every reserved completion is accounted for: k_reserved = |k_inflight| + len(k_backlog) + completions being posted',
        accounted),
      invariant('NoDoubleDelivery', 'A.6 (adversary on): no genuine request (the SQE UP wrote for that position, untouched by X, since the last resync) is dispatched or posted twice',
        (s) => isSet(s.g_disp) && isSet(s.g_post)),
      invariant('FailClosed(a)', 'A.6 FailClosed(a): ¬g_bad_dispatch ∧ ¬g_bad_post', (s) => !s.g_bad_dispatch && !s.g_bad_post),
      invariant('FailClosed(b)', 'A.6 FailClosed(b): K.SqCorrupt never handles the same (k_sq_head, snap_t) pair twice without an X write in between',
        (s) => !s.g_reprocessed),
      invariant('FailClosed(c)', 'A.6 FailClosed(c): at most MAX_DISPATCH = SQ_N SQEs per pass', (s) => s.k_disp <= N),
      invariant('FailClosed(d)', 'A.6 FailClosed(d): kernel memory stays bounded: len(k_backlog) <= CQ_N ∧ k_reserved <= CQ_N',
        (s) => s.k_backlog.length <= C && s.k_reserved <= C),
      invariant('FailClosed(e)', 'A.6 FailClosed(e): dispatch acts on the op validation saw (¬g_unvalidated_dispatch)', (s) => !s.g_unvalidated),
      invariant('FailClosed(f)', 'A.6 FailClosed(f): no kernel panic: cq_lock is held exactly while its holder is between P1 and P3, so every K path reaches K.Return',
        (s) => (s.cq_lock === 'K') === (s.k_pc === 'Post2' || s.k_pc === 'Post3') && (s.cq_lock === 'A') === (s.a_pc === 'Post2' || s.a_pc === 'Post3')),
      invariant('FailClosed(g)', 'A.6 FailClosed(g): a genuine request posted before a corruption is never posted again (g_posted stays a set)',
        (s) => isSet(s.g_post)),
    );
  }
  return out;
}

function goals(p: P): Goal<R>[] {
  const { N, C, K, MS, MC, adv } = cfgOf(p);
  const out: Goal<R>[] = [];
  if (K >= N) out.push(sometimes('SqFull', 'SQ_N SQEs published and not yet consumed by the kernel', (s) => dist(s.sq_tail_sh, s.k_sq_head, MS) === N));
  if (K >= C) out.push(sometimes('CqFull', 'CQ_N CQEs published and not yet released by the consumer', (s) => dist(s.cq_tail_sh, s.cq_head_sh, MC) === C));
  if (!adv && K > N && K > C) {
    out.push(sometimes('BothIndicesWrap', 'UP reused an SQ slot and UC consumed from a reused CQ slot', (s) => {
      if (s.next_id - 1 <= N) return false;
      let consumed = 0;
      for (let i = 1; i <= K; i++) consumed += s.g_cons.get(i);
      return consumed > C;
    }));
  }
  if (adv) {
    out.push(
      sometimes('RingErrorReported', 'K.SqCorrupt or K.CqCorrupt reported ERR_RING', (s) => s.g_rec >= 1),
      sometimes('RecoveryNopCompleted', 'after the error and with X exhausted, a NOP submitted on a consistent ring was consumed with OK', (s) => s.g_rec === 3),
    );
  }
  return out;
}

function liveness(p: P): LivenessProperty<R>[] {
  const { K, adv, proc } = cfgOf(p);
  const fair: Fairness[] = [WF({ actor: 'UP' }), WF({ actor: 'UC' }), WF({ actor: 'K' }), WF({ actor: 'A' })];
  // "UP.Enter recurs" (A.7): a user that keeps being able to enter does enter.
  // In proc the user is preempted by every kernel pass, so the user's actions are strongly fair there:
  // a timer poll that keeps stopping at a CALL does not starve the user thread.
  if (proc) fair.push(SF({ actor: 'UP' }), SF({ actor: 'UC' }), SF({ action: 'UP.Enter' }));
  if (!adv) {
    const outstanding = (s: R): boolean => { for (let i = 1; i < s.next_id && i <= K; i++) if (s.g_cons.get(i) === 0) return true; return false; };
    return [leadsTo('EventuallyCompleted', 'A.7: every submitted id is eventually consumed (p: some submitted id is unconsumed ~> q: none is)', outstanding, (s) => !outstanding(s), { fairness: fair })];
  }
  return [leadsTo('RingRecovers', 'A.7: with X exhausted and the ring consistent, a recovery NOP that is submitted is eventually consumed', (s) => s.g_rec === 2, (s) => s.g_rec === 3, { fairness: fair })];
}

export default defineModel<typeof params, S>({
  name: 'ring',
  description: 'capOS io_uring-style SPSC capability ring: SQ/CQ with kernel-private indices, CQ reservation, async completion under cq_lock, optional scribbling adversary (protocols.md A)',
  params,
  // With indices modulo 2·N (protocols.md A.3), N = 1 gives modulus 2, where no index value is "more than N ahead":
  // the adversary's corruptions could not even be represented, let alone detected.
  validate: (p) => (p.adversary > 0 && (p.slots < 2 || p.cqSlots < 2) ? '--adversary needs --slots >= 2 and --cq-slots >= 2 (with indices modulo 2·1 = 2 no corrupt index is representable)' : undefined),
  state: schema,
  init,
  actions,
  invariants,
  sometimes: goals,
  liveness,
  deadlock: (p) => {
    const { K, adv } = cfgOf(p);
    if (adv) return terminalStates<R>('the kernel is quiescent (K and A idle); with X on, the user side may be wedged by its own corruption', (s) => s.k_pc === 'Idle' && s.a_pc === 'Idle');
    return terminalStates<R>('every id submitted and consumed, every actor idle', (s) => {
      if (s.next_id !== K + 1 || s.up_pc !== 'Load' || s.uc_pc !== 'Load' || s.k_pc !== 'Idle' || s.a_pc !== 'Idle') return false;
      for (let i = 1; i <= K; i++) if (s.g_cons.get(i) === 0) return false;
      return true;
    });
  },
  mutants: MUTANTS,
  // Golden figures are recorded by the lead from trusted runs (mc check ring --update-golden).
  goldenFile: goldenFile(import.meta.url),
  ci: [
    { name: 'slots2', params: { slots: 2 } },
    { name: 'slots3', params: { slots: 3 } },
    { name: 'slots4', params: { slots: 4 } },
    { name: 'slots2-proc', params: { slots: 2, config: 'proc' } },
    { name: 'slots2-adv1', params: { slots: 2, adversary: 1 } },
    { name: 'slots2-adv2', params: { slots: 2, adversary: 2, ids: 2 } },
  ],
});
