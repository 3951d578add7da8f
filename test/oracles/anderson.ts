// Oracle: Anderson's array-based queue lock, BEEM database model `anderson` (DVE), instance
// anderson.2 with N = 3. Published by DiVinE: 1,459 states.
// DVE semantics: processes interleave; a transition is a guard and assignments run in sequence;
// a state is the globals plus each process's location and its local my_place (starting at 0).
// `next` and `my_place` are bytes, so their arithmetic is done modulo 256 as DVE does. (For N = 3
// `next := next - N` never actually goes below 0: the count is the same without the wrap.)
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, enumOf, int, record, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { invariant } from '../../src/invariants/index.js';

const LOCS = ['NCS', 'p1', 'p2', 'p3', 'CS'] as const;
type Loc = (typeof LOCS)[number];
const byte = (x: number) => ((x % 256) + 256) % 256;
const params = { n: intParam({ min: 2, max: 8, default: 3, help: 'number of processes N' }) };
type P = Ctx<typeof params>;
const state = (p: P) => ({
  Slot: array(p.n, int(0, 1)),
  next: int(0, 255),
  P: array(p.n, record({ loc: enumOf(LOCS), my_place: int(0, 255) })),
});
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

export default defineModel({
  name: 'anderson',
  description: "Anderson's array-based queue lock (BEEM anderson)",
  params,
  state,
  init: (p) => [{
    Slot: Array.from({ length: p.n }, (_, i) => (i === 0 ? 1 : 0)),
    next: 0,
    P: Array.from({ length: p.n }, () => ({ loc: 'NCS' as Loc, my_place: 0 })),
  }],
  actions: (p) => {
    const N = p.n, procs = Array.from({ length: N }, (_, i) => i);
    /** One DVE transition `from -> to { guard ...; effect ...; }` of every process i. */
    const trans = (name: string, from: Loc, to: Loc, guard: ((s: R, i: number) => boolean) | null, effect?: (n: V, i: number) => void) => ({
      name, actor: (i: number) => `P_${i}`, over: procs,
      guard: (s: R, i: number) => s.P.at(i).loc === from && (guard === null || guard(s, i)),
      effect: (_s: R, n: V, i: number) => { n.P.at(i).loc = to; effect?.(n, i); },
    });
    // Effects read and write the successor n, so a later assignment sees an earlier one.
    return [
      trans('NCS->p1', 'NCS', 'p1', null, (n, i) => { n.P.at(i).my_place = n.next; n.next = byte(n.next + 1); }),
      trans('p1->p2(wrap)', 'p1', 'p2', (s, i) => s.P.at(i).my_place === N - 1, (n) => { n.next = byte(n.next - N); }),
      trans('p1->p2', 'p1', 'p2', (s, i) => s.P.at(i).my_place !== N - 1, (n, i) => { n.P.at(i).my_place = n.P.at(i).my_place % N; }),
      trans('p2->p3', 'p2', 'p3', (s, i) => s.Slot.get(s.P.at(i).my_place) === 1),
      // BEEM's own error variant of this model clears Slot[(my_place+N-1)%N] instead.
      trans('p3->CS', 'p3', 'CS', null, (n, i) => { const m = n.P.at(i).my_place; n.Slot.set(p.mutant === 'clear-wrong-slot' ? (m + N - 1) % N : m, 0); }),
      trans('CS->NCS', 'CS', 'NCS', null, (n, i) => { n.Slot.set((n.P.at(i).my_place + 1) % N, 1); }),
    ];
  },
  invariants: (p) => [invariant<R>('MutualExclusion', 'at most one process in CS', (s) => {
    let k = 0;
    for (let i = 0; i < p.n; i++) if (s.P.at(i).loc === 'CS') k++;
    return k <= 1;
  })],
  deadlock: () => 'error',
  mutants: [{ id: 'clear-wrong-slot', kills: ['MutualExclusion'], why: "p3 -> CS clears the predecessor's slot instead of its own (BEEM's ERROR=1 variant): its own slot stays 1 and a later process enters too" }],
});
