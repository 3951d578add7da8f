// A bounded producer/consumer queue: the producer puts items 1..items into a
// FIFO of `cap` slots, the consumer takes them out. Items must arrive in order,
// none may be lost, and under weak fairness every item is eventually consumed.
import { defineModel, intParam, bool, int, list } from 'mc-checker';

export default defineModel({
  name: 'queue',
  description: 'a bounded FIFO between one producer and one consumer',
  params: {
    cap: intParam({ min: 1, max: 4, default: 2, help: 'slots in the queue' }),
    items: intParam({ min: 1, max: 8, default: 4, help: 'items the producer sends' }),
  },
  state: (p) => ({
    buf: list(p.cap, int(1, p.items)),
    next: int(1, p.items + 1), // the next item the producer sends
    got: int(0, p.items), // the last item the consumer took
    inOrder: bool(), // ghost: every item taken so far came right after the one before it
  }),
  init: () => [{ buf: [], next: 1, got: 0, inOrder: true }],
  actions: (p, { action }) => [
    action({
      name: 'Put', actor: 'producer',
      guard: (s) => s.next <= p.items && s.buf.length < p.cap,
      effect: (s, n) => { n.buf.push(s.next); n.next = s.next + 1; },
    }),
    action({
      name: 'Take', actor: 'consumer',
      guard: (s) => s.buf.length > 0,
      effect: (s, n) => {
        // The mutant 'lifo' takes the newest item instead of the oldest.
        let x: number;
        if (p.mutant === 'lifo') { x = s.buf.get(s.buf.length - 1); n.buf.removeAt(s.buf.length - 1); } else x = n.buf.shift();
        n.inOrder = s.inOrder && x === s.got + 1;
        n.got = x;
      },
    }),
  ],
  invariants: (_p, { invariant }) => [
    invariant('InOrder', 'items are taken in the order they were put', (s) => s.inOrder),
    invariant('NoLoss', 'every item sent is taken or still queued', (s) => s.got + s.buf.length === s.next - 1),
  ],
  sometimes: (p, { sometimes }) => [sometimes('Full', 'the queue is full', (s) => s.buf.length === p.cap)],
  liveness: (p, { eventually, WF }) => [
    eventually('AllTaken', 'every item is eventually taken', (s) => s.got === p.items,
      { fairness: [WF({ action: 'Put' }), WF({ action: 'Take' })] }),
  ],
  deadlock: (p, { terminalStates }) => terminalStates('every item taken', (s) => s.got === p.items),
  mutants: [{ id: 'lifo', kills: ['InOrder'], why: 'the consumer takes the newest item', params: { cap: 2 } }],
});
