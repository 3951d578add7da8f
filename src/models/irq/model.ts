// Protocol C of protocols.md: the IRQ MSI-X waiter ↔ delivery ↔ deferred EOI
// ordering across route epochs. A virtio-net device (DEV) writes RX used-ring
// entries and signals them with an MSI-X message while the route's vector is
// unmasked (otherwise it sets its PBA pending bit). The kernel handler (ISR),
// atomic under route_lock, masks the route and hands the event to the one
// registered waiter, or latches it when nobody waits, never dropping it. The
// driver loop (DRV) is Ack → Poll → Wait; Ack and Wait are the kernel's
// Interrupt capability methods (K), run on the driver's behalf under
// route_lock. Ack performs the deferred EOI (the route-level unmask) once the
// driver has consumed the event. The manager (MGR) revokes the route (draining
// the EOI owed, discarding the latch, cancelling the waiter) and rebinds it
// under a new epoch; calls through the old handle are then rejected and the
// driver re-opens the route with its new handle (DRV.Reopen).
// See README.md beside this file.
import { defineModel, intParam, type ActionDef, type Ctx, type Goal, type Invariant, type LivenessProperty } from '../../explorer/model.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';
import { implies, invariant, leadsTo, sometimes, terminalStates, WF } from '../../invariants/index.js';

const params = {
  completions: intParam({ min: 1, max: 4, default: 2, help: 'RX completions W the device produces in the whole run' }),
  epochs: intParam({ min: 1, max: 4, default: 2, help: 'route epochs 0..epochs-1 (the range of the epoch counter)' }),
  revokes: intParam({ min: 0, max: 3, default: (p) => Math.min(1, (p.epochs as number) - 1), help: 'how many times the manager may revoke and rebind the route (0: never); at most epochs-1 (default 1)' }),
};
type P = Ctx<typeof params>;

export const M = {
  dropNoWaiter: 'M-C1',
  lockFreePeek: 'M-C2',
  eoiInIsr: 'M-C3',
  noDrain: 'M-C4',
  oldIrrReachesNew: 'M-C5',
  oldLatchReachesNew: 'M-C5-latch',
  staleAck: 'M-C6',
  waitSwallows: 'M-C7',
  rebindNoIrrDrain: 'M-C8',
} as const;

/** The mutants that need a revoke run with one (epochs 0..1) whatever the configuration: without a revoke there is no old epoch. */
const REVOKE = { epochs: 2, revokes: 1 } as const;

const PCS = ['Ack', 'Poll', 'Wait', 'Blocked', 'Reopen'] as const;
/** ⊥ for `waiter`. */
const NONE = -1;

