// Mutation testing: declared mutants (each must be killed by the property it
// declares), automatic mutants (disable an action, drop a guard), the
// kill matrix and the vacuity report.
import { autoMutantIds, compileModel, killSet, ModelError, mutantById, propertyNames, resolveParams, type CompiledModel, type Model } from '../explorer/model.js';
import { explore, type SearchOptions, type Violation } from '../explorer/search.js';
import { isDeclarationError, validateModel } from '../explorer/validate.js';
import { thrownStack, type TraceStep } from '../explorer/trace.js';

export interface MutantOutcome {
  id: string;
  /** Declared mutants: the properties any one of which must fire. Automatic mutants: empty. */
  expected: string[];
  fired: string | null;
  alsoFired: string[];
  traceLength: number | null;
  verdict: 'killed' | 'wrong-property' | 'survived' | 'incomplete' | 'error';
  params: Record<string, unknown>;
  distinct: number;
  seconds: number;
  /** Drop-guard mutants: successors discarded because the effect threw or left a domain. */
  discarded: number;
  message?: string;
  /** The counterexample of the property reported in `fired`, with its lasso for liveness (kept for reports; not part of the JSON). */
  trace?: { steps: TraceStep[]; loopStart: number | null; stutter: boolean };
  actors?: readonly string[];
  /** With debug, a mutant whose run is a model error: the stack trace of what the model's code threw (for stderr; not part of the JSON). */
  stack?: string;
}

const counterexample = (v: Violation): NonNullable<MutantOutcome['trace']> => ({ steps: v.trace, loopStart: v.loopStart ?? null, stutter: v.stutter ?? false });

/**
 * Runs one mutant. `exhaustive` explores the whole mutant state space and records every property
 * that fires (for the matrix); otherwise the search stops at the first declared property that fires.
 */
export async function runMutant(model: Model, id: string, given: Record<string, unknown>, search: Partial<SearchOptions>, exhaustive = false): Promise<MutantOutcome> {
  validateModel(model);
  const m = mutantById(model, id);
  const params = resolveParams(model, { ...given, ...(m.params ?? {}) });
  const base = { id, expected: [...m.kills], params, fired: null, alsoFired: [] as string[], traceLength: null, distinct: 0, seconds: 0, discarded: 0 };
  let c: CompiledModel;
  try { c = compileModel(model, params, id); } catch (e) {
    if (e instanceof ModelError && !isDeclarationError(e)) {
      const stack = search.debug ? thrownStack(e) : null;
      return { ...base, verdict: 'error', message: e.message, ...(stack ? { stack } : {}) };
    }
    throw e;
  }
  const kills = killSet(c, m.kills);
  const r = await explore(c, { ...search, stopOn: exhaustive || m.kills.length === 0 ? 'never' : kills });
  const hit = r.violations.find((v) => kills.has(v.property));
  const fired = r.violations.map((v) => v.property);
  const common = { ...base, alsoFired: fired.filter((p) => p !== hit?.property), distinct: r.stats.distinct, seconds: r.stats.seconds, discarded: r.stats.discarded, actors: c.actors };
  if (r.error) return { ...common, verdict: 'error', message: r.error.message, ...(r.error.stack ? { stack: r.error.stack } : {}) };
  if (hit) return { ...common, fired: hit.property, traceLength: hit.trace.length, verdict: 'killed', trace: counterexample(hit) };
  if (m.kills.length === 0 && fired.length) {
    const first = r.violations[0]!;
    return { ...common, fired: first.property, alsoFired: fired.slice(1), traceLength: first.trace.length, verdict: 'killed', trace: counterexample(first) };
  }
  if (fired.length) return { ...common, verdict: 'wrong-property', message: `killed only by ${fired.join(', ')}, not by ${m.kills.join(' | ')}` };
  if (r.verdict === 'incomplete') return { ...common, verdict: 'incomplete', message: `search stopped (${r.incompleteReason}) before any property fired` };
  const unchecked = r.liveness.filter((l) => l.status === 'not-checked' && kills.has(l.name));
  return { ...common, verdict: 'survived', message: unchecked.length ? `${unchecked.map((l) => l.name).join(', ')} not checked: ${unchecked[0]!.reason}` : `every property holds on the mutant (${r.stats.distinct} states)${m.kills.length ? `: ${m.kills.join(' | ')} cannot see this change` : ''}` };
}

export interface MatrixReport {
  properties: string[];
  rows: { id: string; kind: 'declared' | 'auto'; fired: string[]; verdict: MutantOutcome['verdict']; expected: string[] }[];
  /** Per property, the mutants that kill it. */
  killers: Record<string, string[]>;
  /** Properties no mutant, declared or automatic, kills. */
  possiblyVacuous: string[];
  /** Invariants written as implications: whether the antecedent was ever true in the correct model. */
  antecedents: { name: string; hits: number }[];
  /** Automatic drop-guard mutants: successors discarded because the effect threw or left a domain. */
  discarded: Record<string, number>;
}

/** Runs every declared mutant (and the automatic ones if asked) exhaustively and builds the kill matrix. */
export async function mutationMatrix(model: Model, given: Record<string, unknown>, search: Partial<SearchOptions>, withAuto: boolean, onRow: (o: MutantOutcome) => void = () => {}): Promise<{ outcomes: MutantOutcome[]; matrix: MatrixReport }> {
  const params = resolveParams(model, given);
  const c = compileModel(model, params, null);
  const correct = await explore(c, { ...search, stopOn: 'never' });
  const properties = propertyNames(c);
  const declared = (model.def.mutants ?? []).map((m) => m.id);
  const ids = [...declared, ...(withAuto ? autoMutantIds(c) : [])];
  const outcomes: MutantOutcome[] = [];
  for (const id of ids) {
    const o = await runMutant(model, id, given, search, true);
    outcomes.push(o); onRow(o);
  }
  const discarded = Object.fromEntries(outcomes.filter((o) => o.discarded > 0).map((o) => [o.id, o.discarded]));
  const killers: Record<string, string[]> = Object.fromEntries(properties.map((p) => [p, []]));
  const rows = outcomes.map((o) => {
    const fired = [...(o.fired ? [o.fired] : []), ...o.alsoFired];
    for (const p of fired) (killers[p] ??= []).push(o.id);
    return { id: o.id, kind: declared.includes(o.id) ? 'declared' as const : 'auto' as const, fired, verdict: o.verdict, expected: o.expected };
  });
  const possiblyVacuous = properties.filter((p) => (killers[p] ?? []).length === 0);
  return { outcomes, matrix: { properties, rows, killers, possiblyVacuous, antecedents: correct.antecedents, discarded } };
}
