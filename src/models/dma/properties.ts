// The dma model's properties (D.5, D.6): invariants, reachability goals,
// liveness (only with a publish budget) and the deadlock policy.
import { isLive, type Cfg, type Kit, type R } from './state.js';

/** Descriptors of queue d that still hold a pin: in flight, or completed and not released by a reset drain. */
function outstanding(c: Cfg, s: R, d: number, f: (x: number) => boolean): boolean {
  const q = s.q.at(d), rel = s.g_released.at(d);
  for (let x = 0; x < c.X; x++) if ((q.inflight.has(x) || (q.done.has(x) && !rel.has(x))) && !f(x)) return false;
  return true;
}

/** Every descriptor in flight on any queue satisfies f. */
function inflightOn(c: Cfg, s: R, f: (x: number) => boolean): boolean {
  for (let d = 0; d < c.ND; d++) { const q = s.q.at(d); for (let x = 0; x < c.X; x++) if (q.inflight.has(x) && !f(x)) return false; }
  return true;
}

export function invariants(c: Cfg, { invariant, implies }: Kit) {
  const { ND, NP, NI } = c;
  const allDI = (f: (d: number, i: number) => boolean): boolean => { for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (!f(d, i)) return false; return true; };
  const allP = (f: (pg: number) => boolean): boolean => { for (let pg = 0; pg < NP; pg++) if (!f(pg)) return false; return true; };
  const pinnable = (st: string): boolean => st === 'Owned' || st === 'Quarantined';
  return [
    invariant('RecordBeforePteInstall', 'D.5: pte[D][i]=p ⇒ rec[D][i]≠⊥ ∧ rec[D][i].page=p',
      (s) => allDI((d, i) => { const t = s.pte.at(d).get(i); return t === 0 || s.rec.at(d).at(i).page === t; })),
    invariant('NoStrayDMA', 'D.5: no DMA reached a page not Owned by the device through its recorded IOVA (¬g_stray_dma), and (pte[D][i]=p ∨ iotlb[D][i]=p) ⇒ page[p] Owned by devOf(D)',
      (s) => !s.g_stray_dma && allDI((d, i) => {
        for (const t of [s.pte.at(d).get(i), s.iotlb.at(d).get(i)]) {
          if (t === 0) continue;
          const pg = s.page.at(t - 1);
          if (pg.st !== 'Owned' || pg.owner !== d) return false;
        }
        return true;
      })),
    invariant('DrivePin', 'D.5: pins>0 ⇒ st ∈ {Owned, Quarantined}; and the page is never Dirty or Free while a descriptor in flight (one the device can still DMA with) names it',
      (s) => allP((pg) => s.page.at(pg).pins <= 0 || pinnable(s.page.at(pg).st)) && inflightOn(c, s, (x) => pinnable(s.page.at(c.xP[x]!).st))),
    implies('Quarantine', 'D.5: no record maps p ∧ pins[p]>0 (and no unmap of p between U4 and U5) ⇒ st=Quarantined',
      (s) => { for (let pg = 0; pg < NP; pg++) if (quarantineAntecedent(c, s, pg)) return true; return false; },
      (s) => allP((pg) => !quarantineAntecedent(c, s, pg) || s.page.at(pg).st === 'Quarantined')),
    invariant('ScrubBeforeFree', 'D.5: st=Free ⇒ content=Zero', (s) => allP((pg) => s.page.at(pg).st !== 'Free' || s.page.at(pg).content === 0)),
    invariant('StaleHandleRejected', 'D.5: ¬g_stale_handle_accepted (no handle of a freed allocation passes the gate of Publish or MapRecord)', (s) => !s.g_stale_handle_accepted),
    invariant('StaleCompletionRejected', 'D.5: ¬g_stale_completion_accepted (no completion whose pin a reset released, or whose page was recycled, is accepted by Reap)', (s) => !s.g_stale_completion_accepted),
    invariant('EpochFence', 'D.5: q[d].enabled ⇒ ∀x∈inflight[d]: x.epoch=q[d].epoch', (s) => {
      for (let d = 0; d < ND; d++) {
        const q = s.q.at(d);
        if (!q.enabled) continue;
        for (let x = 0; x < c.X; x++) if (q.inflight.has(x) && c.xE[x] !== q.epoch) return false;
      }
      return true;
    }),
    invariant('NoCrossDomainAlias', 'D.5: ∀p: |{(D,i): rec[D][i].page=p}| ≤ 1', (s) => allP((pg) => {
      let k = 0;
      for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (s.rec.at(d).at(i).page === pg + 1) k++;
      return k <= 1;
    })),
    invariant('NoReExposeBeforeCompletion', 'D.5: every descriptor still holding a pin (current epoch, not released by a reset drain) names its page\'s current generation',
      (s) => Array.from({ length: ND }, (_, d) => d).every((d) => outstanding(c, s, d, (x) => s.page.at(c.xP[x]!).gen === c.xG[x]))),
  ];
}