function schema(p: P) {
  const E = p.epochs, W = p.completions;
  const e = int(0, E - 1);
  // Ghost counters: W fires per epoch at most in the correct model; mutants may count up to 2W+1 (e.g. double EOIs).
  const ctr = () => array(E, int(0, 2 * W + 2));
  return {
    // ---- route (kernel, under route_lock) ----
    epoch: e,
    route_state: enumOf(['Bound', 'Revoked'] as const),
    masked: bool(),
    latched: bool(), latched_epoch: e,
    inflight_ack: bool(), inflight_epoch: e,
    /** The epoch of the registered wait, or -1 (⊥). */
    waiter: int(NONE, E - 1),
    // ---- hardware: the device's PBA bit, the target CPU's IRR bit for the vector ----
    pba: bool(),
    irr: bool(), irr_epoch: e,
    // ---- device and driver ----
    dev_used: int(0, W),
    drv_seen: int(0, W),
    drv_pc: enumOf(PCS),
    drv_handle_epoch: e,
    // ---- ISR lock-free snapshot of `waiter` (only M-C2 uses it; constant false otherwise) ----
    isr_peeked: bool(), isr_snap_waiter: bool(),
    // ---- ghosts (never read by a guard of a non-ghost action) ----
    g_fires: ctr(), g_delivered: ctr(), g_eoi: ctr(), g_discarded: ctr(), g_completed: ctr(),
    /** A K call made with a stale handle returned success or changed route state. */
    g_stale_violation: bool(),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function init(p: P) {
  const z = () => Array.from({ length: p.epochs }, () => 0);
  return [{
    epoch: 0, route_state: 'Bound' as const, masked: false, // route armed at bind
    latched: false, latched_epoch: 0, inflight_ack: false, inflight_epoch: 0, waiter: NONE,
    pba: false, irr: false, irr_epoch: 0,
    dev_used: 0, drv_seen: 0, drv_pc: 'Poll' as const, drv_handle_epoch: 0,
    isr_peeked: false, isr_snap_waiter: false,
    g_fires: z(), g_delivered: z(), g_eoi: z(), g_discarded: z(), g_completed: z(),
    g_stale_violation: false,
  }];
}

const inc = (a: { get(i: number): number; set(i: number, v: number): void }, i: number): void => a.set(i, a.get(i) + 1);

/** The route state a stale-handle call must leave untouched. */
function routeSnapshot(s: R): string {
  return [s.epoch, s.route_state, s.masked, s.latched, s.latched_epoch, s.inflight_ack, s.inflight_epoch, s.waiter, s.pba, s.irr, s.irr_epoch].join();
}

/** The device's message reaches the LAPIC: it sets IRR, or coalesces into an IRR bit already set. */
function fire(n: V): void {
  if (n.irr) return;
  n.irr = true; n.irr_epoch = n.epoch; inc(n.g_fires, n.epoch);
}

function actions(p: P): ActionDef<V, any, R>[] {
  const W = p.completions, m = p.mutant;
  const acts: ActionDef<V, any, R>[] = [
    {
      name: 'DEV.Produce', actor: 'DEV',
      // The device is quiesced while the route is revoked.
      guard: (s) => s.dev_used < W && s.route_state === 'Bound',
      effect: (s, n) => {
        n.dev_used = s.dev_used + 1; // the used-ring write precedes the message
        if (!s.masked) fire(n);
        else n.pba = true;
      },
    },
    {
      name: 'ISR.Handle', actor: 'ISR',
      // Atomic under route_lock with interrupts off; the LAPIC EOI is written here.
      guard: (s) => s.irr && (m !== M.lockFreePeek || s.isr_peeked),
      effect: (s, n) => {
        const ie = s.irr_epoch;
        n.irr = false; n.irr_epoch = 0;
        n.isr_peeked = false; n.isr_snap_waiter = false;
        n.masked = true;
        const hasWaiter = m === M.lockFreePeek ? s.isr_snap_waiter : s.waiter !== NONE; // M-C2: acts on the lock-free snapshot
        const stale = s.route_state !== 'Bound' || (ie !== s.epoch && m !== M.oldIrrReachesNew); // M-C5: no irr_epoch test
        if (stale) { inc(n.g_discarded, ie); return; }
        if (hasWaiter) {
          n.waiter = NONE; // post the CQE to the waiter
          inc(n.g_delivered, s.epoch); inc(n.g_completed, s.epoch);
          n.inflight_ack = true; n.inflight_epoch = s.epoch;
          if (m === M.eoiInIsr) { inc(n.g_eoi, s.epoch); n.masked = false; } // M-C3: the ISR EOIs and unmasks at once; K.Ack still owes one
        } else if (m === M.dropNoWaiter) {
          n.masked = false; // M-C1: EOI, unmask and drop the event
        } else {
          n.latched = true; n.latched_epoch = s.epoch; // no waiter: latch, never drop
        }
      },
    },
    {
      name: 'K.Ack', actor: 'K',
      guard: (s) => s.drv_pc === 'Ack',
      effect: (s, n) => {
        const stale = s.drv_handle_epoch !== s.epoch;
        if (stale && m !== M.staleAck) { n.drv_pc = 'Reopen'; return; } // reject (ERR_STALE): no mutation. M-C6 accepts the stale handle
        n.drv_pc = 'Poll';
        if (s.inflight_ack) {
          n.inflight_ack = false; n.inflight_epoch = 0;
          inc(n.g_eoi, s.epoch); // the deferred EOI
          n.masked = false; // re-arm the route
          if (s.pba) { n.pba = false; fire(n); }
        }
        if (stale) n.g_stale_violation = true; // the stale call returned success
      },
    },
    {
      name: 'DRV.Poll', actor: 'DRV',
      guard: (s) => s.drv_pc === 'Poll',
      effect: (s, n) => { n.drv_seen = s.dev_used; n.drv_pc = 'Wait'; },
    },
    {
      name: 'K.Wait', actor: 'K',
      guard: (s) => s.drv_pc === 'Wait',
      effect: (s, n) => {
        if (s.drv_handle_epoch !== s.epoch) { n.drv_pc = 'Reopen'; return; } // reject (ERR_STALE), no mutation
        if (s.latched && (s.latched_epoch === s.epoch || m === M.oldLatchReachesNew)) { // M-C5-latch: no latched_epoch test
          n.latched = false; n.latched_epoch = 0;
          inc(n.g_delivered, s.epoch);
          n.inflight_ack = true; n.inflight_epoch = s.epoch;
          if (m === M.waitSwallows) { n.waiter = s.epoch; n.drv_pc = 'Blocked'; return; } // M-C7: consumes the latch, posts nothing, blocks
          inc(n.g_completed, s.epoch);
          n.drv_pc = 'Ack';
          return;
        }
        n.waiter = s.epoch; n.drv_pc = 'Blocked';
      },
    },
    {
      name: 'DRV.Woken', actor: 'DRV',
      // Its CQE (a delivery or the revoke's cancel) has been posted: the wait is no longer registered.
      guard: (s) => s.drv_pc === 'Blocked' && s.waiter === NONE,
      effect: (_s, n) => { n.drv_pc = 'Ack'; },
    },
    {
      name: 'DRV.Reopen', actor: 'DRV',
      // [choice] after ERR_STALE the driver takes the rebound route's new handle and restarts its loop at Poll.
      guard: (s) => s.drv_pc === 'Reopen' && s.route_state === 'Bound',
      effect: (s, n) => { n.drv_handle_epoch = s.epoch; n.drv_pc = 'Poll'; },
    },
    {
      name: 'MGR.Revoke', actor: 'MGR',
      // Atomic under route_lock; the manager revokes at most --revokes times (epoch counts the revokes).
      guard: (s) => s.route_state === 'Bound' && s.epoch < p.revokes,
      effect: (s, n) => {
        n.masked = true; n.route_state = 'Revoked';
        n.waiter = NONE; // cancel the wait (error CQE, not a delivery)
        if (s.inflight_ack && m !== M.noDrain) { // EOI drain. M-C4 skips it
          n.inflight_ack = false; n.inflight_epoch = 0; inc(n.g_eoi, s.epoch);
        }
        if (s.latched && m !== M.oldLatchReachesNew) { n.latched = false; n.latched_epoch = 0; inc(n.g_discarded, s.epoch); } // M-C5-latch keeps the latch
        n.pba = false; // device route reset
        n.epoch = s.epoch + 1; // (irr may still be set)
      },
    },
    {
      name: 'MGR.Rebind', actor: 'MGR',
      // [choice] re-arm only once the old vector's pending IRR has been serviced (discarded by the ISR).
      guard: (s) => s.route_state === 'Revoked' && (!s.irr || m === M.oldIrrReachesNew || m === M.rebindNoIrrDrain),
      effect: (_s, n) => { n.route_state = 'Bound'; n.masked = false; }, // the new handle is taken by DRV.Reopen
    },
  ];
  if (m === M.lockFreePeek) {
    // M-C2: the ISR reads `waiter` before taking route_lock; ISR.Handle then acts on this snapshot.
    acts.splice(2, 0, {
      name: 'ISR.Peek', actor: 'ISR',
      guard: (s) => s.irr && !s.isr_peeked,
      effect: (s, n) => { n.isr_peeked = true; n.isr_snap_waiter = s.waiter !== NONE; },
    });
  }
  // StaleHandleRejected observer: a K call through a stale handle must leave the route untouched.
  for (const a of acts) {
    if (!a.name.startsWith('K.')) continue;
    const eff = a.effect;
    (a as { effect: ActionDef<V, any, R>['effect'] }).effect = (s, n, arg) => {
      const r = eff(s, n, arg);
      if (s.drv_handle_epoch !== s.epoch && routeSnapshot(s) !== routeSnapshot(n)) n.g_stale_violation = true;
      return r;
    };
  }
  return acts;
}

function invariants(p: P): Invariant<R>[] {
  const E = p.epochs;
  const forallE = (f: (s: R, e: number) => boolean) => (s: R): boolean => { for (let e = 0; e < E; e++) if (!f(s, e)) return false; return true; };
  const latchedIn = (s: R, e: number): number => (s.latched && s.latched_epoch === e ? 1 : 0);
  const irrIn = (s: R, e: number): number => (s.irr && s.irr_epoch === e ? 1 : 0);
  return [
    invariant('NoCompletedEarly', '∀e: delivered[e] ≤ fires[e] − discarded[e] (no completion without a fire of its own epoch)',
      forallE((s, e) => s.g_delivered.get(e) <= s.g_fires.get(e) - s.g_discarded.get(e))),
    implies('EpochDrainSound', '¬masked ∧ Bound ⇒ ∀e<epoch: eoi[e]=delivered[e] ∧ ¬(latched ∧ latched_epoch=e) ∧ ¬(inflight_ack ∧ inflight_epoch=e)',
      (s) => !s.masked && s.route_state === 'Bound',
      (s) => {
        for (let e = 0; e < s.epoch; e++) {
          if (s.g_eoi.get(e) !== s.g_delivered.get(e)) return false;
          if (s.latched && s.latched_epoch === e) return false;
          if (s.inflight_ack && s.inflight_epoch === e) return false;
        }
        return true;
      }),
    invariant('StaleHandleRejected', 'a K.Ack/K.Wait through a stale handle (drv_handle_epoch≠epoch) is rejected and changes no route state', (s) => !s.g_stale_violation),
    invariant('ExactlyOnce.Completion', '∀e: completed[e] = delivered[e]', forallE((s, e) => s.g_completed.get(e) === s.g_delivered.get(e))),
    invariant('ExactlyOnce.Eoi', '∀e: eoi[e] ≤ delivered[e] ≤ eoi[e] + 1',
      forallE((s, e) => s.g_eoi.get(e) <= s.g_delivered.get(e) && s.g_delivered.get(e) <= s.g_eoi.get(e) + 1)),
    invariant('ExactlyOnce.Conservation', '∀e: fires[e] = delivered[e] + discarded[e] + [latched ∧ latched_epoch=e] + [irr ∧ irr_epoch=e]',
      forallE((s, e) => s.g_fires.get(e) === s.g_delivered.get(e) + s.g_discarded.get(e) + latchedIn(s, e) + irrIn(s, e))),
    invariant('ExactlyOnce.SingleOutstanding', '¬(latched ∧ inflight_ack): at most one event outstanding per route', (s) => !(s.latched && s.inflight_ack)),
  ];
}

function goals(p: P): Goal<R>[] {
  return [
    sometimes('EventLatchedNoWaiter', 'the ISR latched an event because no wait was registered', (s) => s.latched),
    sometimes('DeliveredToBlockedWaiter', 'the ISR posted an event to the blocked driver (its wait completed, EOI owed)',
      (s) => s.drv_pc === 'Blocked' && s.waiter === NONE && s.inflight_ack),
    sometimes('RevokeWithEoiOwed', 'MGR.Revoke is enabled while a deferred EOI is owed, so the revoke must drain it',
      (s) => s.route_state === 'Bound' && s.epoch < p.revokes && s.inflight_ack),
    sometimes('StaleHandleCall', 'the driver\'s next K call (Ack or Wait) goes through a stale handle and is rejected',
      (s) => (s.drv_pc === 'Ack' || s.drv_pc === 'Wait') && s.drv_handle_epoch !== s.epoch),
  ];
}

function liveness(_p: P): LivenessProperty<R>[] {
  return [
    leadsTo('NoLostWake', 'DRV.pc=Blocked ∧ dev_used>drv_seen ∧ route_state=Bound ~> DRV.pc≠Blocked (under WF(ISR), WF(DRV.*), WF(K.*); DEV and MGR unfair, revokes bounded)',
      (s) => s.drv_pc === 'Blocked' && s.dev_used > s.drv_seen && s.route_state === 'Bound',
      (s) => s.drv_pc !== 'Blocked',
      { fairness: [WF({ actor: 'ISR' }), WF({ actor: 'DRV' }), WF({ actor: 'K' })] }),
  ];
}

export default defineModel<typeof params, S>({
  name: 'irq',
  description: 'IRQ MSI-X waiter ↔ delivery ↔ deferred EOI across route epochs: device, ISR, driver Ack/Poll/Wait, revoke and rebind (protocols.md C)',
  params,
  validate: (p) => (p.revokes > p.epochs - 1 ? `--revokes (${p.revokes}) must be at most --epochs - 1 (${p.epochs - 1}): each revoke starts a new epoch` : undefined),
  state: schema,
  init,
  actions,
  invariants,
  sometimes: goals,
  liveness,
  deadlock: (p) => terminalStates<R>('the device has produced all its completions, the driver has seen them all and sleeps in Wait, and the manager has no revoke left',
    (s) => s.drv_pc === 'Blocked' && s.waiter !== NONE && s.dev_used === p.completions && s.drv_seen === p.completions),
  stuttering: 'anywhere',
  mutants: [
    { id: M.dropNoWaiter, kills: ['ExactlyOnce.Conservation', 'NoLostWake', 'Deadlock'],
      why: 'the ISR with no waiter EOIs, unmasks and drops the event instead of latching it (the RX MSI-X waiter race): an event between Poll and Wait is lost, and once the device has stopped the driver sleeps for good (Deadlock)' },
    { id: M.lockFreePeek, kills: ['NoLostWake'],
      why: 'the ISR reads waiter lock-free before taking route_lock and acts on the snapshot: it latches although the driver registered its wait meanwhile, and the driver sleeps on a latched event' },
    { id: M.eoiInIsr, kills: ['ExactlyOnce.Eoi', 'ExactlyOnce.SingleOutstanding'],
      why: 'the ISR performs the route EOI (unmask) at delivery instead of deferring it, while K.Ack still counts an EOI: eoi > delivered, and the unmasked route latches a second event while the first one\'s EOI is still owed (SingleOutstanding)' },
    { id: M.noDrain, kills: ['EpochDrainSound'], params: REVOKE,
      why: 'MGR.Revoke skips the inflight_ack drain: the old epoch\'s EOI is still owed when Rebind re-arms the route' },
    { id: M.oldIrrReachesNew, kills: ['NoCompletedEarly'], params: REVOKE,
      why: 'the ISR skips the irr_epoch test and Rebind does not wait for the old vector: an old-epoch IRR pending after Rebind completes the new waiter' },
    { id: M.oldLatchReachesNew, kills: ['NoCompletedEarly'], params: REVOKE,
      why: 'MGR.Revoke keeps the latch and K.Wait stops comparing latched_epoch: an old-epoch latched event completes a new-epoch wait (EpochDrainSound fires first, at Rebind)' },
    { id: M.staleAck, kills: ['StaleHandleRejected'], params: REVOKE,
      why: 'K.Ack accepts a stale drv_handle_epoch: a call through the revoked handle succeeds' },
    { id: M.waitSwallows, kills: ['ExactlyOnce.Completion'],
      why: 'K.Wait consumes the latched event and counts its delivery but returns no completion and blocks: the event is never completed' },
    { id: M.rebindNoIrrDrain, kills: ['NoLostWake'], params: REVOKE,
      why: 'C.4 as written: MGR.Rebind re-arms while an old-epoch IRR is pending; the ISR then discards it and masks the new route, or a new message coalesces into it and is discarded with it' },
  ],
  ci: [
    { name: 'w2-e2-r1', params: { completions: 2, epochs: 2, revokes: 1 } },
    { name: 'w2-no-revoke', params: { completions: 2, epochs: 1, revokes: 0 } },
    { name: 'w3-e2-r1', params: { completions: 3, epochs: 2, revokes: 1 } },
    { name: 'w3-e3-r2', params: { completions: 3, epochs: 3, revokes: 2 } },
    { name: 'w4-e4-r3', params: { completions: 4, epochs: 4, revokes: 3 } },
  ],
  goldenFile: goldenFile(import.meta.url),
});
