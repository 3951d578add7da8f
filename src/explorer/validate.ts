// Checks of a model's declarations, run when a model is compiled (and before
// `mc check` and `mc mutate` resolve any parameters): each problem is a model
// error (exit 3) naming the mutant, configuration, property, action or field,
// with the nearest names the model does have.
import { compileModel, familyNames, kebab, ModelError, propertyNames, resolveParams, UsageError, type ActionInstance, type LivenessProperty, type Model, type ParamSpec } from './model.js';
import type { Layout } from './schema.js';

/** Errors in what a model declares (not in what its code does when run): `mc mutate` reports them as model errors, not as a mutant's verdict. */
const declarationErrors = new WeakSet<object>();
function declarationError(message: string, details: ConstructorParameters<typeof ModelError>[1] = {}): ModelError {
  const e = new ModelError(message, details);
  declarationErrors.add(e);
  return e;
}
export const isDeclarationError = (e: unknown): boolean => typeof e === 'object' && e !== null && declarationErrors.has(e);

// ---------- nearest names ----------

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions cost 1. */
export function editDistance(a: string, b: string): number {
  const m = a.length, n = b.length;
  if (m === 0) return n;
  if (n === 0) return m;
  let prev2 = new Array<number>(n + 1).fill(0);
  let prev = Array.from({ length: n + 1 }, (_, j) => j);
  let cur = new Array<number>(n + 1).fill(0);
  for (let i = 1; i <= m; i++) {
    cur[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
    }
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[n]!;
}

/**
 * The candidates nearest to a name that does not exist, best first, at most `max`: the ones that
 * extend it (`pc` → `pc[0]`), differ only in case, or are within a third of their length in edits
 * (at least one edit, but never every character).
 */
export function nearestNames(name: string, candidates: readonly string[], max = 3): string[] {
  const lower = name.toLowerCase();
  const scored: { c: string; d: number; i: number }[] = [];
  candidates.forEach((c, i) => {
    if (c === name) return;
    const cl = c.toLowerCase();
    let d: number;
    if (c.startsWith(`${name}[`) || c.startsWith(`${name}.`)) d = 0;
    else if (cl === lower) d = 0.5;
    else {
      d = editDistance(lower, cl);
      const len = Math.max(name.length, c.length);
      if (d > Math.max(1, Math.floor(len / 3)) || d >= len) return; // 'q' is not near 'a'
    }
    scored.push({ c, d, i });
  });
  scored.sort((x, y) => x.d - y.d || x.i - y.i);
  return [...new Set(scored.map((x) => x.c))].slice(0, max);
}

const quoted = (xs: readonly string[]): string => xs.map((x) => `'${x}'`).join(', ');

/** ' (did you mean 'X' or 'Y'?)', or a short list of what exists, or '' when there is nothing near and too much to list. */
export function didYouMean(name: string, candidates: readonly string[], what: string): string {
  const near = nearestNames(name, candidates);
  if (near.length === 1) return ` (did you mean '${near[0]}'?)`;
  if (near.length > 1) return ` (did you mean ${near.slice(0, -1).map((x) => `'${x}'`).join(', ')} or '${near[near.length - 1]}'?)`;
  if (candidates.length === 0) return ` (the model has no ${what})`;
  if (candidates.length <= 12) return ` (its ${what}: ${quoted(candidates)})`;
  return '';
}

// ---------- the model's declarations ----------

/** Whether a declared value fits a parameter's spec, as `resolveParams` reads it; a problem as text, or null. */
function paramValueProblem(spec: ParamSpec, v: unknown): string | null {
  switch (spec.type) {
    case 'int': {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
      if (!Number.isInteger(n)) return `'${String(v)}' is not an integer`;
      return n < spec.min || n > spec.max ? `${n} is outside its range ${spec.min}..${spec.max}` : null;
    }
    case 'enum': return typeof v === 'string' && spec.values.includes(v) ? null : `'${String(v)}' is not one of ${spec.values.join(', ')}`;
    case 'bool': return typeof v === 'boolean' || (typeof v === 'string' && ['true', 'false', '1', '0', 'yes', 'no'].includes(v)) ? null : `'${String(v)}' is not true or false`;
    default: return null;
  }
}

/** Parameter names a mutant or a CI configuration sets must be the model's, with values in their ranges. */
function checkParamNames(model: Model, who: string, given: unknown): void {
  const where = `model '${model.name}': ${who}`;
  if (given === undefined) return;
  if (typeof given !== 'object' || given === null || Array.isArray(given)) throw declarationError(`${where}: params must be a record of parameter values`);
  const specs = model.def.params;
  for (const [k, v] of Object.entries(given)) {
    const spec = specs[k];
    if (spec === undefined) throw declarationError(`${where} sets parameter '${k}', which the model does not have${didYouMean(k, Object.keys(specs), 'parameters')}`);
    const problem = paramValueProblem(spec, v);
    if (problem !== null) throw declarationError(`${where}: parameter ${k} (--${kebab(k)}): ${problem}`);
  }
}

/** What a compiled configuration offers `kills`: the properties that can be violated, and the goals (which cannot). */
interface PropertySet { readonly violable: readonly string[]; readonly goals: readonly string[]; readonly deadlockAllowed: boolean }

const validated = new WeakSet<object>();
const validating = new WeakSet<object>();

/**
 * Checks what a model declares, once per model: mutant ids unique and not automatic ones, every mutant's
 * `kills` non-empty and naming properties the model has, the parameters mutants and CI configurations
 * set, CI configuration names unique. Throws ModelError.
 *
 * A property may exist in some configurations only (ring's FailClosed invariants need the adversary), and
 * `kills` lists the properties any one of which must fire, so a name counts if the model has that property
 * in the mutant's own configuration, the defaults, a CI configuration or another mutant's configuration
 * (consulted in that order, only as far as needed).
 */
export function validateModel(model: Model): void {
  const def = model.def;
  if (validated.has(def) || validating.has(def)) return;
  const where = `model '${model.name}'`;
  const mutants = def.mutants ?? [];
  if (!Array.isArray(mutants)) throw declarationError(`${where}: mutants must be an array`);
  const ids = new Set<string>();
  for (const m of mutants) {
    if (typeof m?.id !== 'string' || m.id === '') throw declarationError(`${where}: every mutant needs an id (a non-empty string)`);
    if (ids.has(m.id)) throw declarationError(`${where}: mutant id '${m.id}' is declared twice`);
    ids.add(m.id);
    if (m.id.startsWith('auto:')) throw declarationError(`${where}: mutant id '${m.id}' starts with 'auto:', which names automatic mutants; choose another id`);
    if (!Array.isArray(m.kills) || m.kills.some((k: unknown) => typeof k !== 'string')) throw declarationError(`${where}: mutant '${m.id}': kills must be an array of property names`);
    if (m.kills.length === 0) throw declarationError(`${where}: mutant '${m.id}' has empty kills: name the property (or properties) that must catch it, or any violation would count as killing it`);
    checkParamNames(model, `mutant '${m.id}'`, m.params);
  }
  const ci = def.ci ?? [];
  if (!Array.isArray(ci)) throw declarationError(`${where}: ci must be an array of configurations`);
  const names = new Set<string>();
  for (const cfg of ci) {
    if (typeof cfg?.name !== 'string' || cfg.name === '') throw declarationError(`${where}: every CI configuration needs a name (a non-empty string)`);
    if (names.has(cfg.name)) throw declarationError(`${where}: CI configuration '${cfg.name}' is declared twice (golden figures are kept by name)`);
    names.add(cfg.name);
    checkParamNames(model, `CI configuration '${cfg.name}'`, cfg.params);
    try { resolveParams(model, (cfg.params ?? {}) as Record<string, unknown>); } catch (e) {
      if (e instanceof UsageError || e instanceof ModelError) throw declarationError(`${where}: CI configuration '${cfg.name}': ${e.message}`);
      throw declarationError(`${where}: CI configuration '${cfg.name}': resolving its parameters threw: ${(e as Error)?.message ?? String(e)}`, { cause: e });
    }
  }
  validating.add(def);
  try {
    // Property sets by configuration, compiled on demand; a configuration the model rejects or whose
    // code throws offers nothing here (the run that uses it reports that in context).
    const sets = new Map<string, PropertySet | null>();
    const propertiesIn = (given: unknown): PropertySet | null => {
      const key = JSON.stringify(given ?? {});
      if (!sets.has(key)) {
        let ps: PropertySet | null = null;
        try {
          const c = compileModel(model, resolveParams(model, { ...(given as Record<string, unknown> | undefined) }), null);
          ps = { violable: [...propertyNames(c), ...familyNames(c)], goals: c.goals.map((g) => g.name), deadlockAllowed: c.deadlock === 'allowed' };
        } catch { ps = null; }
        sets.set(key, ps);
      }
      return sets.get(key)!;
    };
    const configurations = (own: unknown): unknown[] => [own, {}, ...ci.map((c) => c.params), ...mutants.map((m) => m.params)];
    for (const m of mutants) {
      let missing = [...m.kills];
      for (const given of configurations(m.params)) {
        const ps = propertiesIn(given);
        if (ps) missing = missing.filter((k) => !ps.violable.includes(k));
        if (missing.length === 0) break;
      }
      if (missing.length === 0) continue;
      const all = [...sets.values()].filter((x): x is PropertySet => x !== null);
      if (all.length === 0) continue; // no configuration compiles: compiling the one that runs says why
      const k = missing[0]!;
      const at = `${where}: mutant '${m.id}' kills '${k}'`;
      if (all.some((ps) => ps.goals.includes(k))) throw declarationError(`${at}, which is a sometimes goal: goals are reached, never violated, so no mutant is killed by one (kills names invariants, step properties, liveness properties or Deadlock)`);
      if (k === 'Deadlock') throw declarationError(`${at}, but the model allows deadlock (deadlock: 'allowed'), so Deadlock is never checked`);
      throw declarationError(`${at}, which is not a property of the model${didYouMean(k, [...new Set(all.flatMap((ps) => ps.violable))], 'properties')}`);
    }
  } finally { validating.delete(def); }
  validated.add(def);
}

/** Checks of a compiled configuration: fairness names actions and actors the model has. Throws ModelError. */
export function validateFairness(model: Model, actions: readonly ActionInstance[], baseActions: readonly string[], liveness: readonly LivenessProperty<any>[]): void {
  const actors = [...new Set(actions.map((a) => a.actor))];
  for (const l of liveness) for (const f of l.fairness) {
    const where = `model '${model.name}': liveness property ${l.name} declares ${f.kind === 'strong' ? 'strong' : 'weak'} fairness of`;
    const named = [...(f.action !== undefined ? [f.action] : []), ...(f.actions ?? [])];
    if (named.length === 0 && f.actor === undefined) throw declarationError(`${where} nothing: name an action, actions or an actor`);
    for (const a of named) if (!baseActions.includes(a)) throw declarationError(`${where} action '${a}', which the model does not have${didYouMean(a, baseActions, 'actions')}`);
    if (f.actor !== undefined && !actors.includes(f.actor)) throw declarationError(`${where} actor '${f.actor}', which no action of the model has${didYouMean(f.actor, actors, 'actors')}`);
  }
}

/**
 * Runs `compile` (an action's `when` compiled against the layout); when it fails on a path that is not
 * a field of the state, the error names the nearest fields instead.
 */
export function withNearestFields<T>(layout: Layout, where: string, compile: () => T): T {
  try { return compile(); } catch (e) {
    const field = e instanceof ModelError ? e.details.field : undefined;
    if (field === undefined || layout.leaves.some((l) => l.path === field)) throw e;
    const paths = layout.leaves.map((l) => l.path);
    throw declarationError(`${where}: '${field}' is not a field of the state${didYouMean(field, paths, 'fields')}`, e instanceof ModelError ? e.details : {});
  }
}
