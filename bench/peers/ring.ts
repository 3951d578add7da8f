// mc twin of ../shared/peers/ring.tla and ring.pml: a single-producer single-consumer ring of S
// slots; the producer sends messages 1..M; head (consumer's) and tail (producer's) run free from 0
// to M. One action per TLA+ action, each one SPIN transition. The run terminates when both sides
// are done, so a state without a successor is allowed (TLC's -deadlock).
//
// --props every (the default) checks ring.tla's invariants Bounded, InOrder and Complete in every
// state, as TLC does. --props steps checks instead what ring.pml asserts, where it asserts it, as
// step properties: tail - head <= S after ProdPublish, and rcvd[head] = head + 1 after ConsRecv.
// TypeOK is the state's domains either way.
import { defineModel, enumParam, intParam, array, enumOf, int } from '../../src/index.js';

export default defineModel({
  name: 'peer-ring',
  description: 'an SPSC ring, S slots, M messages (twin of shared/peers/ring.tla and .pml)',
  params: {
    s: intParam({ min: 1, max: 64, default: 2, help: 'ring slots S' }),
    m: intParam({ min: 1, max: 255, default: (p) => Number(p.s) + 2, help: 'messages M (default S + 2)' }),
    props: enumParam(['every', 'steps'], { default: 'every', help: "every: ring.tla's invariants in every state (as TLC); steps: ring.pml's asserts where it asserts" }),
  },
  state: (p) => ({
    slot: array(p.s, int(0, p.m)),
    head: int(0, p.m), tail: int(0, p.m),
    rcvd: array(p.m, int(0, p.m)), // rcvd[k - 1] is ring.tla's rcvd[k]
    hp: int(0, p.m), ht: int(0, p.m),
    ppc: enumOf(['P0', 'P1', 'P2', 'Done']), cpc: enumOf(['C0', 'C1', 'C2', 'Done']),
  }),
  init: (p) => [{
    slot: new Array<number>(p.s).fill(0), head: 0, tail: 0, rcvd: new Array<number>(p.m).fill(0),
    hp: 0, ht: 0, ppc: 'P0' as const, cpc: 'C0' as const,
  }],
  actions: (p, { action }) => [
    action({ name: 'ProdReadHead', actor: 'producer', when: () => ({ ppc: 'P0' }), effect: (s, n) => { n.hp = s.head; n.ppc = 'P1'; } }),
    action({
      name: 'ProdWrite', actor: 'producer', when: () => ({ ppc: 'P1' }), guard: (s) => s.tail - s.hp < p.s,
      effect: (s, n) => { n.slot.set(s.tail % p.s, s.tail + 1); n.ppc = 'P2'; },
    }),
    action({ name: 'ProdFull', actor: 'producer', when: () => ({ ppc: 'P1' }), guard: (s) => !(s.tail - s.hp < p.s), effect: (_s, n) => { n.ppc = 'P0'; } }),
    action({
      name: 'ProdPublish', actor: 'producer', when: () => ({ ppc: 'P2' }),
      effect: (s, n) => { n.tail = s.tail + 1; n.ppc = s.tail + 1 < p.m ? 'P0' : 'Done'; },
    }),
    action({ name: 'ConsReadTail', actor: 'consumer', when: () => ({ cpc: 'C0' }), effect: (s, n) => { n.ht = s.tail; n.cpc = 'C1'; } }),
    action({
      name: 'ConsRecv', actor: 'consumer', when: () => ({ cpc: 'C1' }), guard: (s) => s.head < s.ht,
      effect: (s, n) => { n.rcvd.set(s.head, s.slot.get(s.head % p.s)); n.cpc = 'C2'; },
    }),
    action({ name: 'ConsEmpty', actor: 'consumer', when: () => ({ cpc: 'C1' }), guard: (s) => !(s.head < s.ht), effect: (_s, n) => { n.cpc = 'C0'; } }),
    action({
      name: 'ConsPublish', actor: 'consumer', when: () => ({ cpc: 'C2' }),
      effect: (s, n) => { n.head = s.head + 1; n.cpc = s.head + 1 < p.m ? 'C0' : 'Done'; },
    }),
  ],
  invariants: (p, { invariant }) => p.props !== 'every' ? [] : [
    invariant('Bounded', 'head <= tail <= head + S', (s) => s.head <= s.tail && s.tail <= s.head + p.s),
    invariant('InOrder', 'the received sequence is a prefix of 1..M', (s) => {
      const M = p.m, head = s.head;
      for (let k = 1; k <= M; k++) {
        const r = s.rcvd.get(k - 1);
        if (r !== 0 && r !== k) return false;
        if (k < M && s.rcvd.get(k) !== 0 && r === 0) return false;
        if (k <= head && r !== k) return false;
      }
      return true;
    }),
    invariant('Complete', 'when both sides are done, all M messages arrived', (s) => {
      if (s.ppc !== 'Done' || s.cpc !== 'Done') return true;
      for (let k = 1; k <= p.m; k++) if (s.rcvd.get(k - 1) !== k) return false;
      return true;
    }),
  ],
  steps: (p, { step }) => p.props !== 'steps' ? [] : [
    step('PublishBounded', "ring.pml's assert in ProdPublish: tail - head <= S", (_s, n, a) => a.base !== 'ProdPublish' || n.tail - n.head <= p.s),
    step('RecvInOrder', "ring.pml's assert in ConsRecv: rcvd[head] = head + 1", (s, n, a) => a.base !== 'ConsRecv' || n.rcvd.get(s.head) === s.head + 1),
  ],
  deadlock: () => 'allowed',
});
