// Compiling a model for one set of parameter values (and optionally one mutant): the parameters resolved
// and checked, automatic mutants, the actions instantiated (one per `over` element or domain value, `in`
// put in front of the guard), `when` compiled to slot tests, the properties collected, and the initial
// states encoded and filtered by the state constraint.
import { modelKit } from './kit.js';
import { symmetryOf } from './symmetry.js';
import { plainOf } from './codec.js';
import { codecOf, compileLayout, describeDomain, encodeState, formatValue, isDomain, showValue, type Codec, whenSlot, thrownMessage, DomainError, SchemaError, ViewError, type Domain, type Layout } from './schema.js';
import { validateFairness, validateModel, withNearestFields } from './validate.js';
import { ModelError, UsageError, type ActionInstance, type CompiledModel, type Model, type MutantDef, type ParamSpec } from './model.js';

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

export interface CompileOptions {
  /** Reduce by the scalarsets the schema declares (default true; false: search every state, as --no-symmetry). */
  readonly symmetry?: boolean;
  /** How symmetry is audited: 'quick' (default) or 'full' (every permutation of every kept state; see symmetry-audit.ts). */
  readonly symmetryAudit?: 'quick' | 'full';
}

/** Compiles a model for resolved parameter values. Anything the model's own code throws here is a model error. */
export function compileModel(model: Model, params: Record<string, number | string | boolean>, mutant: string | null = null, options: CompileOptions = {}): CompiledModel {
  if (mutant !== null && parseAutoMutant(mutant)) return applyAutoMutant(compileModel(model, params, null, options), mutant);
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
      actions.push({ id: actions.length, name, base: a.name, actor, arg, ...(isDomain(a.over) ? { over: a.over } : {}), guard, when, effect: a.effect });
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
  const symmetry = options.symmetry === false ? null : call('the state schema', () => symmetryOf(layout, options.symmetryAudit));
  if (symmetry !== null) {
    const why = symmetry.asymmetricInits(kept, initCount);
    if (why !== null) throw new ModelError(`model '${model.name}': ${why}`);
  }
  return { model, params, mutant, symmetry, layout, actions, baseActions, actors: [...actorSet], invariants, steps, goals, liveness, deadlock, stuttering: def.stuttering ?? 'terminal', constraint, inits: kept, initCount, droppedInits: plainInits.length - initCount };
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

/**
 * The properties a mutant's `kills` names, as the run reports them: a family's name (forEach) stands for
 * every member (`Drained` is `Drained(p1)`, `Drained(p2)`, ...).
 */
export function killSet(c: CompiledModel, kills: readonly string[]): Set<string> {
  const out = new Set<string>();
  const members = [...c.invariants, ...c.liveness].filter((p) => p.family !== undefined);
  for (const k of kills) {
    out.add(k);
    for (const p of members) if (p.family!.name === k) out.add(p.name);
  }
  return out;
}

/** The names of the property families of a compiled model (forEach), which `kills` may name. */
export const familyNames = (c: CompiledModel): string[] => [...new Set([...c.invariants, ...c.liveness].flatMap((p) => (p.family ? [p.family.name] : [])))];

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
