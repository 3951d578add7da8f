// Oracle: the Two-Phase Commit protocol of Gray & Lamport
// (tlaplus/Examples specifications/transaction_commit/TwoPhase.tla).
// Published by TLC: RM = 3: 288 distinct / 1,146 generated / depth 11; RM = 5: 8,832;
// RM = 6: 50,816; RM = 7: 296,448; RM = 8: 1,745,408 distinct.
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, enumOf, setOf, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { invariant } from '../../src/invariants/index.js';

const params = { rm: intParam({ min: 1, max: 8, default: 3, help: 'number of resource managers' }) };
// msgs ⊆ Message as a bitset: bit r is [type |-> "Prepared", rm |-> r], then Commit and Abort.
const COMMIT = (p: { rm: number }) => p.rm, ABORT = (p: { rm: number }) => p.rm + 1;
const state = (p: Ctx<typeof params>) => ({
  rmState: array(p.rm, enumOf(['working', 'prepared', 'committed', 'aborted'])),
  tmState: enumOf(['init', 'committed', 'aborted']),
  tmPrepared: setOf(p.rm),
  msgs: setOf(p.rm + 2),
});
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

export default defineModel({
  name: 'twophase',
  description: 'Two-Phase Commit (TwoPhase.tla): a TM collects Prepared messages, then broadcasts Commit or Abort',
  params,
  state,
  init: (p) => [{ rmState: Array.from({ length: p.rm }, () => 'working' as const), tmState: 'init', tmPrepared: [], msgs: [] }],
  actions: (p) => {
    const RM = Array.from({ length: p.rm }, (_, r) => r);
    const rm = (r: number) => `RM${r}`;
    const allPrepared = (1 << p.rm) - 1;
    return [
      { name: 'TMCommit', actor: 'TM', guard: (s) => s.tmState === 'init' && (p.mutant === 'commit-unprepared' || s.tmPrepared.bits === allPrepared),
        effect: (_s, n) => { n.tmState = 'committed'; n.msgs.add(COMMIT(p)); } },
      { name: 'TMAbort', actor: 'TM', guard: (s) => s.tmState === 'init',
        effect: (_s, n) => { n.tmState = 'aborted'; n.msgs.add(ABORT(p)); } },
      // TPNext's \E rm: TMRcvPrepared(rm) \/ RMPrepare(rm) \/ RMChooseToAbort(rm) \/ RMRcvCommitMsg(rm) \/ RMRcvAbortMsg(rm).
      { name: 'TMRcvPrepared', actor: 'TM', over: RM, guard: (s, r: number) => s.tmState === 'init' && s.msgs.has(r),
        effect: (_s, n, r: number) => { n.tmPrepared.add(r); } },
      { name: 'RMPrepare', actor: rm, over: RM, guard: (s, r: number) => s.rmState.get(r) === 'working',
        effect: (_s, n, r: number) => { n.rmState.set(r, 'prepared'); n.msgs.add(r); } },
      { name: 'RMChooseToAbort', actor: rm, over: RM, guard: (s, r: number) => s.rmState.get(r) === 'working',
        effect: (_s, n, r: number) => { n.rmState.set(r, 'aborted'); } },
      // The receive actions stay enabled once the message is in msgs (their repeats are self-loops, counted as generated).
      { name: 'RMRcvCommitMsg', actor: rm, over: RM, guard: (s) => s.msgs.has(COMMIT(p)),
        effect: (_s, n, r: number) => { n.rmState.set(r, 'committed'); } },
      { name: 'RMRcvAbortMsg', actor: rm, over: RM, guard: (s) => s.msgs.has(ABORT(p)),
        effect: (_s, n, r: number) => { n.rmState.set(r, 'aborted'); } },
    ];
  },
  // TwoPhase implements TCommit (TPSpec => TC!TCSpec), so TCommit's invariant must hold.
  invariants: () => [invariant<R>('TCConsistent', 'no RM has aborted while another has committed', (s) => {
    let aborted = false, committed = false;
    for (let r = 0; r < s.rmState.length; r++) { const x = s.rmState.get(r); aborted ||= x === 'aborted'; committed ||= x === 'committed'; }
    return !(aborted && committed);
  })],
  // No deadlock: TMAbort is enabled while the TM is in init, and afterwards Commit or Abort is in msgs,
  // so a receive action is always enabled.
  deadlock: () => 'error',
  mutants: [{ id: 'commit-unprepared', kills: ['TCConsistent'], why: 'TMCommit does not wait for tmPrepared = RM: an RM that chose to abort sees others commit' }],
});
