// Protocol D.10 of protocols.md (sub-model D-L2): multi-CPU TLB shootdown with
// a generation re-read, at Loom granularity (protocols.md §1: one shared load,
// store or read-modify-write per step), with CPUs entering and leaving the
// address space while it runs. Unmapper u runs on CPU u (preemption off) and
// revokes page u: it clears the PTE (and its own CPU's TLB entry), takes a
// fresh generation g := ++shoot_gen, loads the resident mask, sends an IPI to
// every CPU in it but its own, waits until each of those has acknowledged a
// generation ≥ g (a fresh load of acked[c] per spin), and frees the page. The
// IPI handler on c flushes c's TLB (H1), loads shoot_gen (H2) and stores it as
// its acknowledgement (H3): the generation is re-read after the flush. A CPU
// enters the address space by setting its bit in the mask before it loads the
// page-table root (CR3), and leaves by switching CR3 away (which flushes its
// entries of this address space) before it clears its bit. Two unmappers may
// run concurrently, so IPIs coalesce and one handler run may acknowledge the
// other unmapper's generation. See README.dma-shootdown.md beside this file.
import { defineModel, intParam, type Ctx } from '../../explorer/model.js';
import type { ModelKit } from '../../explorer/kit.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';

const params = {
  cpus: intParam({ min: 2, max: 4, default: 3, help: 'CPUs 0..n-1' }),
  unmappers: intParam({ min: 1, max: 2, default: 2, help: 'concurrent unmappers; unmapper u runs on CPU u and revokes page u' }),
  switches: intParam({ min: 0, max: 2, default: 1, help: 'how often each CPU may enter or leave the address space (an unmapper\'s CPU only once its unmap is done); 0: the resident mask is constant, every CPU resident' }),
};
type P = Ctx<typeof params>;

export const MSD = {
  ackFirst: 'M-DL2-ack-before-flush',
  staleAck: 'M-DL2-stale-ack-compare',
  waitSelf: 'M-DL2-wait-on-self',
  maskEarly: 'M-DL2-mask-before-clear',
  enterLate: 'M-DL2-cr3-before-mask',
  leaveEarly: 'M-DL2-unmask-before-switch',
  outNoAck: 'M-DL2-no-ack-when-out',
} as const;

/**
 * Unmapper program. Snap exists only under M-DL2-stale-ack-compare (the acked[] values read before U1); under
 * M-DL2-mask-before-clear the mask is loaded first, before U1.
 */
const UPC = ['Snap', 'U1', 'U2', 'Mask', 'Ipi', 'U4', 'U5', 'Done'] as const;
type Upc = (typeof UPC)[number];
/** A CPU's context switch: Out (another address space) → Entering → In (this one) → Leaving → Out. */
const CPU = ['Out', 'Entering', 'In', 'Leaving'] as const;
/** The IPI handler: Idle (not in a handler), or the step it takes next (H2, H3). */
const HPC = ['Idle', 'H2', 'H3'] as const;

