// Protocol B2 of protocols.md: converting the LAPIC timer from periodic to a
// one-shot deadline with the halt-first reprogram (S1 write initial-count 0,
// S2 set the LVT to one-shot, S3 arm the count), against the hardware counter
// (HW.Expire, which reloads in periodic mode) and the timer ISR, whose one-shot
// expiry is consumed on a user-mode or a kernel-mode path that must restore a
// timer source: re-arm the next deadline, or revert to periodic in two register
// writes (V1 the LVT mode, V2 the count).
// Counts are symbolic in the timer: 0, P (periodic reload) and A (the armed
// one-shot count). S3 arms one request of a finite domain, and A's value is
// what the clamp arithmetic of ./clockevent.ts computes for it, checked by
// OneshotModeBoundedCount and CountRoundTrip. See README.lapic.md.
import { goldenFile } from '../../explorer/golden.js';
import { defineModel, enumParam, intParam, type ActionDef, type Ctx, type Fairness } from '../../explorer/model.js';
import { bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { implies, invariant, leadsTo, sometimes, WF } from '../../invariants/index.js';
import { countInRange, nsToCount, requestsOf, roundTrips, TIMERS, U32_MAX, windowOf, windowWellFormed, type Armed, type ArithMutant, type Timer } from './clockevent.js';

const params = {
  timer: enumParam(Object.keys(TIMERS) as Timer[], { default: '25MHz', help: 'LAPIC timer frequency (ticks per second) the clamp arithmetic converts requests with' }),
  requests: intParam({ min: 1, max: 9, default: 9, help: 'how many deadline requests of the edge-case domain S3 may arm (1: only the typical 1 ms deadline)' }),
};
type P = Ctx<typeof params>;

const COUNT = ['0', 'P', 'A'] as const;
const PHASE = ['Periodic', 'Halted', 'ModeSet', 'Armed', 'FiredOneshot', 'Reverting'] as const;
const PATHS = ['User', 'Kernel'] as const;
type Path = (typeof PATHS)[number];

/** The arithmetic mutants need the edge requests, so they run with the whole domain whatever --requests says. */
const EDGES = { requests: 9 } as const;
const ARITH: Record<string, ArithMutant> = { 'M-LAPIC-wide': 'no-max-clamp', 'M-LAPIC-zero': 'no-min-clamp', 'M-LAPIC-u64': 'u64-product' };
/** The request domain of a configuration and what the arithmetic (or the mutant's) makes of each request. */
function armedOf(p: P): Armed[] {
  const w = windowOf(TIMERS[p.timer]);
  return requestsOf(w).slice(0, p.requests).map((ns) => nsToCount(w, ns, ARITH[p.mutant ?? ''] ?? null));
}

function schema(p: P) {
  return {
    lvt_mode: enumOf(['Periodic', 'Oneshot']),
    init_count: enumOf(COUNT),
    cur: enumOf(COUNT),
    irq_pending: bool(),
    sw_phase: enumOf(PHASE),
    /** The reprogram sequence's program counter: the next of S1..S3 to run (Idle: not reprogramming). */
    sw_pc: enumOf(['Idle', 'S2', 'S3']),
    /** ISR in progress after consuming a one-shot expiry, and on which path (None: no ISR running). */
    isr: enumOf(['None', 'User', 'Kernel']),
    /** The ISR's revert to periodic: V2 is next (its first register write is done). */
    revert_pc: enumOf(['Idle', 'V2']),
    /** The request S3 armed (an index into the request domain; 0 when nothing is armed). */
    a_req: int(0, armedOf(p).length - 1),
    g_origin: enumOf(['P', 'A']),
    g_periodicFiredInOneshotMode: bool(),
    /** Origin of the latest fire (the one a pending irq stands for). */
    g_fire_origin: enumOf(['P', 'A']),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function actions(p: P): ActionDef<V, any, R>[] {
  const m = p.mutant;
  const armed = armedOf(p);
  const reqs = armed.map((_, i) => i);
  // The three reprogram steps; M-B9 runs them as S1, S3, S2 (the count is armed while the LVT is periodic).
  const halt = (n: V): void => { if (m !== 'M-B8') { n.init_count = '0'; n.cur = '0'; } n.sw_phase = 'Halted'; n.a_req = 0; }; // M-B8: S1 skipped (no count write)
  const setMode = (n: V): void => { n.lvt_mode = 'Oneshot'; n.sw_phase = 'ModeSet'; };
  const arm = (n: V, i: number): void => {
    const c = armed[i]!.reg === 0n ? '0' : 'A'; // a count of 0 written to initial-count stops the timer
    n.init_count = c; n.cur = c; n.g_origin = 'A'; n.a_req = i; n.sw_phase = 'Armed';
  };
  // V1 and V2 of the revert to periodic; M-B15 writes the count (V2's write) first, while the LVT is still one-shot.
  const lvtPeriodic = (n: V): void => { n.lvt_mode = 'Periodic'; };
  const countP = (n: V): void => { n.init_count = 'P'; n.cur = 'P'; n.g_origin = 'P'; };
  const firstWrite = m === 'M-B15' ? countP : lvtPeriodic;
  const secondWrite = m === 'M-B15' ? lvtPeriodic : countP;
  /** M-B10 (kernel path) and M-LAPIC-user (user path): the path returns from the ISR without restoring a source. */
  const noRestore = (path: Path): boolean => (m === 'M-B10' && path === 'Kernel') || (m === 'M-LAPIC-user' && path === 'User');
  const restoring = (s: R, path: Path): boolean => s.sw_phase === 'FiredOneshot' && s.isr === path && s.revert_pc === 'Idle';
  return [
    { name: 'HW.Expire', actor: 'HW', guard: (s) => s.cur !== '0' && !s.irq_pending,
      effect: (s, n) => {
        n.irq_pending = true; n.g_fire_origin = s.g_origin;
        if ((s.sw_phase === 'Halted' || s.sw_phase === 'ModeSet' || s.sw_phase === 'Armed') && s.g_origin === 'P') n.g_periodicFiredInOneshotMode = true;
        if (s.lvt_mode === 'Periodic') { n.cur = s.init_count; n.g_origin = 'P'; } else n.cur = '0';
      } },
    { name: 'SW.Halt', actor: 'SW', guard: (s) => s.sw_pc === 'Idle' && s.sw_phase === 'Periodic' && s.isr === 'None',
      effect: (_s, n) => { halt(n); n.sw_pc = 'S2'; } },
    m === 'M-B9'
      ? { name: 'SW.SetMode', actor: 'SW', over: reqs, guard: (s) => s.sw_pc === 'S2', effect: (_s, n, i: number) => { arm(n, i); n.sw_pc = 'S3'; } }
      : { name: 'SW.SetMode', actor: 'SW', guard: (s) => s.sw_pc === 'S2', effect: (_s, n) => { setMode(n); n.sw_pc = 'S3'; } },
    m === 'M-B9'
      ? { name: 'SW.Arm', actor: 'SW', guard: (s) => s.sw_pc === 'S3', effect: (_s, n) => { setMode(n); n.sw_pc = 'Idle'; } }
      : { name: 'SW.Arm', actor: 'SW', over: reqs, guard: (s) => s.sw_pc === 'S3', effect: (_s, n, i: number) => { arm(n, i); n.sw_pc = 'Idle'; } },
    { name: 'ISR.Enter', actor: 'ISR', over: PATHS, guard: (s) => s.irq_pending && s.isr === 'None',
      effect: (s, n, path: Path) => {
        n.irq_pending = false;
        // the count really expired: a fire latched before S1 arrives with cur=A≠0 and is not counted
        if (s.sw_phase === 'Armed' && (s.cur === '0' || m === 'M-LAPIC-stale')) { n.sw_phase = 'FiredOneshot'; n.isr = path; }
      } },
    // Restore by re-arming the next deadline: S1 here, then S2 and S3 as the SW steps.
    { name: 'ISR.Restore', actor: 'ISR', over: PATHS, guard: (s, path: Path) => restoring(s, path),
      effect: (_s, n, path: Path) => {
        n.isr = 'None';
        if (noRestore(path)) return;
        halt(n); n.sw_pc = 'S2';
      } },
    // Restore by reverting to periodic, one register write per step (§1): V1 the LVT mode, V2 the count.
    { name: 'ISR.RevertMode', actor: 'ISR', over: PATHS, guard: (s, path: Path) => restoring(s, path),
      effect: (_s, n, path: Path) => {
        if (noRestore(path)) { n.isr = 'None'; return; }
        firstWrite(n);
        if (m !== 'M-B15') n.sw_phase = 'Reverting'; // Reverting: the LVT is periodic again, the count not yet written
        n.revert_pc = 'V2';
      } },
    { name: 'ISR.RevertCount', actor: 'ISR', over: PATHS, guard: (s, path: Path) => s.revert_pc === 'V2' && s.isr === path,
      effect: (_s, n) => { secondWrite(n); n.sw_phase = 'Periodic'; n.a_req = 0; n.revert_pc = 'Idle'; n.isr = 'None'; } },
  ];
}

export default defineModel<typeof params, S>({
  name: 'lapic',
  description: 'LAPIC periodic → one-shot conversion with the halt-first reprogram, hardware reloads, the ISR\'s user/kernel consumption paths restoring a timer source (re-arm, or revert in two writes), and the clamp arithmetic of the armed count (protocols.md B2)',
  params,
  validate: (p) => (windowWellFormed(windowOf(TIMERS[p.timer])) ? undefined : `the clamp window of --timer ${p.timer} is not well-formed`),
  state: schema,
  init: () => [{
    lvt_mode: 'Periodic', init_count: 'P', cur: 'P', irq_pending: false, sw_phase: 'Periodic', sw_pc: 'Idle', isr: 'None', revert_pc: 'Idle', a_req: 0,
    g_origin: 'P', g_periodicFiredInOneshotMode: false, g_fire_origin: 'P',
  }],
  actions,
  invariants: (p) => {
    const armed = armedOf(p);
    const w = windowOf(TIMERS[p.timer]);
    return [
      implies<R>('HaltedDisarmed', 'B2: sw_phase=Halted ⇒ cur=0 (no fire can originate from the old count after S1)', (s) => s.sw_phase === 'Halted', (s) => s.cur === '0'),
      implies<R>('OneshotModeBoundedCount', 'B2: sw_phase=Armed ∧ cur≠0 ⇒ lvt_mode=Oneshot ∧ cur=A ∧ 1 ≤ A ≤ u32::MAX (A: the count the clamp arithmetic computed for the armed request)',
        (s) => s.sw_phase === 'Armed' && s.cur !== '0', (s) => s.lvt_mode === 'Oneshot' && s.cur === 'A' && countInRange(armed[s.a_req]!)),
      invariant<R>('periodicFiredInOneshotMode', 'B2 sentinel: g_periodicFiredInOneshotMode stays false (no fire of periodic origin while the software is reprogramming or armed)',
        (s) => !s.g_periodicFiredInOneshotMode),
      invariant<R>('NoTimerlessStall', 'B2: cur≠0 ∨ irq_pending ∨ ISR in progress ∨ sw_phase ∈ {Halted, ModeSet}',
        (s) => s.cur !== '0' || s.irq_pending || s.isr !== 'None' || s.sw_phase === 'Halted' || s.sw_phase === 'ModeSet'),
      implies<R>('FiredOneshotOrigin', 'B2 open detail: FiredOneshot only if the fire consumed had origin A (a stale periodic fire latched before S1 is never counted as the one-shot expiry)',
        (s) => s.sw_phase === 'FiredOneshot', (s) => s.g_fire_origin === 'A'),
      implies<R>('CountRoundTrip', 'B2 arithmetic (Kani): an unclamped armed request round-trips: the deadline its count encodes is not after the request and less than one count before it',
        (s) => s.sw_phase === 'Armed', (s) => roundTrips(w, armed[s.a_req]!)),
    ];
  },
  sometimes: (p) => {
    const armed = armedOf(p);
    return [
      sometimes<R>('FiredOneshotUser', 'the one-shot expiry is consumed on the user-mode path', (s) => s.sw_phase === 'FiredOneshot' && s.isr === 'User'),
      sometimes<R>('FiredOneshotKernel', 'the one-shot expiry is consumed on the kernel-mode path', (s) => s.sw_phase === 'FiredOneshot' && s.isr === 'Kernel'),
      sometimes<R>('StaleFireWhileArmed', 'a periodic fire latched before S1 is still pending when the one-shot count is armed', (s) => s.sw_phase === 'Armed' && s.irq_pending && s.cur === 'A'),
      sometimes<R>('RevertHalfway', 'the revert to periodic has written the LVT (V1) and not yet the count (V2)', (s) => s.sw_phase === 'Reverting'),
      // only where the request domain (--requests) reaches them
      ...(armed.some((a) => a.clamped) ? [sometimes<R>('ClampedArmed', 'a request outside the clamp window is armed (clamped to min_count or max_count)', (s) => s.sw_phase === 'Armed' && armed[s.a_req]!.clamped)] : []),
      ...(armed.some((a) => a.count === U32_MAX) ? [sometimes<R>('MaxCountArmed', 'the largest count, u32::MAX, is armed', (s) => s.sw_phase === 'Armed' && armed[s.a_req]!.count === U32_MAX)] : []),
    ];
  },
  liveness: () => {
    // WF(ISR) (protocols.md), plus WF on the reprogram steps a re-arm runs (S2, S3); S1 from Periodic is a decision, not fair.
    const fair: Fairness[] = ['ISR.Enter', 'ISR.Restore', 'ISR.RevertMode', 'ISR.RevertCount', 'SW.SetMode', 'SW.Arm'].map((action) => WF({ action }));
    return PATHS.map((path) => leadsTo<R>(`FiredEventuallyRestored${path}`, `B2: □(sw_phase=FiredOneshot ⇒ ◇ cur≠0), consumed on the ${path.toLowerCase()}-mode path`,
      (s) => s.sw_phase === 'FiredOneshot' && s.isr === path, (s) => s.cur !== '0', { fairness: fair }));
  },
  stuttering: 'anywhere',
  mutants: [
    { id: 'M-B8', kills: ['periodicFiredInOneshotMode', 'OneshotModeBoundedCount', 'HaltedDisarmed'],
      why: 'S1 skipped: S2 and S3 run while the periodic count is still running, so the software believes it halted (HaltedDisarmed) and the next fire has origin P (sentinel)' },
    { id: 'M-B9', kills: ['periodicFiredInOneshotMode', 'OneshotModeBoundedCount'],
      why: 'S2 and S3 swapped: the count A is armed while the LVT is still periodic, so the hardware reloads it and a periodic fire arrives in one-shot mode' },
    { id: 'M-B10', kills: ['NoTimerlessStall', 'FiredEventuallyRestoredKernel', 'Deadlock'],
      why: 'ISR.Restore(Kernel) disabled: the kernel-mode consumption path returns without re-arming or reverting, leaving cur=0 and nothing pending' },
    { id: 'M-B15', kills: ['FiredOneshotOrigin'],
      why: 'the revert writes the initial count (V2) before the LVT mode (V1): the count P starts a one-shot under the still-oneshot LVT, its fire has origin P while the software is in FiredOneshot, and the timer then stays stopped (NoTimerlessStall)' },
    { id: 'M-LAPIC-user', kills: ['NoTimerlessStall', 'FiredEventuallyRestoredUser'],
      why: '[ours] M-B10 on the other path: ISR.Restore(User) returns without restoring a source' },
    { id: 'M-LAPIC-stale', kills: ['FiredOneshotOrigin'],
      why: '[ours] ISR.Enter counts any fire while Armed as the one-shot expiry (no cur=0 test): a periodic fire latched before S1 is taken for the deadline' },
    { id: 'M-LAPIC-wide', kills: ['OneshotModeBoundedCount'], params: EDGES,
      why: '[ours] the upper clamp is dropped: a request past u32::MAX counts computes a count above u32::MAX, which the 32-bit register truncates' },
    { id: 'M-LAPIC-zero', kills: ['NoTimerlessStall'], params: EDGES,
      why: '[ours] the lower clamp is dropped: a request under one count computes count 0, and writing 0 to initial-count stops the timer instead of arming it' },
    { id: 'M-LAPIC-u64', kills: ['CountRoundTrip'], params: EDGES,
      why: '[ours] ns × ticks_per_s is computed in u64: it wraps for a request past 2^64 / tps, the wrapped count falls inside the window, and the armed deadline is far earlier than the request' },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.lapic.json'),
  ci: [
    { name: 'default', params: {} },
    { name: 'timer-1ghz', params: { timer: '1GHz' } },
  ],
});
