// The model API: what a model file exports, and how a model is compiled for one
// set of parameter values (and optionally one mutant) into what the engine runs.
import { modelKit, type ModelKit } from './kit.js';
import { plainOf } from './codec.js';
import { codecOf, compileLayout, describeDomain, encodeState, formatValue, isDomain, showValue, type Codec, whenSlot, thrownMessage, DomainError, SchemaError, ViewError, type Domain, type Layout, type PlainState, type ReadonlyStateView, type StateView } from './schema.js';
import { validateFairness, validateModel, withNearestFields } from './validate.js';

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

export interface Invariant<V> {
  readonly name: string;
  readonly description: string;
  readonly check: (s: V) => boolean;
  /** For invariants written as an implication: the antecedent, so a report can say whether it was ever true. */
  readonly antecedent?: (s: V) => boolean;
}
export interface Goal<V> { readonly name: string; readonly description: string; readonly check: (s: V) => boolean }

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

export interface Golden { readonly distinct: number; readonly generated: number; readonly depth: number }
/** A configuration `mc check` runs; its golden figures live in the model's golden file, keyed by name. */
export interface CiConfig<P extends ParamSpecs = ParamSpecs> {
  readonly name: string;
  readonly params: Partial<ParamValues<P>>;
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

export function formatArg(a: unknown): string {
  if (Array.isArray(a)) return a.map(formatArg).join(',');
  if (typeof a === 'object' && a !== null) return Object.values(a).map(formatArg).join(',');
  return String(a);
}

/** Fills in defaults and checks every value against its spec. Unknown names and bad values are usage errors. */
export function resolveParams(model: Model, given: Record<string, unknown>): Record<string, number | string | boolean> {
  const specs = model.def.params;
  for (const k of Object.keys(given)) {
    if (!(k in specs)) throw new UsageError(`model '${model.name}' has no parameter '${k}'${Object.keys(specs).length ? ` (it has: ${Object.keys(specs).join(', ')})` : ' (it has none)'}`);
  }
  const out: Record<string, number | string | boolean> = {};
  for (const [k, spec] of Object.entries(specs)) {
    let v = given[k];
    if (v === undefined) v = typeof spec.default === 'function' ? spec.default(out) : spec.default;
    out[k] = coerceParam(model.name, k, spec, v);
  }
  const msg = model.def.validate?.(out as never);
  if (msg) throw new UsageError(`model '${model.name}': ${msg}`);
  return out;
}

function coerceParam(model: string, name: string, spec: ParamSpec, v: unknown): number | string | boolean {
  const where = `--${kebab(name)} for model '${model}'`;
  switch (spec.type) {
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isInteger(n)) throw new UsageError(`${where}: '${String(v)}' is not an integer`);
      if (n < spec.min || n > spec.max) throw new UsageError(`${where}: ${n} is outside its range ${spec.min}..${spec.max}`);
      return n;
    }
    case 'enum':
      if (typeof v !== 'string' || !spec.values.includes(v)) throw new UsageError(`${where}: '${String(v)}' is not one of ${spec.values.join(', ')}`);
      return v;
    case 'bool':
      if (typeof v === 'boolean') return v;
      if (v === 'true' || v === '1' || v === 'yes') return true;
      if (v === 'false' || v === '0' || v === 'no') return false;
      throw new UsageError(`${where}: '${String(v)}' is not true or false (the flag alone means true)`);
  }
}

/**
 * A parameter's command-line flag, without its dashes: camelCase and snake_case names become kebab-case
 * (cqSlots → cq-slots); a name that starts with a capital, as TLA+ constants do (N, RM), is kept as written.
 */
