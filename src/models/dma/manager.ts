// The manager MGR (D.4): the unmap U1-U5 (U3 is the IOMMU completing the
// invalidation U2 queued) and the queue reset R1, R3 with the epoch-fenced enable
// (R2 is the device's, in device.ts).
import { M } from './mutants.js';
import { instanceArgs, type Cfg, type Kit } from './state.js';

/** MGR.Unmap.U1 to U5, with the IOMMU's U3 where it falls in the sequence. */
export function unmapActions(c: Cfg, { action }: Kit) {
  const { NI, m } = c;
  const { DIs } = instanceArgs(c);
  return [
    action({
      name: 'MGR.Unmap.U1', actor: 'MGR', over: DIs,
      // One unmap at a time; not while KP's install of this (D,i) is pending (M-D11 drops that).
      guard: (s, a) => s.um_pc === 'Idle' && s.rec.at(a.d).at(a.i).page !== 0 && (s.kp_inst !== 1 + a.d * NI + a.i || m === M.unmapDuringMap),
      effect: (s, n, a) => {
        n.pte.at(a.d).set(a.i, 0);
        n.um_pc = 'U2'; n.um_d = a.d; n.um_i = a.i; n.um_p = s.rec.at(a.d).at(a.i).page - 1;
      },
    }),
    action({
      name: 'MGR.Unmap.U2', actor: 'MGR',
      guard: (s) => s.um_pc === 'U2',
      effect: (s, n) => {
        if (m !== M.D4) n.inval.at(s.um_d).set(s.um_i, true); // M-D4: no invalidation queued, so U3 never runs and U4 does not wait
        n.um_pc = 'U4';
      },
    }),
    action({
      name: 'IOMMU.Unmap.U3', actor: 'IOMMU', over: DIs,
      guard: (s, a) => s.inval.at(a.d).get(a.i),
      effect: (_s, n, a) => { n.iotlb.at(a.d).set(a.i, 0); n.inval.at(a.d).set(a.i, false); },
    }),
    action({
      // [choice] U4 waits for the invalidation to complete (¬inval); the kernel cannot read the IOTLB itself.
      name: 'MGR.Unmap.U4', actor: 'MGR',
      guard: (s) => s.um_pc === 'U4' && !s.inval.at(s.um_d).get(s.um_i),
      effect: (s, n) => { const r = n.rec.at(s.um_d).at(s.um_i); r.page = 0; r.gen = 0; n.um_pc = 'U5'; },
    }),
    action({
      // Drive-pin / quarantine.
      name: 'MGR.Unmap.U5', actor: 'MGR',
      guard: (s) => s.um_pc === 'U5',
      effect: (s, n) => {
        const pg = n.page.at(s.um_p);
        if (s.page.at(s.um_p).pins === 0 || m === M.D2) pg.st = 'Dirty'; // M-D2: Dirty even when pinned
        else if (m !== M.noQuarantine) pg.st = 'Quarantined'; // M-D9: a pinned page stays Owned, unmapped
        n.um_pc = 'Idle'; n.um_d = 0; n.um_i = 0; n.um_p = 0;
      },
    }),
  ];
}

/** MGR.ResetQueue.R1 and R3, and the enable fenced on R3. */
export function resetActions(c: Cfg, { action }: Kit) {
  const { E, m } = c;
  const { Ds } = instanceArgs(c);
  return [
    action({
      name: 'MGR.ResetQueue.R1', actor: 'MGR', over: Ds,
      guard: (s, d) => { const q = s.q.at(d); return q.rpc === 'None' && q.dev === 'Running' && q.epoch < E; },
      effect: (s, n, d) => { const q = n.q.at(d); q.enabled = false; q.dev = 'Resetting'; q.rpc = 'Bump'; q.rep = s.q.at(d).epoch; },
    }),
    action({
      // R3: the epoch fence. [choice] MGR may bump before or after the device's reset completes (R2).
      name: 'MGR.ResetQueue.R3', actor: 'MGR', over: Ds,
      guard: (s, d) => s.q.at(d).rpc === 'Bump' && m !== M.noBump, // M-D15: R3 never runs
      effect: (s, n, d) => { const q = n.q.at(d); q.epoch = Math.min(s.q.at(d).epoch + 1, E); q.rpc = s.q.at(d).enabled ? 'None' : 'Enable'; },
    }),
    action({
      name: 'MGR.EnableQueue', actor: 'MGR', over: Ds,
      // M-D5: enable as soon as the device is quiesced, without waiting for R3 (which may then run while the queue is live).
      guard: (s, d) => { const q = s.q.at(d); return q.dev === 'Quiesced' && q.inflight.bits === 0 && (q.rpc === 'Enable' || (m === M.D5 && q.rpc === 'Bump')); },
      effect: (s, n, d) => { const q = n.q.at(d); q.enabled = true; q.dev = 'Running'; if (s.q.at(d).rpc === 'Enable') q.rpc = 'None'; },
    }),
  ];
}
