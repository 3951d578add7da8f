// Oracle: Dijkstra's termination detection on a ring (EWD840), after Stephan Merz's
// tlaplus/Examples specifications/ewd840/EWD840.tla.
// Published by TLC for N = 3: 302 distinct (the manifest also gives 2,001 generated, depth 10).
import { defineModel, intParam, type Ctx } from '../../src/explorer/model.js';
import { array, bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../src/explorer/schema.js';
import { implies, leadsTo, terminalStates, WF } from '../../src/invariants/index.js';

const params = { n: intParam({ min: 2, max: 8, default: 3, help: 'number of nodes N' }) };
type P = Ctx<typeof params>;
type Color = 'white' | 'black';
const state = (p: P) => ({
  active: array(p.n, bool()),
  color: array(p.n, enumOf(['white', 'black'])),
  tpos: int(0, p.n - 1),
  tcolor: enumOf(['white', 'black']),
});
type V = StateView<ReturnType<typeof state>>;
type R = ReadonlyStateView<ReturnType<typeof state>>;

const terminated = (s: R) => { for (let i = 0; i < s.active.length; i++) if (s.active.get(i)) return false; return true; };
const terminationDetected = (s: R) => s.tpos === 0 && s.tcolor === 'white' && s.color.get(0) === 'white' && !s.active.get(0);

/** Init: active \in [Node -> BOOLEAN], color \in [Node -> Color], tpos \in Node, tcolor = "black". */
function inits(p: P) {
  const out = [];
  for (let a = 0; a < 1 << p.n; a++) for (let c = 0; c < 1 << p.n; c++) for (let t = 0; t < p.n; t++) {
    out.push({
      active: Array.from({ length: p.n }, (_, i) => (a >> i & 1) === 1),
      color: Array.from({ length: p.n }, (_, i): Color => (c >> i & 1 ? 'black' : 'white')),
      tpos: t,
      tcolor: 'black' as const,
    });
  }
  return out;
}

export default defineModel({
  name: 'ewd840',
  description: "Dijkstra's token-based termination detection on a ring (EWD840.tla)",
  params,
  state,
  init: inits,
  actions: (p) => {
    const nodes = Array.from({ length: p.n }, (_, i) => i);
    const node = (i: number) => `Node${i}`;
    // SendMsg(i) chooses \E j \in Node \ {i}: one instance per pair.
    const pairs = nodes.flatMap((i) => nodes.filter((j) => j !== i).map((j) => ({ i, j })));
    return [
      // System == InitiateProbe \/ \E i \in Node \ {0}: PassToken(i); both act for the actor 'Token',
      // so WF({ actor: 'Token' }) is WF_vars(System).
      { name: 'InitiateProbe', actor: 'Token',
        guard: (s) => s.tpos === 0 && (s.tcolor === 'black' || s.color.get(0) === 'black'),
        effect: (_s, n) => { n.tpos = p.n - 1; n.tcolor = 'white'; n.color.set(0, 'white'); } },
      { name: 'PassToken', actor: 'Token', over: nodes.slice(1),
        guard: (s, i: number) => s.tpos === i && (!s.active.get(i) || s.color.get(i) === 'black' || s.tcolor === 'black'),
        effect: (s, n, i: number) => { n.tpos = i - 1; if (s.color.get(i) === 'black') n.tcolor = 'black'; if (p.mutant !== 'stay-black') n.color.set(i, 'white'); } },
      // Environment == \E i \in Node: SendMsg(i) \/ Deactivate(i).
      { name: 'SendMsg', actor: ({ i }: { i: number }) => node(i), over: pairs,
        guard: (s, { i }: { i: number; j: number }) => s.active.get(i),
        effect: (_s, n, { i, j }: { i: number; j: number }) => { n.active.set(j, true); if (j > i && p.mutant !== 'send-no-taint') n.color.set(i, 'black'); } },
      { name: 'Deactivate', actor: node, over: nodes, guard: (s, i: number) => s.active.get(i),
        effect: (_s, n, i: number) => { n.active.set(i, false); } },
    ];
  },
  invariants: () => [implies<R>('TerminationDetection', 'when node 0 detects termination every node is passive', terminationDetected, terminated)],
  liveness: (p) => [leadsTo<R>('Liveness', 'termination is eventually detected', terminated, terminationDetected, { fairness: p.mutant === 'unfair' ? [] : [WF({ actor: 'Token' })] })],
  // TLA+ semantics: any state may stutter forever unless fairness forbids it.
  stuttering: 'anywhere',
  // The ring stops once termination is detected with every node passive (TLC: CHECK_DEADLOCK FALSE).
  deadlock: () => terminalStates<R>('termination detected, every node passive', (s) => terminated(s) && terminationDetected(s)),
  mutants: [
    { id: 'send-no-taint', kills: ['TerminationDetection'], why: 'SendMsg(i) to j > i does not blacken node i: the token passes a reactivated node unnoticed' },
    { id: 'stay-black', kills: ['Liveness'], why: 'PassToken(i) does not whiten node i: a node blackened once taints every later round, so termination is never detected' },
    { id: 'unfair', kills: ['Liveness'], why: 'WF(System) removed: the token may stop moving forever' },
  ],
});
