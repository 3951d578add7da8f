// The mutants of protocols.md A.9, one line each in the model (branches on c.m).
// Each must be killed by one of the properties it names, in the parameters it names.
import type { MutantDef } from '../../explorer/model.js';
import type { params } from './state.js';

/** The mutant ids, as the model's branches name them (a misspelt one is a compile error). */
export const M = {
  A1: 'M-A1', A2: 'M-A2', A3: 'M-A3', A4: 'M-A4', A5: 'M-A5', A6: 'M-A6', A7: 'M-A7', A8: 'M-A8',
  A9: 'M-A9', A10: 'M-A10', A11: 'M-A11', A12: 'M-A12', A13: 'M-A13', A14: 'M-A14', A15: 'M-A15', A16: 'M-A16',
  A17: 'M-A17', A18: 'M-A18', A19: 'M-A19', A20: 'M-A20', A21: 'M-A21',
} as const;

// Where a mutant runs, whatever configuration `mc mutate ring <params>` names (its params win, choice 24).
// ADV: the adversary mutants run at slots2-adv1's size. At 3 or 4 slots, or CQ_N = 4, X makes the space tens of
// millions of states, which a liveness kill (M-A12, M-A17) must explore whole; and in proc the user cannot run
// during a pass, which M-A9's live loop needs.
const ADV = { adversary: 1, slots: 2, cqSlots: 2, config: 'loom3' } as const;
// WRAP: the honest mutants whose bug needs more requests than SQ slots (overrunning a full SQ: M-A18) or than CQ
// slots (completions piling up: M-A8). 5 is the default at the largest CI sizes (slots4, slots2-cq4); the adversary
// configurations run 2 or 3 requests, where these bugs cannot happen. M-A1 (the producer reusing a slot) needs the
// same, but runs at slots2's size: test/cli.test.ts pins its --continue figures there.
const WRAP = { adversary: 0, ids: 5 } as const;

