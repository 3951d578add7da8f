// Protocol D.9 of protocols.md (sub-model D-L1): the DeferredCompletionQueue
// reservation budget of capOS's DMA path, at Loom granularity (protocols.md
// §1: one shared load, store or read-modify-write per step). Completions
// arrive in IRQ context, which must not allocate, so the completion queue has
// a fixed capacity `cap`, and a publisher reserves a slot before it makes a
// descriptor visible to the device. D.9's two counters are two atomic words:
// `reserved` and `queued`. A publisher reserves under the queue's submission
// lock: it loads `reserved`, then `queued`, and if their sum is below `cap` it
// adds one to `reserved` (fetch_add), publishes, and unlocks. The IRQ handler
// counts the completion (`queued` fetch_add), puts it in the queue's storage,
// and only then releases its reservation (`reserved` fetch_sub). The consumer
// pops a completion, then decrements `queued`. Neither the IRQ handler nor the
// consumer takes the lock, so the reserver's two loads race with their
// updates; the orders above keep `reserved + queued` from ever undercounting
// the slots in use. See README.dma-dcq.md beside this file.
import { defineModel, intParam, type Ctx } from '../../explorer/model.js';
import type { ModelKit } from '../../explorer/kit.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';

const params = {
  cap: intParam({ min: 1, max: 3, default: 2, help: 'capacity of the deferred completion queue' }),
  publishers: intParam({ min: 1, max: 3, default: 2, help: 'publishers (CPUs submitting descriptors), each with one descriptor in flight at a time' }),
  items: intParam({ min: 1, max: 3, default: 2, help: 'descriptors each publisher submits' }),
};
type P = Ctx<typeof params>;

export const MDCQ = {
  publishFirst: 'M-DL1-publish-before-reserve',
  ignoreQueued: 'M-DL1-reserve-ignores-queued',
  keepReservation: 'M-DL1-push-keeps-reservation',
  noLock: 'M-DL1-reserve-without-lock',
  queuedFirst: 'M-DL1-load-queued-first',
  releaseFirst: 'M-DL1-release-before-count',
  storeFirst: 'M-DL1-store-before-count',
  popCountFirst: 'M-DL1-uncount-before-pop',
  claimStore: 'M-DL1-claim-by-store',
  busyKeepsLock: 'M-DL1-busy-keeps-lock',
} as const;

/**
 * Publisher program, one descriptor at a time: Idle → (Lock) LoadR → (LoadReserved) LoadQ → (LoadQueued) Claim, or
 * Busy if reserved + queued ≥ cap → (Claim) Publish → (Publish) Unlock → (Unlock) Idle; Busy → (Unlock) Idle, to retry.
 * Under M-DL1-publish-before-reserve: Lock → Publish → LoadR → LoadQ → Claim → Unlock, spinning from LoadQ back to
 * LoadR (under the lock) while there is no room, since the descriptor is already out.
 */
const PC = ['Idle', 'LoadR', 'LoadQ', 'Claim', 'Busy', 'Publish', 'Unlock'] as const;
/** The publisher's descriptor: none, visible to the device, completed (its completion not yet taken by the IRQ). */
const ITEM = ['None', 'Visible', 'Completed'] as const;
/** IRQ handler, one completion at a time: Idle → (Take) Count → (Count) Store → (Store) Release → (Release) Idle.
 * Under M-DL1-release-before-count: Take → Release → Store → Count; under M-DL1-store-before-count: Take → Store →
 * Count → Release. */
const IRQ = ['Idle', 'Count', 'Store', 'Release'] as const;
/** Consumer: Idle → (Pop) Uncount → (Uncount) Idle; under M-DL1-uncount-before-pop: Idle → (Uncount) Pop → (Pop) Idle. */
const CPC = ['Idle', 'Uncount', 'Pop'] as const;

