// Protocol B1 of protocols.md: nohz activation / rollback across CPUs. The
// controller C (housekeeping CPU) activates, revokes and regrants the
// isolation lease under the scheduler lock and kicks the target CPU T by IPI.
// T reads the lock-free NOHZ_ACTIVE_CPUS bit from its non-nesting IPI and TICK
// handlers, re-arms its timer lock-free when the bit is clear, and reconciles
// the locked nohz_activation record with try_lock (a failed try defers the
// reconciliation to the next tick). HW is T's LAPIC timer in periodic mode.
// See README.nohz.md for the mapping to protocols.md and every [choice].
import { goldenFile } from '../../explorer/golden.js';
import { defineModel, intParam, type ActionDef, type Ctx, type Fairness } from '../../explorer/model.js';
import { bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { eventuallyAlways, implies, invariant, leadsTo, sometimes, SF, WF } from '../../invariants/index.js';

const params = {
  gens: intParam({ min: 1, max: 3, default: 2, help: 'G: lease terminations (C.Revoke bumps lease_gen, at most G times)' }),
  activations: intParam({ min: 1, max: 3, default: 2, help: 'C.Activate runs at most this many times' }),
  regrants: intParam({ min: 0, max: 2, default: 1, help: 'C.Regrant runs at most this many times' }),
  schedOps: intParam({ min: 0, max: 2, default: 1, help: 'other sched_lock critical sections of the housekeeping CPU (C.Sched), which make T\'s try_lock fail' }),
};
type P = Ctx<typeof params>;

const CPC = ['Idle', 'A2', 'A3', 'A4', 'R2', 'R3', 'R4', 'R5', 'R6', 'G2', 'L2'] as const;
const HPC = ['None', 'I2', 'I3', 'I4', 'I5', 'K2'] as const;
const SPC = ['Run', 'S2', 'S3'] as const;

function schema(p: P) {
  const G = p.gens;
  return {
    nohz_bit: bool(),                                   // NOHZ_ACTIVE_CPUS[T], lock-free atomic
    rec_st: enumOf(['Idle', 'Pending', 'Active']),      // nohz_activation[slot], under sched_lock
    rec_gen: int(0, G),
    lease_gen: int(0, G),                               // under sched_lock
    lease_live: bool(),
    sched_lock: enumOf(['free', 'C', 'T']),
    ipi_pending: bool(),                                // coalescing, like the IRR bit
    tick_pending: bool(),
    deferred: bool(),                                   // T-local "reconcile later"
    timer: enumOf(['Off', 'Periodic']),                 // written only by T
    c_pc: enumOf(CPC),
    t_h: enumOf(HPC),                                   // T's handler pc (None: no handler running)
    t_s: enumOf(SPC),                                   // T's thread pc (the SQPOLL thread's SelfStop)
    snap_bit: bool(),                                   // T.snap_bit, live only between I2 and I3
    acts: int(0, p.activations),
    regr: int(0, p.regrants),
    sched: int(0, p.schedOps),
    g_stale_applied: bool(),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

const legit = (s: R): boolean => s.nohz_bit && s.rec_st === 'Active' && s.rec_gen === s.lease_gen && s.lease_live;
const covered = (s: R): boolean =>
  s.c_pc === 'R2' || s.c_pc === 'R3' || s.c_pc === 'R4' || s.c_pc === 'R5' || s.c_pc === 'R6' ||
  s.ipi_pending || s.t_h === 'I2' || s.t_h === 'I3' || s.t_s === 'S2';

/** Reconcile (T holds sched_lock), on the successor view n. */
function reconcile(n: V, m: string | null): void {
  if (n.rec_st === 'Pending') {
    const current = n.rec_gen === n.lease_gen && n.lease_live;
    if (current || m === 'M-B3') { // M-B3: apply without the generation/liveness test
      if (!current) n.g_stale_applied = true;
      n.nohz_bit = true; n.timer = 'Off'; n.rec_st = 'Active';
    } else if (m !== 'M-B4') { // M-B4: a stale Pending is ignored instead of reset
      n.rec_st = 'Idle'; n.rec_gen = 0;
    }
  } else if (n.rec_st === 'Active' && !(n.rec_gen === n.lease_gen && n.lease_live)) {
    n.rec_st = 'Idle'; n.rec_gen = 0; n.nohz_bit = false; n.timer = 'Periodic';
  } else if (n.rec_st === 'Active' && !n.nohz_bit) {
    n.rec_st = 'Idle'; n.rec_gen = 0;
  }
  if (!n.nohz_bit && n.timer === 'Off') n.timer = 'Periodic';
}

function actions(p: P): ActionDef<V>[] {
  const m = p.mutant;
  const cIdle = (s: R): boolean => s.c_pc === 'Idle' && s.sched_lock === 'free';
  const noHandler = (s: R): boolean => s.t_h === 'None';
  return [
    // ---- C.Activate ----
    { name: 'C.Activate.A1', actor: 'C', guard: (s) => cIdle(s) && s.rec_st === 'Idle' && s.lease_live && s.acts < p.activations,
      effect: (s, n) => { n.sched_lock = 'C'; n.acts = s.acts + 1; n.c_pc = 'A2'; } },
    { name: 'C.Activate.A2', actor: 'C', guard: (s) => s.c_pc === 'A2',
      effect: (s, n) => { n.rec_st = 'Pending'; n.rec_gen = s.lease_gen; n.c_pc = 'A3'; } },
    { name: 'C.Activate.A3', actor: 'C', guard: (s) => s.c_pc === 'A3',
      effect: (_s, n) => { n.sched_lock = 'free'; n.c_pc = 'A4'; } },
    { name: 'C.Activate.A4', actor: 'C', guard: (s) => s.c_pc === 'A4',
      effect: (_s, n) => { n.ipi_pending = true; n.c_pc = 'Idle'; } },
    // ---- C.Revoke (M-B2: R6 moved before R4: R1 R2 R3 R6 R4 R5) ----
    { name: 'C.Revoke.R1', actor: 'C', guard: (s) => cIdle(s) && s.lease_live && s.lease_gen < p.gens,
      effect: (_s, n) => { n.sched_lock = 'C'; n.c_pc = 'R2'; } },
    { name: 'C.Revoke.R2', actor: 'C', guard: (s) => s.c_pc === 'R2',
      effect: (s, n) => { n.lease_live = false; n.lease_gen = s.lease_gen + 1; n.c_pc = 'R3'; } },
    { name: 'C.Revoke.R3', actor: 'C', guard: (s) => s.c_pc === 'R3',
      effect: (s, n) => { if (s.rec_st === 'Active') { n.rec_st = 'Idle'; n.rec_gen = 0; } n.c_pc = m === 'M-B2' ? 'R6' : 'R4'; } },
    { name: 'C.Revoke.R4', actor: 'C', guard: (s) => s.c_pc === 'R4',
      effect: (_s, n) => { n.nohz_bit = false; n.c_pc = 'R5'; } },
    { name: 'C.Revoke.R5', actor: 'C', guard: (s) => s.c_pc === 'R5',
      effect: (_s, n) => { n.sched_lock = 'free'; n.c_pc = m === 'M-B2' ? 'Idle' : 'R6'; } },
    { name: 'C.Revoke.R6', actor: 'C', guard: (s) => s.c_pc === 'R6',
      effect: (_s, n) => { n.ipi_pending = true; n.c_pc = m === 'M-B2' ? 'R4' : 'Idle'; } },
    // ---- C.Regrant ----
    { name: 'C.Regrant.G1', actor: 'C', guard: (s) => cIdle(s) && !s.lease_live && s.regr < p.regrants,
      effect: (s, n) => { n.sched_lock = 'C'; n.regr = s.regr + 1; n.c_pc = 'G2'; } },
    { name: 'C.Regrant.G2', actor: 'C', guard: (s) => s.c_pc === 'G2',
      effect: (_s, n) => { n.lease_live = true; n.sched_lock = 'free'; n.c_pc = 'Idle'; } },
    // ---- C.Sched: other scheduler work holding sched_lock [choice] ----
    { name: 'C.Sched.L1', actor: 'C', guard: (s) => cIdle(s) && s.sched < p.schedOps,
      effect: (s, n) => { n.sched_lock = 'C'; n.sched = s.sched + 1; n.c_pc = 'L2'; } },
    { name: 'C.Sched.L2', actor: 'C', guard: (s) => s.c_pc === 'L2',
      effect: (_s, n) => { n.sched_lock = 'free'; n.c_pc = 'Idle'; } },
    // ---- HW: T's LAPIC timer ----
    { name: 'HW.Fire', actor: 'HW', guard: (s) => s.timer === 'Periodic' && !s.tick_pending,
      effect: (_s, n) => { n.tick_pending = true; } },
    // ---- T.IPI ----
    { name: 'T.IPI.I1', actor: 'T', guard: (s) => noHandler(s) && s.ipi_pending,
      effect: (_s, n) => { n.ipi_pending = false; n.t_h = 'I2'; } },
    { name: 'T.IPI.I2', actor: 'T', guard: (s) => s.t_h === 'I2',
      effect: (s, n) => { n.snap_bit = s.nohz_bit; n.t_h = 'I3'; } },
    { name: 'T.IPI.I3', actor: 'T', guard: (s) => s.t_h === 'I3',
      effect: (s, n) => {
        if (m !== 'M-B1' && !s.snap_bit && s.timer === 'Off') n.timer = 'Periodic'; // M-B1: no lock-free re-arm
        n.snap_bit = false; n.t_h = 'I4';
      } },
    { name: 'T.IPI.I4', actor: 'T', guard: (s) => s.t_h === 'I4',
      effect: (s, n) => {
        if (s.sched_lock === 'free') { n.sched_lock = 'T'; n.t_h = 'I5'; } else { n.deferred = true; n.t_h = 'None'; }
      } },
    { name: 'T.IPI.I5', actor: 'T', guard: (s) => s.t_h === 'I5',
      effect: (_s, n) => { reconcile(n, m); n.sched_lock = 'free'; n.t_h = 'None'; } },
    // ---- T.TICK ----
    { name: 'T.TICK.K1', actor: 'T', guard: (s) => noHandler(s) && s.tick_pending,
      effect: (s, n) => { n.tick_pending = false; n.t_h = s.deferred ? 'K2' : 'None'; } },
    { name: 'T.TICK.K2', actor: 'T', guard: (s) => s.t_h === 'K2',
      effect: (s, n) => {
        if (m !== 'M-B5' && s.sched_lock === 'free') { n.deferred = false; reconcile(n, m); } // M-B5: no deferred retry
        n.t_h = 'None';
      } },
    // ---- T.SelfStop: the SQPOLL thread on T stops while nohz is active ----
    { name: 'T.SelfStop.S1', actor: 'T', guard: (s) => noHandler(s) && s.t_s === 'Run' && s.nohz_bit,
      effect: (_s, n) => { n.nohz_bit = false; n.t_s = 'S2'; } },
    { name: 'T.SelfStop.S2', actor: 'T', guard: (s) => noHandler(s) && s.t_s === 'S2',
      effect: (_s, n) => { n.timer = 'Periodic'; n.t_s = 'S3'; } },
    { name: 'T.SelfStop.S3', actor: 'T', guard: (s) => noHandler(s) && s.t_s === 'S3',
      effect: (s, n) => {
        if (s.sched_lock === 'free') reconcile(n, m); else n.deferred = true;
        n.t_s = 'Run';
      } },
  ];
}

/** The steps where the environment decides to start something: not fair (a lease may stay live, nohz may last forever). */
const UNFAIR = new Set(['C.Activate.A1', 'C.Revoke.R1', 'C.Regrant.G1', 'C.Sched.L1', 'T.SelfStop.S1']);
/**
 * Steps that wait for T to be outside any handler: another handler can run in between infinitely often, so
 * weak fairness would let the tick starve the IPI handler or the interrupted thread; they get strong fairness.
 */
const STRONG = new Set(['T.IPI.I1', 'T.TICK.K1', 'T.SelfStop.S2', 'T.SelfStop.S3']);
function fairness(p: P): Fairness[] {
  return actions(p).filter((a) => !UNFAIR.has(a.name)).map((a) => (STRONG.has(a.name) ? SF({ action: a.name }) : WF({ action: a.name })));
}

export default defineModel<typeof params, S>({
  name: 'nohz',
  description: 'scheduler nohz activation/rollback: lock-free NOHZ_ACTIVE_CPUS bit vs the nohz_activation record under sched_lock, try_lock from IPI/TICK handlers with deferred retry, coalescing IPIs, generations (protocols.md B1)',
  params,
  state: schema,
  init: () => [{
    nohz_bit: false, rec_st: 'Idle', rec_gen: 0, lease_gen: 0, lease_live: true, sched_lock: 'free',
    ipi_pending: false, tick_pending: false, deferred: false, timer: 'Periodic',
    c_pc: 'Idle', t_h: 'None', t_s: 'Run', snap_bit: false, acts: 0, regr: 0, sched: 0, g_stale_applied: false,
  }],
  actions,
  invariants: () => [
    implies<R>('NoTimerlessStall', 'B1: timer=Off ⇒ legit ∨ covered, legit := nohz_bit ∧ rec.st=Active ∧ rec.gen=lease_gen ∧ lease_live, covered := C.pc ∈ {R2..R6} ∨ ipi_pending ∨ T.pc ∈ {I2, I3, S2}',
      (s) => s.timer === 'Off', (s) => legit(s) || covered(s)),
    invariant<R>('NoStaleActivation', 'B1: ¬g_stale_applied (no apply step ran with rec.gen ≠ lease_gen ∨ ¬lease_live)', (s) => !s.g_stale_applied),
  ],
  sometimes: () => [
    sometimes<R>('NohzActive', 'the tick is stopped legitimately (legit ∧ timer=Off)', (s) => legit(s) && s.timer === 'Off'),
    sometimes<R>('NohzActiveSecondGeneration', 'nohz active again after a revoke and a regrant', (s) => legit(s) && s.lease_gen >= 1),
    sometimes<R>('StalePending', 'a Pending record of an older generation (revoked before T applied it)', (s) => s.rec_st === 'Pending' && s.rec_gen !== s.lease_gen),
    sometimes<R>('DeferredRetry', 'a tick handler retries a deferred reconciliation', (s) => s.t_h === 'K2' && s.deferred),
    sometimes<R>('SelfStopDeferred', 'SelfStop cleared the bit and its try_lock failed: bit clear, record Active, reconciliation deferred', (s) => s.t_s === 'Run' && s.deferred && s.rec_st === 'Active' && !s.nohz_bit),
  ],
  liveness: (p) => {
    const fair = fairness(p);
    return [
      leadsTo<R>('EventuallyReArmed', 'B1: □(¬legit ⇒ ◇(timer=Periodic ∨ legit))', (s) => !legit(s), (s) => s.timer === 'Periodic' || legit(s), { fairness: fair }),
      eventuallyAlways<R>('EventuallyConsistent', 'B1: □(C quiescent ⇒ ◇□(nohz_bit ⇔ rec.st=Active)); C runs finitely many bounded operations, so this is ◇□(nohz_bit ⇔ rec.st=Active)',
        (s) => s.nohz_bit === (s.rec_st === 'Active'), { fairness: fair }),
      leadsTo<R>('StaledRecordEventuallyCleared', 'B1: □(rec.st=Pending ∧ rec.gen≠lease_gen ⇒ ◇(rec.st=Idle ∨ rec.gen=lease_gen))',
        (s) => s.rec_st === 'Pending' && s.rec_gen !== s.lease_gen, (s) => s.rec_st === 'Idle' || s.rec_gen === s.lease_gen, { fairness: fair }),
    ];
  },
  stuttering: 'anywhere',
  mutants: [
    { id: 'M-B1', kills: ['NoTimerlessStall', 'EventuallyReArmed'],
      why: 'I3 deleted (re-arm only inside the locked Reconcile): after a revoke the IPI handler sees the bit clear but a concurrent C.Regrant holds the lock, I4 fails, and the timer stays off' },
    { id: 'M-B2', kills: ['NoTimerlessStall', 'Deadlock'],
      why: 'C.Revoke sends the IPI (R6) before clearing the bit (R4): I2 sees the stale bit, I4 fails while C holds the lock, no second IPI; once C has run its bounded operations nothing is enabled, the timer off for good (Deadlock)' },
    { id: 'M-B3', kills: ['NoStaleActivation'],
      why: 'Reconcile applies a Pending record without the generation/liveness test: an activation revoked before T saw it is applied' },
    { id: 'M-B4', kills: ['StaledRecordEventuallyCleared'],
      why: 'a stale Pending record is ignored instead of reset to Idle: it stays Pending forever (and the next C.Activate is blocked)' },
    { id: 'M-B5', kills: ['EventuallyConsistent'],
      why: 'K2 drops the deferred retry: SelfStop clears the bit, its S3 try_lock fails against C.Sched, and the record stays Active with the bit clear forever' },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.nohz.json'),
  ci: [
    { name: 'default', params: {} },
    { name: 'one-generation', params: { gens: 1, activations: 1, regrants: 0, schedOps: 1 } },
    { name: 'wide', params: { gens: 3, activations: 3, regrants: 2, schedOps: 2 } },
  ],
});
