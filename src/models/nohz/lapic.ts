// Protocol B2 of protocols.md: converting the LAPIC timer from periodic to a
// one-shot deadline with the halt-first reprogram (S1 write initial-count 0,
// S2 set the LVT to one-shot, S3 arm the count), against the hardware counter
// (HW.Expire, which reloads in periodic mode) and the timer ISR, whose one-shot
// expiry is consumed on a user-mode or a kernel-mode path that must restore a
// timer source (re-arm the next deadline, or revert to periodic).
// Counts are symbolic: 0, P (periodic reload) and A (the armed one-shot count,
// A in [1, u32::MAX]). See README.lapic.md.
import { goldenFile } from '../../explorer/golden.js';
import { defineModel, type ActionDef, type Ctx, type Fairness } from '../../explorer/model.js';
import { bool, enumOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { implies, invariant, leadsTo, sometimes, WF } from '../../invariants/index.js';

const params = {};
type P = Ctx<typeof params>;

const COUNT = ['0', 'P', 'A'] as const;
const PHASE = ['Periodic', 'Halted', 'ModeSet', 'Armed', 'FiredOneshot'] as const;
const PATHS = ['User', 'Kernel'] as const;
type Path = (typeof PATHS)[number];

/** A in [1, u32::MAX]: the Kani-checked clamp (capos_lib::clockevent), abstracted to one symbolic value. */
const A_IN_RANGE = true;

function schema() {
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
  // The three reprogram steps; M-B9 runs them as S1, S3, S2 (the count is armed while the LVT is periodic).
  const halt = (n: V): void => { if (m !== 'M-B8') { n.init_count = '0'; n.cur = '0'; } n.sw_phase = 'Halted'; }; // M-B8: S1 skipped (no count write)
  const setMode = (n: V): void => { n.lvt_mode = 'Oneshot'; n.sw_phase = 'ModeSet'; };
  const arm = (n: V): void => { n.init_count = 'A'; n.cur = 'A'; n.g_origin = 'A'; n.sw_phase = 'Armed'; };
  const second = m === 'M-B9' ? arm : setMode;
  const third = m === 'M-B9' ? setMode : arm;
  return [
    { name: 'HW.Expire', actor: 'HW', guard: (s) => s.cur !== '0' && !s.irq_pending,
      effect: (s, n) => {
        n.irq_pending = true; n.g_fire_origin = s.g_origin;
        if ((s.sw_phase === 'Halted' || s.sw_phase === 'ModeSet' || s.sw_phase === 'Armed') && s.g_origin === 'P') n.g_periodicFiredInOneshotMode = true;
        if (s.lvt_mode === 'Periodic') { n.cur = s.init_count; n.g_origin = 'P'; } else n.cur = '0';
      } },
    { name: 'SW.Halt', actor: 'SW', guard: (s) => s.sw_pc === 'Idle' && s.sw_phase === 'Periodic' && s.isr === 'None',
      effect: (_s, n) => { halt(n); n.sw_pc = 'S2'; } },
    { name: 'SW.SetMode', actor: 'SW', guard: (s) => s.sw_pc === 'S2',
      effect: (_s, n) => { second(n); n.sw_pc = 'S3'; } },
    { name: 'SW.Arm', actor: 'SW', guard: (s) => s.sw_pc === 'S3',
      effect: (_s, n) => { third(n); n.sw_pc = 'Idle'; } },
    { name: 'ISR.Enter', actor: 'ISR', over: PATHS, guard: (s) => s.irq_pending && s.isr === 'None',
      effect: (s, n, path: Path) => {
        n.irq_pending = false;
        // the count really expired: a fire latched before S1 arrives with cur=A≠0 and is not counted
        if (s.sw_phase === 'Armed' && (s.cur === '0' || m === 'M-LAPIC-stale')) { n.sw_phase = 'FiredOneshot'; n.isr = path; }
      } },
    { name: 'ISR.Restore', actor: 'ISR', over: PATHS.flatMap((path) => (['rearm', 'periodic'] as const).map((how) => ({ path, how }))),
      guard: (s, a: { path: Path }) => s.sw_phase === 'FiredOneshot' && s.isr === a.path,
      effect: (_s, n, a: { path: Path; how: 'rearm' | 'periodic' }) => {
        n.isr = 'None';
        if ((m === 'M-B10' && a.path === 'Kernel') || (m === 'M-LAPIC-user' && a.path === 'User')) return; // M-B10: the kernel-mode path returns without restoring a source
        if (a.how === 'rearm') { halt(n); n.sw_pc = 'S2'; } // run S1..S3 again (S1 here, S2/S3 as SW steps)
        else { n.init_count = 'P'; n.lvt_mode = 'Periodic'; n.cur = 'P'; n.g_origin = 'P'; n.sw_phase = 'Periodic'; }
      } },
  ];
}

export default defineModel<typeof params, S>({
  name: 'lapic',
  description: 'LAPIC periodic → one-shot conversion with the halt-first reprogram, hardware reloads, and the ISR\'s user/kernel consumption paths restoring a timer source (protocols.md B2)',
  params,
  state: schema,
  init: () => [{
    lvt_mode: 'Periodic', init_count: 'P', cur: 'P', irq_pending: false, sw_phase: 'Periodic', sw_pc: 'Idle', isr: 'None',
    g_origin: 'P', g_periodicFiredInOneshotMode: false, g_fire_origin: 'P',
  }],
  actions,
  invariants: () => [
    implies<R>('HaltedDisarmed', 'B2: sw_phase=Halted ⇒ cur=0 (no fire can originate from the old count after S1)', (s) => s.sw_phase === 'Halted', (s) => s.cur === '0'),
    implies<R>('OneshotModeBoundedCount', 'B2: sw_phase=Armed ∧ cur≠0 ⇒ lvt_mode=Oneshot ∧ cur=A ∧ 1 ≤ A ≤ u32::MAX',
      (s) => s.sw_phase === 'Armed' && s.cur !== '0', (s) => s.lvt_mode === 'Oneshot' && s.cur === 'A' && A_IN_RANGE),
    invariant<R>('periodicFiredInOneshotMode', 'B2 sentinel: g_periodicFiredInOneshotMode stays false (no fire of periodic origin while the software is reprogramming or armed)',
      (s) => !s.g_periodicFiredInOneshotMode),
    invariant<R>('NoTimerlessStall', 'B2: cur≠0 ∨ irq_pending ∨ ISR in progress ∨ sw_phase ∈ {Halted, ModeSet}',
      (s) => s.cur !== '0' || s.irq_pending || s.isr !== 'None' || s.sw_phase === 'Halted' || s.sw_phase === 'ModeSet'),
    implies<R>('FiredOneshotOrigin', 'B2 open detail: FiredOneshot only if the fire consumed had origin A (a stale periodic fire latched before S1 is never counted as the one-shot expiry)',
      (s) => s.sw_phase === 'FiredOneshot', (s) => s.g_fire_origin === 'A'),
  ],
  sometimes: () => [
    sometimes<R>('FiredOneshotUser', 'the one-shot expiry is consumed on the user-mode path', (s) => s.sw_phase === 'FiredOneshot' && s.isr === 'User'),
    sometimes<R>('FiredOneshotKernel', 'the one-shot expiry is consumed on the kernel-mode path', (s) => s.sw_phase === 'FiredOneshot' && s.isr === 'Kernel'),
    sometimes<R>('StaleFireWhileArmed', 'a periodic fire latched before S1 is still pending when the one-shot count is armed', (s) => s.sw_phase === 'Armed' && s.irq_pending && s.cur === 'A'),
  ],
  liveness: (p) => {
    // WF(ISR) (protocols.md), plus WF on the reprogram steps a re-arm runs (S2, S3); S1 from Periodic is a decision, not fair.
    const fair: Fairness[] = [WF({ action: 'ISR.Enter' }), WF({ action: 'ISR.Restore' }), WF({ action: 'SW.SetMode' }), WF({ action: 'SW.Arm' })];
    void p;
    return PATHS.map((path) => leadsTo<R>(`FiredEventuallyRestored${path}`, `B2: □(sw_phase=FiredOneshot ⇒ ◇ cur≠0), consumed on the ${path.toLowerCase()}-mode path`,
      (s) => s.sw_phase === 'FiredOneshot' && s.isr === path, (s) => s.cur !== '0', { fairness: fair }));
  },
  stuttering: 'anywhere',
  mutants: [
    { id: 'M-B8', kills: ['periodicFiredInOneshotMode', 'OneshotModeBoundedCount', 'HaltedDisarmed'],
      why: 'S1 skipped: S2 and S3 run while the periodic count is still running, so the software believes it halted (HaltedDisarmed) and the next fire has origin P (sentinel)' },
    { id: 'M-B9', kills: ['periodicFiredInOneshotMode', 'OneshotModeBoundedCount'],
      why: 'S2 and S3 swapped: the count A is armed while the LVT is still periodic, so the hardware reloads it and a periodic fire arrives in one-shot mode' },
    { id: 'M-B10', kills: ['NoTimerlessStall', 'FiredEventuallyRestoredKernel'],
      why: 'ISR.Restore(Kernel) disabled: the kernel-mode consumption path returns without re-arming or reverting, leaving cur=0 and nothing pending' },
    { id: 'M-LAPIC-user', kills: ['NoTimerlessStall', 'FiredEventuallyRestoredUser'],
      why: '[ours] M-B10 on the other path: ISR.Restore(User) returns without restoring a source' },
    { id: 'M-LAPIC-stale', kills: ['FiredOneshotOrigin'],
      why: '[ours] ISR.Enter counts any fire while Armed as the one-shot expiry (no cur=0 test): a periodic fire latched before S1 is taken for the deadline' },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.lapic.json'),
  ci: [{ name: 'default', params: {} }],
});
