// The asynchronous completer A (A.5): completes an in-flight CALLA, as an
// endpoint RETURN from another CPU would, and posts its CQE, a second CQ
// producer serialised with K by cq_lock.
import { M } from './mutants.js';
import { posting } from './post.js';
import { enc, type Cfg, type Kit, type V } from './state.js';

export function completerActions(c: Cfg, { action }: Kit) {
  const { K, adv, m } = c;
  const A3 = m === M.A3, A16 = m === M.A16;
  const { full, postPayload, postTail } = posting(c);
  const aFinishPost = (n: V): void => { n.a_pc = 'Idle'; n.a_id = 0; n.g_a_gen = false; };

  return [
    action({
      name: 'A.Complete', actor: 'A', over: Array.from({ length: K }, (_, i) => i + 1),
      guard: (s, id) => s.a_pc === 'Idle' && s.k_inflight.has(id),
      effect: (s, n, id) => {
        n.k_inflight.delete(id);
        n.a_id = id;
        n.g_a_gen = s.g_inflight_gen.has(id);
        n.g_inflight_gen.delete(id);
        n.a_pc = 'Post1';
      },
    }),
    action({
      name: 'A.Post1', actor: 'A',
      when: () => ({ a_pc: 'Post1' }),
      guard: (s) => s.cq_lock === 'free',
      effect: (s, n) => {
        const isFull = full(s);
        if (isFull && !A3) {
          if (!A16) n.k_backlog.push(enc(s.a_id, 'OK', !adv || s.g_a_gen)); // M-A16: the completion is dropped
          if (!adv) n.g_cq_full = true; // honest: a reserved completion found no room (NoLostCQE)
          aFinishPost(n);
          return;
        }
        if (isFull) n.g_bad_post = true;
        n.cq_lock = 'A';
        n.a_pc = 'Post2';
      },
    }),
    action({
      name: 'A.Post2', actor: 'A',
      when: () => ({ a_pc: 'Post2' }),
      effect: (s, n) => {
        postPayload(s, n, s.a_id, 'OK', s.g_a_gen);
        n.a_pc = 'Post3';
      },
    }),
    action({
      name: 'A.Post3', actor: 'A',
      when: () => ({ a_pc: 'Post3' }),
      effect: (s, n) => {
        postTail(s, n, s.a_id, 'OK', s.g_a_gen);
        aFinishPost(n);
      },
    }),
  ];
}
