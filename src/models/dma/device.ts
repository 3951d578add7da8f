// The devices DEV[d] (D.4): DMA through the IOTLB or the PTE, completion, and
// the device side of a queue reset (R2).
import { M } from './mutants.js';
import { instanceArgs, unpin, type Cfg, type Kit } from './state.js';

/** DEV.Dma, DEV.Complete, DEV.ResetQueue.R2. */
export function deviceActions(c: Cfg, { action }: Kit) {
  const { X, m } = c;
  const { DXs, Ds } = instanceArgs(c);
  return [
    action({
      name: 'DEV.Dma', actor: (a) => `DEV${a.d}`, over: DXs,
      guard: (s, a) => s.q.at(a.d).inflight.has(a.x),
      effect: (s, n, a) => {
        const i = c.xI[a.x]!;
        const t = s.iotlb.at(a.d).get(i) || s.pte.at(a.d).get(i);
        if (t === 0) return false; // IOMMU fault: no access, nothing changes
        const pg = s.page.at(t - 1);
        const stray = pg.st !== 'Owned' || pg.owner !== a.d || s.rec.at(a.d).at(i).page !== t;
        if (!stray && s.iotlb.at(a.d).get(i) === t && pg.content === a.d + 1) return false; // [choice] a DMA that changes nothing is a stutter
        if (stray) n.g_stray_dma = true;
        n.iotlb.at(a.d).set(i, t);
        n.page.at(t - 1).content = a.d + 1;
      },
    }),
    action({
      name: 'DEV.Complete', actor: (a) => `DEV${a.d}`, over: DXs,
      guard: (s, a) => s.q.at(a.d).inflight.has(a.x),
      effect: (_s, n, a) => { const q = n.q.at(a.d); q.inflight.delete(a.x); q.done.add(a.x); },
    }),
    action({
      // R2: the device's reset completes. Pins of everything in flight or completed are released; completed entries stay, stale.
      name: 'DEV.ResetQueue.R2', actor: (d) => `DEV${d}`, over: Ds,
      guard: (s, d) => s.q.at(d).dev === 'Resetting',
      effect: (s, n, d) => {
        const q = s.q.at(d);
        for (let x = 0; x < X; x++) {
          if (q.inflight.has(x)) unpin(n, c.xP[x]!);
          // Completions of older epochs were released by the reset that ended their epoch. M-D12: completions keep their pins.
          if (q.done.has(x) && c.xE[x] === q.rep && m !== M.leakDone) { unpin(n, c.xP[x]!); n.g_released.at(d).add(x); }
        }
        const nq = n.q.at(d);
        nq.inflight.clear();
        nq.rep = 0;
        nq.dev = 'Quiesced';
      },
    }),
  ];
}
