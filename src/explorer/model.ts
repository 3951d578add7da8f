// The model API: what a model file exports (parameters, properties, actions, the model itself),
// the errors, and what a compiled model is (compile.ts compiles one).
import type { Symmetry } from './symmetry.js';
import type { ModelKit } from './kit.js';
import type { Domain, Layout, PlainState, ReadonlyStateView, StateView } from './schema.js';

// ---------- parameters ----------

export interface IntParam { readonly type: 'int'; readonly min: number; readonly max: number; readonly default: number | ((p: Record<string, unknown>) => number); readonly help: string }
export interface EnumParam<E extends string = string> { readonly type: 'enum'; readonly values: readonly E[]; readonly default: E; readonly help: string }
export interface BoolParam { readonly type: 'bool'; readonly default: boolean; readonly help: string }
export type ParamSpec = IntParam | EnumParam | BoolParam;
export type ParamSpecs = Record<string, ParamSpec>;

export const intParam = (o: Omit<IntParam, 'type'>): IntParam => ({ type: 'int', ...o });
export const enumParam = <const E extends string>(values: readonly E[], o: { default: NoInfer<E>; help: string }): EnumParam<E> => ({ type: 'enum', values, ...o });
export const boolParam = (o: Omit<BoolParam, 'type'>): BoolParam => ({ type: 'bool', ...o });

/** The value a parameter spec gives: a number, its enum's members, or a boolean. */
export type ParamValue<T> = T extends IntParam ? number : T extends EnumParam<infer E> ? E : T extends BoolParam ? boolean : never;
export type ParamValues<P extends ParamSpecs> = { readonly [K in keyof P]: ParamValue<P[K]> };
/** What model functions receive: the resolved parameter values and the active mutant (null for the correct model). */
export type Ctx<P extends ParamSpecs> = ParamValues<P> & { readonly mutant: string | null };

// ---------- properties ----------

/**
 * One of a family of properties made by `forEach(domain, make)`, one per value of the domain (TLA+'s
 * \A p \in Pages: P(p)): the family's name, the domain, and this member's value and its index in the domain's
 * order. Under symmetry a family over a scalarset is symmetric as a whole though no member is on its own.
 */
export interface Family { readonly name: string; readonly domain: Domain; readonly value: unknown; readonly index: number }

export interface Invariant<V> {
  readonly name: string;
  readonly description: string;
  readonly check: (s: V) => boolean;
  /** For invariants written as an implication: the antecedent, so a report can say whether it was ever true. */
  readonly antecedent?: (s: V) => boolean;
  readonly family?: Family;
}
export interface Goal<V> { readonly name: string; readonly description: string; readonly check: (s: V) => boolean; readonly family?: Family }

/** The action instance a step property is given: `name` as traces print it ('Send(1)'), `base` as declared ('Send'). */
export interface StepAction { readonly name: string; readonly base: string; readonly actor: string; readonly arg: unknown }
/**
 * A step (action) property, TLA+'s [][P]_vars: `check(s, n, action)` must hold on every transition s → n
 * the search takes (n read-only, as s), to a new state or to one already visited.
 */
export interface StepProperty<V> {
  readonly name: string;
  readonly description: string;
  readonly check: (s: V, n: V, action: StepAction) => boolean;
}

/** Fairness of one action, of a set of actions taken together (TLA+'s WF_vars(A \/ B)), or of every action of an actor. */
export type Fairness = {
  readonly kind: 'weak' | 'strong'; readonly action?: string; readonly actions?: readonly string[]; readonly actor?: string;
  /** One fairness assumption per action instance (TLA+'s \A i: WF(A(i))) instead of one for the group. */
  readonly each?: boolean;
};

/** Whether an action instance belongs to a fairness group. */
export function inFairnessGroup(f: Fairness, a: { base: string; actor: string }): boolean {
  return (f.action !== undefined && a.base === f.action) || (f.actions !== undefined && f.actions.includes(a.base)) || (f.actor !== undefined && a.actor === f.actor);
}
export interface LivenessProperty<V> {
  readonly name: string;
  readonly description: string;
  readonly kind: 'eventually' | 'leadsTo' | 'alwaysEventually' | 'eventuallyAlways';
  /** The trigger of a leads-to (p in p ~> q); absent for the other kinds. */
  readonly p?: (s: V) => boolean;
  readonly q: (s: V) => boolean;
  readonly within?: number;
  readonly fairness: readonly Fairness[];
  readonly family?: Family;
}

export type DeadlockPolicy<V> = 'error' | 'allowed' | { readonly expected: (s: V) => boolean; readonly description: string };

// ---------- actions ----------

