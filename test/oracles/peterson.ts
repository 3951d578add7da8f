// Oracle: Peterson's algorithm for two processes, from the PlusCal translation in
// tlaplus/Examples specifications/locks_auxiliary_vars/Peterson.tla.
// Published by TLC: 42 distinct / 77 generated / depth 11.
import { defineModel } from '../../src/explorer/model.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { invariant } from '../../src/invariants/index.js';

const PC = ['a0', 'a1', 'a2', 'a3', 'cs', 'a4'] as const;
type Pc = (typeof PC)[number];
// Processes are 1 and 2 as in the spec; arrays are indexed by process - 1.
const PROCS = [1, 2];
const other = (p: number) => (p === 1 ? 2 : 1);
const actor = (p: number) => `P${p}`;
const lockcs = (pc: Pc) => pc === 'cs' || pc === 'a4';
const state = () => ({ pc: array(2, enumOf(PC)), c: array(2, bool()), turn: int(1, 2) });
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

export default defineModel({
  name: 'peterson',
  description: "Peterson's mutual exclusion for two processes (locks_auxiliary_vars/Peterson.tla)",
  params: {},
  state,
  init: () => [{ pc: ['a0', 'a0'] as Pc[], c: [false, false], turn: 1 }],
  actions: (p) => {
    // One action per PlusCal label: guard pc[self] = label, then the label's statement and the jump.
    const step = (label: Pc, to: Pc, body?: (s: R, n: V, self: number) => void, await_?: (s: R, self: number) => boolean) => ({
      name: label, actor, over: PROCS,
      guard: (s: R, self: number) => s.pc.get(self - 1) === label && (await_ === undefined || await_(s, self)),
      effect: (s: R, n: V, self: number) => { body?.(s, n, self); n.pc.set(self - 1, to); },
    });
    return [
      step('a0', 'a1'),
      step('a1', 'a2', (_s, n, self) => n.c.set(self - 1, true)),
      step('a2', 'a3', (_s, n, self) => { n.turn = p.mutant === 'turn-to-self' ? self : other(self); }),
      step('a3', 'cs', undefined, (s, self) => !s.c.get(other(self) - 1) || (p.mutant !== 'await-no-turn' && s.turn === self)),
      step('cs', 'a4'),
      step('a4', 'a0', (_s, n, self) => n.c.set(self - 1, false)),
    ];
  },
  invariants: () => [invariant<R>('MutualExclusion', 'the two processes are never both in {cs, a4}',
    (s) => !(lockcs(s.pc.get(0)) && lockcs(s.pc.get(1))))],
  // The processes loop forever: a state without a successor is a real deadlock.
  deadlock: () => 'error',
  mutants: [
    { id: 'turn-to-self', kills: ['MutualExclusion'], why: 'a2 sets turn := self instead of Other(self): both pass the await' },
    { id: 'await-no-turn', kills: ['Deadlock'], why: 'a3 awaits only ~c[Other(self)]: both raise c and wait for each other forever (safe but stuck)' },
  ],
});
