// Oracle: Lamport's bakery algorithm with bounded tickets, BEEM database model `bakery` (DVE).
// Published by DiVinE: bakery.1 (N=2, MAX=9): 1,506; bakery.3 (N=3, MAX=4): 32,919;
// bakery.4 (N=3, MAX=6, ERROR=1): 157,003; bakery.5 (N=4, MAX=7): 7,866,401 states -- all four
// reproduced by this port (bakery.5 takes about 6 s, so the tests leave it to the benchmark).
// BEEM's generation script makes each bakery.N from one m4 source (`divine combine -o
// ./bakery/bakery.mdve MAX=6 ERROR=1 N=3` for bakery.4); bakery.2, .4 and .6 set ERROR=1, a seeded
// bug. Its text is not at hand; the mutant `ticket-compare-flipped` (wait ->
// forloop passes j when number[j] < number[i], not >) is the one-line change found to give bakery.4's
// 157,003 exactly, while the correct model gives 69,851 there and dropping the choosing wait 256,738.
// DVE semantics: processes interleave (a transition is enabled in its source location: `when`); a transition is a guard and assignments run in sequence;
// a state is the globals plus each process's location and its locals j, max (all starting at 0).
// No arithmetic here can leave 0..255 (tickets stay <= MAX, j <= N), so bytes never wrap.
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, enumOf, int, record, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { invariant } from '../../src/invariants/index.js';

const LOCS = ['NCS', 'choose', 'forloop', 'wait', 'CS'] as const;
type Loc = (typeof LOCS)[number];
const params = {
  n: intParam({ min: 1, max: 6, default: 2, help: 'number of processes N' }),
  max: intParam({ min: 1, max: 255, default: 9, help: 'ticket bound MAX' }),
};
type P = Ctx<typeof params>;
const state = (p: P) => ({
  choosing: array(p.n, int(0, 1)),
  number: array(p.n, int(0, p.max)),
  P: array(p.n, record({ loc: enumOf(LOCS), j: int(0, p.n), max: int(0, p.max) })),
});
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

export default defineModel({
  name: 'bakery',
  description: "Lamport's bakery mutual exclusion with tickets bounded by MAX (BEEM bakery)",
  params,
  state,
  init: (p) => [{
    choosing: new Array<number>(p.n).fill(0),
    number: new Array<number>(p.n).fill(0),
    P: Array.from({ length: p.n }, () => ({ loc: 'NCS' as Loc, j: 0, max: 0 })),
  }],
  actions: (p) => {
    const N = p.n, procs = Array.from({ length: N }, (_, i) => i);
    /** One DVE transition `from -> to { guard ...; effect ...; }` of every process i. */
    const trans = (name: string, from: Loc, to: Loc, guard: ((s: R, i: number) => boolean) | null, effect?: (n: V, i: number) => void) => ({
      name, actor: (i: number) => `P_${i}`, over: procs,
      when: (i: number) => ({ [`P[${i}].loc`]: from }),
      ...(guard === null ? {} : { guard }),
      effect: (_s: R, n: V, i: number) => { n.P.at(i).loc = to; effect?.(n, i); },
    });
    // Effects read and write the successor n, so a later assignment sees an earlier one.
    return [
      trans('NCS->choose', 'NCS', 'choose', null, (n, i) => { n.choosing.set(i, 1); n.P.at(i).j = 0; n.P.at(i).max = 0; }),
      trans('choose->choose(greater)', 'choose', 'choose', (s, i) => { const me = s.P.at(i); return me.j < N && s.number.get(me.j) > me.max; },
        (n, i) => { const me = n.P.at(i); me.max = n.number.get(me.j); me.j = me.j + 1; }),
      trans('choose->choose(not greater)', 'choose', 'choose', (s, i) => { const me = s.P.at(i); return me.j < N && s.number.get(me.j) <= me.max; },
        (n, i) => { n.P.at(i).j += 1; }),
      trans('choose->forloop', 'choose', 'forloop', (s, i) => s.P.at(i).j === N && s.P.at(i).max < p.max,
        (n, i) => { n.number.set(i, n.P.at(i).max + 1); n.P.at(i).j = 0; n.choosing.set(i, 0); }),
      trans('forloop->wait', 'forloop', 'wait', (s, i) => { const j = s.P.at(i).j; return j < N && (p.mutant === 'no-choosing-wait' || s.choosing.get(j) === 0); }),
      trans('wait->forloop', 'wait', 'forloop', (s, i) => {
        const j = s.P.at(i).j, nj = s.number.get(j), ni = s.number.get(i);
        return nj === 0 || (p.mutant === 'ticket-compare-flipped' ? nj < ni : nj > ni) || (nj === ni && i <= j);
      }, (n, i) => { n.P.at(i).j += 1; }),
      trans('forloop->CS', 'forloop', 'CS', (s, i) => s.P.at(i).j === N),
      trans('CS->NCS', 'CS', 'NCS', null, (n, i) => { n.number.set(i, 0); }),
    ];
  },
  invariants: (p) => [invariant<R>('MutualExclusion', 'at most one process in CS', (s) => {
    let k = 0;
    for (let i = 0; i < p.n; i++) if (s.P.at(i).loc === 'CS') k++;
    return k <= 1;
  })],
  // Bounded tickets make the model deadlock: a process that saw ticket MAX is stuck in `choose`
  // with choosing = 1, and every other process then waits for it in `forloop`. DiVinE counts include
  // those states, and the original model declares no terminal states, so every deadlock is allowed.
  deadlock: () => 'allowed',
  mutants: [
    { id: 'no-choosing-wait', kills: ['MutualExclusion'], why: 'forloop -> wait skips `choosing[j] == 0`: a process compares against a ticket still being chosen' },
    { id: 'ticket-compare-flipped', kills: ['MutualExclusion'], why: 'wait -> forloop passes process j when its ticket is smaller (number[j] < number[i]), not larger: BEEM bakery.4 (N=3, MAX=6, ERROR=1)' },
  ],
});
