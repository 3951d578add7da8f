// The mutants of protocols.md A.9, one line each in the model (branches on c.m).
// Each must be killed by one of the properties it names, in the parameters it names.
import type { MutantDef } from '../../explorer/model.js';
import type { params } from './state.js';

/** The mutant ids, as the model's branches name them (a misspelt one is a compile error). */
export const M = {
  A1: 'M-A1', A2: 'M-A2', A3: 'M-A3', A4: 'M-A4', A5: 'M-A5', A6: 'M-A6', A7: 'M-A7', A8: 'M-A8',
  A9: 'M-A9', A10: 'M-A10', A11: 'M-A11', A12: 'M-A12', A13: 'M-A13',
} as const;

export const MUTANTS: readonly MutantDef<typeof params>[] = [
  {
    id: M.A1,
    kills: ['NoDoubleDelivery', 'NoLostCQE'],
    why: 'K.Release publishes sq_head before K.Copy: the producer reuses the slot and the kernel copies the newer SQE (dispatched twice, the older one never)',
    params: { adversary: 0 },
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
    params: { adversary: 1 },
  },
  {
    id: M.A4,
    kills: ['NoDoubleDelivery'],
    why: 'K reloads its SQ head from the shared sq_head_sh instead of its private k_sq_head; the adversary rewinds it and the kernel dispatches the same SQE again',
    params: { adversary: 1 },
  },
  {
    id: M.A5,
    kills: ['TailHeadBound', 'FailClosed(a)'],
    why: 'K.Snap skips the sq_avail > SQ_N test: a corrupted sq_tail makes the kernel copy outside the valid window',
    params: { adversary: 1 },
  },
  {
    id: M.A6,
    kills: ['FailClosed(b)'],
    why: 'K.SqCorrupt reports but does not resync k_sq_head: the next pass re-processes the same bad window',
    params: { adversary: 1 },
  },
  {
    id: M.A7,
    kills: ['FailClosed(e)'],
    why: 'validation reads sqe[..].op from shared memory and dispatch re-reads it (double fetch): dispatch can act on an op validation never saw',
    params: { adversary: 1 },
  },
  {
    id: M.A8,
    kills: ['NoLostCQE', 'FailClosed(d)'],
    why: 'K.Pick ignores k_reserved (no back-pressure): asynchronous CALLA completions outnumber CQ slots and pile up in the backlog',
    params: { adversary: 0 },
  },
  {
    id: M.A9,
    kills: ['FailClosed(c)'],
    why: 'K.Pick drops the MAX_DISPATCH test: with a limit below SQ_N one pass dispatches every SQE of its snapshot (with MAX_DISPATCH = SQ_N the snapshot test alone bounds the pass, so the limit needs --max-dispatch 1 to show)',
    params: { adversary: 1, maxDispatch: 1 },
  },
  {
    id: M.A10,
    kills: ['FailClosed(d)'],
    why: "K.Pick's back-pressure test is off by one (cq_used + k_reserved <= CQ_N): the kernel reserves one completion more than the CQ holds, so its owed completions exceed CQ_N",
    params: { adversary: 1 },
  },
  {
    id: M.A11,
    kills: ['FailClosed(f)'],
    why: "K.Post1's early exit on a full CQ (the completion goes to the backlog) keeps cq_lock: K goes on to K.Pick holding the lock, and the next post by K or A waits for it forever",
    params: { adversary: 1 },
  },
  {
    id: M.A12,
    kills: ['KernelReturns'],
    why: 'K.CqCorrupt starts the pass over (re-snaps) instead of returning ERR_RING: while the user does not repair cq_head the kernel spins in cap_enter and never returns',
    params: { adversary: 1 },
  },
  {
    id: M.A13,
    kills: ['Deadlock'],
    why: 'K.CqCorrupt waits for the user to repair cq_head instead of returning ERR_RING: a user that never does leaves the kernel blocked in the pass for good',
    params: { adversary: 1 },
  },
];