function schema(p: P) {
  const NP = p.publishers, lo = -NP - 1, hi = Math.max(NP, p.cap) + 2;
  return {
    // ---- the shared words (domains wide enough that a mutant's miscount is a property violation, not a domain error) ----
    reserved: int(lo, hi),
    queued: int(lo, hi),
    // The queue's storage: completions held (its capacity is cap; a push into a full queue drops).
    items: int(0, p.cap),
    // The submission lock: -1 free, else the publisher holding it.
    lock: int(-1, NP - 1),
    // ---- publishers ----
    pc: array(NP, enumOf(PC)),
    left: array(NP, int(0, p.items)),
    item: array(NP, enumOf(ITEM)),
    // The value the publisher loaded first (`reserved`; `queued` under M-DL1-load-queued-first), until its check; else 0.
    lr: array(NP, int(lo, hi)),
    // ---- IRQ handler and consumer ----
    irq: enumOf(IRQ),
    c_pc: enumOf(CPC),
    // ---- ghosts ----
    // Publisher j holds a reservation: claimed, its completion not yet taken by the IRQ handler.
    g_held: array(NP, bool()),
    // The IRQ handler holds a completion that it has not yet stored (or dropped).
    g_carry: bool(),
    // The IRQ handler has taken a completion and not yet released its reservation.
    g_owe: bool(),
    g_dropped: bool(),
    g_popped: int(0, NP * p.items),
  };
}
type S = ReturnType<typeof schema>;
type R = ReadonlyStateView<S>;
type V = StateView<S>;
type Kit = ModelKit<S>;

/** The slots in use: reservations held, the completion the IRQ handler carries, and the completions stored. */
const inUse = (s: R): number => s.g_held.toArray().filter(Boolean).length + (s.g_carry ? 1 : 0) + s.items;

