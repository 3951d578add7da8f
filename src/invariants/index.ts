// The property vocabulary models share: invariants, step properties, reachability goals,
// liveness declarations with fairness, the deadlock policy, and small helpers
// for ghost variables. Everything here is plain data the engine interprets.
import type { DeadlockPolicy, Fairness, Goal, Invariant, LivenessProperty, StepAction, StepProperty } from '../explorer/model.js';
import { codecOf, formatValue, type Domain, type PlainOf, type ScalarArrayView } from '../explorer/schema.js';

export type { Fairness } from '../explorer/model.js';

/** A state predicate that must hold in every reachable state. */
export const invariant = <V>(name: string, description: string, check: (s: V) => boolean): Invariant<V> => ({ name, description, check });

/** An invariant of the form `antecedent ⇒ consequent`; reports can say whether the antecedent was ever true. */
export const implies = <V>(name: string, description: string, antecedent: (s: V) => boolean, consequent: (s: V) => boolean): Invariant<V> =>
  ({ name, description, check: (s) => !antecedent(s) || consequent(s), antecedent });

/**
 * A step property (TLA+'s [][P]_vars, SPIN's assert inside a transition): `check(s, n, action)` must hold on
 * every transition s → n the search takes, to a new state or to one already visited; n is read-only like s.
 */
export const step = <V>(name: string, description: string, check: (s: V, n: V, action: StepAction) => boolean): StepProperty<V> => ({ name, description, check });

/** A reachability goal: some reachable state must satisfy it (checked by `mc check` across the CI configurations). */
export const sometimes = <V>(name: string, description: string, check: (s: V) => boolean): Goal<V> => ({ name, description, check });

// ---------- liveness (declared now; see the README for which are checked) ----------

export interface LivenessOptions { readonly fairness?: readonly Fairness[]; readonly within?: number }

/** p ~> q: whenever p holds, q holds then or later. */
export const leadsTo = <V>(name: string, description: string, p: (s: V) => boolean, q: (s: V) => boolean, o: LivenessOptions = {}): LivenessProperty<V> =>
  ({ name, description, kind: 'leadsTo', p, q, fairness: o.fairness ?? [], ...(o.within !== undefined ? { within: o.within } : {}) });
/** ◇q from every initial state. */
export const eventually = <V>(name: string, description: string, q: (s: V) => boolean, o: LivenessOptions = {}): LivenessProperty<V> =>
  ({ name, description, kind: 'eventually', q, fairness: o.fairness ?? [], ...(o.within !== undefined ? { within: o.within } : {}) });
/** □◇q: q holds infinitely often. */
export const alwaysEventually = <V>(name: string, description: string, q: (s: V) => boolean, o: LivenessOptions = {}): LivenessProperty<V> =>
  ({ name, description, kind: 'alwaysEventually', q, fairness: o.fairness ?? [], ...(o.within !== undefined ? { within: o.within } : {}) });
/** ◇□q: from some point on q holds forever. */
export const eventuallyAlways = <V>(name: string, description: string, q: (s: V) => boolean, o: LivenessOptions = {}): LivenessProperty<V> =>
  ({ name, description, kind: 'eventuallyAlways', q, fairness: o.fairness ?? [], ...(o.within !== undefined ? { within: o.within } : {}) });

/** What a fairness assumption covers; `each: true` makes one assumption per action instance (TLA+'s \A i: WF(A(i))). */
export type FairnessTarget = ({ action: string } | { actions: readonly string[] } | { actor: string }) & { each?: boolean };
/** Weak fairness of an action (by its declared name), of several actions taken together, or of every action of an actor. */
export const WF = (target: FairnessTarget): Fairness => ({ kind: 'weak', ...target });
/** Strong fairness of an action, of several actions taken together, or of every action of an actor. */
export const SF = (target: FairnessTarget): Fairness => ({ kind: 'strong', ...target });

// ---------- families ----------

/**
 * One property per value of a domain (TLA+'s \A p \in Pages: P(p)): `make(p)` gives the member for value p,
 * named `Name(p)`. `forEach(Page, (p) => leadsTo('Drained', ..., (s) => s.page.get(p).st === 'Quarantined', ...))`.
 * Over a scalarset the family is what symmetry needs: one member singles a value out, the family does not
 * (the audit checks each member against its relabelled sibling, and liveness checks one member per orbit).
 */
export function forEach<D extends Domain, T extends { readonly name: string }>(domain: D, make: (value: PlainOf<D>) => T): T[] {
  const c = codecOf(domain);
  if (!(c.card <= 64)) throw new TypeError(`forEach over ${c.card} values: at most 64 members in a family`);
  return Array.from({ length: c.card }, (_, index) => {
    const value = c.value(index) as PlainOf<D>, p = make(value);
    return { ...p, name: `${p.name}(${formatValue(domain, value)})`, family: { name: p.name, domain, value, index } };
  });
}

// ---------- deadlock policy ----------

/** A state with no enabled action is fine when `expected` holds in it (e.g. "all work done"); otherwise it is a deadlock. */
export const terminalStates = <V>(description: string, expected: (s: V) => boolean): DeadlockPolicy<V> => ({ expected, description });

// ---------- ghost helpers ----------

/** A multiset of small ids kept as an array of counts (index = id). */
export const multiset = {
  add(m: ScalarArrayView<number>, id: number): void { m.set(id, m.get(id) + 1); },
  remove(m: ScalarArrayView<number>, id: number): void { m.set(id, m.get(id) - 1); },
  count(m: ScalarArrayView<number>, id: number): number { return m.get(id); },
  /** Every count is 0 or 1. */
  isSet(m: ScalarArrayView<number>): boolean { for (let i = 0; i < m.length; i++) if (m.get(i) > 1) return false; return true; },
  /** a ⊆ b as multisets. */
  subset(a: ScalarArrayView<number>, b: ScalarArrayView<number>): boolean { for (let i = 0; i < a.length; i++) if (a.get(i) > b.get(i)) return false; return true; },
};

/** Wrap-around distance (a - b) mod m, as ring indices use it. */
export const dist = (a: number, b: number, m: number): number => ((a - b) % m + m) % m;
