// The ring's parameters, state schema and initial state (protocols.md A.3, A.4),
// and the small encodings the actors share.
import { enumParam, intParam, type Ctx } from '../../explorer/model.js';
import type { ModelKit } from '../../explorer/kit.js';
import { array, bool, enumOf, int, list, record, setOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';

export const params = {
  slots: intParam({ min: 1, max: 8, default: 2, help: 'SQ entries SQ_N (indices run modulo 2*SQ_N)' }),
  cqSlots: intParam({ min: 1, max: 8, default: (p) => p.slots as number, help: 'CQ entries CQ_N (default: same as --slots)' }),
  ids: intParam({ min: 1, max: 12, default: (p) => Math.max(p.slots as number, p.cqSlots as number) + 1, help: 'requests UP submits, ids 1..ids (default max(slots, cq-slots)+1, so both indices wrap)' }),
  adversary: intParam({ min: 0, max: 4, default: 0, help: 'scribble budget of the adversary X (0: honest configuration, no X)' }),
  config: enumParam(['loom3', 'proc'], { default: 'loom3', help: 'loom3: UP, UC and K free-running threads; proc: user steps and the kernel pass (cap_enter or timer poll) exclude each other (A.2)' }),
};
export type P = Ctx<typeof params>;

export const OPS = ['NONE', 'NOP', 'CALLA', 'BAD'] as const;
export type Op = (typeof OPS)[number];
const RES = ['OK', 'ERR_INVALID'] as const;
export type Res = (typeof RES)[number];
const KPC = ['Idle', 'Entered', 'Pick', 'Copy', 'Release', 'Dispatch', 'Post1', 'Post2', 'Post3', 'SqCorrupt', 'CqCorrupt'] as const;

/** Everything derived from the parameters that the actions and properties need. */
export interface Cfg {
  readonly N: number; readonly C: number; readonly K: number;
  /** Index moduli 2*SQ_N and 2*CQ_N. */
  readonly MS: number; readonly MC: number;
  readonly adv: boolean; readonly budget: number; readonly proc: boolean;
  readonly m: string | null;
}
export const cfgOf = (p: P): Cfg => ({
  N: p.slots, C: p.cqSlots, K: p.ids, MS: 2 * p.slots, MC: 2 * p.cqSlots, adv: p.adversary > 0, budget: p.adversary, proc: p.config === 'proc',
  m: p.mutant,
});

/** Distance from b to a of two free-running indices modulo m (A.3). */
export const dist = (a: number, b: number, m: number): number => (a - b + m) % m;

export function schema(p: P) {
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
    // One more than MAX_DISPATCH = SQ_N, so a pass that dispatches too many is a FailClosed(c) violation, not a
    // domain error; K.Dispatch saturates the count there.
    k_disp: int(0, N + 1),
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
    g_cq_full: bool(),
    g_reprocessed: bool(),
    g_unvalidated: bool(),
    g_bad_seen: int(0, MS * MS),
    g_rec: int(0, 3),
    g_rec_id: int(0, K),
  };
}
export type S = ReturnType<typeof schema>;
/** The successor's writable view, for helpers that write a state. */
export type V = StateView<S>;
/** The read-only view, for helpers that read one (guards, properties). */
export type R = ReadonlyStateView<S>;
/** The typed helpers defineModel hands every model function (`action`, `invariant`, ...). */
export type Kit = ModelKit<S>;

export function init(p: P) {
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
    g_stale_read: false, g_pair_bad: false, g_bad_dispatch: false, g_bad_post: false, g_cq_full: false, g_reprocessed: false, g_unvalidated: false,
    g_bad_seen: 0, g_rec: 0, g_rec_id: 0,
  }];
}

// Backlog entries (id, res, genuine) packed into one small int.
export const enc = (id: number, res: Res, gen: boolean): number => ((id * 2 + (res === 'OK' ? 0 : 1)) * 2) + (gen ? 1 : 0);
export const decId = (x: number): number => x >> 2;
export const decRes = (x: number): Res => (((x >> 1) & 1) === 0 ? 'OK' : 'ERR_INVALID');
export const decGen = (x: number): boolean => (x & 1) === 1;

/** A saturating ghost counter: 0, 1, then 2 for "more than once". */
export const sat = (x: number): number => (x >= 2 ? 2 : x + 1);
