// Concrete traces from a search over orbit representatives. The search stores one state per orbit and
// links it to its parent by the action that led there: re-executed from the parent's representative,
// that action gives some permutation of the stored state. A trace must be a real behaviour from a real
// initial state (mc replay re-executes it), so each step is re-found from the concrete state reached so
// far: the first action instance, in action order, whose successor has the recorded state's orbit.
import { ModelError, stepAction, type CompiledModel } from './model.js';
import { applyAction } from './trace.js';
import { firstOutOfDomain } from './schema.js';
import type { Symmetry } from './symmetry.js';
import type { Lasso } from './liveness.js';

function canonical(sym: Symmetry, s: Int32Array): Int32Array {
  const out = new Int32Array(s.length);
  sym.canonicalize(s, 0, out);
  return out;
}
const same = (a: Int32Array, b: Int32Array): boolean => a.every((x, k) => x === b[k]);

/** A successor of s by a that may leave its domain (a model error's last state), or null when a is disabled or throws. */
function rawSuccessor(c: CompiledModel, id: number, s: Int32Array): Int32Array | null {
  try { return applyAction(c, c.actions[id]!, s, false); } catch { return null; }
}

/**
 * The concrete path for a path over representatives: initial state `init`, then `actions` (each taken from
 * the representative the step before reached). `last`, if given, is what the final step must also do (a step
 * property that fails on it; an action that fails the same way). Returns the states and the action ids taken.
 */
export function concretePath(c: CompiledModel, init: number, actions: readonly number[], last?: (s: Int32Array, id: number) => Int32Array | null): { states: Int32Array[]; actions: number[] } {
  const sym = c.symmetry!, n = c.layout.slots;
  let s: Int32Array = c.inits.slice(init * n, init * n + n);
  let r = canonical(sym, s);
  const states: Int32Array[] = [s], taken: number[] = [];
  actions.forEach((a, i) => {
    const isLast = i === actions.length - 1 && last !== undefined;
    if (isLast) {
      for (let b = 0; b < c.actions.length; b++) {
        const t = last(s, b);
        if (t !== null) { states.push(t); taken.push(b); return; }
      }
      throw new ModelError(`rebuilding the trace under symmetry: no action from the concrete state does what ${c.actions[a]!.name} did from its representative (the model is not symmetric in the scalarsets it declares: run with --no-symmetry)`, { action: c.actions[a]!.name });
    }
    const next = applyAction(c, c.actions[a]!, r);
    if (next === null) throw new ModelError(`re-executing the trace: ${c.actions[a]!.name} is not enabled (the model is not deterministic)`, { action: c.actions[a]!.name });
    const rNext = canonical(sym, next);
    for (let b = 0; b < c.actions.length; b++) {
      const t = rawSuccessor(c, b, s);
      if (t !== null && same(canonical(sym, t), rNext)) { states.push(t); taken.push(b); s = t; r = rNext; return; }
    }
    throw new ModelError(`rebuilding the trace under symmetry: no action from the concrete state reaches the orbit ${c.actions[a]!.name} reached from its representative (the model is not symmetric in the scalarsets it declares: run with --no-symmetry)`, { action: c.actions[a]!.name });
  });
  return { states, actions: taken };
}

/** What the final step of a step property's violation must do: reach the same orbit, and fail the property there. */
export function failingStep(c: CompiledModel, property: string, target: Int32Array): (s: Int32Array, id: number) => Int32Array | null {
  const sym = c.symmetry!, st = c.steps.find((p) => p.name === property)!, want = canonical(sym, target);
  return (s, id) => {
    const t = rawSuccessor(c, id, s);
    if (t === null || !same(canonical(sym, t), want)) return null;
    const sv = c.layout.makeView({ b: s, o: 0 }), tv = c.layout.makeView({ b: t, o: 0 });
    try { return st.check(sv, tv, stepAction(c.actions[id]!)) ? null : t; } catch { return t; }
  };
}

/** What the final step of a model error's trace must do: an instance of the same action that leaves a domain too. */
export function leavingDomain(c: CompiledModel, actionId: number): (s: Int32Array, id: number) => Int32Array | null {
  const base = c.actions[actionId]!.base;
  return (s, id) => {
    if (c.actions[id]!.base !== base) return null;
    const t = rawSuccessor(c, id, s);
    return t !== null && firstOutOfDomain(c.layout, t, 0) >= 0 ? t : null;
  };
}

/**
 * A liveness counterexample found over representatives, made concrete: its cycle, re-found from the concrete
 * state where it begins, ends in a permutation of that state; taken again (at most the permutation's order
 * times), it closes. The notes of the cycle's steps are repeated with it.
 */
export function concreteLasso(c: CompiledModel, lasso: Lasso): Lasso {
  if (lasso.stutter) { const p = concretePath(c, lasso.init, lasso.actions); return { ...lasso, actions: p.actions }; }
  const prefix = lasso.actions.slice(0, lasso.loopStart), cycle = lasso.actions.slice(lasso.loopStart);
  for (let rounds = 1; rounds <= c.symmetry!.order; rounds++) {
    const actions = [...prefix];
    for (let k = 0; k < rounds; k++) actions.push(...cycle);
    const p = concretePath(c, lasso.init, actions);
    if (!same(p.states[lasso.loopStart]!, p.states[p.states.length - 1]!)) continue;
    const notes = new Map<number, string[]>();
    for (const [i, t] of lasso.notes) {
      if (i <= lasso.loopStart) { notes.set(i, t); continue; }
      for (let k = 0; k < rounds; k++) notes.set(i + k * cycle.length, t);
    }
    return { ...lasso, actions: p.actions, notes };
  }
  throw new ModelError('rebuilding the liveness counterexample under symmetry: its cycle does not close (the model is not symmetric in the scalarsets it declares: run with --no-symmetry)');
}
