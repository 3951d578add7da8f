// The manager MGR (D.4): the unmap U1-U5 (U3 is the IOMMU completing the
// invalidation U2 queued) and the queue reset R1, R3 with the epoch-fenced enable
// (R2 is the device's, in device.ts).
import { M } from './mutants.js';
import { instanceArgs, type Cfg, type Kit } from './state.js';

/** MGR.Unmap.U1 to U5, with the IOMMU's U3 where it falls in the sequence. */
export function unmapActions(c: Cfg, { action }: Kit) {
  const { m } = c;
  const { DIs } = instanceArgs(c);
  return [
    action({
      name: 'MGR.Unmap.U1', actor: 'MGR', over: DIs,
      // One unmap at a time; not while KP's install of this (D,i) is pending (M-D11 drops that).
      when: () => ({ um_pc: 'Idle' }),
      guard: (s, { d, i }) => s.rec.get(d).get(i) !== null && (s.kp_inst?.d !== d || s.kp_inst.i !== i || m === M.unmapDuringMap),
      effect: (s, n, { d, i }) => {
        n.pte.get(d).set(i, null);
        n.um_pc = 'U2'; n.um = { d, i, p: s.rec.get(d).get(i)!.page };
      },
    }),
    action({
      name: 'MGR.Unmap.U2', actor: 'MGR',
      when: () => ({ um_pc: 'U2' }),
      effect: (s, n) => {
        const u = s.um!;
        if (m !== M.D4) n.inval.get(u.d).set(u.i, true); // M-D4: no invalidation queued, so U3 never runs and U4 does not wait
        n.um_pc = 'U4';
      },
    }),
    action({
      name: 'IOMMU.Unmap.U3', actor: 'IOMMU', over: DIs,
      when: ({ d, i }) => ({ [`inval[${d}][${i}]`]: true }),
      effect: (_s, n, { d, i }) => { n.iotlb.get(d).set(i, null); n.inval.get(d).set(i, false); },
    }),
    action({
      // [choice] U4 waits for the invalidation to complete (¬inval); the kernel cannot read the IOTLB itself.
      name: 'MGR.Unmap.U4', actor: 'MGR',
      when: () => ({ um_pc: 'U4' }),
      guard: (s) => !s.inval.get(s.um!.d).get(s.um!.i),
      effect: (s, n) => { const u = s.um!; n.rec.get(u.d).set(u.i, null); n.um_pc = 'U5'; },
    }),
    action({
      // Drive-pin / quarantine.
      name: 'MGR.Unmap.U5', actor: 'MGR',
      when: () => ({ um_pc: 'U5' }),
      effect: (s, n) => {
        const u = s.um!, pg = n.page.get(u.p);
        if (s.page.get(u.p).pins === 0 || m === M.D2) pg.st = 'Dirty'; // M-D2: Dirty even when pinned
        else if (m !== M.noQuarantine) pg.st = 'Quarantined'; // M-D9: a pinned page stays Owned, unmapped
        n.um_pc = 'Idle'; n.um = null;
      },
    }),
  ];
}

/** MGR.ResetQueue.R1 and R3, and the enable fenced on R3. */
export function resetActions(c: Cfg, { action }: Kit) {
  const { D, E, m } = c;
  return [
    action({
      name: 'MGR.ResetQueue.R1', actor: 'MGR', over: D,
      when: (d) => ({ [`q[${d}].rpc`]: 'None', [`q[${d}].dev`]: 'Running' }),
      guard: (s, d) => s.q.get(d).epoch < E,
      effect: (s, n, d) => { const q = n.q.get(d); q.enabled = false; q.dev = 'Resetting'; q.rpc = 'Bump'; q.rep = s.q.get(d).epoch; },
    }),
    action({
      // R3: the epoch fence. [choice] MGR may bump before or after the device's reset completes (R2).
      name: 'MGR.ResetQueue.R3', actor: 'MGR', over: D,
      when: (d) => ({ [`q[${d}].rpc`]: 'Bump' }),
      guard: () => m !== M.noBump, // M-D15: R3 never runs
      effect: (s, n, d) => { const q = n.q.get(d); q.epoch = Math.min(s.q.get(d).epoch + 1, E); q.rpc = s.q.get(d).enabled ? 'None' : 'Enable'; },
    }),
    action({
      name: 'MGR.EnableQueue', actor: 'MGR', over: D,
      // M-D5: enable as soon as the device is quiesced, without waiting for R3 (which may then run while the queue is live).
      when: (d) => ({ [`q[${d}].dev`]: 'Quiesced' }),
      guard: (s, d) => { const q = s.q.get(d); return q.inflight.size === 0 && (q.rpc === 'Enable' || (m === M.D5 && q.rpc === 'Bump')); },
      effect: (s, n, d) => { const q = n.q.get(d); q.enabled = true; q.dev = 'Running'; if (s.q.get(d).rpc === 'Enable') q.rpc = 'None'; },
    }),
  ];
}
