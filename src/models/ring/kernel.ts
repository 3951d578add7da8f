// The kernel dispatcher K (A.5): one pass on cap_enter or a timer poll. It
// snapshots the shared indices, detects a corrupt window, drains its backlog,
// then dispatches SQEs one at a time: reserve a CQ slot, copy the SQE once,
// release the SQ slot, validate and act on the copy, post the result.
import { cqRoom, kernelHasWork, sqCorrupt } from './kernel-checks.js';
import { M } from './mutants.js';
import { posting } from './post.js';
import { decGen, decId, decRes, dist, enc, sat, type Cfg, type Kit, type Op, type R, type V } from './state.js';

/** End of the pass: scratch registers back to 0 so equivalent states coincide. */
const kReturn = (n: V): void => {
  n.k_snap_t = 0; n.k_snap_ch = 0; n.k_disp = 0; n.k_timer = false; n.k_flush = false;
  n.k_pc = 'Idle';
};

/** K.Snap to K.Dispatch: the start of a pass and the dispatch of one SQE. */
export function kernelPassActions(c: Cfg, { action }: Kit) {
  const { N, C, MS, MC, adv, proc, m } = c;
  const A1 = m === M.A1, A4 = m === M.A4, A7 = m === M.A7, A8 = m === M.A8, A9 = m === M.A9;
  const A14 = m === M.A14, A19 = m === M.A19, A21 = m === M.A21;
  const kWork = kernelHasWork(c);
  const room = cqRoom(c);
  const sqBad = sqCorrupt(c);

  /** K.Pick's test: budget left (MAX_DISPATCH = SQ_N), an SQE in the snapshot, and a CQ slot to reserve. */
  const canPick = (s: R): boolean => {
    // M-A9: the loop tests the live indices (loaded again at each pick), not the pass's snapshot, and has no limit.
    const avail = dist(A9 ? s.sq_tail_sh : s.k_snap_t, s.k_sq_head, MS), used = dist(s.k_cq_tail, A9 ? s.cq_head_sh : s.k_snap_ch, MC);
    // k_disp is kept only where FailClosed(c) is checked (adversary on); without X the snapshot test (avail <= SQ_N)
    // bounds the pass. M-A21 wants two SQEs (avail > 1).
    return (!adv || A9 || s.k_disp < N) && (A21 ? avail > 1 : avail >= 1) && room(used, A8 ? 0 : s.k_reserved);
  };

  return [
    action({
      name: 'K.Snap', actor: 'K',
      guard: (s) => s.k_pc === 'Entered' || (s.k_pc === 'Idle' && kWork(s)),
      effect: (s, n) => {
        n.k_snap_t = s.sq_tail_sh; // acquire
        n.k_snap_ch = s.cq_head_sh; // acquire
        if (A4) n.k_sq_head = s.sq_head_sh; // the mutant trusts the shared head
        n.k_timer = proc && s.k_pc === 'Idle';
        const head = A4 ? s.sq_head_sh : s.k_sq_head;
        const avail = dist(s.sq_tail_sh, head, MS), used = dist(s.k_cq_tail, s.cq_head_sh, MC);
        if (sqBad(avail)) n.k_pc = 'SqCorrupt';
        else {
          n.g_bad_seen = 0; // FailClosed(b) compares consecutive SqCorrupt passes only
          if (used > C) n.k_pc = 'CqCorrupt';
          else if (s.k_backlog.length > 0) { n.k_flush = true; n.k_pc = 'Post1'; }
          else n.k_pc = 'Pick';
        }
      },
    }),
    action({
      name: 'K.Pick', actor: 'K',
      when: () => ({ k_pc: 'Pick' }),
      guard: (s) => canPick(s),
      effect: (s, n) => {
        if (A9) { n.k_snap_t = s.sq_tail_sh; n.k_snap_ch = s.cq_head_sh; } // M-A9: the indices just loaded become the window
        n.k_pc = A1 ? 'Release' : 'Copy';
      },
    }),
    action({
      // The other branch of K.Pick: nothing (more) to dispatch, cap_enter / the poll returns.
      name: 'K.Return', actor: 'K',
      when: () => ({ k_pc: 'Pick' }),
      guard: (s) => !canPick(s),
      effect: (_s, n) => { kReturn(n); },
    }),
    action({
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
    }),
    action({
      name: 'K.Release', actor: 'K',
      when: () => ({ k_pc: 'Release' }),
      effect: (s, n) => {
        n.sq_head_sh = (s.k_sq_head + 1) % MS; // release
        if (!A14) n.k_sq_head = n.sq_head_sh; // M-A14: the private head stays behind its published mirror
        if (A1) { n.k_pc = 'Copy'; return; }
        if (!adv || s.g_k_gen) n.g_disp.set(s.k_id, sat(s.g_disp.get(s.k_id)));
        n.k_pc = 'Dispatch';
      },
    }),
    action({
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
        if (adv) n.k_disp = Math.min(s.k_disp + 1, N + 1); // saturates one past MAX_DISPATCH
        n.k_op = 'NONE';
        n.k_reserved = s.k_reserved + 1; // a CQ slot is reserved for this SQE's completion
        if (valid && op === 'CALLA') {
          n.k_inflight.add(id);
          if (adv && s.g_k_gen) n.g_inflight_gen.add(id);
          n.k_id = 0; n.g_k_gen = false;
          n.k_pc = 'Pick';
        } else {
          // M-A19: an invalid SQE is answered like a NOP (OK), so the per-SQE error CQE is lost
          n.k_res = (valid && op === 'NOP') || (A19 && op !== 'CALLA') ? 'OK' : 'ERR_INVALID';
          n.k_pc = 'Post1';
        }
      },
    }),
  ];
}