function schema(p: P) {
  const NC = p.cpus, NU = p.unmappers;
  return {
    pte: array(NU, bool()),
    tlb: array(NC, array(NU, bool())),
    freed: array(NU, bool()),
    shoot_gen: int(0, NU),
    acked: array(NC, int(0, NU)),
    // The resident mask, one word: bit c is set while CPU c may hold or fill translations of this address space.
    mask: array(NC, bool()),
    cpu: array(NC, enumOf(CPU)),
    // Enters and leaves CPU c has left.
    sw: array(NC, int(0, p.switches)),
    ipi: array(NC, bool()),
    // The handler on c (its CPU's thread is interrupted while it runs), and the generation it loaded (H2 to H3).
    h: array(NC, enumOf(HPC)),
    h_g: array(NC, int(0, NU)),
    u_pc: array(NU, enumOf(UPC)),
    u_g: array(NU, int(0, NU)),
    // The mask the unmapper loaded: the CPUs it sends an IPI to and waits for (its own excepted).
    u_tgt: array(NU, array(NC, bool())),
    // The CPU U4 waits on next (cpus: all acknowledged).
    u_w: array(NU, int(0, NC)),
    // M-DL2-stale-ack-compare only: the acked[] values read before U1 (zero otherwise).
    u_snap: array(NU, array(NC, int(0, NU))),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;
type Kit = ModelKit<S>;

function actions(p: P, { action }: Kit) {
  const NC = p.cpus, NU = p.unmappers, m = p.mutant;
  const cs = Array.from({ length: NC }, (_, c) => c), us = Array.from({ length: NU }, (_, u) => u);
  const cu = cs.flatMap((c) => us.map((u) => ({ c, u })));
  const seq: readonly Upc[] = m === MSD.staleAck ? ['Snap', 'U1', 'U2', 'Mask', 'Ipi', 'U4', 'U5', 'Done']
    : m === MSD.maskEarly ? ['Mask', 'U1', 'U2', 'Ipi', 'U4', 'U5', 'Done'] : ['U1', 'U2', 'Mask', 'Ipi', 'U4', 'U5', 'Done'];
  const next = (pc: Upc): Upc => seq[seq.indexOf(pc) + 1]!;
  const started = (pc: Upc): boolean => pc !== seq[0] && pc !== 'Done';
  /** CPU c's thread may run: not in a handler, and not unmapping (CPU u's thread is unmapper u from its first step to U5). */
  const threadFree = (s: R, c: number): boolean => s.h.get(c) === 'Idle' && (c >= NU || !started(s.u_pc.get(c)));
  /** CPU c may switch address spaces: its thread is free, and it is no unmapper's CPU or its unmap is done. */
  const mayswitch = (s: R, c: number): boolean => threadFree(s, c) && (c >= NU || s.u_pc.get(c) === 'Done');
  /** CPU c runs this address space (may touch its pages). M-DL2-cr3-before-mask: already while Entering (CR3 loaded, bit not yet set). */
  const runs = (s: R, c: number): boolean => s.cpu.get(c) === 'In' || (m === MSD.enterLate && s.cpu.get(c) === 'Entering');
  /** The next CPU at or after c that U4 waits on: a target, not the unmapper's own CPU (M-DL2-wait-on-self: own CPU too). */
  const nextWait = (tgt: (c: number) => boolean, u: number, c: number): number => {
    while (c < NC && !((tgt(c) && c !== u) || (m === MSD.waitSelf && c === u))) c++;
    return c;
  };
  const flush = (n: V, c: number): void => { for (let u = 0; u < NU; u++) n.tlb.at(c).set(u, false); };
  /** One step of a context switch: the first of its two steps starts it (from `from`, using up a switch), the second ends it. */
  const switchStep = (kind: 'Enter' | 'Leave', op: 'Mask' | 'Cr3', effect: (n: V, c: number) => void) => {
    const [from, mid, to] = kind === 'Enter' ? ['Out', 'Entering', 'In'] as const : ['In', 'Leaving', 'Out'] as const;
    const swapped = kind === 'Enter' ? m === MSD.enterLate : m === MSD.leaveEarly;
    const isFirst = (op === 'Mask') === (kind === 'Enter') !== swapped;
    return action({
      name: `CPU.${kind}.${op}`, actor: (c) => `CPU${c}`, over: cs,
      guard: (s, c) => mayswitch(s, c) && (isFirst ? s.cpu.get(c) === from && s.sw.get(c) > 0 : s.cpu.get(c) === mid),
      effect: (s, n, c) => {
        effect(n, c);
        if (isFirst) { n.cpu.set(c, mid); n.sw.set(c, s.sw.get(c) - 1); } else n.cpu.set(c, to);
      },
    });
  };
  const uStep = (name: string, pc: Upc, effect: (s: R, n: V, u: number) => void) => action({
    name, actor: (u) => `U${u}`, over: us,
    when: (u) => ({ [`u_pc[${u}]`]: pc }),
    guard: (s, u) => s.h.get(u) === 'Idle',
    effect: (s, n, u) => { n.u_pc.set(u, next(pc)); effect(s, n, u); },
  });
  return [
    action({
      // A thread on CPU c touches page u: a TLB miss walks the page table and caches the translation.
      name: 'CPU.Access', actor: (a) => `CPU${a.c}`, over: cu,
      guard: (s, a) => threadFree(s, a.c) && runs(s, a.c) && s.pte.get(a.u) && !s.tlb.at(a.c).get(a.u),
      effect: (_s, n, a) => { n.tlb.at(a.c).set(a.u, true); },
    }),
    // M-DL2-stale-ack-compare only: read acked[] before U1.
    ...(m === MSD.staleAck ? [uStep('U.U0', 'Snap', (s, n, u) => { for (let c = 0; c < NC; c++) n.u_snap.at(u).set(c, s.acked.get(c)); })] : []),
    // Clear the PTE and flush this CPU's own entry (a local invlpg).
    uStep('U.U1', 'U1', (_s, n, u) => { n.pte.set(u, false); n.tlb.at(u).set(u, false); }),
    // g := shoot_gen.fetch_add(1) + 1.
    uStep('U.U2', 'U2', (s, n, u) => { n.shoot_gen = s.shoot_gen + 1; n.u_g.set(u, s.shoot_gen + 1); }),
    // U3, first half: load the resident mask (one word). M-DL2-mask-before-clear: this is the unmapper's first step.
    uStep('U.U3.Mask', 'Mask', (s, n, u) => { for (let c = 0; c < NC; c++) n.u_tgt.at(u).set(c, s.mask.get(c)); }),
    // U3, second half: IPI every CPU of the loaded mask but its own (a pending IPI coalesces).
    uStep('U.U3.Ipi', 'Ipi', (s, n, u) => {
      const tgt = s.u_tgt.at(u);
      for (let c = 0; c < NC; c++) if (c !== u && tgt.get(c)) n.ipi.set(c, true);
      const w = nextWait((c) => tgt.get(c), u, 0);
      if (w >= NC) n.u_pc.set(u, 'U5'); else n.u_w.set(u, w); // no CPU to wait for
    }),
    action({
      // U4: one spin iteration that succeeds, a fresh load of acked[c] ≥ g (a failing iteration is a stutter).
      // M-DL2-stale-ack-compare: wait for acked[c] to move past the value read before U1 instead.
      name: 'U.U4', actor: (u) => `U${u}`, over: us,
      when: (u) => ({ [`u_pc[${u}]`]: 'U4' }),
      guard: (s, u) => {
        if (s.h.get(u) !== 'Idle') return false;
        const c = s.u_w.get(u);
        return c < NC && (m === MSD.staleAck ? s.acked.get(c) > s.u_snap.at(u).get(c) : s.acked.get(c) >= s.u_g.get(u));
      },
      effect: (s, n, u) => {
        const tgt = s.u_tgt.at(u);
        const w = nextWait((c) => tgt.get(c), u, s.u_w.get(u) + 1);
        if (w >= NC) { n.u_pc.set(u, 'U5'); n.u_w.set(u, 0); } else n.u_w.set(u, w);
      },
    }),
    uStep('U.U5', 'U5', (_s, n, u) => {
      n.freed.set(u, true); n.u_g.set(u, 0);
      for (let c = 0; c < NC; c++) { n.u_snap.at(u).set(c, 0); n.u_tgt.at(u).set(c, false); }
    }),
    action({
      // H1: take the IPI (the CPU's thread is interrupted) and flush the TLB.
      // M-DL2-ack-before-flush: H1 loads shoot_gen instead, H2 acknowledges, and H3 flushes.
      name: 'H.H1', actor: (c) => `H${c}`, over: cs,
      guard: (s, c) => s.ipi.get(c) && s.h.get(c) === 'Idle',
      effect: (s, n, c) => {
        n.ipi.set(c, false);
        // M-DL2-no-ack-when-out: a CPU not in the address space has nothing to flush and returns at once, without acknowledging.
        if (m === MSD.outNoAck && s.cpu.get(c) === 'Out') return;
        n.h.set(c, 'H2');
        if (m === MSD.ackFirst) n.h_g.set(c, s.shoot_gen); else flush(n, c);
      },
    }),
    action({
      // H2: load shoot_gen, after the flush (the re-read).
      name: 'H.H2', actor: (c) => `H${c}`, over: cs,
      when: (c) => ({ [`h[${c}]`]: 'H2' }),
      effect: (s, n, c) => {
        if (m === MSD.ackFirst) n.acked.set(c, s.h_g.get(c)); else n.h_g.set(c, s.shoot_gen);
        n.h.set(c, 'H3');
      },
    }),
    action({
      // H3: store the acknowledgement acked[c] := the generation loaded, and return from the handler.
      name: 'H.H3', actor: (c) => `H${c}`, over: cs,
      when: (c) => ({ [`h[${c}]`]: 'H3' }),
      effect: (s, n, c) => {
        if (m === MSD.ackFirst) flush(n, c); else n.acked.set(c, s.h_g.get(c));
        n.h_g.set(c, 0); n.h.set(c, 'Idle');
      },
    }),
    // Context switches (thread steps, so not inside a handler or an unmap). Enter: set the mask bit (fetch_or), then load
    // CR3 and run. Leave: switch CR3 away (flushing this address space's entries), then clear the bit (fetch_and).
    // M-DL2-cr3-before-mask and M-DL2-unmask-before-switch swap the two steps of Enter and of Leave.
    switchStep('Enter', 'Mask', (n, c) => { n.mask.set(c, true); }),
    switchStep('Enter', 'Cr3', () => {}),
    switchStep('Leave', 'Cr3', (n, c) => { flush(n, c); }),
    switchStep('Leave', 'Mask', (n, c) => { n.mask.set(c, false); }),
  ];
}

/** Initial states: every unmapper's CPU resident; with switches, each other CPU resident or not (every combination). */
function inits(p: P) {
  const NC = p.cpus, NU = p.unmappers;
  const free = p.switches > 0 ? NC - NU : 0;
  return Array.from({ length: 1 << free }, (_, bits) => {
    const res = Array.from({ length: NC }, (_, c) => c < NU || ((bits >> (c - NU)) & 1) === 0);
    return {
      pte: Array.from({ length: NU }, () => true),
      tlb: Array.from({ length: NC }, () => Array.from({ length: NU }, () => false)),
      freed: Array.from({ length: NU }, () => false),
      shoot_gen: 0,
      acked: Array.from({ length: NC }, () => 0),
      mask: res,
      cpu: res.map((r) => (r ? 'In' as const : 'Out' as const)),
      sw: Array.from({ length: NC }, () => p.switches),
      ipi: Array.from({ length: NC }, () => false),
      h: Array.from({ length: NC }, () => 'Idle' as const),
      h_g: Array.from({ length: NC }, () => 0),
      u_pc: Array.from({ length: NU }, () => (p.mutant === MSD.staleAck ? 'Snap' as const : p.mutant === MSD.maskEarly ? 'Mask' as const : 'U1' as const)),
      u_g: Array.from({ length: NU }, () => 0),
      u_tgt: Array.from({ length: NU }, () => Array.from({ length: NC }, () => false)),
      u_w: Array.from({ length: NU }, () => 0),
      u_snap: Array.from({ length: NU }, () => Array.from({ length: NC }, () => 0)),
    };
  });
}

export default defineModel<typeof params, S>({
  name: 'dma-shootdown',
  description: 'capOS DMA multi-CPU TLB shootdown at Loom granularity: fresh generation per unmap, IPIs to the resident mask loaded after the PTE clear, handler flushes then re-reads the generation; CPUs enter and leave the address space meanwhile (protocols.md D.10)',
  params,
  validate: (p) => (p.unmappers > p.cpus ? `--unmappers (${p.unmappers}) must be at most --cpus (${p.cpus})` : undefined),
  state: schema,
  init: inits,
  actions,
  invariants: (p, { invariant }) => [
    invariant('NoTranslationOfFreedPage', 'D.10: freed[u] ⇒ ∀c: tlb[c][u]=⊥ (no CPU still translates a freed page)', (s) => {
      for (let u = 0; u < p.unmappers; u++) if (s.freed.get(u)) for (let c = 0; c < p.cpus; c++) if (s.tlb.at(c).get(u)) return false;
      return true;
    }),
  ],
  sometimes: (p, { sometimes }) => {
    const us = Array.from({ length: p.unmappers }, (_, u) => u), cs = Array.from({ length: p.cpus }, (_, c) => c);
    const waiting = (s: R, u: number): boolean => s.u_pc.get(u) === 'U4' || s.u_pc.get(u) === 'U5';
    return [
      sometimes('AllFreed', 'every unmapper freed its page', (s) => us.every((u) => s.freed.get(u))),
      sometimes('ForeignGenerationAcked', 'a CPU acknowledged a newer generation than an unmapper waiting on it needs (one handler run served both unmappers)', (s) =>
        us.some((u) => s.u_pc.get(u) === 'U4' && cs.some((c) => c !== u && s.acked.get(c) > s.u_g.get(u)))),
      sometimes('StaleEntryFlushed', 'a CPU held a translation of a page whose PTE is already cleared (the shootdown has something to flush)', (s) =>
        us.some((u) => !s.pte.get(u) && cs.some((c) => s.tlb.at(c).get(u)))),
      sometimes('EnteredDuringShootdown', 'a CPU runs the address space although the mask an unmapper loaded (and waits on) did not have it', (s) =>
        us.some((u) => waiting(s, u) && cs.some((c) => c !== u && s.cpu.get(c) === 'In' && !s.u_tgt.at(u).get(c)))),
      sometimes('LeftDuringShootdown', 'a CPU an unmapper still waits on has left the address space (its IPI reaches a CPU that is out)', (s) =>
        us.some((u) => s.u_pc.get(u) === 'U4' && cs.some((c) => c >= s.u_w.get(u) && c !== u && s.u_tgt.at(u).get(c) && s.cpu.get(c) === 'Out'))),
    ];
  },
  liveness: (p, { eventually, WF }) => [
    eventually('ShootdownCompletes', 'every unmapper eventually frees its page (under WF of every unmapper and every handler)',
      (s) => Array.from({ length: p.unmappers }, (_, u) => u).every((u) => s.u_pc.get(u) === 'Done'),
      { fairness: [...Array.from({ length: p.unmappers }, (_, u) => WF({ actor: `U${u}` })), ...Array.from({ length: p.cpus }, (_, c) => WF({ actor: `H${c}` }))] }),
  ],
  deadlock: (p, { terminalStates }) => terminalStates('every unmapper done, no IPI pending or being handled', (s) =>
    Array.from({ length: p.unmappers }, (_, u) => u).every((u) => s.u_pc.get(u) === 'Done')
    && Array.from({ length: p.cpus }, (_, c) => c).every((c) => !s.ipi.get(c) && s.h.get(c) === 'Idle')),
  mutants: [
    { id: MSD.ackFirst, kills: ['NoTranslationOfFreedPage'], params: { unmappers: 1, switches: 0 }, why: 'D.10: H2 before H1: the handler acknowledges before it flushes, so the unmapper may free while the TLB entry is live' },
    { id: MSD.staleAck, kills: ['NoTranslationOfFreedPage'], params: { cpus: 3, unmappers: 2, switches: 0 }, why: 'D.10: U4 compares against acked[c] as read before U3 (here: before U1) and waits for it to change, not for ≥ g: an acknowledgement of the other unmapper\'s shootdown, after which the CPU refilled its TLB, passes (needs a third CPU and the second unmapper)' },
    { id: MSD.waitSelf, kills: ['Deadlock'], params: { switches: 0 }, why: 'U4 also waits on the unmapper\'s own CPU, which U3 sends no IPI: unless the other unmapper\'s shootdown happens to acknowledge a newer generation there, the unmapper spins forever' },
    { id: MSD.maskEarly, kills: ['NoTranslationOfFreedPage'], params: { unmappers: 1, switches: 1 }, why: 'U3 uses the resident mask as loaded before U1: a CPU that enters after that load and touches the page before U1 is neither sent an IPI nor waited on' },
    { id: MSD.enterLate, kills: ['NoTranslationOfFreedPage'], params: { unmappers: 1, switches: 1 }, why: 'a CPU entering loads CR3 and runs before it sets its mask bit: it caches a translation, the unmapper\'s mask load misses it, and the page is freed under it' },
    { id: MSD.leaveEarly, kills: ['NoTranslationOfFreedPage'], params: { unmappers: 1, switches: 1 }, why: 'a CPU leaving clears its mask bit before it switches CR3 away: the unmapper skips it while its TLB still holds the translation' },
    { id: MSD.outNoAck, kills: ['ShootdownCompletes'], params: { unmappers: 1, switches: 1 }, why: 'the handler of a CPU that left the address space returns at once, without acknowledging: the unmapper that loaded the mask before the CPU left waits for it forever' },
  ],
  ci: [
    { name: 'c3-u2', params: { cpus: 3, unmappers: 2, switches: 1 } },
    { name: 'c2-u2-s2', params: { cpus: 2, unmappers: 2, switches: 2 } },
    { name: 'c4-u1', params: { cpus: 4, unmappers: 1, switches: 1 } },
    { name: 'c4-u2-s0', params: { cpus: 4, unmappers: 2, switches: 0 } },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.dma-shootdown.json'),
});