/**
 * One action: a guarded atomic step. `N` is the successor's (writable) view, `S` the read-only view of
 * the state being expanded, `A` the type of `over`'s elements (the argument of every function here).
 * Write actions with the kit's `action({...})` (`actions: (p, { action }) => [...]`) so that `A` is
 * inferred from `over`; a plain object literal works too, but its argument is then untyped.
 */
export interface ActionDef<N, A = any, S = N> {
  /** Stable name, e.g. 'K.Copy'; parameterised instances are named 'X.Scribble(sq_tail_sh,3)'. */
  readonly name: string;
  readonly actor: string | ((arg: A) => string);
  /**
   * Parameterisation: one action instance per element (nondeterministic choice, TLA+'s \E), or per value
   * of a domain (`over: Msg`, in the domain's order).
   */
  readonly over?: readonly A[] | Domain;
  /**
   * The state-dependent part of the choice (TLA+'s `\E m \in msgs`): the instances whose argument is not
   * in what this returns (a set or list view, or any iterable of values, compared as values) are disabled.
   */
  readonly in?: (s: S) => Iterable<A> | { has(x: A): boolean };
  readonly guard?: (s: S, arg: A) => boolean;
  /**
   * A precondition given as data: the action is enabled only where each named field has the given
   * value, or one of the values of an array (`{ 'ctl[p1]': ['busy', 'waiting'] }`), and the guard holds.
   * Paths are written as traces print them ('P[2].loc', 'ctl[p1]'); the fields hold scalars, tuples,
   * optionals or unions.
   * The engine tests these slots directly, before calling any model code, so naming an actor's
   * program counter here makes the disabled instances of a state nearly free to skip.
   */
  readonly when?: (arg: A) => Readonly<Record<string, unknown>>;
  /** n starts as a copy of s; write the successor into n. Return false for "no successor". s is read-only. */
  readonly effect: (s: S, n: N, arg: A) => void | boolean;
}

export interface MutantDef<P extends ParamSpecs = ParamSpecs> {
  readonly id: string;
  /** The properties any one of which must fire for the mutant to count as killed. */
  readonly kills: readonly string[];
  readonly why: string;
  /** Parameter values the mutant is checked in (e.g. the adversary on). */
  readonly params?: Partial<ParamValues<P>>;
}

export interface Golden {
  readonly distinct: number; readonly generated: number; readonly depth: number;
  /** With symmetry: the states the distinct orbit representatives stand for. */
  readonly represented?: number;
}
/** A configuration `mc check` runs; its golden figures live in the model's golden file, keyed by name. */
export interface CiConfig<P extends ParamSpecs = ParamSpecs> {
  readonly name: string;
  readonly params: Partial<ParamValues<P>>;
  /** false: search this configuration without symmetry (its golden figures count every state). Default true. */
  readonly symmetry?: boolean;
}

/** The read-only view of a model's state: what guards, effects (as `s`) and every property receive. */
type Read<S extends Record<string, Domain>> = ReadonlyStateView<NoInfer<S>>;
type Kit<S extends Record<string, Domain>> = ModelKit<NoInfer<S>>;
/** Fields of the initial states that the schema lacks, typed never: a typo in init is a compile error too. */
type NoExtraFields<I extends readonly unknown[], S> = { readonly [K in I[number] extends infer E ? (E extends object ? Exclude<keyof E, keyof S> : never) : never]?: never };

/**
 * A model. `P` comes from `params`, `S` (the state schema) from `state` alone: every other function
 * is typed by them (`p.slots` is a number, `s.pc.get(i)` an enum member, `n` the successor's view).
 */
export interface ModelDef<P extends ParamSpecs, S extends Record<string, Domain>, I extends readonly unknown[] = readonly PlainState<NoInfer<S>>[]> {
  readonly name: string;
  readonly description: string;
  readonly params: P;
  /** Cross-parameter checks: return a message when the combination is invalid. */
  readonly validate?: (p: ParamValues<P>) => string | undefined;
  readonly state: (p: Ctx<P>) => S;
  /** The initial states, as plain values (enum members as strings, arrays as arrays). */
  readonly init: (p: Ctx<P>, m: Kit<S>) => I & readonly (PlainState<NoInfer<S>> & NoExtraFields<I, S>)[];
  readonly actions: (p: Ctx<P>, m: Kit<S>) => readonly ActionDef<StateView<NoInfer<S>>, any, Read<S>>[];
  readonly invariants?: (p: Ctx<P>, m: Kit<S>) => readonly Invariant<Read<S>>[];
  /** Step properties: predicates of a transition (s, n, action), checked on every transition the search takes. */
  readonly steps?: (p: Ctx<P>, m: Kit<S>) => readonly StepProperty<Read<S>>[];
  readonly sometimes?: (p: Ctx<P>, m: Kit<S>) => readonly Goal<Read<S>>[];
  readonly liveness?: (p: Ctx<P>, m: Kit<S>) => readonly LivenessProperty<Read<S>>[];
  readonly deadlock?: (p: Ctx<P>, m: Kit<S>) => DeadlockPolicy<Read<S>>;
  /**
   * Liveness semantics of stuttering. 'terminal' (default): only a state with no enabled action repeats
   * forever; the system otherwise always takes some step. 'anywhere' (TLA+): any state may repeat forever
   * unless an action under fairness is enabled there.
   */
  readonly stuttering?: 'terminal' | 'anywhere';
  /**
   * TLC-style state constraint: an initial state or successor outside it is generated (counted) but neither
   * checked, stored nor expanded; a successor outside it may even have left a domain (an int at max + 1).
   */
  readonly constraint?: (p: Ctx<P>, m: Kit<S>) => ((s: Read<S>) => boolean) | undefined;
  readonly mutants?: readonly MutantDef<P>[];
  readonly ci?: readonly CiConfig<P>[];
  /** Absolute path of the JSON file holding the CI configurations' golden figures: `goldenFile(import.meta.url)`. */
  readonly goldenFile?: string;
}