export const kebab = (s: string): string => (/^[A-Z]/.test(s) ? s : s.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-'));

/** Automatic mutants: generic operators any model gets, named auto:<operator>:<action>. */
export const AUTO_OPERATORS = ['disable', 'drop-guard'] as const;
export type AutoOperator = (typeof AUTO_OPERATORS)[number];

export function parseAutoMutant(id: string): { op: AutoOperator; action: string } | null {
  const m = /^auto:([a-z-]+):(.+)$/.exec(id);
  if (!m || !(AUTO_OPERATORS as readonly string[]).includes(m[1]!)) return null;
  return { op: m[1] as AutoOperator, action: m[2]! };
}

/** The automatic mutants of a compiled model: disable each action; drop each guard (of actions that have one). */
export function autoMutantIds(c: CompiledModel): string[] {
  const ids: string[] = [];
  for (const b of c.baseActions) {
    ids.push(`auto:disable:${b}`);
    if (c.actions.some((a) => a.base === b && (a.guard !== undefined || a.when !== null))) ids.push(`auto:drop-guard:${b}`);
  }
  return ids;
}

function applyAutoMutant(c: CompiledModel, id: string): CompiledModel {
  const auto = parseAutoMutant(id)!;
  if (!c.baseActions.includes(auto.action)) throw new UsageError(`automatic mutant '${id}': model '${c.model.name}' has no action '${auto.action}'`);
  let actions: ActionInstance[];
  if (auto.op === 'disable') actions = c.actions.filter((a) => a.base !== auto.action).map((a, i) => ({ ...a, id: i }));
  else actions = c.actions.map((a) => (a.base === auto.action ? { ...a, guard: undefined, when: null, lenient: true } : a));
  return { ...c, mutant: id, actions };
}

export function mutantById(model: Model, id: string): MutantDef {
  const auto = parseAutoMutant(id);
  if (auto) return { id, kills: [], why: auto.op === 'disable' ? `action ${auto.action} never fires` : `action ${auto.action} fires without its guard` };
  const m = model.def.mutants?.find((x) => x.id === id);
  if (!m) {
    const ids = (model.def.mutants ?? []).map((x) => x.id);
    throw new UsageError(`model '${model.name}' has no mutant '${id}'${ids.length ? ` (it has: ${ids.join(', ')})` : ' (it declares none)'}`);
  }
  return m;
}

/** Compiles a model for resolved parameter values. Anything the model's own code throws here is a model error. */
export function compileModel(model: Model, params: Record<string, number | string | boolean>, mutant: string | null = null): CompiledModel {
  if (mutant !== null && parseAutoMutant(mutant)) return applyAutoMutant(compileModel(model, params, null), mutant);
  const def = model.def;
  validateModel(model);
  if (mutant !== null) mutantById(model, mutant);
  const ctx = Object.freeze({ ...params, mutant }) as never;
  const kit = modelKit as never;
  const call = <T>(what: string, f: () => T): T => {
    try { return f(); } catch (e) {
      if (e instanceof ModelError || e instanceof UsageError) throw e;
      // A bad declaration (a domain, a field name) is not a crash of the model's code: said as what it is.
      if (e instanceof SchemaError) throw new ModelError(`model '${model.name}': ${what === 'the state schema' ? 'state()' : what}: ${e.message}`, { cause: e });
      throw new ModelError(`model '${model.name}': ${what} threw: ${thrownMessage(e)}`, { cause: e });
    }
  };
  const schema = call('state()', () => def.state(ctx));
  const layout = call('the state schema', () => compileLayout(schema));

  const actions: ActionInstance[] = [];
  const baseActions: string[] = [];
  const actorSet = new Set<string>();
  const instanceNames = new Set<string>();
  for (const a of call('actions()', () => def.actions(ctx, kit))) {
    if (typeof a?.name !== 'string' || typeof a.effect !== 'function') throw new ModelError(`model '${model.name}': every action needs a name and an effect`);
    if (baseActions.includes(a.name)) throw new ModelError(`model '${model.name}': action '${a.name}' is declared twice`);
    baseActions.push(a.name);
    const args: readonly unknown[] = a.over === undefined ? [undefined] : isDomain(a.over) ? call(`over of ${a.name}`, () => valuesOf(a.over as Domain)) : a.over;
    if (!Array.isArray(args)) throw new ModelError(`model '${model.name}': action ${a.name}: over must be an array of arguments or a domain`);
    const guard = a.in === undefined ? a.guard : inGuard(a.in, a.guard);
    for (const arg of args) {
      const actor = typeof a.actor === 'function' ? call(`actor of ${a.name}`, () => (a.actor as (x: unknown) => string)(arg)) : a.actor;
      actorSet.add(actor);
      const name = a.over === undefined ? a.name : `${a.name}(${isDomain(a.over) ? instanceArg(a.over, arg) : formatArg(arg)})`;
      if (instanceNames.has(name)) throw new ModelError(`model '${model.name}': action ${a.name}: two instances are named ${name} (traces, coverage and replay name instances): give over distinct elements`);
      instanceNames.add(name);
      const where = `model '${model.name}': action ${name}: when`;
      const when = a.when === undefined ? null : withNearestFields(layout, where, () => compileWhen(layout, call(`when of ${name}`, () => a.when!(arg)), where));
      actions.push({ id: actions.length, name, base: a.name, actor, arg, guard, when, effect: a.effect });
    }
  }
  const invariants = call('invariants()', () => def.invariants?.(ctx, kit) ?? []);
  const steps = call('steps()', () => def.steps?.(ctx, kit) ?? []);
  const goals = call('sometimes()', () => def.sometimes?.(ctx, kit) ?? []);
  const liveness = call('liveness()', () => def.liveness?.(ctx, kit) ?? []);
  for (const st of steps) if (typeof st?.name !== 'string' || typeof st.check !== 'function') throw new ModelError(`model '${model.name}': every step property needs a name and a check (write them with step(name, description, (s, n, action) => ...))`);
  const names = new Set<string>();
  for (const p of [...invariants, ...steps, ...goals, ...liveness]) {
    if (names.has(p.name)) throw new ModelError(`model '${model.name}': property '${p.name}' is declared twice`);
    names.add(p.name);
  }
  validateFairness(model, actions, baseActions, liveness);
  const deadlock = call('deadlock()', () => def.deadlock?.(ctx, kit) ?? 'error');
  const constraint = call('constraint()', () => def.constraint?.(ctx, kit));

  const plainInits: unknown = call('init()', () => def.init(ctx, kit) as unknown);
  if (!Array.isArray(plainInits) || plainInits.length === 0) throw new ModelError(`model '${model.name}': init() must return a non-empty array of states`);
  const inits = new Int32Array(plainInits.length * layout.slots);
  plainInits.forEach((s, i) => {
    try { encodeState(layout, s as Record<string, unknown>, inits, i * layout.slots); } catch (e) {
      if (e instanceof DomainError) throw new ModelError(`model '${model.name}': initial state ${i + 1}: ${e.message}`, { field: e.field });
      throw e;
    }
  });
  const kept = constraint === undefined ? inits : constrainedInits(model, layout, constraint, inits, plainInits.length);
  const initCount = kept.length / layout.slots;
  return { model, params, mutant, layout, actions, baseActions, actors: [...actorSet], invariants, steps, goals, liveness, deadlock, stuttering: def.stuttering ?? 'terminal', constraint, inits: kept, initCount, droppedInits: plainInits.length - initCount };
}

/** An instance's argument as its name shows it: a tuple's items as an array's elements are (`Send(0,d1)`), anything else as traces print it. */
const instanceArg = (d: Domain, arg: unknown): string =>
  d.kind === 'tuple' ? (arg as unknown[]).map((x, i) => formatValue(d.items[i]!, x)).join(',') : formatValue(d, arg);

/** Every value of a domain, in its order: the arguments of `over: D`. */
function valuesOf(d: Domain): unknown[] {
  const c = codecOf(d);
  if (c.card > 65536) throw new ModelError(`over ${describeDomain(d)}: ${c.card === Infinity ? 'too many' : c.card} values; an action may have at most 65536 instances`);
  return Array.from({ length: c.card }, (_, r) => c.value(r));
}

/**
 * An action's guard with its `in` in front: the instance's argument must be in what `in` returns. A set view is
 * tested by the argument's rank in the set's domain (a bit test); anything else by value.
 */
function inGuard(pick: (s: any) => unknown, guard: ((s: any, arg: any) => boolean) | undefined): (s: any, arg: any) => boolean {
  const contains = (box: unknown, arg: unknown): boolean => {
    if (typeof box !== 'object' || box === null) throw new TypeError(`in() returned ${showValue(box)}, not a set, a list or an iterable of values`);
    const v = box as { $c?: Codec; $hasRank?: (r: number) => boolean; $plain?: unknown; includes?: (x: unknown) => boolean; [Symbol.iterator]?: () => Iterator<unknown> };
    // mc's set view: the argument's rank in the set's domain (an argument outside that domain is not in it).
    if (v.$hasRank !== undefined && v.$c !== undefined) { const r = v.$c.rank(arg); return r >= 0 && v.$hasRank(r); }
    // mc's list view compares values; anything else (arrays, JS Sets, generators) is walked and compared by value.
    if (typeof v.$plain === 'function' && typeof v.includes === 'function') return v.includes(arg);
    if (typeof v[Symbol.iterator] === 'function') { for (const x of v as Iterable<unknown>) if (sameValue(x, arg)) return true; return false; }
    throw new TypeError(`in() returned ${showValue(box)}, not a set, a list or an iterable of values`);
  };
  return guard === undefined ? (s, arg) => contains(pick(s), arg) : (s, arg) => contains(pick(s), arg) && guard(s, arg);
}

/** Value equality of plain values (and views): records and tuples by their parts. */
function sameValue(a: unknown, b: unknown): boolean {
  a = plainOf(a); b = plainOf(b);
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a), kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b, k) && sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** A `when` compiled to groups [slot, k, v1..vk]: the slot must hold one of the k encoded values. */
function compileWhen(layout: Layout, fields: Readonly<Record<string, unknown>>, where: string): Int32Array {
  if (typeof fields !== 'object' || fields === null) throw new ModelError(`${where} must return a record of field paths to values`);
  const out: number[] = [];
  for (const [path, value] of Object.entries(fields)) {
    try { const s = whenSlot(layout, path, value); out.push(s.slot, s.values.length, ...s.values); } catch (e) {
      if (e instanceof DomainError) throw new ModelError(`${where}: ${e.message}`, { field: e.field });
      throw e;
    }
  }
  return Int32Array.from(out);
}

