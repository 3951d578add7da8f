// Oracle: TCommit, the Transaction Commit spec of Gray & Lamport
// (tlaplus/Examples specifications/transaction_commit/TCommit.tla).
// Published by TLC for RM = 3: 34 distinct / 94 generated / depth 7.
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, enumOf, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { invariant, terminalStates } from '../../src/invariants/index.js';

const params = { rm: intParam({ min: 1, max: 12, default: 3, help: 'number of resource managers' }) };
const state = (p: Ctx<typeof params>) => ({ rmState: array(p.rm, enumOf(['working', 'prepared', 'committed', 'aborted'])) });
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

const all = (s: R, ok: (x: string) => boolean): boolean => {
  for (let r = 0; r < s.rmState.length; r++) if (!ok(s.rmState.get(r))) return false;
  return true;
};
const canCommit = (s: R) => all(s, (x) => x === 'prepared' || x === 'committed');
const notCommitted = (s: R) => all(s, (x) => x !== 'committed');

export default defineModel({
  name: 'tcommit',
  description: 'Transaction Commit (TCommit.tla): every RM prepares, then all commit or all abort',
  params,
  state,
  init: (p) => [{ rmState: Array.from({ length: p.rm }, () => 'working' as const) }],
  actions: (p) => {
    const RM = Array.from({ length: p.rm }, (_, r) => r);
    const actor = (r: number) => `RM${r}`;
    return [
      { name: 'Prepare', actor, over: RM, guard: (s, r: number) => s.rmState.get(r) === 'working',
        effect: (_s, n, r: number) => { n.rmState.set(r, 'prepared'); } },
      // Decide(r)'s two disjuncts, as two actions.
      { name: 'DecideCommit', actor, over: RM, guard: (s, r: number) => s.rmState.get(r) === 'prepared' && canCommit(s),
        effect: (_s, n, r: number) => { n.rmState.set(r, 'committed'); } },
      { name: 'DecideAbort', actor, over: RM,
        guard: (s, r: number) => (s.rmState.get(r) === 'working' || s.rmState.get(r) === 'prepared') && (p.mutant === 'abort-after-commit' || notCommitted(s)),
        effect: (_s, n, r: number) => { n.rmState.set(r, 'aborted'); } },
    ];
  },
  invariants: () => [invariant<R>('TCConsistent', 'no RM has aborted while another has committed',
    (s) => !(!all(s, (x) => x !== 'aborted') && !notCommitted(s)))],
  // The spec terminates once every RM has decided; those are its only terminal states.
  deadlock: () => terminalStates<R>('every RM has committed or aborted', (s) => all(s, (x) => x === 'committed' || x === 'aborted')),
  mutants: [{ id: 'abort-after-commit', kills: ['TCConsistent'], why: 'DecideAbort drops its notCommitted test: an RM aborts after another has committed' }],
});