function actions(p: P, { action }: Kit) {
  const m = p.mutant;
  const first = m === MDCQ.publishFirst;
  const js = Array.from({ length: p.publishers }, (_, j) => j);
  const room = (lr: number, lq: number): boolean => (m === MDCQ.ignoreQueued ? lr < p.cap : lr + lq < p.cap);
  /** The reserver's check on the two values it loaded: room → Claim; none → Busy (publish-first: load again, under the lock). */
  const decide = (n: V, j: number, lr: number, lq: number): void => {
    if (!(m === MDCQ.claimStore && room(lr, lq))) n.lr.set(j, 0); // M-DL1-claim-by-store keeps the loaded value for its store
    n.pc.set(j, room(lr, lq) ? 'Claim' : first ? 'LoadR' : 'Busy');
  };
  // IRQ order: count, store, release (M-DL1-release-before-count: release, store, count; M-DL1-store-before-count:
  // store, count, release).
  const irqOrder = m === MDCQ.releaseFirst ? ['Release', 'Store', 'Count'] as const : m === MDCQ.storeFirst ? ['Store', 'Count', 'Release'] as const : ['Count', 'Store', 'Release'] as const;
  const irqNext = (op: 'Count' | 'Store' | 'Release'): 'Idle' | 'Count' | 'Store' | 'Release' => irqOrder[irqOrder.indexOf(op) + 1] ?? 'Idle';
  // Consumer order: pop, uncount (M-DL1-uncount-before-pop: uncount, pop).
  const popFirst = m !== MDCQ.popCountFirst;
  return [
    action({
      // Take the submission lock (one acquire step). M-DL1-reserve-without-lock: reservers do not serialise.
      name: 'P.Lock', actor: (j) => `P${j}`, over: js,
      when: (j) => ({ [`pc[${j}]`]: 'Idle' }),
      guard: (s, j) => (s.lock === -1 || m === MDCQ.noLock) && s.left.get(j) > 0 && s.item.get(j) === 'None',
      effect: (_s, n, j) => { if (m !== MDCQ.noLock) n.lock = j; n.pc.set(j, first ? 'Publish' : m === MDCQ.queuedFirst ? 'LoadQ' : 'LoadR'); },
    }),
    action({
      // Load `reserved` (M-DL1-load-queued-first: second, after `queued`, and the check follows).
      name: 'P.LoadReserved', actor: (j) => `P${j}`, over: js,
      when: (j) => ({ [`pc[${j}]`]: 'LoadR' }),
      effect: (s, n, j) => {
        if (m === MDCQ.queuedFirst) decide(n, j, s.reserved, s.lr.get(j));
        else { n.lr.set(j, s.reserved); n.pc.set(j, 'LoadQ'); }
      },
    }),
    action({
      // Load `queued` and check: reserved + queued < cap → Claim, else Busy.
      name: 'P.LoadQueued', actor: (j) => `P${j}`, over: js,
      when: (j) => ({ [`pc[${j}]`]: 'LoadQ' }),
      effect: (s, n, j) => {
        if (m === MDCQ.queuedFirst) { n.lr.set(j, s.queued); n.pc.set(j, 'LoadR'); } // lr holds `queued` until the check
        else decide(n, j, s.lr.get(j), s.queued);
      },
    }),
    action({
      // reserved.fetch_add(1). M-DL1-claim-by-store: reserved.store(loaded + 1), losing an IRQ's release in between.
      name: 'P.Claim', actor: (j) => `P${j}`, over: js,
      when: (j) => ({ [`pc[${j}]`]: 'Claim' }),
      effect: (s, n, j) => {
        n.reserved = m === MDCQ.claimStore ? s.lr.get(j) + 1 : s.reserved + 1;
        n.lr.set(j, 0);
        // Publish-first: the completion may already be taken; a reservation claimed after that holds no slot.
        n.g_held.set(j, !first || s.item.get(j) !== 'None');
        n.pc.set(j, first ? 'Unlock' : 'Publish');
      },
    }),
    action({
      // The descriptor becomes visible to the device.
      name: 'P.Publish', actor: (j) => `P${j}`, over: js,
      when: (j) => ({ [`pc[${j}]`]: 'Publish' }),
      effect: (s, n, j) => { n.item.set(j, 'Visible'); n.left.set(j, s.left.get(j) - 1); n.pc.set(j, first ? 'LoadR' : 'Unlock'); },
    }),
    action({
      // Release the lock, after publishing or on finding no room (M-DL1-busy-keeps-lock: not when Busy).
      name: 'P.Unlock', actor: (j) => `P${j}`, over: js,
      when: (j) => ({ [`pc[${j}]`]: ['Unlock', 'Busy'] }),
      effect: (s, n, j) => {
        if (s.lock === j && !(m === MDCQ.busyKeepsLock && s.pc.get(j) === 'Busy')) n.lock = -1;
        n.pc.set(j, 'Idle');
      },
    }),
    action({
      name: 'DEV.Complete', actor: 'DEV', over: js,
      guard: (s, j) => s.item.get(j) === 'Visible',
      effect: (_s, n, j) => { n.item.set(j, 'Completed'); },
    }),
    action({
      // IRQ context: read the device's completion of publisher j's descriptor.
      name: 'IRQ.Take', actor: 'IRQ', over: js,
      guard: (s, j) => s.irq === 'Idle' && s.item.get(j) === 'Completed',
      effect: (_s, n, j) => { n.item.set(j, 'None'); n.g_held.set(j, false); n.g_carry = true; n.g_owe = true; n.irq = irqOrder[0]; },
    }),
    action({
      // queued.fetch_add(1): count the completion before the consumer can see it (M-DL1-store-before-count: after).
      name: 'IRQ.Count', actor: 'IRQ',
      when: () => ({ irq: 'Count' }),
      effect: (s, n) => { n.queued = s.queued + 1; n.irq = irqNext('Count'); },
    }),
    action({
      // Store the completion into the queue: no allocation, so a full queue drops it.
      name: 'IRQ.Store', actor: 'IRQ',
      when: () => ({ irq: 'Store' }),
      effect: (s, n) => {
        // A full queue drops the completion (already a violation), and the drop path takes back its count.
        if (s.items >= p.cap) { n.g_dropped = true; n.queued = s.queued - 1; } else n.items = s.items + 1;
        n.g_carry = false; n.irq = irqNext('Store');
      },
    }),
    action({
      // reserved.fetch_sub(1): release the reservation, last. M-DL1-push-keeps-reservation: never released.
      name: 'IRQ.Release', actor: 'IRQ',
      when: () => ({ irq: 'Release' }),
      effect: (s, n) => { if (m !== MDCQ.keepReservation) n.reserved = s.reserved - 1; n.g_owe = false; n.irq = irqNext('Release'); },
    }),
    action({
      // Pop a completion.
      name: 'C.Pop', actor: 'C',
      guard: (s) => (popFirst ? s.c_pc === 'Idle' && s.items > 0 : s.c_pc === 'Pop'),
      effect: (s, n) => { n.items = s.items - 1; n.g_popped = s.g_popped + 1; n.c_pc = popFirst ? 'Uncount' : 'Idle'; },
    }),
    action({
      // queued.fetch_sub(1), after the pop (M-DL1-uncount-before-pop: before it).
      name: 'C.Uncount', actor: 'C',
      guard: (s) => (popFirst ? s.c_pc === 'Uncount' : s.c_pc === 'Idle' && s.items > 0),
      effect: (s, n) => { n.queued = s.queued - 1; n.c_pc = popFirst ? 'Idle' : 'Pop'; },
    }),
  ];
}