export const MUTANTS: readonly MutantDef<typeof params>[] = [
  {
    id: M.A1,
    kills: ['NoDoubleDelivery', 'NoLostCQE'],
    why: 'K.Release publishes sq_head before K.Copy: the producer reuses the slot and the kernel copies the newer SQE (dispatched twice, the older one never). It needs the producer to run during a kernel pass, so it is checked in loom3: in proc a pass excludes the user thread and the mutant is harmless',
    params: { adversary: 0, config: 'loom3', slots: 2, cqSlots: 2, ids: 3 },
  },
  {
    id: M.A2,
    kills: ['NoStaleCQERead', 'NoDoubleDelivery'],
    why: 'K.Post swaps P2 and P3: cq_tail is published before the CQE payload is written, so the consumer can read a stale slot',
    params: { adversary: 0 },
  },
  {
    id: M.A3,
    kills: ['NoLostCQE', 'TailHeadBound'],
    why: 'P1 drops the CQ space check: a post overwrites a slot the consumer still owns when cq_head looks full (needs the adversary: reservation alone keeps the honest CQ from filling)',
    params: ADV,
  },
  {
    id: M.A4,
    kills: ['NoDoubleDelivery'],
    why: 'K reloads its SQ head from the shared sq_head_sh instead of its private k_sq_head; the adversary rewinds it and the kernel dispatches the same SQE again',
    params: ADV,
  },
  {
    id: M.A5,
    kills: ['FailClosed(a)'],
    why: 'K.Snap skips the sq_avail > SQ_N test: a corrupted sq_tail makes the kernel copy outside the valid window',
    params: ADV,
  },
  {
    id: M.A6,
    kills: ['FailClosed(b)'],
    why: 'K.SqCorrupt reports but does not resync k_sq_head: the next pass re-processes the same bad window',
    params: ADV,
  },
  {
    id: M.A7,
    kills: ['FailClosed(e)'],
    why: 'validation reads sqe[..].op from shared memory and dispatch re-reads it (double fetch): dispatch can act on an op validation never saw',
    params: ADV,
  },
  {
    id: M.A8,
    kills: ['NoLostCQE', 'FailClosed(d)'],
    why: 'K.Pick ignores k_reserved (no back-pressure): asynchronous CALLA completions outnumber CQ slots and pile up in the backlog',
    params: WRAP,
  },
  {
    id: M.A9,
    kills: ['FailClosed(c)'],
    why: "the dispatch loop tests the live sq_tail and cq_head (loaded again at each K.Pick) instead of the pass's snapshot, and has no MAX_DISPATCH limit: a user that keeps publishing SQEs and consuming CQEs keeps the kernel in one pass, past SQ_N dispatches (dropping the limit alone changes nothing: the snapshot and the CQ reservations each bound a pass)",
    params: ADV,
  },
  {
    id: M.A10,
    kills: ['FailClosed(d)'],
    why: "K.Pick's back-pressure test is off by one (cq_used + k_reserved <= CQ_N): the kernel reserves one completion more than the CQ holds, so its owed completions exceed CQ_N",
    params: ADV,
  },
  {
    id: M.A11,
    kills: ['FailClosed(f)'],
    why: "K.Post1's early exit on a full CQ (the completion goes to the backlog) keeps cq_lock: K goes on to K.Pick holding the lock, and the next post by K or A waits for it forever",
    params: ADV,
  },
  {
    id: M.A12,
    kills: ['KernelReturns'],
    why: 'K.CqCorrupt starts the pass over (re-snaps) instead of returning ERR_RING: while the user does not repair cq_head the kernel spins in cap_enter and never returns',
    params: ADV,
  },
  {
    id: M.A13,
    kills: ['Deadlock'],
    why: 'K.CqCorrupt waits for the user to repair cq_head instead of returning ERR_RING: a user that never does leaves the kernel blocked in the pass for good',
    params: ADV,
  },
  {
    id: M.A14,
    kills: ['FailClosed(g)'],
    why: "K.Release publishes sq_head but leaves the kernel's private k_sq_head behind: the kernel copies the same SQE again and posts a completion it already posted",
    params: ADV,
  },
  {
    id: M.A15,
    kills: ['NoDoubleDelivery'],
    why: 'UC.ReadCqe does not advance the runtime\'s private head u_cq_head: the runtime hands the same CQE to the application twice (a killer that needs no concurrency between the user and K, so it also works in proc, where M-A1 cannot show)',
    params: { adversary: 0 },
  },
  {
    id: M.A16,
    kills: ['NoLostCQE'],
    why: 'A drops its completion when the CQ looks full instead of keeping it in the backlog (overflow by dropping): a reserved completion is never posted',
    params: ADV,
  },
  {
    id: M.A17,
    kills: ['RingRecovers'],
    why: "K.Snap's SQ corruption test is off by one (sq_avail >= SQ_N): a full, legitimate SQ is treated as corrupt and skipped by the resync, so a recovery NOP submitted behind one pending SQE is never dispatched (that takes three requests, hence ids 3 also where a configuration has 2)",
    params: { ...ADV, ids: 3 },
  },
  {
    id: M.A18,
    kills: ['TailHeadBound'],
    why: "UP.LoadHead's room test is off by one (dist(u_sq_tail, sq_head) <= SQ_N): the runtime writes into a full SQ over an SQE the kernel has not copied, and its window exceeds SQ_N",
    params: WRAP,
  },
  {
    id: M.A19,
    kills: ['Pairing'],
    why: 'K.Dispatch answers a structurally invalid SQE like a NOP (OK): the per-SQE error CQE is lost and the CQE does not carry the result of its own SQE',
    params: { adversary: 0 },
  },
  {
    id: M.A20,
    kills: ['Deadlock'],
    why: "UC.LoadTail's fail-closed test is off by one (a tail CQ_N ahead counts as impossible): once the CQ is full the runtime never consumes again, and with the CQ full the kernel cannot post",
    params: { adversary: 0 },
  },
  {
    id: M.A21,
    kills: ['EventuallyCompleted'],
    why: "K.Pick's SQ test is off by one (dist(snap_t, k_sq_head) > 1): the last SQE is never dispatched while the kernel keeps starting passes that do nothing, a livelock no invariant and no deadlock sees",
    params: { adversary: 0 },
  },
];
