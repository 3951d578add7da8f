// The userspace runtime (A.5): UP produces SQEs, UC consumes CQEs, and in the
// proc configuration UP enters the kernel (cap_enter).
import { kernelHasWork } from './kernel-checks.js';
import { M } from './mutants.js';
import { dist, sat, type Cfg, type Kit, type Op, type R } from './state.js';

const expectedRes = (op: Op): 'OK' | 'ERR_INVALID' => (op === 'NOP' || op === 'CALLA' ? 'OK' : 'ERR_INVALID');

/** In proc, the user's steps run only while the kernel is not running on its CPU. */
function userRunsIn(c: Cfg): (s: R) => boolean {
  const { proc } = c;
  return (s) => !proc || s.k_pc === 'Idle';
}

export function producerActions(c: Cfg, { action }: Kit) {
  const { N, C, K, MS, MC, adv, m } = c;
  const A18 = m === M.A18;
  const userRuns = userRunsIn(c);

  /** The ring as the user restores it before a recovery NOP (the premise of RingRecovers). */
  const consistent = (s: R): boolean =>
    s.k_pc === 'Idle' && s.uc_pc === 'Load' && s.cq_head_sh === s.u_cq_head && s.cq_tail_sh === s.k_cq_tail
    && dist(s.k_cq_tail, s.u_cq_head, MC) < C && dist(s.u_sq_tail, s.k_sq_head, MS) < N && s.sq_tail_sh === s.u_sq_tail;

  return [
    action({
      name: 'UP.LoadHead', actor: 'UP',
      // Load sq_head (acquire). A load that sees a full SQ leaves UP where it was (a stutter), so the
      // guard includes "the loaded head leaves room" and u_head_seen need not be kept.
      when: () => ({ up_pc: 'Load' }),
      // M-A18: the room test is off by one (<= SQ_N), so UP writes into a full SQ.
      guard: (s) => s.next_id <= K && userRuns(s) && dist(s.u_sq_tail, s.sq_head_sh, MS) < N + (A18 ? 1 : 0),
      effect: (_s, n) => { n.up_pc = 'Write'; },
    }),
    action({
      name: 'UP.WriteSqe', actor: 'UP', over: ['NOP', 'CALLA', 'BAD'],
      when: () => ({ up_pc: 'Write' }),
      guard: (s) => userRuns(s),
      effect: (s, n, op) => {
        const slot = s.u_sq_tail % N;
        const e = n.sqe.at(slot);
        e.op = op; e.id = s.next_id;
        if (adv) n.g_sq_pos.set(slot, s.u_sq_tail);
        else n.g_res.set(s.next_id, expectedRes(op));
        n.up_pc = 'Publish';
      },
    }),
    action({
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
    }),
  ];
}

export function consumerActions(c: Cfg, { action }: Kit) {
  const { C, MC, adv, m } = c;
  const A15 = m === M.A15, A20 = m === M.A20;
  const userRuns = userRunsIn(c);
  return [
    action({
      name: 'UC.LoadTail', actor: 'UC',
      // Load cq_tail (acquire). Seeing nothing new is a stutter (hence the guard). A tail more than CQ_N
      // ahead is impossible for an honest kernel: the runtime fails closed and consumes nothing.
      when: () => ({ uc_pc: 'Load' }),
      guard: (s) => userRuns(s) && s.cq_tail_sh !== s.u_cq_head,
      effect: (s, n) => {
        const d = dist(s.cq_tail_sh, s.u_cq_head, MC);
        if (A20 ? d >= C : d > C) return false; // M-A20: off by one, a full CQ counts as impossible
        n.uc_pc = 'Read'; // the loaded tail is consumed by this decision (one CQE per load), so it is not kept
      },
    }),
    action({
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
        if (!A15) n.u_cq_head = (u + 1) % MC; // M-A15: the runtime does not advance its head past the CQE
        n.uc_pc = 'Release';
      },
    }),
    action({
      name: 'UC.Release', actor: 'UC',
      when: () => ({ uc_pc: 'Release' }),
      guard: (s) => userRuns(s),
      effect: (s, n) => {
        n.cq_head_sh = s.u_cq_head; // release
        n.uc_pc = 'Load';
      },
    }),
  ];
}

/** proc only: cap_enter hands the CPU to the kernel for one pass; the user resumes when it returns. */
export function enterAction(c: Cfg, { action }: Kit) {
  const kWork = kernelHasWork(c);
  return action({
    name: 'UP.Enter', actor: 'UP',
    when: () => ({ k_pc: 'Idle' }),
    guard: (s) => s.up_pc === 'Load' && kWork(s),
    effect: (_s, n) => { n.k_pc = 'Entered'; },
  });
}
