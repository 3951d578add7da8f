// Protocol D.10 of protocols.md (sub-model D-L2): multi-CPU TLB shootdown with
// a generation re-read. Unmapper u runs on CPU u and revokes page u: it clears
// the PTE (and its own CPU's TLB entry), takes a fresh shootdown generation
// g := ++shoot_gen, sends an IPI to every other resident CPU, waits until each
// CPU c has acknowledged a generation ≥ g (a fresh load of acked[c] on every
// spin), then frees the page. The IPI handler on c flushes c's TLB (H1) and
// then acknowledges the generation it loads *after* the flush (H2). A handler
// runs with its CPU's thread interrupted, so the CPU cannot refill its TLB
// between H1 and H2. Two unmappers may run concurrently, so IPIs coalesce and
// one handler run may acknowledge the other unmapper's generation.
// See README.dma-shootdown.md beside this file.
import { defineModel, intParam, type ActionDef, type Ctx } from '../../explorer/model.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';
import { eventually, invariant, sometimes, terminalStates, WF } from '../../invariants/index.js';

const params = {
  cpus: intParam({ min: 2, max: 4, default: 3, help: 'CPUs 0..n-1, all resident in the address space' }),
  unmappers: intParam({ min: 1, max: 2, default: 2, help: 'concurrent unmappers; unmapper u runs on CPU u and revokes page u' }),
};
type P = Ctx<typeof params>;

export const MSD = {
  ackFirst: 'M-DL2-ack-before-flush',
  staleAck: 'M-DL2-stale-ack-compare',
  waitSelf: 'M-DL2-wait-on-self',
} as const;

/** U0 exists only under M-DL2-stale-ack-compare (the snapshot of acked[] taken before U1). */
const UPC = ['U0', 'U1', 'U2', 'U3', 'U4', 'U5', 'Done'] as const;

