// What one worker of the parallel search checks on the states of a level, besides expanding them: the
// invariants and goals of each frontier state (checked when the level loads it, see level-protocol.ts),
// the state constraint and step properties on each successor, and the deadlock policy.
import type { Expander } from './expand.js';
import { SymmetryAudit } from './symmetry-audit.js';
import { ExpandFailure } from './expand.js';
import { ModelError, type CompiledModel } from './model.js';
import { readerError, thrownStack } from './trace.js';
import { IDLE, KIND_CONSTRAINT, KIND_DEADLOCK, KIND_GOAL, KIND_INVARIANT, probeCode, WHO } from './control.js';
import type { LevelMessage, WorkerError } from './level-protocol.js';

export interface LevelChecks {
  /** With symmetry: the audit (symmetry-audit.ts), whose action check the expansion runs. */
  readonly audit: SymmetryAudit | null;
  /** Checks the invariants and goals of the loaded frontier state (position r); false if one threw (checkError says which). */
  checkState(r: number): boolean;
  /** The state constraint on the successor in scratch; a throw becomes the action's failure. */
  inConstraint(actionId: number): boolean;
  /** Notes the step properties that failed (x.checkSteps returned `failed`) on the step with this claim. */
  stepsFailed(failed: number, claim: number): void;
  /** Whether the current state (no action enabled) is an expected terminal state. */
  expectedTerminal(): boolean;
  /** Starts level m: what it checks, and nothing found yet. */
  start(m: LevelMessage): void;
  /** What checking found in the level. */
  readonly found: {
    antecedents: number[]; goals: number[]; violations: number[]; checkError: WorkerError | null;
    /** With symmetry: the orbit sizes of the states checked, summed. */
    represented: number;
    /** Per step property, the first claim (a worker's claims only grow) of a step where it failed, or -1. */
    steps: number[];
  };
}

export function levelChecks(c: CompiledModel, x: Expander, debug: boolean): LevelChecks {
  const who = x.who;
  let level: LevelMessage | null = null;
  let checkInv: boolean[] = [], checkGoal: boolean[] = [];
  const found: LevelChecks['found'] = { antecedents: [], goals: [], violations: [], checkError: null, steps: [], represented: 0 };
  const sym = c.symmetry, audit = sym !== null ? new SymmetryAudit(c, false) : null; // a parallel search records no liveness graph

  function checkState(r: number): boolean {
    if (!level!.check) return true;
    const view = x.curView, { antecedents, goals, violations } = found;
    // Which property is being evaluated: invariant q, or goal q as -2 - q. (Naming it here, as a string
    // built per state, allocated about 300 MB in a two-worker bakery.5 run: 78 young-generation collections.)
    let at = -1;
    if (sym !== null) found.represented += sym.orbitSize(x.cur, 0);
    try {
      for (let q = 0; q < c.invariants.length; q++) {
        const inv = c.invariants[q]!;
        at = q;
        who[WHO] = probeCode(KIND_INVARIANT, q, false);
        if (inv.antecedent !== undefined && inv.antecedent(view)) antecedents[q]!++;
        // Evaluated even once violated (only not recorded again): the sequential search evaluates it too, and it may throw.
        if (!inv.check(view) && checkInv[q]) violations.push(q, r);
      }
      for (let q = 0; q < goals.length; q++) {
        if (!checkGoal[q] || goals[q]) continue;
        at = -2 - q;
        who[WHO] = probeCode(KIND_GOAL, q, false);
        if (c.goals[q]!.check(view)) goals[q] = 1;
      }
      who[WHO] = IDLE;
      const why = audit === null ? null : audit.check(x.cur, 0, view, false); // its actions: when it is expanded (worker-expand.ts)
      if (why !== null) { found.checkError = { pos: r, actionId: -1, message: why, bad: null }; return false; }
      return true;
    } catch (e) {
      const what = at >= 0 ? `invariant ${c.invariants[at]!.name}` : `goal ${c.goals[-2 - at]!.name}`;
      const failure = readerError(what, e), stack = debug ? thrownStack(failure) : null;
      found.checkError = { pos: r, actionId: -1, message: failure.message, bad: null, ...(stack ? { stack } : {}) };
      return false;
    }
  }
  function inConstraint(actionId: number): boolean {
    who[WHO] = probeCode(KIND_CONSTRAINT, 0, true);
    try { return c.constraint!(x.scratchView); } catch (e) {
      throw new ExpandFailure(readerError('the state constraint', e), actionId, x.scratch.slice(0, c.layout.slots));
    }
  }
  function stepsFailed(failed: number, claim: number): void {
    const first = found.steps;
    for (let j = 0; j < failed; j++) { const k = x.failedSteps[j]!; if (first[k]! < 0) first[k] = claim; }
  }
  function expectedTerminal(): boolean {
    const d = c.deadlock;
    if (typeof d !== 'object') return false;
    who[WHO] = probeCode(KIND_DEADLOCK, 0, false);
    let expected: boolean;
    try { expected = d.expected(x.curView); } catch (e) {
      throw new ExpandFailure(readerError('the deadlock policy', e), -1, null);
    }
    const why = audit?.checkDeadlock(x.cur, 0, x.curView) ?? null;
    if (why !== null) throw new ExpandFailure(new ModelError(why), -1, null);
    return expected;
  }
  function start(m: LevelMessage): void {
    level = m;
    checkInv = c.invariants.map((_, k) => !m.skipInvariants.includes(k));
    checkGoal = c.goals.map((_, k) => !m.skipGoals.includes(k));
    audit?.settleGoals(m.skipGoals);
    found.antecedents = c.invariants.map(() => 0); found.goals = c.goals.map(() => 0);
    found.violations = []; found.checkError = null; found.represented = 0; found.steps = c.steps.map(() => -1);
  }
  return { checkState, inConstraint, stepsFailed, expectedTerminal, start, found, audit };
}
