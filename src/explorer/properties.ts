// Checking the model's properties on what a search finds: a new state's invariants, goals and liveness
// labels, a step's state constraint, a state without successors against the deadlock policy. Each check
// tells the expander's probe what runs (for a supervisor), and turns what the model's code threw into a
// model error at that state.
import { ModelError, type ActionInstance } from './model.js';
import { readerError } from './trace.js';
import { IDLE, KIND_CONSTRAINT, KIND_DEADLOCK, KIND_GOAL, KIND_INVARIANT, KIND_LIVENESS, probeCode, WHO } from './control.js';
import type { Engine } from './engine.js';

/** Raised inside the engine to stop with a model error at a known state. */
export class ActionFailure {
  constructor(readonly error: ModelError, readonly parent: number, readonly actionId: number, readonly badSuccessor: Int32Array | null) {}
}

/** New state idx (`view` over it, found at `depth`): its invariants, goals, and labels in the liveness graph. */
export function checkState(e: Engine, view: any, idx: number, depth: number): void {
  const invs = e.c.invariants, who = e.x.who;
  for (let k = 0; k < invs.length; k++) {
    const inv = invs[k]!;
    let ok: boolean;
    who[WHO] = probeCode(KIND_INVARIANT, k, true);
    try {
      if (inv.antecedent !== undefined && inv.antecedent(view)) e.antecedentHits[k]!++;
      ok = inv.check(view);
    } catch (err) {
      throw new ActionFailure(readerError(`invariant ${inv.name}`, err), idx, -1, null);
    }
    if (!ok) e.record(inv.name, 'invariant', inv.description, idx);
  }
  const goals = e.c.goals;
  for (let k = 0; k < goals.length; k++) {
    if (e.goalHit[k]! >= 0) continue;
    let hit: boolean;
    who[WHO] = probeCode(KIND_GOAL, k, true);
    try { hit = goals[k]!.check(view); } catch (err) {
      throw new ActionFailure(readerError(`goal ${goals[k]!.name}`, err), idx, -1, null);
    }
    if (hit) e.goalHit[k] = depth;
  }
  if (e.graph !== null) {
    let bits = 0;
    const live = e.c.liveness;
    for (let k = 0; k < live.length; k++) {
      const l = live[k]!;
      who[WHO] = probeCode(KIND_LIVENESS, k, true);
      try {
        if (l.p !== undefined && l.p(view)) bits |= 1 << (2 * k);
        if (l.q(view)) bits |= 1 << (2 * k + 1);
      } catch (err) {
        throw new ActionFailure(readerError(`liveness property ${l.name}`, err), idx, -1, null);
      }
    }
    e.graph.labels.ensure(e.distinct);
    e.graph.labels.a[idx] = bits;
  }
  who[WHO] = IDLE;
}

/** State `index` (`view` over it) has no enabled action: a deadlock, unless the model allows or expects it. */
export function deadlock(e: Engine, view: any, index: number): void {
  const d = e.c.deadlock;
  if (d === 'allowed') return;
  if (d !== 'error') {
    let expected: boolean;
    e.x.who[WHO] = probeCode(KIND_DEADLOCK, 0, false);
    try { expected = d.expected(view); } catch (err) {
      throw new ActionFailure(readerError('the deadlock policy', err), index, -1, null);
    }
    e.x.idle();
    const why = e.audit?.checkDeadlock(e.x.cur, 0, view) ?? null;
    if (why !== null) throw new ActionFailure(new ModelError(why), index, -1, null);
    if (expected) return;
  }
  e.deadlockAt(index);
}

/** Whether the successor in scratch (from state parentIdx by `a`) is inside the state constraint. */
export function checkConstraint(e: Engine, parentIdx: number, a: ActionInstance): boolean {
  e.x.who[WHO] = probeCode(KIND_CONSTRAINT, 0, true);
  try { return e.c.constraint!(e.scratchView); } catch (err) {
    throw new ActionFailure(readerError('the state constraint', err), parentIdx, a.id, e.scratch.slice(0, e.n));
  }
}