function schema(p: P) {
  const NC = p.cpus, NU = p.unmappers;
  return {
    pte: array(NU, bool()),
    tlb: array(NC, array(NU, bool())),
    freed: array(NU, bool()),
    shoot_gen: int(0, NU),
    acked: array(NC, int(0, NU)),
    ipi: array(NC, bool()),
    // CPU c is inside the IPI handler (between H1 and H2); its thread is interrupted.
    inh: array(NC, bool()),
    u_pc: array(NU, enumOf(UPC)),
    u_g: array(NU, int(0, NU)),
    // The CPU U4 waits on next (cpus: all acknowledged).
    u_w: array(NU, int(0, NC)),
    // M-DL2-stale-ack-compare only: the acked[] values read before U3 (zero otherwise).
    u_snap: array(NU, array(NC, int(0, NU))),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function actions(p: P): ActionDef<V, any, R>[] {
  const NC = p.cpus, NU = p.unmappers, m = p.mutant;
  const cs = Array.from({ length: NC }, (_, c) => c), us = Array.from({ length: NU }, (_, u) => u);
  const cu = cs.flatMap((c) => us.map((u) => ({ c, u })));
  /** CPU c's thread may run: not in a handler, and not busy unmapping (CPU u's thread is unmapper u while it runs). */
  const threadFree = (s: R, c: number): boolean => !s.inh.get(c) && (c >= NU || s.u_pc.get(c) === 'U0' || s.u_pc.get(c) === 'U1' || s.u_pc.get(c) === 'Done');
  /** The next CPU U4 must wait on at or after c (skipping the unmapper's own CPU). */
  const nextWait = (u: number, c: number): number => (c === u && m !== MSD.waitSelf ? c + 1 : c); // M-DL2-wait-on-self: no skip
  const flush = (n: V, c: number): void => { for (let u = 0; u < NU; u++) n.tlb.at(c).set(u, false); };
  const acts: ActionDef<V, any, R>[] = [
    {
      // A thread on CPU c touches page u: a TLB miss walks the page table and caches the translation.
      name: 'CPU.Access', actor: (a: { c: number }) => `CPU${a.c}`, over: cu,
      guard: (s, a: { c: number; u: number }) => threadFree(s, a.c) && s.pte.get(a.u) && !s.tlb.at(a.c).get(a.u),
      effect: (_s, n, a: { c: number; u: number }) => { n.tlb.at(a.c).set(a.u, true); },
    },
    {
      name: 'U.U1', actor: (u: number) => `U${u}`, over: us,
      guard: (s, u: number) => s.u_pc.get(u) === 'U1' && !s.inh.get(u),
      // Clear the PTE and flush this CPU's own entry (a local invlpg).
      effect: (_s, n, u: number) => { n.pte.set(u, false); n.tlb.at(u).set(u, false); n.u_pc.set(u, 'U2'); },
    },
    {
      name: 'U.U2', actor: (u: number) => `U${u}`, over: us,
      guard: (s, u: number) => s.u_pc.get(u) === 'U2' && !s.inh.get(u),
      effect: (s, n, u: number) => { n.shoot_gen = s.shoot_gen + 1; n.u_g.set(u, s.shoot_gen + 1); n.u_pc.set(u, 'U3'); },
    },
    {
      name: 'U.U3', actor: (u: number) => `U${u}`, over: us,
      guard: (s, u: number) => s.u_pc.get(u) === 'U3' && !s.inh.get(u),
      // IPI every resident CPU but its own (a pending IPI coalesces).
      effect: (_s, n, u: number) => { for (let c = 0; c < NC; c++) if (c !== u) n.ipi.set(c, true); n.u_pc.set(u, 'U4'); n.u_w.set(u, nextWait(u, 0)); },
    },
    {
      // One spin iteration that succeeds: a fresh load of acked[c] ≥ g (a failing iteration is a stutter).
      // M-DL2-stale-ack-compare: wait for acked[c] to move past the value read before U1 instead.
      name: 'U.U4', actor: (u: number) => `U${u}`, over: us,
      guard: (s, u: number) => {
        if (s.u_pc.get(u) !== 'U4' || s.inh.get(u)) return false;
        const c = s.u_w.get(u);
        return c < NC && (m === MSD.staleAck ? s.acked.get(c) > s.u_snap.at(u).get(c) : s.acked.get(c) >= s.u_g.get(u));
      },
      effect: (s, n, u: number) => {
        const next = nextWait(u, s.u_w.get(u) + 1);
        if (next >= NC) { n.u_pc.set(u, 'U5'); n.u_w.set(u, 0); } else n.u_w.set(u, next);
      },
    },
    {
      name: 'U.U5', actor: (u: number) => `U${u}`, over: us,
      guard: (s, u: number) => s.u_pc.get(u) === 'U5' && !s.inh.get(u),
      effect: (_s, n, u: number) => {
        n.freed.set(u, true); n.u_pc.set(u, 'Done'); n.u_g.set(u, 0);
        for (let c = 0; c < NC; c++) n.u_snap.at(u).set(c, 0);
      },
    },
    {
      // H1: take the IPI and flush the TLB. M-DL2-ack-before-flush: acknowledge here instead (H2 before H1).
      name: 'H.H1', actor: (c: number) => `H${c}`, over: cs,
      guard: (s, c: number) => s.ipi.get(c) && !s.inh.get(c),
      effect: (s, n, c: number) => {
        n.ipi.set(c, false); n.inh.set(c, true);
        if (m === MSD.ackFirst) n.acked.set(c, s.shoot_gen); else flush(n, c);
      },
    },
    {
      // H2: acknowledge the generation loaded after the flush, and return from the handler.
      name: 'H.H2', actor: (c: number) => `H${c}`, over: cs,
      guard: (s, c: number) => s.inh.get(c),
      effect: (s, n, c: number) => {
        n.inh.set(c, false);
        if (m === MSD.ackFirst) flush(n, c); else n.acked.set(c, s.shoot_gen);
      },
    },
  ];
  if (m === MSD.staleAck) {
    acts.unshift({
      name: 'U.U0', actor: (u: number) => `U${u}`, over: us,
      guard: (s, u: number) => s.u_pc.get(u) === 'U0' && !s.inh.get(u),
      effect: (s, n, u: number) => { for (let c = 0; c < NC; c++) n.u_snap.at(u).set(c, s.acked.get(c)); n.u_pc.set(u, 'U1'); },
    });
  }
  return acts;
}

export default defineModel<typeof params, S>({
  name: 'dma-shootdown',
  description: 'capOS DMA multi-CPU TLB shootdown: fresh generation per unmap, handler flushes then acknowledges the generation re-read after the flush (protocols.md D.10)',
  params,
  validate: (p) => (p.unmappers > p.cpus ? `--unmappers (${p.unmappers}) must be at most --cpus (${p.cpus})` : undefined),
  state: schema,
  init: (p) => [{
    pte: Array.from({ length: p.unmappers }, () => true),
    tlb: Array.from({ length: p.cpus }, () => Array.from({ length: p.unmappers }, () => false)),
    freed: Array.from({ length: p.unmappers }, () => false),
    shoot_gen: 0,
    acked: Array.from({ length: p.cpus }, () => 0),
    ipi: Array.from({ length: p.cpus }, () => false),
    inh: Array.from({ length: p.cpus }, () => false),
    u_pc: Array.from({ length: p.unmappers }, () => (p.mutant === MSD.staleAck ? 'U0' as const : 'U1' as const)),
    u_g: Array.from({ length: p.unmappers }, () => 0),
    u_w: Array.from({ length: p.unmappers }, () => 0),
    u_snap: Array.from({ length: p.unmappers }, () => Array.from({ length: p.cpus }, () => 0)),
  }],
  actions,
  invariants: (p) => [
    invariant<R>('NoTranslationOfFreedPage', 'D.10: freed[u] ⇒ ∀c: tlb[c][u]=⊥ (no CPU still translates a freed page)', (s) => {
      for (let u = 0; u < p.unmappers; u++) if (s.freed.get(u)) for (let c = 0; c < p.cpus; c++) if (s.tlb.at(c).get(u)) return false;
      return true;
    }),
  ],
  sometimes: (p) => [
    sometimes<R>('AllFreed', 'every unmapper freed its page', (s) => Array.from({ length: p.unmappers }, (_, u) => u).every((u) => s.freed.get(u))),
    sometimes<R>('ForeignGenerationAcked', 'a CPU acknowledged a newer generation than an unmapper waiting on it needs (one handler run served both unmappers)', (s) => {
      for (let u = 0; u < p.unmappers; u++) if (s.u_pc.get(u) === 'U4') for (let c = 0; c < p.cpus; c++) if (c !== u && s.acked.get(c) > s.u_g.get(u)) return true;
      return false;
    }),
    sometimes<R>('StaleEntryFlushed', 'a CPU held a translation of a page whose PTE is already cleared (the shootdown has something to flush)', (s) => {
      for (let u = 0; u < p.unmappers; u++) if (!s.pte.get(u)) for (let c = 0; c < p.cpus; c++) if (s.tlb.at(c).get(u)) return true;
      return false;
    }),
  ],
  liveness: (p) => [
    eventually<R>('ShootdownCompletes', 'every unmapper eventually frees its page (under WF of every unmapper and every handler)',
      (s) => Array.from({ length: p.unmappers }, (_, u) => u).every((u) => s.u_pc.get(u) === 'Done'),
      { fairness: [...Array.from({ length: p.unmappers }, (_, u) => WF({ actor: `U${u}` })), ...Array.from({ length: p.cpus }, (_, c) => WF({ actor: `H${c}` }))] }),
  ],
  deadlock: (p) => terminalStates<R>('every unmapper done, no IPI pending or being handled', (s) =>
    Array.from({ length: p.unmappers }, (_, u) => u).every((u) => s.u_pc.get(u) === 'Done')
    && Array.from({ length: p.cpus }, (_, c) => c).every((c) => !s.ipi.get(c) && !s.inh.get(c))),
  mutants: [
    { id: MSD.ackFirst, kills: ['NoTranslationOfFreedPage'], params: { unmappers: 1 }, why: 'D.10: H2 before H1: the handler acknowledges before it flushes, so the unmapper may free while the TLB entry is live' },
    { id: MSD.waitSelf, kills: ['Deadlock', 'ShootdownCompletes'], why: 'U4 also waits on the unmapper\'s own CPU, which U3 sends no IPI: unless the other unmapper\'s shootdown happens to acknowledge a newer generation there, the unmapper spins forever' },
    { id: MSD.staleAck, kills: ['NoTranslationOfFreedPage'], why: 'D.10: U4 compares against acked[c] as read before U3 (here: before U1) and waits for it to change, not for ≥ g: an acknowledgement of the other unmapper\'s shootdown, after which the CPU refilled its TLB, passes' },
  ],
  ci: [
    { name: 'c3-u2', params: { cpus: 3, unmappers: 2 } },
    { name: 'c2-u2', params: { cpus: 2, unmappers: 2 } },
    { name: 'c4-u2', params: { cpus: 4, unmappers: 2 } },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.dma-shootdown.json'),
});
