// Synthetic oracle: N processes, each increments its own counter from 0 to K and stops.
// Exactly (K+1)^N states; N=4, K=30: 923,521 distinct, 3,574,921 generated, depth 121.
import { defineModel, intParam } from '../../src/explorer/model.js';
import { array, int } from '../../src/explorer/schema.js';

export default defineModel({
  name: 'counters',
  description: 'N independent counters 0..K (synthetic benchmark; (K+1)^N states)',
  params: {
    n: intParam({ min: 1, max: 8, default: 4, help: 'number of counters' }),
    k: intParam({ min: 1, max: 1000, default: 30, help: 'bound of each counter' }),
  },
  state: (p) => ({ c: array(p.n, int(0, p.k)) }),
  init: (p) => [{ c: Array.from({ length: p.n }, () => 0) }],
  actions: (p) => [{
    name: 'Inc',
    actor: (i: number) => `P${i}`,
    over: Array.from({ length: p.n }, (_, i) => i),
    guard: (s, i: number) => s.c.get(i) < p.k,
    effect: (s, n, i: number) => { n.c.set(i, s.c.get(i) + 1); },
  }],
  deadlock: () => 'allowed',
});
