// Oracle: the Two-Phase Commit protocol of Gray & Lamport
// (tlaplus/Examples specifications/transaction_commit/TwoPhase.tla), written as the
// TLA+ is: rmState a function over RM, tmPrepared a set of RMs, msgs a set of records.
// Published by TLC: RM = 3: 288 distinct / 1,146 generated / depth 11; RM = 5: 8,832;
// RM = 6: 50,816; RM = 7: 296,448; RM = 8: 1,745,408 distinct.
// `--symmetric` declares the RMs a scalarset (TLC's Permutations(RM)): the search keeps one state per
// orbit, and `represented` must give the counts above.
import { boolParam, defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { enumOf, mapOf, modelValues, oneOf, record, scalarset, setOf } from '../../src/explorer/schema.js';

const params = {
  rm: intParam({ min: 1, max: 8, default: 3, help: 'number of resource managers' }),
  symmetric: boolParam({ default: false, help: 'the RMs are a scalarset (symmetry reduction)' }),
};
const rms = (p: Ctx<typeof params>) => (p.symmetric ? scalarset('r', p.rm) : modelValues('r', p.rm));
const state = (p: Ctx<typeof params>) => {
  const RM = rms(p);
  // Message == [type : {"Prepared"}, rm : RM] \cup [type : {"Commit", "Abort"}]
  const Message = oneOf(record({ type: enumOf(['Prepared']), rm: RM }), record({ type: enumOf(['Commit', 'Abort']) }));
  return {
    rmState: mapOf(RM, enumOf(['working', 'prepared', 'committed', 'aborted'])),
    tmState: enumOf(['init', 'committed', 'aborted']),
    tmPrepared: setOf(RM),
    msgs: setOf(Message),
  };
};

export default defineModel({
  name: 'twophase',
  description: 'Two-Phase Commit (TwoPhase.tla): a TM collects Prepared messages, then broadcasts Commit or Abort',
  params,
  state,
  init: (p) => [{ rmState: Array.from({ length: p.rm }, () => 'working' as const), tmState: 'init', tmPrepared: [], msgs: [] }],
  actions: (p, { action }) => {
    const RM = rms(p);
    return [
      action({ name: 'TMCommit', actor: 'TM', guard: (s) => s.tmState === 'init' && (p.mutant === 'commit-unprepared' || s.tmPrepared.size === p.rm),
        effect: (_s, n) => { n.tmState = 'committed'; n.msgs.add({ type: 'Commit' }); } }),
      action({ name: 'TMAbort', actor: 'TM', guard: (s) => s.tmState === 'init',
        effect: (_s, n) => { n.tmState = 'aborted'; n.msgs.add({ type: 'Abort' }); } }),
      // TPNext's \E rm \in RM: TMRcvPrepared(rm) \/ RMPrepare(rm) \/ RMChooseToAbort(rm) \/ RMRcvCommitMsg(rm) \/ RMRcvAbortMsg(rm).
      action({ name: 'TMRcvPrepared', actor: 'TM', over: RM, guard: (s, r) => s.tmState === 'init' && s.msgs.has({ type: 'Prepared', rm: r }),
        effect: (_s, n, r) => { n.tmPrepared.add(r); } }),
      action({ name: 'RMPrepare', actor: (r) => r, over: RM, when: (r) => ({ [`rmState[${r}]`]: 'working' }),
        effect: (_s, n, r) => { n.rmState.set(r, 'prepared'); n.msgs.add({ type: 'Prepared', rm: r }); } }),
      action({ name: 'RMChooseToAbort', actor: (r) => r, over: RM, guard: (s, r) => s.rmState.get(r) === 'working',
        effect: (_s, n, r) => { n.rmState.set(r, 'aborted'); } }),
      // The receive actions stay enabled once the message is in msgs (their repeats are self-loops, counted as generated).
      action({ name: 'RMRcvCommitMsg', actor: (r) => r, over: RM, guard: (s) => s.msgs.has({ type: 'Commit' }),
        effect: (_s, n, r) => { n.rmState.set(r, 'committed'); } }),
      action({ name: 'RMRcvAbortMsg', actor: (r) => r, over: RM, guard: (s) => s.msgs.has({ type: 'Abort' }),
        effect: (_s, n, r) => { n.rmState.set(r, 'aborted'); } }),
    ];
  },
  // TwoPhase implements TCommit (TPSpec => TC!TCSpec), so TCommit's invariant must hold.
  invariants: (_p, { invariant }) => [invariant('TCConsistent', 'no RM has aborted while another has committed', (s) => {
    const states = s.rmState.values();
    return !(states.includes('aborted') && states.includes('committed'));
  })],
  // No deadlock: TMAbort is enabled while the TM is in init, and afterwards Commit or Abort is in msgs,
  // so a receive action is always enabled.
  deadlock: () => 'error',
  mutants: [{ id: 'commit-unprepared', kills: ['TCConsistent'], why: 'TMCommit does not wait for tmPrepared = RM: an RM that chose to abort sees others commit' }],
});