/** A model as the engine and the CLI see it (type parameters erased). */
export interface Model {
  readonly def: ModelDef<ParamSpecs, any>;
  readonly name: string;
  /** Where it came from: 'builtin' or the file path. */
  source?: string;
}

/**
 * Declares a model. `I` (the initial states) is inferred with literal types, so `pc: ['idle', 'idle']`
 * is checked against the enum rather than widened to string[]; init's type is `I & PlainState<S>[]`
 * so that the check uses the schema as finally inferred (a constraint on I would be checked too early).
 */
export function defineModel<P extends ParamSpecs, S extends Record<string, Domain>, const I extends readonly unknown[] = readonly PlainState<NoInfer<S>>[]>(def: ModelDef<P, S, I>): Model {
  return { def: def as unknown as ModelDef<ParamSpecs, any>, name: def.name };
}

export function isModel(x: unknown): x is Model {
  return typeof x === 'object' && x !== null && 'def' in x && typeof (x as Model).def === 'object' && typeof (x as Model).def.actions === 'function' && typeof (x as Model).def.state === 'function';
}

// ---------- errors ----------

/** Bad user input: unknown model, flag or out-of-range parameter (exit 2). */
export class UsageError extends Error {}
/** The model itself is broken: an action threw, a value left its domain, a bad model file (exit 3). */
export class ModelError extends Error {
  constructor(message: string, readonly details: { action?: string; field?: string; cause?: unknown } = {}) { super(message); }
}

// ---------- compilation ----------

export interface ActionInstance {
  readonly id: number;
  readonly name: string;
  /** The action's declared name without arguments; coverage is reported per base action too. */
  readonly base: string;
  readonly actor: string;
  readonly arg: unknown;
  /** The domain of the arguments when `over` is one (symmetry relabels an argument through it). */
  readonly over?: Domain;
  readonly guard: ((s: any, arg: any) => boolean) | undefined;
  /** The compiled `when`: pairs (slot, encoded value) that must all hold; null when the action has none. */
  readonly when: Int32Array | null;
  readonly effect: (s: any, n: any, arg: any) => void | boolean;
  /** Set by the drop-guard mutation: an effect that throws or leaves a domain discards that successor (counted) instead of failing the run. */
  readonly lenient?: boolean;
}

/** What a step property is told of an action instance: frozen, as it only reads. */
export const stepAction = (a: ActionInstance): StepAction => Object.freeze({ name: a.name, base: a.base, actor: a.actor, arg: a.arg });

export interface CompiledModel {
  readonly model: Model;
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly mutant: string | null;
  /** The scalarsets' symmetry the search reduces by (symmetry.ts), or null: none declared, or --no-symmetry. */
  readonly symmetry: Symmetry | null;
  readonly layout: Layout;
  readonly actions: readonly ActionInstance[];
  readonly baseActions: readonly string[];
  readonly actors: readonly string[];
  readonly invariants: readonly Invariant<any>[];
  readonly steps: readonly StepProperty<any>[];
  readonly goals: readonly Goal<any>[];
  readonly liveness: readonly LivenessProperty<any>[];
  readonly deadlock: DeadlockPolicy<any>;
  readonly stuttering: 'terminal' | 'anywhere';
  readonly constraint: ((s: any) => boolean) | undefined;
  /** Initial states inside the state constraint, packed: initCount * layout.slots slots. */
  readonly inits: Int32Array;
  readonly initCount: number;
  /** Initial states the state constraint excluded: generated (counted, as TLC counts them), never stored. */
  readonly droppedInits: number;
}

// Compilation (parameters resolved, mutants applied, actions instantiated, initial states encoded) is in compile.ts.
export * from './compile.js';
