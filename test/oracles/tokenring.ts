// Oracle: Dijkstra's self-stabilizing token ring with K states per machine (EWD426),
// tlaplus/Examples specifications/ewd426/TokenRing.tla.
// Published by TLC for N = M = 6: 46,656 distinct / 248,832 generated / depth 1
// (every state is initial: Init is c \in [Node -> 0..M-1]).
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, int, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { eventuallyAlways, invariant, WF } from '../../src/invariants/index.js';

const params = {
  n: intParam({ min: 2, max: 8, default: 6, help: 'number of nodes N' }),
  m: intParam({ min: 2, max: 8, default: 6, help: 'states per node M (counter values 0..M-1)' }),
};
type P = Ctx<typeof params>;
const state = (p: P) => ({ c: array(p.n, int(0, p.m - 1)) });
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

/** Node i holds a privilege (may act). Node 0, the bottom machine, differs from the others. */
const privileged = (p: P, s: R, i: number): boolean => {
  const N = p.n;
  if (i === 0) return p.mutant === 'uniform-ring' ? s.c.get(0) !== s.c.get(N - 1) : s.c.get(0) === s.c.get(N - 1);
  return s.c.get(i) !== s.c.get(i - 1);
};
const privileges = (p: P, s: R): number => { let k = 0; for (let i = 0; i < p.n; i++) if (privileged(p, s, i)) k++; return k; };

/** Every function Node -> 0..M-1, in lexicographic order. */
function allStates(p: P): { c: number[] }[] {
  const out: { c: number[] }[] = [];
  const c = new Array<number>(p.n).fill(0);
  for (;;) {
    out.push({ c: c.slice() });
    let i = p.n - 1;
    while (i >= 0 && c[i] === p.m - 1) c[i--] = 0;
    if (i < 0) return out;
    c[i]!++;
  }
}

export default defineModel({
  name: 'tokenring',
  description: "Dijkstra's K-state self-stabilizing token ring (EWD426, TokenRing.tla)",
  params,
  state,
  init: allStates,
  actions: (p) => [{
    // Next == \E i \in Node: node i moves. One action, so WF(Move) is exactly WF_vars(Next).
    name: 'Move',
    actor: (i: number) => `Node${i}`,
    over: Array.from({ length: p.n }, (_, i) => i),
    guard: (s, i: number) => privileged(p, s, i),
    effect: (s, n, i: number) => { n.c.set(i, i === 0 ? (s.c.get(p.n - 1) + 1) % (p.mutant === 'short-counter' ? p.m - 2 : p.m) : s.c.get(i - 1)); },
  }],
  // Dijkstra's lemma: in every state at least one machine is privileged, so the ring never deadlocks.
  invariants: (p) => [invariant<R>('SomePrivilege', 'at least one node may act', (s) => privileges(p, s) >= 1)],
  liveness: (p) => [eventuallyAlways<R>('Stabilization', 'eventually exactly one node may act, forever', (s) => privileges(p, s) === 1,
    { fairness: p.mutant === 'unfair' ? [] : [WF({ action: 'Move' })] })],
  // TLA+ semantics: any state may stutter forever unless fairness forbids it.
  stuttering: 'anywhere',
  deadlock: () => 'error',
  mutants: [
    { id: 'uniform-ring', kills: ['SomePrivilege'], why: 'node 0 uses the same test as the others (c[0] # c[N-1]): when all counters agree no node may act' },
    { id: 'short-counter', kills: ['Stabilization'], why: 'node 0 counts modulo M-2 = 4 < N-1: Dijkstra\'s bound is broken and several privileges can circulate forever' },
    { id: 'unfair', kills: ['Stabilization'], why: 'WF(Next) removed: the ring may stutter forever in an unstable state' },
  ],
});
