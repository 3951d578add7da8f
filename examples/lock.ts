// A lock whose test and set are separate steps: both processes can enter the
// critical section. The seeded bug is the default; --fixed makes the
// test-and-set one atomic step, and the mutant 'no-lock' pins the bug so
// `mc mutate` shows MutualExclusion can fail.
import { defineModel, boolParam, intParam, array, bool, enumOf } from 'mc-checker';

export default defineModel({
  name: 'lock',
  description: 'a lock whose test and set are separate steps',
  params: {
    fixed: boolParam({ default: false, help: 'make test-and-set one atomic step' }),
    procs: intParam({ min: 2, max: 4, default: 2, help: 'number of processes' }),
  },
  state: (p) => ({ lock: bool(), pc: array(p.procs, enumOf(['idle', 'saw', 'cs', 'done'])) }),
  init: (p) => [{ lock: false, pc: Array.from({ length: p.procs }, () => 'idle' as const) }],
  actions: (p, { action }) => {
    const procs = Array.from({ length: p.procs }, (_, i) => i);
    return [
      action({
        name: 'Test', actor: (i) => `P${i}`, over: procs,
        when: (i) => ({ [`pc[${i}]`]: 'idle' }),
        guard: (s) => !s.lock,
        effect: (_s, n, i) => { n.pc.set(i, p.fixed ? 'cs' : 'saw'); if (p.fixed) n.lock = true; },
      }),
      action({
        name: 'Set', actor: (i) => `P${i}`, over: procs,
        when: (i) => ({ [`pc[${i}]`]: 'saw' }),
        effect: (_s, n, i) => { n.lock = true; n.pc.set(i, 'cs'); },
      }),
      action({
        name: 'Leave', actor: (i) => `P${i}`, over: procs,
        when: (i) => ({ [`pc[${i}]`]: 'cs' }),
        effect: (_s, n, i) => { n.lock = false; n.pc.set(i, 'done'); },
      }),
    ];
  },
  invariants: (_p, { invariant }) => [
    invariant('MutualExclusion', 'at most one process in cs', (s) => s.pc.toArray().filter((x) => x === 'cs').length <= 1),
  ],
  sometimes: (_p, { sometimes }) => [sometimes('SomeoneEnters', 'a process reaches cs', (s) => s.pc.toArray().includes('cs'))],
  deadlock: (_p, { terminalStates }) => terminalStates('every process done', (s) => s.pc.toArray().every((x) => x === 'done')),
  mutants: [{ id: 'no-lock', kills: ['MutualExclusion'], why: 'test and set are two steps', params: { fixed: false } }],
});
