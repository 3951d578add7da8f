// The devices DEV[d] (D.4): DMA through the IOTLB or the PTE, completion, and
// the device side of a queue reset (R2).
import { M } from './mutants.js';
import { instanceArgs, unpin, type Cfg, type Kit } from './state.js';

/** DEV.Dma, DEV.Complete, DEV.ResetQueue.R2. */
export function deviceActions(c: Cfg, { action }: Kit) {
  const { D, m } = c;
  const { DXs } = instanceArgs(c);
  return [
    action({
      name: 'DEV.Dma', actor: ({ d }) => `DEV[${d}]`, over: DXs,
      guard: (s, { d, x }) => { const f = s.q.get(d).inflight; return f.size !== 0 && f.has(x); },
      effect: (s, n, { d, x }) => {
        const i = x[0];
        const t = s.iotlb.get(d).get(i) ?? s.pte.get(d).get(i);
        if (t === null) return false; // IOMMU fault: no access, nothing changes
        const pg = s.page.get(t);
        const stray = pg.st !== 'Owned' || pg.owner !== d || s.rec.get(d).get(i)?.page !== t;
        if (!stray && s.iotlb.get(d).get(i) === t && pg.content === d) return false; // [choice] a DMA that changes nothing is a stutter
        if (stray) n.g_stray_dma = true;
        n.iotlb.get(d).set(i, t);
        n.page.get(t).content = d;
      },
    }),
    action({
      name: 'DEV.Complete', actor: ({ d }) => `DEV[${d}]`, over: DXs,
      guard: (s, { d, x }) => { const f = s.q.get(d).inflight; return f.size !== 0 && f.has(x); },
      effect: (_s, n, { d, x }) => { const q = n.q.get(d); q.inflight.delete(x); q.done.add(x); },
    }),
    action({
      // R2: the device's reset completes. Pins of everything in flight or completed are released; completed entries stay, stale.
      name: 'DEV.ResetQueue.R2', actor: (d) => `DEV[${d}]`, over: D,
      when: (d) => ({ [`q[${d}].dev`]: 'Resetting' }),
      effect: (s, n, d) => {
        const q = s.q.get(d);
        for (const x of q.inflight) unpin(n, x[1]);
        // Completions of older epochs were released by the reset that ended their epoch. M-D12: completions keep their pins.
        for (const x of q.done) if (x[3] === q.rep && m !== M.leakDone) { unpin(n, x[1]); n.g_released.get(d).add(x); }
        const nq = n.q.get(d);
        nq.inflight.clear();
        nq.rep = 0;
        nq.dev = 'Quiesced';
      },
    }),
  ];
}
