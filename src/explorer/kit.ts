// The model kit: the property and action helpers, typed for one model's state.
//
// Every model function after `state` receives it as its second argument:
// `actions: (p, { action }) => [action({ ... })]`. The helpers are the same
// functions `mc-checker` exports; what the kit adds is their types. A helper
// imported on its own is generic in the state type, and TypeScript cannot
// infer that from `state()` for a call nested inside another model function;
// the kit's parameter type carries it, so `s`, `n` and `over`'s elements are
// typed with no annotation in the model.
import { alwaysEventually, eventually, eventuallyAlways, forEach, implies, invariant, leadsTo, SF, sometimes, step, terminalStates, WF, type LivenessOptions } from '../invariants/index.js';
import type { ActionDef, DeadlockPolicy, Fairness, Goal, Invariant, LivenessProperty, StepAction, StepProperty } from './model.js';
import type { Domain, PlainOf, ReadonlyStateView, StateView } from './schema.js';
import type { FairnessTarget } from '../invariants/index.js';

/** The helpers a model's functions receive, typed by the model's state schema S. */
export interface ModelKit<S extends Record<string, Domain>> {
  /**
   * An action; its argument type is inferred from `over` (numbers, strings, objects, tuples:
   * `over: [[0, 'a'], [1, 'b']]` gives `readonly [0, 'a'] | readonly [1, 'b']`), without `over` it is undefined.
   * `over: D` (a domain) gives one instance per value of D, its argument typed as D's values.
   */
  action<const D extends Domain>(def: ActionDef<StateView<S>, PlainOf<D>, ReadonlyStateView<S>> & { readonly over: D }): ActionDef<StateView<S>, PlainOf<D>, ReadonlyStateView<S>>;
  /** An action over an array of arguments (or none). */
  action<const A = undefined>(def: ActionDef<StateView<S>, A, ReadonlyStateView<S>> & { readonly over?: readonly A[] }): ActionDef<StateView<S>, A, ReadonlyStateView<S>>;
  /** A state predicate that must hold in every reachable state. */
  invariant(name: string, description: string, check: (s: ReadonlyStateView<S>) => boolean): Invariant<ReadonlyStateView<S>>;
  /** An invariant `antecedent ⇒ consequent`; reports say whether the antecedent was ever true. */
  implies(name: string, description: string, antecedent: (s: ReadonlyStateView<S>) => boolean, consequent: (s: ReadonlyStateView<S>) => boolean): Invariant<ReadonlyStateView<S>>;
  /**
   * A step property (TLA+'s [][P]_vars): `check(s, n, action)` must hold on every transition s → n the search
   * takes, n read-only like s; `action.name` is the instance ('Send(1)'), `action.base` the declared name.
   */
  step(name: string, description: string, check: (s: ReadonlyStateView<S>, n: ReadonlyStateView<S>, action: StepAction) => boolean): StepProperty<ReadonlyStateView<S>>;
  /** A reachability goal: some reachable state satisfies it (`mc check` requires it in some CI configuration). */
  sometimes(name: string, description: string, check: (s: ReadonlyStateView<S>) => boolean): Goal<ReadonlyStateView<S>>;
  /** p ~> q: whenever p holds, q holds then or later. */
  leadsTo(name: string, description: string, p: (s: ReadonlyStateView<S>) => boolean, q: (s: ReadonlyStateView<S>) => boolean, o?: LivenessOptions): LivenessProperty<ReadonlyStateView<S>>;
  /** ◇q from every initial state. */
  eventually(name: string, description: string, q: (s: ReadonlyStateView<S>) => boolean, o?: LivenessOptions): LivenessProperty<ReadonlyStateView<S>>;
  /** □◇q: q holds infinitely often. */
  alwaysEventually(name: string, description: string, q: (s: ReadonlyStateView<S>) => boolean, o?: LivenessOptions): LivenessProperty<ReadonlyStateView<S>>;
  /** ◇□q: from some point on q holds forever. */
  eventuallyAlways(name: string, description: string, q: (s: ReadonlyStateView<S>) => boolean, o?: LivenessOptions): LivenessProperty<ReadonlyStateView<S>>;
  /** A state with no enabled action is fine where `expected` holds; elsewhere it is a deadlock. */
  terminalStates(description: string, expected: (s: ReadonlyStateView<S>) => boolean): DeadlockPolicy<ReadonlyStateView<S>>;
  /** One property per value of a domain, each named `Name(value)` (TLA+'s \A p \in D: P(p)); symmetric as a whole over a scalarset. */
  forEach<D extends Domain, T extends { readonly name: string }>(domain: D, make: (value: PlainOf<D>) => T): T[];
  /** Weak fairness of an action, of several actions together, or of every action of an actor. */
  WF(target: FairnessTarget): Fairness;
  /** Strong fairness of an action, of several actions together, or of every action of an actor. */
  SF(target: FairnessTarget): Fairness;
}

/** The kit's run-time value: the exported helpers themselves. */
export const modelKit: ModelKit<Record<string, Domain>> = {
  action: (def: unknown) => def as never,
  invariant, implies, step, sometimes, leadsTo, eventually, alwaysEventually, eventuallyAlways, terminalStates, forEach, WF, SF,
};
