// The tests K's pass makes on the indices (A.5 K.Snap, K.Pick), shared by the
// kernel's actions and by UP.Enter: the SQ corruption test, the CQ
// back-pressure test, and whether a pass started now would do anything.
import { M } from './mutants.js';
import { dist, type Cfg, type R } from './state.js';

/** K.Pick's back-pressure: a CQ slot is left to reserve (M-A10: off by one, one reservation more than the CQ holds). */
export function cqRoom(c: Cfg): (used: number, reserved: number) => boolean {
  const { C, m } = c;
  if (m === M.A10) return (used, reserved) => used + reserved <= C;
  return (used, reserved) => used + reserved < C;
}

/** K.Snap's SQ corruption test, sq_avail > SQ_N (M-A5: dropped; M-A17: off by one, a full SQ counts as corrupt). */
export function sqCorrupt(c: Cfg): (avail: number) => boolean {
  const { N, m } = c;
  if (m === M.A5) return () => false;
  if (m === M.A17) return (avail) => avail >= N;
  return (avail) => avail > N;
}

/** Would a kernel pass started now do anything (dispatch, flush, or find corruption)? A pass that would not is a stutter. */
export function kernelHasWork(c: Cfg): (s: R) => boolean {
  const { N, C, MS, MC, m } = c;
  const A4 = m === M.A4, A8 = m === M.A8;
  const room = cqRoom(c);
  const sqBad = sqCorrupt(c);
  return (s) => {
    const head = A4 ? s.sq_head_sh : s.k_sq_head;
    const avail = dist(s.sq_tail_sh, head, MS), used = dist(s.k_cq_tail, s.cq_head_sh, MC);
    if (sqBad(avail)) return true;
    if (used > C) return true;
    if (s.k_backlog.length > 0 && used < C) return true;
    return avail >= 1 && room(used, A8 ? 0 : s.k_reserved);
  };
}
