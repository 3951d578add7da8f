// Oracle: Anderson's array-based queue lock, BEEM database model `anderson` (DVE), instance
// anderson.2 with N = 3. Published by DiVinE: 1,459 states.
// DVE semantics: processes interleave; a transition is a guard and assignments run in sequence;
// a state is the globals plus each process's location and its local my_place (starting at 0).
// `next` and `my_place` are bytes, so their arithmetic is done modulo 256 as DVE does. (For N = 3
// `next := next - N` never actually goes below 0: the count is the same without the wrap.)
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, enumOf, int, mapOf, record } from '../../src/explorer/schema.js';

const Loc = enumOf(['NCS', 'p1', 'p2', 'p3', 'CS']);
type Loc = (typeof Loc.values)[number];
const byte = (x: number) => ((x % 256) + 256) % 256;
const params = { n: intParam({ min: 2, max: 8, default: 3, help: 'number of processes N' }) };
// The processes by name, P_0..P_{N-1} as BEEM's: nothing is indexed by process (Slot is by my_place).
const procs = (p: Ctx<typeof params>) => enumOf(Array.from({ length: p.n }, (_, i) => `P_${i}` as const));
const state = (p: Ctx<typeof params>) => ({
  Slot: array(p.n, int(0, 1)),
  next: int(0, 255),
  P: mapOf(procs(p), record({ loc: Loc, my_place: int(0, 255) })),
});

export default defineModel({
  name: 'anderson',
  description: "Anderson's array-based queue lock (BEEM anderson)",
  params,
  state,
  init: (p) => [{
    Slot: Array.from({ length: p.n }, (_, i) => (i === 0 ? 1 : 0)),
    next: 0,
    P: Array.from({ length: p.n }, () => ({ loc: 'NCS' as const, my_place: 0 })),
  }],
  actions: (p, { action }) => {
    const N = p.n;
    /** What a DVE transition out of `loc` shares: one instance per process, enabled where it is at `loc` (each effect moves it on). */
    const from = (loc: Loc) => ({ actor: (i: string) => i, over: procs(p), when: (i: string) => ({ [`P[${i}].loc`]: loc }) });
    // Effects read and write the successor n, so a later assignment sees an earlier one.
    return [
      action({ name: 'NCS->p1', ...from('NCS'), effect: (_s, n, i) => { const me = n.P.get(i); me.loc = 'p1'; me.my_place = n.next; n.next = byte(n.next + 1); } }),
      action({ name: 'p1->p2(wrap)', ...from('p1'), guard: (s, i) => s.P.get(i).my_place === N - 1,
        effect: (_s, n, i) => { n.P.get(i).loc = 'p2'; n.next = byte(n.next - N); } }),
      action({ name: 'p1->p2', ...from('p1'), guard: (s, i) => s.P.get(i).my_place !== N - 1,
        effect: (_s, n, i) => { const me = n.P.get(i); me.loc = 'p2'; me.my_place %= N; } }),
      action({ name: 'p2->p3', ...from('p2'), guard: (s, i) => s.Slot.get(s.P.get(i).my_place) === 1, effect: (_s, n, i) => { n.P.get(i).loc = 'p3'; } }),
      // BEEM's own error variant of this model clears Slot[(my_place+N-1)%N] instead.
      action({ name: 'p3->CS', ...from('p3'), effect: (_s, n, i) => {
        const me = n.P.get(i), m = me.my_place;
        me.loc = 'CS'; n.Slot.set(p.mutant === 'clear-wrong-slot' ? (m + N - 1) % N : m, 0);
      } }),
      action({ name: 'CS->NCS', ...from('CS'), effect: (_s, n, i) => { const me = n.P.get(i); me.loc = 'NCS'; n.Slot.set((me.my_place + 1) % N, 1); } }),
    ];
  },
  invariants: (_p, { invariant }) => [invariant('MutualExclusion', 'at most one process in CS',
    (s) => s.P.values().filter((me) => me.loc === 'CS').length <= 1)],
  deadlock: () => 'error',
  mutants: [{ id: 'clear-wrong-slot', kills: ['MutualExclusion'], why: "p3 -> CS clears the predecessor's slot instead of its own (BEEM's ERROR=1 variant): its own slot stays 1 and a later process enters too" }],
});
