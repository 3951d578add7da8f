// Posting a CQE, the three steps both CQ producers (K and A) take under cq_lock
// (A.5 P1-P3): P1 locks, loads cq_head and checks for space; P2 writes the
// payload; P3 publishes cq_tail and unlocks. M-A2 swaps P2 and P3.
import { M } from './mutants.js';
import { dist, sat, type Cfg, type R, type Res, type V } from './state.js';

export function posting(c: Cfg) {
  const { C, MC, adv, m } = c;
  const A2 = m === M.A2;

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

  return {
    /** P1's test, on the cq_head it loads: no room for another CQE. */
    full: (s: R): boolean => dist(s.k_cq_tail, s.cq_head_sh, MC) >= C,
    /** P2: the payload (M-A2: cq_tail, published before the payload). */
    postPayload: (s: R, n: V, id: number, res: Res, gen: boolean): void => {
      if (A2) publishTail(s, n, id, gen);
      else writePayload(n, s.k_cq_tail, id, res);
    },
    /** P3: cq_tail (M-A2: the payload, into the slot already published), then cq_lock is released. */
    postTail: (s: R, n: V, id: number, res: Res, gen: boolean): void => {
      if (A2) writePayload(n, (s.k_cq_tail + MC - 1) % MC, id, res);
      else publishTail(s, n, id, gen);
      n.cq_lock = 'free';
    },
  };
}
