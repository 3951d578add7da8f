// The kernel's DMA pool KP (D.4): allocation and the two-step map (ledger record,
// then PTE install), the reap of completions with the generation and epoch
// tests, and the drain, scrub and free that recycle a page.
import { M } from './mutants.js';
import { handleIndex, instanceArgs, isLive, unpin, type Cfg, type Kit, type R } from './state.js';

/** Is page pg mapped by any record? */
function recordedIn(c: Cfg): (s: R, pg: number) => boolean {
  const { ND, NI } = c;
  return (s, pg) => {
    for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (s.rec.at(d).at(i).page === pg + 1) return true;
    return false;
  };
}

/** KP.Alloc, KP.MapRecord, KP.InstallPte. */
export function mapActions(c: Cfg, { action }: Kit) {
  const { NI, m } = c;
  const { DIs, DIHs, DPs } = instanceArgs(c);
  const recorded = recordedIn(c);
  return [
    action({
      name: 'KP.Alloc', actor: 'KP', over: DPs,
      guard: (s, a) => s.page.at(a.p).st === 'Free',
      effect: (s, n, a) => {
        const pg = n.page.at(a.p);
        pg.st = 'Owned'; pg.owner = a.d;
        n.handles.at(a.d).add(handleIndex(c, a.p, s.page.at(a.p).gen, s.page.at(a.p).cycles));
        n.g_drained.set(a.p, false);
      },
    }),
    action({
      // Step 1: the ledger record. The handle must be of the current allocation (gen and owner) and the page unmapped everywhere.
      name: 'KP.MapRecord', actor: 'KP', over: DIHs,
      guard: (s, a) => {
        if (s.kp_inst !== 0 || !s.handles.at(a.d).has(a.h)) return false;
        const pgn = c.hP[a.h]!, pg = s.page.at(pgn);
        return pg.st === 'Owned' && c.hG[a.h] === pg.gen && pg.owner === a.d && s.rec.at(a.d).at(a.i).page === 0
          && s.pte.at(a.d).get(a.i) === 0
          && (m === M.alias || !recorded(s, pgn))
          // [choice] not a page MGR is revoking (U1..U5 of its unmap): between U4 and U5 it is Owned and unrecorded (M-D14 drops this).
          && (s.um_pc === 'Idle' || s.um_p !== pgn || m === M.remapDuringUnmap);
      },
      effect: (s, n, a) => {
        const pgn = c.hP[a.h]!;
        if (!isLive(c, s, a.d, a.h)) n.g_stale_handle_accepted = true;
        if (m === M.D1) n.pte.at(a.d).set(a.i, pgn + 1); // M-D1: the PTE straight from the handle; the record comes second
        else { const r = n.rec.at(a.d).at(a.i); r.page = pgn + 1; r.gen = c.hG[a.h]!; }
        n.kp_inst = 1 + a.d * NI + a.i;
      },
    }),
    action({
      // Step 2: the PTE install, from the record (re-checking the page's generation).
      name: 'KP.InstallPte', actor: 'KP', over: DIs,
      guard: (s, a) => s.kp_inst === 1 + a.d * NI + a.i,
      effect: (s, n, a) => {
        n.kp_inst = 0;
        if (m === M.D1) { // M-D1: write the record after the PTE
          const pgn = s.pte.at(a.d).get(a.i) - 1;
          const r = n.rec.at(a.d).at(a.i); r.page = pgn + 1; r.gen = s.page.at(pgn).gen;
          return;
        }
        const r = s.rec.at(a.d).at(a.i);
        if (r.page !== 0 && s.page.at(r.page - 1).gen === r.gen && s.pte.at(a.d).get(a.i) === 0) n.pte.at(a.d).set(a.i, r.page);
      },
    }),
  ];
}

/** KP.Reap: a completion is unpinned only if its generation and its epoch are both current. */
export function reapAction(c: Cfg, { action }: Kit) {
  const { m } = c;
  const { DXs } = instanceArgs(c);
  return action({
    name: 'KP.Reap', actor: 'KP', over: DXs,
    // [choice] KP reaps an enabled queue's completions; a queue under reset is drained by R2 instead (M-D10 drops this).
    guard: (s, a) => s.q.at(a.d).done.has(a.x) && (s.q.at(a.d).enabled || m === M.reapWhileReset),
    effect: (s, n, a) => {
      const pgn = c.xP[a.x]!;
      n.q.at(a.d).done.delete(a.x);
      n.g_released.at(a.d).delete(a.x);
      const genOk = c.xG[a.x] === s.page.at(pgn).gen;
      const epochOk = c.xE[a.x] === s.q.at(a.d).epoch || m === M.D7; // M-D7: no epoch test
      if (genOk && epochOk) {
        if (s.g_released.at(a.d).has(a.x)) n.g_stale_completion_accepted = true; // its pin was already released by R2
        unpin(n, pgn);
      } else if (m === M.rejectUnpins) unpin(n, pgn); // else rejected: the completion is consumed, no unpin (M-D16: unpinned anyway)
    },
  });
}

/** KP.Drain, KP.Scrub, KP.Free. */
export function recycleActions(c: Cfg, { action }: Kit) {
  const { ND, NI, G, m } = c;
  const { Ps } = instanceArgs(c);
  const recorded = recordedIn(c);
  return [
    action({
      name: 'KP.Drain', actor: 'KP', over: Ps,
      guard: (s, pg) => s.page.at(pg).st === 'Quarantined' && s.page.at(pg).pins === 0,
      effect: (_s, n, pg) => { n.page.at(pg).st = 'Dirty'; n.g_drained.set(pg, true); },
    }),
    action({
      // [choice] scrubbing an already-zero page is a stutter (no step).
      name: 'KP.Scrub', actor: 'KP', over: Ps,
      guard: (s, pg) => s.page.at(pg).st === (m === M.scrubWrongState ? 'Quarantined' : 'Dirty') && s.page.at(pg).content !== 0,
      effect: (_s, n, pg) => { n.page.at(pg).content = 0; },
    }),
    action({
      // [choice] D.4's guard also asks for no IOTLB entry → p. The kernel cannot read the IOTLB, and NoStrayDMA already
      // requires iotlb → p ⇒ p Owned, so with p Dirty that clause fails only in a state NoStrayDMA rejects (README).
      name: 'KP.Free', actor: 'KP', over: Ps,
      guard: (s, pg) => {
        const x = s.page.at(pg);
        if (x.st !== 'Dirty' || (x.content !== 0 && m !== M.D6) || x.pins !== 0 || x.cycles >= G) return false; // M-D6: no content=Zero test
        if (recorded(s, pg)) return false;
        for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (s.pte.at(d).get(i) === pg + 1) return false;
        return true;
      },
      effect: (s, n, pg) => {
        const x = n.page.at(pg), o = s.page.at(pg);
        x.st = 'Free'; x.owner = -1; x.cycles = o.cycles + 1;
        if (m !== M.D3) x.gen = o.gen + 1; // M-D3: the generation stays
      },
    }),
  ];
}
