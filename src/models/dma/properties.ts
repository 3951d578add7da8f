// The dma model's properties (D.5, D.6): invariants, reachability goals,
// liveness (only with a publish budget) and the deadlock policy. Every invariant,
// goal and the deadlock policy quantify over all devices, pages and IOVAs, so they
// are symmetric in the scalarsets; the liveness properties are stated for page p1
// and so are checked without symmetry (README: Symmetry).
import { isLive, type Cfg, type Desc, type Dev, type Iova, type Kit, type Page, type R } from './state.js';

/** Descriptors of queue d that still hold a pin: in flight, or completed and not released by a reset drain. */
function outstanding(s: R, d: Dev, f: (x: Desc) => boolean): boolean {
  const q = s.q.get(d), rel = s.g_released.get(d), none = rel.size === 0;
  for (const x of q.inflight) if (!f(x)) return false;
  for (const x of q.done) if ((none || !rel.has(x)) && !f(x)) return false;
  return true;
}

export function invariants(c: Cfg, { invariant, implies }: Kit) {
  const { Ds, Ps, Is } = c;
  const allDI = (f: (d: Dev, i: Iova) => boolean): boolean => { for (const d of Ds) for (const i of Is) if (!f(d, i)) return false; return true; };
  const allP = (f: (pg: Page) => boolean): boolean => { for (const pg of Ps) if (!f(pg)) return false; return true; };
  /** Every descriptor in flight on any queue satisfies f. */
  const inflightOn = (s: R, f: (x: Desc) => boolean): boolean => { for (const d of Ds) for (const x of s.q.get(d).inflight) if (!f(x)) return false; return true; };
  const pinnable = (st: string): boolean => st === 'Owned' || st === 'Quarantined';
  return [
    invariant('RecordBeforePteInstall', 'D.5: pte[D][i]=p ⇒ rec[D][i]≠⊥ ∧ rec[D][i].page=p',
      (s) => allDI((d, i) => { const t = s.pte.get(d).get(i); return t === null || s.rec.get(d).get(i)?.page === t; })),
    invariant('NoStrayDMA', 'D.5: no DMA reached a page not Owned by the device through its recorded IOVA (¬g_stray_dma), and (pte[D][i]=p ∨ iotlb[D][i]=p) ⇒ page[p] Owned by devOf(D)',
      (s) => !s.g_stray_dma && allDI((d, i) => ownedBy(s, s.pte.get(d).get(i), d) && ownedBy(s, s.iotlb.get(d).get(i), d))),
    invariant('DrivePin', 'D.5: pins>0 ⇒ st ∈ {Owned, Quarantined}; and the page is never Dirty or Free while a descriptor in flight (one the device can still DMA with) names it',
      (s) => allP((pg) => { const x = s.page.get(pg); return x.pins <= 0 || pinnable(x.st); }) && inflightOn(s, (x) => pinnable(s.page.get(x[1]).st))),
    implies('Quarantine', 'D.5: no record maps p ∧ pins[p]>0 (and no unmap of p between U4 and U5) ⇒ st=Quarantined',
      (s) => { const recd = recordedPages(c, s); for (const pg of Ps) if (quarantineAntecedent(s, recd, pg)) return true; return false; },
      (s) => { const recd = recordedPages(c, s); return allP((pg) => !quarantineAntecedent(s, recd, pg) || s.page.get(pg).st === 'Quarantined'); }),
    invariant('ScrubBeforeFree', 'D.5: st=Free ⇒ content=Zero', (s) => allP((pg) => { const x = s.page.get(pg); return x.st !== 'Free' || x.content === 'Zero'; })),
    invariant('StaleHandleRejected', 'D.5: ¬g_stale_handle_accepted (no handle of a freed allocation passes the gate of Publish or MapRecord)', (s) => !s.g_stale_handle_accepted),
    invariant('StaleCompletionRejected', 'D.5: ¬g_stale_completion_accepted (no completion whose pin a reset released, or whose page was recycled, is accepted by Reap)', (s) => !s.g_stale_completion_accepted),
    invariant('EpochFence', 'D.5: q[d].enabled ⇒ ∀x∈inflight[d]: x.epoch=q[d].epoch', (s) => {
      for (const d of Ds) {
        const q = s.q.get(d);
        if (!q.enabled) continue;
        for (const x of q.inflight) if (x[3] !== q.epoch) return false;
      }
      return true;
    }),
    invariant('NoCrossDomainAlias', 'D.5: ∀p: |{(D,i): rec[D][i].page=p}| ≤ 1', (s) => {
      const recd = recordedPages(c, s);
      return recd.every((pg, k) => recd.indexOf(pg) === k); // no page twice
    }),
    invariant('NoReExposeBeforeCompletion', 'D.5: every descriptor still holding a pin (current epoch, not released by a reset drain) names its page\'s current generation',
      (s) => { for (const d of Ds) if (!outstanding(s, d, (x) => s.page.get(x[1]).gen === x[2])) return false; return true; }),
  ];
}

