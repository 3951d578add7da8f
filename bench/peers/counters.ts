// mc twin of ../shared/peers/counters.tla and counters.pml: N independent counters, process i
// increments its own c[i] from 0 to K and stops; exactly (K+1)^N states. One action Inc(i) per
// TLA+ Inc(i) and per SPIN transition of process i. The counters terminate, so a state without a
// successor is allowed (TLC's CHECK_DEADLOCK FALSE; SPIN's end label). TypeOK is the state's domain.
import { defineModel, intParam, array, int } from '../../src/index.js';

export default defineModel({
  name: 'peer-counters',
  description: 'N independent counters 0..K (twin of shared/peers/counters.tla and .pml)',
  params: {
    n: intParam({ min: 1, max: 8, default: 4, help: 'number of counters N' }),
    k: intParam({ min: 0, max: 255, default: 30, help: 'bound of each counter K' }),
  },
  state: (p) => ({ c: array(p.n, int(0, p.k)) }),
  init: (p) => [{ c: new Array<number>(p.n).fill(0) }],
  actions: (p, { action }) => [
    action({
      name: 'Inc', actor: (i) => `C${i}`, over: Array.from({ length: p.n }, (_, i) => i),
      guard: (s, i) => s.c.get(i) < p.k,
      effect: (s, n, i) => { n.c.set(i, s.c.get(i) + 1); },
    }),
  ],
  deadlock: () => 'allowed',
});
