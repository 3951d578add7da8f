// Peterson's mutual exclusion for two processes, the twin of the SPIN and TLC
// models in mc's peer benchmarks (20 states, 35 generated, depth 7 there too).
// Besides mutual exclusion it checks a liveness property: a waiting process
// eventually enters, which holds only under weak fairness of each process.
import { defineModel, array, enumOf, int } from 'mc-checker';

const procs = [0, 1] as const;

export default defineModel({
  name: 'peterson',
  description: "Peterson's mutual exclusion for two processes",
  params: {},
  state: () => ({
    flag: array(2, int(0, 1)),
    turn: int(0, 1),
    pc: array(2, enumOf(['ncs', 'turn', 'wait', 'cs'])),
    ncs: int(0, 2), // processes in the critical section
  }),
  init: () => [{ flag: [0, 0], turn: 0, pc: ['ncs', 'ncs'], ncs: 0 }],
  actions: (p, { action }) => [
    action({
      name: 'SetFlag', actor: (i) => `P${i}`, over: procs, when: (i) => ({ [`pc[${i}]`]: 'ncs' }),
      effect: (_s, n, i) => { n.flag.set(i, 1); n.pc.set(i, 'turn'); },
    }),
    action({
      name: 'SetTurn', actor: (i) => `P${i}`, over: procs, when: (i) => ({ [`pc[${i}]`]: 'turn' }),
      // The mutant 'turn-self' gives the turn to itself instead of to the other process.
      effect: (_s, n, i) => { n.turn = p.mutant === 'turn-self' ? i : 1 - i; n.pc.set(i, 'wait'); },
    }),
    action({
      name: 'Enter', actor: (i) => `P${i}`, over: procs, when: (i) => ({ [`pc[${i}]`]: 'wait' }),
      guard: (s, i) => s.flag.get(1 - i) === 0 || s.turn === i,
      effect: (s, n, i) => { n.ncs = s.ncs + 1; n.pc.set(i, 'cs'); },
    }),
    action({
      name: 'Exit', actor: (i) => `P${i}`, over: procs, when: (i) => ({ [`pc[${i}]`]: 'cs' }),
      effect: (s, n, i) => { n.ncs = s.ncs - 1; n.flag.set(i, 0); n.pc.set(i, 'ncs'); },
    }),
  ],
  invariants: (_p, { invariant }) => [
    invariant('MutualExclusion', 'never both processes in cs', (s) => !(s.pc.get(0) === 'cs' && s.pc.get(1) === 'cs')),
    invariant('CountOK', 'at most one process counted in cs', (s) => s.ncs <= 1),
  ],
  liveness: (p, { leadsTo, WF }) => procs.map((i) => leadsTo(
    `NoStarvation(${i})`, `a waiting P${i} eventually enters cs`,
    (s) => s.pc.get(i) === 'wait', (s) => s.pc.get(i) === 'cs',
    // Without fairness one process may run forever while the other waits: the mutant 'unfair'.
    { fairness: p.mutant === 'unfair' ? [] : [WF({ actor: 'P0' }), WF({ actor: 'P1' })] },
  )),
  // TLA+'s semantics: a process may stop anywhere unless fairness says otherwise.
  stuttering: 'anywhere',
  mutants: [
    { id: 'turn-self', kills: ['MutualExclusion', 'CountOK'], why: 'a process gives the turn to itself' },
    { id: 'unfair', kills: ['NoStarvation(0)', 'NoStarvation(1)'], why: 'no fairness: one process can starve the other' },
  ],
});
