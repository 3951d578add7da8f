// The kernel's DMA pool KP (D.4): allocation and the two-step map (ledger record,
// then PTE install), the reap of completions with the generation and epoch
// tests, and the drain, scrub and free that recycle a page.
import { M } from './mutants.js';
import { instanceArgs, isLive, unpin, type Cfg, type Kit, type Page, type R } from './state.js';

/** Is page pg mapped by any record? */
function recordedIn(c: Cfg): (s: R, pg: Page) => boolean {
  const { Ds, Is } = c;
  return (s, pg) => {
    for (const d of Ds) { const r = s.rec.get(d); for (const i of Is) if (r.get(i)?.page === pg) return true; }
    return false;
  };
}

/** KP.Alloc, KP.MapRecord, KP.InstallPte. */
export function mapActions(c: Cfg, { action }: Kit) {
  const { m } = c;
  const { DIs, DIHs, DPs } = instanceArgs(c);
  const recorded = recordedIn(c);
  return [
    action({
      name: 'KP.Alloc', actor: 'KP', over: DPs,
      when: ({ p }) => ({ [`page[${p}].st`]: 'Free' }),
      effect: (s, n, { d, p }) => {
        const pg = n.page.get(p);
        pg.st = 'Owned'; pg.owner = d;
        n.handles.get(d).add([p, s.page.get(p).gen, s.page.get(p).cycles]);
        n.g_drained.set(p, false);
      },
    }),
    action({
      // Step 1: the ledger record. The handle must be of the current allocation (gen and owner) and the page unmapped everywhere.
      name: 'KP.MapRecord', actor: 'KP', over: DIHs,
      when: () => ({ kp_inst: null }),
      guard: (s, { d, i, h }) => {
        const p = h[0], pg = s.page.get(p);
        return pg.st === 'Owned' && h[1] === pg.gen && pg.owner === d && s.handles.get(d).has(h) && s.rec.get(d).get(i) === null
          && s.pte.get(d).get(i) === null
          && (m === M.alias || !recorded(s, p))
          // [choice] not a page MGR is revoking (U1..U5 of its unmap): between U4 and U5 it is Owned and unrecorded (M-D14 drops this).
          && (s.um === null || s.um.p !== p || m === M.remapDuringUnmap);
      },
      effect: (s, n, { d, i, h }) => {
        if (!isLive(s, d, h)) n.g_stale_handle_accepted = true;
        if (m === M.D1) n.pte.get(d).set(i, h[0]); // M-D1: the PTE straight from the handle; the record comes second
        else n.rec.get(d).set(i, { page: h[0], gen: h[1] });
        n.kp_inst = { d, i };
      },
    }),
    action({
      // Step 2: the PTE install, from the record (re-checking the page's generation).
      name: 'KP.InstallPte', actor: 'KP', over: DIs,
      when: ({ d, i }) => ({ kp_inst: { d, i } }),
      effect: (s, n, { d, i }) => {
        n.kp_inst = null;
        if (m === M.D1) { // M-D1: write the record after the PTE
          const p = s.pte.get(d).get(i)!;
          n.rec.get(d).set(i, { page: p, gen: s.page.get(p).gen });
          return;
        }
        const r = s.rec.get(d).get(i);
        if (r !== null && s.page.get(r.page).gen === r.gen && s.pte.get(d).get(i) === null) n.pte.get(d).set(i, r.page);
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
    guard: (s, { d, x }) => { const q = s.q.get(d); return (q.enabled || m === M.reapWhileReset) && q.done.size !== 0 && q.done.has(x); },
    effect: (s, n, { d, x }) => {
      const p = x[1];
      n.q.get(d).done.delete(x);
      n.g_released.get(d).delete(x);
      const genOk = x[2] === s.page.get(p).gen;
      const epochOk = x[3] === s.q.get(d).epoch || m === M.D7; // M-D7: no epoch test
      if (genOk && epochOk) {
        if (s.g_released.get(d).has(x)) n.g_stale_completion_accepted = true; // its pin was already released by R2
        unpin(n, p);
      } else if (m === M.rejectUnpins) unpin(n, p); // else rejected: the completion is consumed, no unpin (M-D16: unpinned anyway)
    },
  });
}

/** KP.Drain, KP.Scrub, KP.Free. */
export function recycleActions(c: Cfg, { action }: Kit) {
  const { Pg, Ds, Is, G, m } = c;
  const recorded = recordedIn(c);
  return [
    action({
      name: 'KP.Drain', actor: 'KP', over: Pg,
      when: (pg) => ({ [`page[${pg}].st`]: 'Quarantined' }),
      guard: (s, pg) => s.page.get(pg).pins === 0,
      effect: (_s, n, pg) => { n.page.get(pg).st = 'Dirty'; n.g_drained.set(pg, true); },
    }),
    action({
      // [choice] scrubbing an already-zero page is a stutter (no step).
      name: 'KP.Scrub', actor: 'KP', over: Pg,
      when: (pg) => ({ [`page[${pg}].st`]: m === M.scrubWrongState ? 'Quarantined' : 'Dirty' }), // M-D13: the wrong state
      guard: (s, pg) => s.page.get(pg).content !== 'Zero',
      effect: (_s, n, pg) => { n.page.get(pg).content = 'Zero'; },
    }),
    action({
      // [choice] D.4's guard also asks for no IOTLB entry → p. The kernel cannot read the IOTLB, and NoStrayDMA already
      // requires iotlb → p ⇒ p Owned, so with p Dirty that clause fails only in a state NoStrayDMA rejects (README).
      name: 'KP.Free', actor: 'KP', over: Pg,
      guard: (s, pg) => {
        const x = s.page.get(pg);
        if (x.st !== 'Dirty' || (x.content !== 'Zero' && m !== M.D6) || x.pins !== 0 || x.cycles >= G) return false; // M-D6: no content=Zero test
        if (recorded(s, pg)) return false;
        for (const d of Ds) for (const i of Is) if (s.pte.get(d).get(i) === pg) return false;
        return true;
      },
      effect: (s, n, pg) => {
        const x = n.page.get(pg), o = s.page.get(pg);
        x.st = 'Free'; x.owner = null; x.cycles = o.cycles + 1;
        if (m !== M.D3) x.gen = o.gen + 1; // M-D3: the generation stays
      },
    }),
  ];
}