/** Whether an action instance's `when` holds in the state at b[o..]. */
export function whenHolds(a: ActionInstance, b: Int32Array, o: number): boolean {
  const w = a.when;
  if (w === null) return true;
  for (let k = 0; k < w.length;) {
    const x = b[o + w[k]!], n = w[k + 1]!;
    if (n === 1) { if (x !== w[k + 2]) return false; } else {
      let any = false;
      for (let j = 0; j < n; j++) if (x === w[k + 2 + j]) { any = true; break; }
      if (!any) return false;
    }
    k += 2 + n;
  }
  return true;
}

/** All property names of a compiled model (those that can be violated), plus the implicit 'Deadlock'. */
export function propertyNames(c: CompiledModel): string[] {
  return [...c.invariants.map((i) => i.name), ...c.steps.map((st) => st.name), ...c.liveness.map((l) => l.name), ...(c.deadlock === 'allowed' ? [] : ['Deadlock'])];
}

/**
 * The initial states inside the state constraint, in order: TLC drops an initial state outside it (counted as
 * generated, never stored), as it drops such a successor. None left is a model error: a run would pass on no state.
 */
function constrainedInits(model: Model, layout: Layout, constraint: (s: any) => boolean, encoded: Int32Array, count: number): Int32Array {
  const n = layout.slots, root = { b: encoded, o: 0 }, view = layout.makeView(root);
  const kept: number[] = [];
  for (let i = 0; i < count; i++) {
    root.o = i * n;
    let inside: boolean;
    try { inside = constraint(view); } catch (e) {
      const what = e instanceof ViewError ? e.explain('the state constraint', false) : `the state constraint threw: ${thrownMessage(e)}`;
      throw new ModelError(`model '${model.name}': initial state ${i + 1}: ${what}`, { cause: e, ...(e instanceof ViewError ? { field: e.field } : {}) });
    }
    if (inside) kept.push(i);
  }
  if (kept.length === 0) throw new ModelError(`model '${model.name}': every initial state (${count}) is outside the state constraint: there is nothing to explore`);
  if (kept.length === count) return encoded;
  const out = new Int32Array(kept.length * n);
  kept.forEach((i, k) => out.set(encoded.subarray(i * n, i * n + n), k * n));
  return out;
}