/** The pages the records map, once per record (a page twice if two records map it). */
function recordedPages(c: Cfg, s: R): Page[] {
  const out: Page[] = [];
  for (const d of c.Ds) { const r = s.rec.get(d); for (const i of c.Is) { const x = r.get(i); if (x !== null) out.push(x.page); } }
  return out;
}

/** A translation to page t (null: none) reaches a page Owned by device d. */
function ownedBy(s: R, t: Page | null, d: Dev): boolean {
  if (t === null) return true;
  const pg = s.page.get(t);
  return pg.st === 'Owned' && pg.owner === d;
}

/** Page pg is pinned, no record maps it (recd: the recorded pages), and it is not between U4 and U5 of its own unmap. */
function quarantineAntecedent(s: R, recd: readonly Page[], pg: Page): boolean {
  if (s.page.get(pg).pins <= 0 || recd.includes(pg)) return false;
  return !(s.um_pc === 'U5' && s.um?.p === pg);
}

export function goals(c: Cfg, { sometimes }: Kit) {
  const { Ds, Ps } = c;
  const out = [
    // Rejection is a stutter (no mutation), so the goal is the state in which DRV.Publish can present a handle of a
    // freed allocation to an enabled queue; StaleHandleRejected is what guarantees the gate then rejects it.
    sometimes('StaleHandlePresentedAndRejected', 'DRV holds a handle of a freed allocation and can present it to an enabled queue (the gate rejects it: a stutter)', (s) => {
      for (const d of Ds) {
        if (!s.q.get(d).enabled || (c.B > 0 && s.pub_left.get(d) === 0)) continue;
        for (const h of s.handles.get(d)) if (!isLive(s, d, h)) return true;
      }
      return false;
    }),
    sometimes('StaleCompletionPresentedAndRejected', 'an enabled queue holds a completion failing the generation or epoch test, so KP.Reap is presented it and rejects it', (s) => {
      for (const d of Ds) {
        const q = s.q.get(d);
        if (!q.enabled) continue;
        for (const x of q.done) if (x[2] !== s.page.get(x[1]).gen || x[3] !== q.epoch) return true;
      }
      return false;
    }),
    sometimes('QuarantinedPageFreed', 'a page quarantined at unmap (pinned) was drained, scrubbed and freed', (s) => {
      for (const pg of Ps) if (s.page.get(pg).st === 'Free' && s.g_drained.get(pg)) return true;
      return false;
    }),
  ];
  if (Ds.length >= 2) {
    out.push(sometimes('PageRecycledToOtherDevice', 'a page freed by one device is allocated to another', (s) => {
      for (const d of Ds) {
        for (const h of s.handles.get(d)) {
          const pg = s.page.get(h[0]);
          if (pg.st !== 'Free' && pg.owner !== d && pg.owner !== null && h[2] < pg.cycles) return true;
        }
      }
      return false;
    }));
  }
  return out;
}

export function liveness(c: Cfg, { leadsTo, forEach, WF }: Kit) {
  const { G } = c;
  // D.6's fairness, of each instance (TLA+'s \A d, c: WF(Reap(d, c))): with fairness of an action as a whole,
  // another descriptor's publish/complete/reap cycle would meet WF(KP.Reap) while the quarantined page's own
  // completion is never reaped.
  const fairness = [
    // D.6: WF on DEV.Complete, the MGR.Unmap steps after U1 (starting an unmap is MGR's free choice), U3, KP.Reap,
    // KP.Drain, KP.Scrub and KP.Free.
    ...['DEV.Complete', 'MGR.Unmap.U2', 'IOMMU.Unmap.U3', 'MGR.Unmap.U4', 'MGR.Unmap.U5', 'KP.Reap', 'KP.Drain', 'KP.Scrub', 'KP.Free',
      // [choice] not in D.6's list, but needed: a queue under reset releases its pins only when the device's reset completes.
      'DEV.ResetQueue.R2'].map((action) => WF({ action, each: true })),
  ];
  // One property per page (pages are a scalarset: the family is symmetric, no member is on its own).
  return [
    ...forEach(c.Pg, (p) => leadsTo('QuarantineEventuallyDrained', 'D.6: □(st=Quarantined ⇒ ◇ st=Dirty), for each page',
      (s) => s.page.get(p).st === 'Quarantined', (s) => s.page.get(p).st === 'Dirty', { fairness })),
    ...forEach(c.Pg, (p) => leadsTo('EventuallyScrubbedAndFreed', 'D.6: □(st=Dirty ⇒ ◇ st=Free) up to the gen bound, for each page',
      (s) => s.page.get(p).st === 'Dirty' && s.page.get(p).cycles < G, (s) => s.page.get(p).st === 'Free', { fairness })),
  ];
}

export function deadlock(c: Cfg, { terminalStates }: Kit) {
  return terminalStates('no unmap, install or reset in progress and nothing in flight', (s) => {
    if (s.um_pc !== 'Idle' || s.kp_inst !== null) return false;
    for (const d of c.Ds) { const q = s.q.get(d); if (q.inflight.size !== 0 || q.rpc !== 'None') return false; }
    return true;
  });
}
