// Protocol D.9 of protocols.md (sub-model D-L1): the DeferredCompletionQueue
// reservation budget of capOS's DMA path. Completions arrive in IRQ context,
// which must not allocate, so the completion queue has a fixed capacity `cap`
// and a publisher reserves a queue slot before it makes a descriptor visible
// to the device. The IRQ handler then always finds room for the completion:
// it consumes the reservation and queues the completion; a consumer pops.
// See README.dma-dcq.md beside this file.
import { defineModel, intParam, type ActionDef, type Ctx } from '../../explorer/model.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';
import { invariant, leadsTo, sometimes, terminalStates, WF } from '../../invariants/index.js';

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
} as const;

/**
 * Publisher program: Idle → (Reserve) Reserved → (Publish) Wait → (its completion is pushed) Idle.
 * Under M-DL1-publish-before-reserve: Idle → (Publish) Late → (Reserve) Wait, the reservation taken after the
 * descriptor is already visible (and possibly already completed and pushed).
 */
const PC = ['Idle', 'Reserved', 'Late', 'Wait'] as const;
/** The publisher's descriptor: none, visible to the device, completed (the IRQ has not pushed it yet). */
const ITEM = ['None', 'Visible', 'Completed'] as const;

function schema(p: P) {
  const NP = p.publishers;
  return {
    reserved: int(0, NP),
    queued: int(0, p.cap),
    pc: array(NP, enumOf(PC)),
    left: array(NP, int(0, p.items)),
    item: array(NP, enumOf(ITEM)),
    // The publisher's descriptor has consumed (holds) a reservation.
    res: array(NP, bool()),
    // ---- ghost ----
    g_dropped: bool(),
    g_popped: int(0, NP * p.items),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function actions(p: P): ActionDef<V, any, R>[] {
  const m = p.mutant;
  const first = m === MDCQ.publishFirst;
  const js = Array.from({ length: p.publishers }, (_, j) => j);
  const room = (s: R): boolean => (m === MDCQ.ignoreQueued ? s.reserved < p.cap : s.reserved + s.queued < p.cap);
  return [
    {
      name: 'P.Reserve', actor: (j: number) => `P${j}`, over: js,
      guard: (s, j: number) => (first ? s.pc.get(j) === 'Late' : s.pc.get(j) === 'Idle' && s.left.get(j) > 0) && room(s),
      effect: (s, n, j: number) => {
        // M-DL1-publish-before-reserve: the completion may already have been pushed; then there is nothing left to reserve for.
        if (first && s.item.get(j) === 'None') { n.pc.set(j, 'Idle'); return; }
        n.reserved = s.reserved + 1;
        n.res.set(j, true);
        n.pc.set(j, first ? 'Wait' : 'Reserved');
      },
    },
    {
      name: 'P.Publish', actor: (j: number) => `P${j}`, over: js,
      guard: (s, j: number) => (first ? s.pc.get(j) === 'Idle' && s.left.get(j) > 0 : s.pc.get(j) === 'Reserved'),
      effect: (s, n, j: number) => { n.item.set(j, 'Visible'); n.left.set(j, s.left.get(j) - 1); n.pc.set(j, first ? 'Late' : 'Wait'); },
    },
    {
      name: 'DEV.Complete', actor: 'DEV', over: js,
      guard: (s, j: number) => s.item.get(j) === 'Visible',
      effect: (_s, n, j: number) => { n.item.set(j, 'Completed'); },
    },
    {
      // IRQ context: no allocation. The completion goes into a reserved slot; a full queue drops it.
      name: 'IRQ.Push', actor: 'IRQ', over: js,
      guard: (s, j: number) => s.item.get(j) === 'Completed',
      effect: (s, n, j: number) => {
        if (s.queued >= p.cap) n.g_dropped = true;
        else n.queued = s.queued + 1;
        if (s.res.get(j) && m !== MDCQ.keepReservation) { n.reserved = s.reserved - 1; n.res.set(j, false); } // M-DL1-push-keeps-reservation: never released
        n.item.set(j, 'None');
        if (s.pc.get(j) === 'Wait') n.pc.set(j, 'Idle');
      },
    },
    {
      name: 'C.Pop', actor: 'C',
      guard: (s) => s.queued > 0,
      effect: (s, n) => { n.queued = s.queued - 1; n.g_popped = s.g_popped + 1; },
    },
  ];
}

export default defineModel<typeof params, S>({
  name: 'dma-dcq',
  description: 'capOS DMA DeferredCompletionQueue: reserve a completion slot before publishing, so the IRQ push never finds the queue full (protocols.md D.9)',
  params,
  state: schema,
  init: (p) => [{
    reserved: 0, queued: 0,
    pc: Array.from({ length: p.publishers }, () => 'Idle' as const),
    left: Array.from({ length: p.publishers }, () => p.items),
    item: Array.from({ length: p.publishers }, () => 'None' as const),
    res: Array.from({ length: p.publishers }, () => false),
    g_dropped: false, g_popped: 0,
  }],
  actions,
  invariants: (p) => [
    invariant<R>('ReservationBudget', 'D.9: reserved + queued ≤ cap', (s) => s.reserved + s.queued <= p.cap),
    invariant<R>('NoDroppedCompletion', 'D.9: no completion is ever dropped (¬g_dropped)', (s) => !s.g_dropped),
  ],
  sometimes: (p) => [
    sometimes<R>('QueueFull', 'the queue holds cap completions', (s) => s.queued === p.cap),
    sometimes<R>('PublisherWaitsForSlot', 'a publisher with work left cannot reserve: reserved + queued = cap', (s) =>
      s.reserved + s.queued === p.cap && Array.from({ length: p.publishers }, (_, j) => j).some((j) => s.pc.get(j) === 'Idle' && s.left.get(j) > 0)),
  ],
  liveness: (p) => [
    leadsTo<R>('EveryCompletionConsumed', 'every published descriptor\'s completion is eventually popped (under WF of DEV, IRQ, C and each publisher)',
      (s) => s.g_popped < p.publishers * p.items, (s) => s.g_popped === p.publishers * p.items,
      { fairness: [WF({ actor: 'DEV' }), WF({ actor: 'IRQ' }), WF({ actor: 'C' }), ...Array.from({ length: p.publishers }, (_, j) => WF({ actor: `P${j}` }))] }),
  ],
  deadlock: (p) => terminalStates<R>('every descriptor submitted, completed, pushed and popped (or dropped)', (s) =>
    s.queued === 0 && Array.from({ length: p.publishers }, (_, j) => j).every((j) => s.left.get(j) === 0 && s.item.get(j) === 'None' && s.pc.get(j) === 'Idle')),
  mutants: [
    { id: MDCQ.publishFirst, kills: ['NoDroppedCompletion'], why: 'D.9: Publish before Reserve: a completion can reach IRQ.Push with no slot reserved for it and find the queue full' },
    { id: MDCQ.keepReservation, kills: ['Deadlock', 'EveryCompletionConsumed'], why: 'IRQ.Push queues the completion but does not release its reservation: leaked reservations exhaust the budget and publishers wait for a slot forever' },
    { id: MDCQ.ignoreQueued, kills: ['ReservationBudget'], why: 'P.Reserve checks reserved < cap and forgets the completions already queued: reservations overbook the queue' },
  ],
  ci: [
    { name: 'cap2-p2-i2', params: { cap: 2, publishers: 2, items: 2 } },
    { name: 'cap1-p3-i2', params: { cap: 1, publishers: 3, items: 2 } },
    { name: 'cap2-p3-i3', params: { cap: 2, publishers: 3, items: 3 } },
  ],
  goldenFile: goldenFile(import.meta.url, 'golden.dma-dcq.json'),
});