function quarantineAntecedent(c: Cfg, s: R, pg: number): boolean {
  if (s.page.at(pg).pins <= 0) return false;
  for (let d = 0; d < c.ND; d++) for (let i = 0; i < c.NI; i++) if (s.rec.at(d).at(i).page === pg + 1) return false;
  return !(s.um_pc === 'U5' && s.um_p === pg);
}

export function goals(c: Cfg, { sometimes }: Kit) {
  const out = [
    // Rejection is a stutter (no mutation), so the goal is the state in which DRV.Publish can present a handle of a
    // freed allocation to an enabled queue; StaleHandleRejected is what guarantees the gate then rejects it.
    sometimes('StaleHandlePresentedAndRejected', 'DRV holds a handle of a freed allocation and can present it to an enabled queue (the gate rejects it: a stutter)', (s) => {
      for (let d = 0; d < c.ND; d++) {
        if (!s.q.at(d).enabled || (c.B > 0 && s.pub_left.get(d) === 0)) continue;
        for (let h = 0; h < c.H; h++) if (s.handles.at(d).has(h) && !isLive(c, s, d, h)) return true;
      }
      return false;
    }),
    sometimes('StaleCompletionPresentedAndRejected', 'an enabled queue holds a completion failing the generation or epoch test, so KP.Reap is presented it and rejects it', (s) => {
      for (let d = 0; d < c.ND; d++) {
        const q = s.q.at(d);
        if (!q.enabled) continue;
        for (let x = 0; x < c.X; x++) if (q.done.has(x) && (c.xG[x] !== s.page.at(c.xP[x]!).gen || c.xE[x] !== q.epoch)) return true;
      }
      return false;
    }),
    sometimes('QuarantinedPageFreed', 'a page quarantined at unmap (pinned) was drained, scrubbed and freed', (s) => {
      for (let pg = 0; pg < c.NP; pg++) if (s.page.at(pg).st === 'Free' && s.g_drained.get(pg)) return true;
      return false;
    }),
  ];
  if (c.ND >= 2) {
    out.push(sometimes('PageRecycledToOtherDevice', 'a page freed by one device is allocated to another', (s) => {
      for (let d = 0; d < c.ND; d++) {
        const hs = s.handles.at(d);
        for (let h = 0; h < c.H; h++) {
          if (!hs.has(h)) continue;
          const pg = s.page.at(c.hP[h]!);
          if (pg.st !== 'Free' && pg.owner !== d && pg.owner >= 0 && c.hC[h]! < pg.cycles) return true;
        }
      }
      return false;
    }));
  }
  return out;
}

export function liveness(c: Cfg, { leadsTo, WF }: Kit) {
  const { G, B } = c;
  // Without a publish budget, D.6's WF(KP.Reap) (one fairness group for every Reap instance) is met by another
  // descriptor's publish/complete/reap cycle while the quarantined page's completion is never reaped: the engine has
  // no per-instance fairness (TLA+'s ∀d,c: WF(Reap(d,c))), so liveness is declared only with a finite budget.
  if (B === 0) return [];
  const fairness = [
    // D.6: WF on DEV.Complete, the MGR.Unmap steps after U1 (starting an unmap is MGR's free choice), U3, KP.Reap,
    // KP.Drain, KP.Scrub and KP.Free.
    WF({ action: 'DEV.Complete' }), WF({ action: 'MGR.Unmap.U2' }), WF({ action: 'IOMMU.Unmap.U3' }),
    WF({ action: 'MGR.Unmap.U4' }), WF({ action: 'MGR.Unmap.U5' }), WF({ action: 'KP.Reap' }), WF({ action: 'KP.Drain' }),
    WF({ action: 'KP.Scrub' }), WF({ action: 'KP.Free' }),
    // [choice] not in D.6's list, but needed: a queue under reset releases its pins only when the device's reset completes.
    WF({ action: 'DEV.ResetQueue.R2' }),
  ];
  // Pages are interchangeable (symmetric initial state and actions), so page 0 stands for every page.
  return [
    leadsTo('QuarantineEventuallyDrained', 'D.6: □(st=Quarantined ⇒ ◇ st=Dirty), for page 0 (pages are symmetric)',
      (s) => s.page.at(0).st === 'Quarantined', (s) => s.page.at(0).st === 'Dirty', { fairness }),
    leadsTo('EventuallyScrubbedAndFreed', 'D.6: □(st=Dirty ⇒ ◇ st=Free) up to the gen bound, for page 0 (pages are symmetric)',
      (s) => s.page.at(0).st === 'Dirty' && s.page.at(0).cycles < G, (s) => s.page.at(0).st === 'Free', { fairness }),
  ];
}

export function deadlock(_c: Cfg, { terminalStates }: Kit) {
  return terminalStates('no unmap, install or reset in progress and nothing in flight', (s) => {
    if (s.um_pc !== 'Idle' || s.kp_inst !== 0) return false;
    for (let d = 0; d < s.q.length; d++) { const q = s.q.at(d); if (q.inflight.bits !== 0 || q.rpc !== 'None') return false; }
    return true;
  });
}