export default defineModel<typeof params, S>({
  name: 'dma-dcq',
  description: 'capOS DMA DeferredCompletionQueue at Loom granularity: two counter words, reserve under the submission lock (load, load, fetch_add), IRQ counts, stores, then releases (protocols.md D.9)',
  params,
  state: schema,
  init: (p) => [{
    reserved: 0, queued: 0, items: 0, lock: -1,
    pc: Array.from({ length: p.publishers }, () => 'Idle' as const),
    left: Array.from({ length: p.publishers }, () => p.items),
    item: Array.from({ length: p.publishers }, () => 'None' as const),
    lr: Array.from({ length: p.publishers }, () => 0),
    irq: 'Idle' as const, c_pc: 'Idle' as const,
    g_held: Array.from({ length: p.publishers }, () => false),
    g_carry: false, g_owe: false, g_dropped: false, g_popped: 0,
  }],
  actions,
  invariants: (p, { invariant }) => [
    invariant('ReservationBudget', 'D.9: the slots in use (reservations held, the completion the IRQ handler carries, completions stored) never exceed cap', (s) => inUse(s) <= p.cap),
    invariant('NoDroppedCompletion', 'D.9: no completion is ever dropped (¬g_dropped)', (s) => !s.g_dropped),
    invariant('NoLeakedReservation', '`reserved` equals the reservations outstanding: those held by publishers, and the one of a completion the IRQ handler has taken and not yet released', (s) =>
      s.reserved === s.g_held.toArray().filter(Boolean).length + (s.g_owe ? 1 : 0)),
    invariant('CountersNeverNegative', 'reserved ≥ 0 ∧ queued ≥ 0: the two unsigned words never wrap below zero', (s) => s.reserved >= 0 && s.queued >= 0),
    invariant('CountersCoverBudget', 'reserved + queued ≥ the slots in use: the two words, read in any interleaving, never undercount the budget', (s) => s.reserved + s.queued >= inUse(s)),
  ],
  sometimes: (p, { sometimes }) => [
    sometimes('QueueFull', 'the queue holds cap completions', (s) => s.items === p.cap),
    sometimes('PublisherWaitsForSlot', 'a reserver found reserved + queued ≥ cap (Busy)', (s) => s.pc.toArray().includes('Busy')),
    sometimes('CounterSumAboveCap', 'the words overcount: reserved + queued > cap (between the IRQ\'s count and its release), so D.9\'s reserved + queued ≤ cap does not hold of the words', (s) => s.reserved + s.queued > p.cap),
    sometimes('ReserveRacesPush', 'a reserver has loaded `reserved` while the IRQ handler is between its count and its release', (s) => s.pc.toArray().includes('LoadQ') && s.irq !== 'Idle'),
  ],
  liveness: (p, { leadsTo, WF }) => [
    leadsTo('EveryCompletionConsumed', 'every published descriptor\'s completion is eventually popped (under WF of DEV, IRQ, C and each publisher)',
      (s) => s.g_popped < p.publishers * p.items, (s) => s.g_popped === p.publishers * p.items,
      { fairness: [WF({ actor: 'DEV' }), WF({ actor: 'IRQ' }), WF({ actor: 'C' }), ...Array.from({ length: p.publishers }, (_, j) => WF({ actor: `P${j}` }))] }),
  ],
  deadlock: (p, { terminalStates }) => terminalStates('every descriptor submitted, completed, pushed and popped (or dropped)', (s) =>
    s.items === 0 && s.irq === 'Idle' && s.c_pc === 'Idle' && Array.from({ length: p.publishers }, (_, j) => j).every((j) => s.left.get(j) === 0 && s.item.get(j) === 'None' && s.pc.get(j) === 'Idle')),
  mutants: [
    { id: MDCQ.publishFirst, kills: ['NoDroppedCompletion'], why: 'D.9: Publish before Reserve: a completion can reach the IRQ with no slot reserved for it and find the queue full' },
    { id: MDCQ.noLock, kills: ['ReservationBudget'], why: 'reservers do not take the submission lock: the check (two loads) and the increment are separate steps, so two reservers see the same free slot and both claim it' },
    { id: MDCQ.queuedFirst, kills: ['ReservationBudget'], why: 'the reserver loads `queued` before `reserved`: an IRQ push between the loads (count, store, release) is seen by neither, and the reserver claims a slot the completion already fills' },
    { id: MDCQ.ignoreQueued, kills: ['ReservationBudget'], why: 'the reserver checks reserved < cap and forgets the completions already queued: reservations overbook the queue' },
    { id: MDCQ.releaseFirst, kills: ['CountersCoverBudget'], why: 'the IRQ releases the reservation before it counts the completion: between the two, reserved + queued undercounts the slots in use' },
    { id: MDCQ.storeFirst, kills: ['CountersNeverNegative'], why: 'the IRQ stores the completion before it counts it: the consumer can pop it and decrement `queued` first, which wraps the unsigned word below zero' },
    { id: MDCQ.popCountFirst, kills: ['CountersCoverBudget'], why: 'the consumer decrements `queued` before it pops: until the pop, the words undercount by the completion still stored' },
    { id: MDCQ.claimStore, kills: ['NoLeakedReservation'], params: { cap: 2 }, why: 'the claim stores loaded + 1 instead of adding one: an IRQ release between the load and the store is lost, and the queue loses a slot for good (cap ≥ 2: with cap 1 no reserver can see room while a release is pending)' },
    { id: MDCQ.keepReservation, kills: ['EveryCompletionConsumed'], why: 'the IRQ never releases the reservation: leaked reservations exhaust the budget and the publishers retry forever' },
    { id: MDCQ.busyKeepsLock, kills: ['Deadlock'], why: 'a reserver that finds no room returns without releasing the submission lock: every publisher, itself included, then waits for the lock forever' },
  ],
  ci: [
    { name: 'cap2-p2-i2', params: { cap: 2, publishers: 2, items: 2 } },
    { name: 'cap1-p3-i2', params: { cap: 1, publishers: 3, items: 2 } },
    { name: 'cap2-p3-i3', params: { cap: 2, publishers: 3, items: 3 } },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.dma-dcq.json'),
});
