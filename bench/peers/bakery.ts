// mc twin of ../shared/peers/bakery.tla and bakery.pml: Lamport's bakery lock for N processes with
// non-atomic reads (the doorway reads num[0..N-1] one element per step) and tickets bounded by
// MaxNum (a process whose ticket would exceed MaxNum rescans). One action per TLA+ action, each one
// SPIN transition (spin -o1). The state is the TLA+ variables: choosing, num, the locals j and mx,
// pc, and ncs (the processes in the critical section, which SPIN's twin asserts on). The processes
// loop forever, so a state without a successor is an error (TLC's default).
import { defineModel, intParam, array, enumOf, int } from '../../src/index.js';

const PC = ['idle', 'scan', 'doorway_end', 'w1', 'w2', 'cs'] as const;

export default defineModel({
  name: 'peer-bakery',
  description: "Lamport's bakery, N processes, tickets 0..MaxNum (twin of shared/peers/bakery.tla and .pml)",
  params: {
    n: intParam({ min: 1, max: 6, default: 3, help: 'number of processes N' }),
    maxNum: intParam({ min: 1, max: 255, default: 3, help: 'ticket bound MaxNum' }),
  },
  state: (p) => ({
    choosing: array(p.n, int(0, 1)),
    num: array(p.n, int(0, p.maxNum)),
    j: array(p.n, int(0, p.n)),
    mx: array(p.n, int(0, p.maxNum)),
    pc: array(p.n, enumOf(PC)),
    ncs: int(0, p.n),
  }),
  init: (p) => [{
    choosing: new Array<number>(p.n).fill(0), num: new Array<number>(p.n).fill(0),
    j: new Array<number>(p.n).fill(0), mx: new Array<number>(p.n).fill(0),
    pc: new Array<(typeof PC)[number]>(p.n).fill('idle'), ncs: 0,
  }],
  actions: (p, { action }) => {
    const N = p.n, procs = Array.from({ length: N }, (_, i) => i), actor = (i: number) => `P${i}`;
    return [
      action({
        name: 'Choose', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'idle' }),
        effect: (_s, n, i) => { n.choosing.set(i, 1); n.pc.set(i, 'scan'); },
      }),
      action({
        name: 'ScanOne', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'scan' }),
        guard: (s, i) => s.j.get(i) < N,
        effect: (s, n, i) => {
          const j = s.j.get(i), v = s.num.get(j);
          if (v > s.mx.get(i)) n.mx.set(i, v);
          n.j.set(i, j + 1);
        },
      }),
      action({
        name: 'Take', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'scan' }),
        guard: (s, i) => s.j.get(i) === N && s.mx.get(i) < p.maxNum,
        effect: (s, n, i) => { n.num.set(i, s.mx.get(i) + 1); n.j.set(i, 0); n.pc.set(i, 'doorway_end'); },
      }),
      action({
        name: 'Rescan', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'scan' }),
        guard: (s, i) => s.j.get(i) === N && s.mx.get(i) >= p.maxNum,
        effect: (_s, n, i) => { n.j.set(i, 0); n.mx.set(i, 0); },
      }),
      action({
        name: 'DoorwayEnd', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'doorway_end' }),
        effect: (_s, n, i) => { n.choosing.set(i, 0); n.pc.set(i, 'w1'); },
      }),
      action({
        name: 'WaitChoosing', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'w1' }),
        guard: (s, i) => { const j = s.j.get(i); return j < N && s.choosing.get(j) === 0; },
        effect: (_s, n, i) => { n.pc.set(i, 'w2'); },
      }),
      action({
        name: 'Enter', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'w1' }),
        guard: (s, i) => s.j.get(i) === N,
        effect: (s, n, i) => { n.ncs = s.ncs + 1; n.pc.set(i, 'cs'); },
      }),
      action({
        name: 'WaitNumber', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'w2' }),
        guard: (s, i) => {
          const q = s.j.get(i), nq = s.num.get(q), ni = s.num.get(i);
          return nq === 0 || ni < nq || (ni === nq && i <= q);
        },
        effect: (s, n, i) => { n.j.set(i, s.j.get(i) + 1); n.pc.set(i, 'w1'); },
      }),
      action({
        name: 'Exit', actor, over: procs, when: (i) => ({ [`pc[${i}]`]: 'cs' }),
        effect: (s, n, i) => { n.num.set(i, 0); n.ncs = s.ncs - 1; n.j.set(i, 0); n.mx.set(i, 0); n.pc.set(i, 'idle'); },
      }),
    ];
  },
  invariants: (p, { invariant }) => [
    invariant('MutualExclusion', 'no two processes are in cs at once', (s) => {
      let inCs = 0;
      for (let i = 0; i < p.n; i++) if (s.pc.get(i) === 'cs') inCs++;
      return inCs <= 1;
    }),
    invariant('CountOK', 'ncs <= 1', (s) => s.ncs <= 1),
  ],
});
