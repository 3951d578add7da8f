// The ring's properties (A.6, A.7): invariants, reachability goals, liveness and
// the deadlock policy. The honest configuration and the adversary's check
// different sets (README, choice 15).
import { M } from './mutants.js';
import { dist, type Cfg, type Kit, type R } from './state.js';

export function invariants(c: Cfg, { invariant }: Kit) {
  const { N, C, K, MS, MC, adv, m } = c;
  const A2 = m === M.A2;
  const win = new Int32Array(K + 1); // scratch for the CQ window multiset

  /** Completions the kernel owes and holds in a register (reserved, not yet published). */
  const held = (s: R): number => {
    const k = (s.k_pc === 'Post1' && !s.k_flush) || s.k_pc === 'Post2' || (s.k_pc === 'Post3' && !A2) ? 1 : 0;
    const a = s.a_pc === 'Post1' || s.a_pc === 'Post2' || (s.a_pc === 'Post3' && !A2) ? 1 : 0;
    return k + a;
  };
  const accounted = (s: R): boolean => s.k_reserved === s.k_inflight.size + s.k_backlog.length + held(s);
  const isSet = (a: { get(i: number): number }): boolean => { for (let i = 1; i <= K; i++) if (a.get(i) > 1) return false; return true; };

  if (!adv) {
    return [
      invariant('TailHeadBound', 'A.6: 0 <= tail - head <= entries for both rings (win_sq <= SQ_N, win_cq <= CQ_N), and no copy outside the SQ window nor post into a full CQ (¬g_bad_dispatch ∧ ¬g_bad_post)',
        (s) => dist(s.u_sq_tail, s.k_sq_head, MS) <= N && dist(s.k_cq_tail, s.u_cq_head, MC) <= C && !s.g_bad_dispatch && !s.g_bad_post),
      invariant('NoLostCQE', 'A.6: posted − consumed = the ids in the live CQ window [u_cq_head, k_cq_tail), no reserved completion ever found the CQ full (so the backlog holds only what a timer poll deferred on a failed try_acquire), and every reserved completion is accounted for (in flight, backlogged or being posted)',
        (s) => {
          win.fill(0);
          for (let q = s.u_cq_head, k = 0; q !== s.k_cq_tail && k < MC; q = (q + 1) % MC, k++) win[s.cqe.at(q % C).id]!++;
          for (let i = 0; i <= K; i++) if (s.g_post.get(i) - s.g_cons.get(i) !== win[i]) return false;
          return !s.g_cq_full && accounted(s);
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
    ];
  }
  return [
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
  ];
}

export function goals(c: Cfg, { sometimes }: Kit) {
  const { N, C, K, MS, MC, adv } = c;
  const out = [];
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

export function liveness(c: Cfg, { leadsTo, WF, SF }: Kit) {
  const { K, adv, proc } = c;
  const fair = [WF({ actor: 'UP' }), WF({ actor: 'UC' }), WF({ actor: 'K' }), WF({ actor: 'A' })];
  // "UP.Enter recurs" (A.7): a user that keeps being able to enter does enter.
  // In proc the user is preempted by every kernel pass, so the user's actions are strongly fair there:
  // a timer poll that keeps stopping at a CALL does not starve the user thread.
  if (proc) fair.push(SF({ actor: 'UP' }), SF({ actor: 'UC' }), SF({ action: 'UP.Enter' }));
  if (!adv) {
    const outstanding = (s: R): boolean => { for (let i = 1; i < s.next_id && i <= K; i++) if (s.g_cons.get(i) === 0) return true; return false; };
    return [leadsTo('EventuallyCompleted', 'A.7: every submitted id is eventually consumed (p: some submitted id is unconsumed ~> q: none is)', outstanding, (s) => !outstanding(s), { fairness: fair })];
  }
  return [
    leadsTo('RingRecovers', 'A.7: with X exhausted and the ring consistent, a recovery NOP that is submitted is eventually consumed', (s) => s.g_rec === 2, (s) => s.g_rec === 3, { fairness: fair }),
    // A pass needs only K's own steps and A's (A may hold cq_lock): nothing of the user's, nor X's.
    leadsTo('KernelReturns', 'A.6 FailClosed(f) as liveness: every K path reaches K.Return (p: K is in a pass, k_pc ≠ Idle ~> q: K is idle again)',
      (s) => s.k_pc !== 'Idle', (s) => s.k_pc === 'Idle', { fairness: [WF({ actor: 'K' }), WF({ actor: 'A' })] }),
  ];
}

export function deadlock(c: Cfg, { terminalStates }: Kit) {
  const { K, adv } = c;
  if (adv) return terminalStates('the kernel is quiescent (K and A idle); with X on, the user side may be wedged by its own corruption', (s) => s.k_pc === 'Idle' && s.a_pc === 'Idle');
  return terminalStates('every id submitted and consumed, every actor idle', (s) => {
    if (s.next_id !== K + 1 || s.up_pc !== 'Load' || s.uc_pc !== 'Load' || s.k_pc !== 'Idle' || s.a_pc !== 'Idle') return false;
    for (let i = 1; i <= K; i++) if (s.g_cons.get(i) === 0) return false;
    return true;
  });
}
