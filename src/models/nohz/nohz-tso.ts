// Protocol B1-L of protocols.md: the lock-free bit <-> locked record
// reconciliation of the nohz rollback, at Loom level. T (the tick ISR on the
// target, nohz path) disarms its timer after reading NOHZ_ACTIVE_CPUS and
// re-checks the bit after a fence; C (the rollback under sched_lock) clears
// the bit, fences, and kicks T with an IPI if T looks disarmed. A Dekker
// pattern: correct under SC, and under TSO only thanks to the two fences.
// `--memory tso` runs every store through a per-thread FIFO store buffer
// (./store-buffer.ts) with explicit '<thread>.Flush' steps.
import { goldenFile } from '../../explorer/golden.js';
import { defineModel, enumParam, intParam, type ActionDef, type Ctx } from '../../explorer/model.js';
import { bool, enumOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { implies, sometimes, terminalStates } from '../../invariants/index.js';
import { storeBuffer } from '../../invariants/store-buffer.js';

const params = {
  memory: enumParam(['sc', 'tso'], { default: 'tso', help: 'memory model: sc (interleavings only) or tso (per-thread FIFO store buffers, flush steps, fences wait for an empty buffer)' }),
  depth: intParam({ min: 1, max: 3, default: 1, help: 'store-buffer entries per thread under --memory tso (protocols.md section 1: 1)' }),
};
type P = Ctx<typeof params>;

const TPC = ['T1', 'T2', 'T3', 'T4', 'T5', 'Done'] as const;
const CPC = ['C1', 'C2', 'C3', 'C4', 'C5', 'Done'] as const;

/** The shared variables that go through the store buffers (rec_active: C1's `rec := Idle` is a store too). */
const SHARED = { bit: 1, t_armed: 1, rec_active: 1 } as const;
const sbOf = (p: P) => storeBuffer({ threads: ['T', 'C'], vars: SHARED, depth: p.depth, memory: p.memory });

function schema(p: P) {
  return {
    // shared memory
    bit: bool(),          // NOHZ_ACTIVE_CPUS[T]
    t_armed: bool(),      // T's published "my timer is armed"
    rec_active: bool(),   // nohz_activation[slot].st = Active
    // T-private / device state (not memory stores)
    timer: enumOf(['Off', 'Periodic']),
    ipi: bool(),          // C's IPI to T is sent (the IPI handler re-arms)
    t_pc: enumOf(TPC), b1: bool(), b2: bool(),
    c_pc: enumOf(CPC), a: bool(),
    g_rearmed: bool(),    // ghost: T5 re-armed after the second load (for a reachability goal only)
    ...sbOf(p).fields(),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function actions(p: P): ActionDef<V>[] {
  const sb = sbOf(p);
  const m = p.mutant;
  return [
    // ---- T: the tick ISR on the target, nohz path ----
    { name: 'T.T1', actor: 'T', guard: (s) => s.t_pc === 'T1',
      effect: (s, n) => { n.b1 = sb.load(s, 'T', 'bit') === 1; n.t_pc = 'T2'; } },
    { name: 'T.T2', actor: 'T', guard: (s) => s.t_pc === 'T2' && (!s.b1 || sb.canStore(s, 'T')),
      effect: (s, n) => {
        if (!s.b1) { n.b1 = false; n.t_pc = 'Done'; return; } // bit already clear: nothing to disarm
        n.timer = 'Off'; sb.store(n, 'T', 't_armed', 0);
        n.b1 = false;
        n.t_pc = m === 'M-B7' ? 'T4' : 'T3'; // M-B7: no fence
      } },
    { name: 'T.T3', actor: 'T', guard: (s) => s.t_pc === 'T3' && sb.fenceEnabled(s, 'T'),
      effect: (_s, n) => { n.t_pc = m === 'M-B6' ? 'Done' : 'T4'; } }, // M-B6: single check (T4/T5 dropped)
    { name: 'T.T4', actor: 'T', guard: (s) => s.t_pc === 'T4',
      effect: (s, n) => { n.b2 = sb.load(s, 'T', 'bit') === 1; n.t_pc = 'T5'; } },
    { name: 'T.T5', actor: 'T', guard: (s) => s.t_pc === 'T5' && (s.b2 || sb.canStore(s, 'T')),
      effect: (s, n) => {
        if (!s.b2) { n.timer = 'Periodic'; sb.store(n, 'T', 't_armed', 1); n.g_rearmed = true; }
        n.b2 = false; n.t_pc = 'Done';
      } },
    // ---- C: the rollback, under sched_lock ----
    { name: 'C.C1', actor: 'C', guard: (s) => s.c_pc === 'C1' && sb.canStore(s, 'C'),
      effect: (_s, n) => { sb.store(n, 'C', 'rec_active', 0); n.c_pc = 'C2'; } },
    { name: 'C.C2', actor: 'C', guard: (s) => s.c_pc === 'C2' && sb.canStore(s, 'C'),
      effect: (_s, n) => { sb.store(n, 'C', 'bit', 0); n.c_pc = m === 'M-B7' ? 'C4' : 'C3'; } }, // M-B7: no fence
    { name: 'C.C3', actor: 'C', guard: (s) => s.c_pc === 'C3' && sb.fenceEnabled(s, 'C'),
      effect: (_s, n) => { n.c_pc = 'C4'; } },
    { name: 'C.C4', actor: 'C', guard: (s) => s.c_pc === 'C4',
      effect: (s, n) => { n.a = sb.load(s, 'C', 't_armed') === 1; n.c_pc = 'C5'; } },
    { name: 'C.C5', actor: 'C',
      // M-TSO-wait: instead of kicking T, C spins until T looks armed again (a load of t_armed that must read 1)
      guard: (s) => s.c_pc === 'C5' && (m !== 'M-TSO-wait' || s.a || sb.load(s, 'C', 't_armed') === 1),
      effect: (s, n) => { if (!s.a && m !== 'M-TSO-wait') n.ipi = true; n.a = false; n.c_pc = 'Done'; } },
    // ---- the store buffers (tso only) ----
    ...sb.flushActions(),
  ];
}

export default defineModel<typeof params, S>({
  name: 'nohz-tso',
  description: 'nohz rollback, Loom level: the Dekker-shaped bit/armed reconciliation between the tick ISR and the rollback, under SC or TSO store buffers (protocols.md B1-L)',
  params,
  state: schema,
  init: (p) => [{
    bit: true, t_armed: true, rec_active: true, timer: 'Periodic', ipi: false,
    t_pc: 'T1', b1: false, b2: false, c_pc: 'C1', a: false, g_rearmed: false,
    ...(sbOf(p).init() as Record<string, never[]>),
  }],
  actions,
  invariants: (p) => {
    const sb = sbOf(p);
    const quiescent = (s: R): boolean => s.t_pc === 'Done' && s.c_pc === 'Done' && sb.allEmpty(s);
    return [
      implies<R>('NoTimerlessStall', 'B1-L: at quiescence (both threads done, store buffers drained) ¬(timer=Off ∧ bit=0 ∧ ipi=0)',
        quiescent, (s) => !(s.timer === 'Off' && !s.bit && !s.ipi)),
    ];
  },
  sometimes: (p) => [
    sometimes<R>('StallAvertedByIpi', 'T disarmed and C saw it: quiescent with timer=Off and the IPI sent', (s) => s.t_pc === 'Done' && s.c_pc === 'Done' && s.timer === 'Off' && s.ipi),
    sometimes<R>('StallAvertedByRecheck', 'T disarmed, then re-armed after its second load of the bit', (s) => s.g_rearmed),
    ...(p.memory === 'tso' ? [sometimes<R>('BothStoresBuffered', 'both threads have a store in their buffer at once', (s) => !sbOf(p).isEmpty(s, 'T') && !sbOf(p).isEmpty(s, 'C'))] : []),
  ],
  deadlock: (p) => terminalStates<R>('both threads done and both store buffers drained', (s) => s.t_pc === 'Done' && s.c_pc === 'Done' && sbOf(p).allEmpty(s)),
  mutants: [
    { id: 'M-B6', kills: ['NoTimerlessStall'], params: { memory: 'sc' },
      why: 'T drops its re-check (T4/T5): T1 reads bit=1, C clears the bit and reads t_armed=1 (no IPI), then T2 disarms; fails even under SC' },
    { id: 'M-B7', kills: ['NoTimerlessStall'], params: { memory: 'tso' },
      why: 'both fences deleted: under TSO each thread\'s store sits in its buffer while it loads the other\'s stale value (T sees bit=1 twice, C sees t_armed=1), so T stays disarmed with no IPI; passes under SC' },
    { id: 'M-TSO-wait', kills: ['Deadlock'],
      why: '[ours] C5 waits for T to re-arm itself (spins until t_armed reads 1) instead of sending the IPI: when T finished disarmed, nothing will ever re-arm it, and C spins forever at C5 (a terminal state that is not quiescent)' },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.nohz-tso.json'),
  ci: [
    { name: 'sc', params: { memory: 'sc' } },
    { name: 'tso', params: { memory: 'tso' } },
    { name: 'tso-depth2', params: { memory: 'tso', depth: 2 } },
  ],
});
