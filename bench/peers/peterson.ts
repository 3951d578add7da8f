// mc twin of ../shared/peers/peterson.tla and peterson.pml: Peterson's mutual exclusion for two
// processes, one action per TLA+ action (one SPIN transition each). ncs counts the processes in the
// critical section, as both twins keep it (SPIN asserts on it). The processes loop forever, so a
// state without a successor is an error, as TLC checks deadlock by default.
import { defineModel, array, enumOf, int } from '../../src/index.js';

const PC = ['ncs', 'turn', 'wait', 'cs'] as const;
const PROCS = [0, 1];

export default defineModel({
  name: 'peer-peterson',
  description: "Peterson's mutual exclusion, two processes (twin of shared/peers/peterson.tla and .pml)",
  params: {},
  state: () => ({ flag: array(2, int(0, 1)), turn: int(0, 1), pc: array(2, enumOf(PC)), ncs: int(0, 2) }),
  init: () => [{ flag: [0, 0], turn: 0, pc: ['ncs', 'ncs'] as (typeof PC)[number][], ncs: 0 }],
  actions: (_p, { action }) => [
    action({
      name: 'SetFlag', actor: (p) => `P${p}`, over: PROCS, when: (p) => ({ [`pc[${p}]`]: 'ncs' }),
      effect: (_s, n, p) => { n.flag.set(p, 1); n.pc.set(p, 'turn'); },
    }),
    action({
      name: 'SetTurn', actor: (p) => `P${p}`, over: PROCS, when: (p) => ({ [`pc[${p}]`]: 'turn' }),
      effect: (_s, n, p) => { n.turn = 1 - p; n.pc.set(p, 'wait'); },
    }),
    action({
      name: 'Enter', actor: (p) => `P${p}`, over: PROCS, when: (p) => ({ [`pc[${p}]`]: 'wait' }),
      guard: (s, p) => s.flag.get(1 - p) === 0 || s.turn === p,
      effect: (s, n, p) => { n.ncs = s.ncs + 1; n.pc.set(p, 'cs'); },
    }),
    action({
      name: 'Exit', actor: (p) => `P${p}`, over: PROCS, when: (p) => ({ [`pc[${p}]`]: 'cs' }),
      effect: (s, n, p) => { n.ncs = s.ncs - 1; n.flag.set(p, 0); n.pc.set(p, 'ncs'); },
    }),
  ],
  invariants: (_p, { invariant }) => [
    invariant('MutualExclusion', 'the two processes are never both in cs', (s) => !(s.pc.get(0) === 'cs' && s.pc.get(1) === 'cs')),
    invariant('CountOK', 'ncs <= 1', (s) => s.ncs <= 1),
  ],
});