/** K.Post1 to K.Post3: K posts the result it holds, or in flush mode the backlog's head. */
export function kernelPostActions(c: Cfg, { action }: Kit) {
  const { adv, m } = c;
  const A3 = m === M.A3, A11 = m === M.A11;
  const { full, postPayload, postTail } = posting(c);

  const kFinishPost = (n: V): void => {
    n.k_id = 0; n.k_res = 'OK'; n.g_k_gen = false;
    if (n.k_flush) {
      if (n.k_backlog.length > 0) n.k_pc = 'Post1';
      else { n.k_flush = false; n.k_pc = 'Pick'; }
    } else n.k_pc = 'Pick';
  };

  return [
    action({
      // acquire(cq_lock): in a cap_enter pass a blocking acquire; in a timer poll the success branch of try_acquire.
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
          if (!adv) n.g_cq_full = true; // honest: a reserved completion found no room (NoLostCQE)
          if (!A11) n.cq_lock = 'free'; // M-A11: this early exit keeps the lock
          n.k_id = 0; n.k_res = 'OK'; n.g_k_gen = false;
          n.k_pc = 'Pick';
          return;
        }
        if (isFull) n.g_bad_post = true;
        n.k_pc = 'Post2';
      },
    }),
    action({
      // A timer poll runs in interrupt context, which may only try_acquire (§1): K.Post1 above is the success branch,
      // this the failure branch. The poll defers its completion to the backlog (still reserved; the next pass flushes
      // it, as after a full CQ) and returns; a failed flush leaves the backlog as it is.
      name: 'K.TryFail', actor: 'K',
      when: () => ({ k_pc: 'Post1' }),
      guard: (s) => s.k_timer && s.cq_lock !== 'free',
      effect: (s, n) => {
        if (!s.k_flush) n.k_backlog.push(enc(s.k_id, s.k_res, !adv || s.g_k_gen));
        n.k_id = 0; n.k_res = 'OK'; n.g_k_gen = false;
        kReturn(n);
      },
    }),
    action({
      name: 'K.Post2', actor: 'K',
      when: () => ({ k_pc: 'Post2' }),
      effect: (s, n) => {
        postPayload(s, n, s.k_id, s.k_res, s.g_k_gen);
        n.k_pc = 'Post3';
      },
    }),
    action({
      name: 'K.Post3', actor: 'K',
      when: () => ({ k_pc: 'Post3' }),
      effect: (s, n) => {
        postTail(s, n, s.k_id, s.k_res, s.g_k_gen);
        kFinishPost(n);
      },
    }),
  ];
}

/** Adversary only: the pass found a corrupt SQ or CQ window (A.10.1) and reports ERR_RING. */
export function corruptionActions(c: Cfg, { action }: Kit) {
  const { N, C, MS, MC, m } = c;
  const A6 = m === M.A6, A12 = m === M.A12, A13 = m === M.A13;
  return [
    action({
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
    }),
    action({
      name: 'K.CqCorrupt', actor: 'K',
      when: () => ({ k_pc: 'CqCorrupt' }),
      // M-A13: the kernel waits for the user to repair cq_head (a blocking wait inside the pass).
      guard: (s) => !A13 || dist(s.k_cq_tail, s.cq_head_sh, MC) <= C,
      effect: (s, n) => {
        if (A12) { n.k_pc = 'Entered'; return; } // M-A12: the pass starts over (re-snaps) instead of returning ERR_RING
        // post nothing, dispatch nothing; owed completions stay reserved / backlogged
        if (s.g_rec === 0) n.g_rec = 1; // cap_enter returns ERR_RING
        kReturn(n);
      },
    }),
  ];
}
