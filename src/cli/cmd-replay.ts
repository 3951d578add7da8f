// mc replay: re-executes a trace written by --trace-out against the model it names, and reports the
// first step that no longer applies, or the properties its last state (and step) violate.
import { readFileSync } from 'node:fs';
import { compileModel, mutantById, resolveParams, stepAction, UsageError, type CompiledModel, type Model } from '../explorer/model.js';
import { applyAction, asModelError, firstDifference, thrownStack } from '../explorer/trace.js';
import { didYouMean } from '../explorer/validate.js';
import { encodeState } from '../explorer/schema.js';
import { loadModel } from './load.js';
import { SCHEMA } from './render.js';
import { err, EXIT, fsReason, jsonDoc, mode, out } from './output.js';

export async function cmdReplay(file: string, o: { json?: boolean; debug?: boolean }): Promise<number> {
  let t: any;
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { throw new UsageError(`cannot read trace file '${file}': ${fsReason(e)}`); }
  try { t = JSON.parse(text); } catch (e) { throw new UsageError(`trace file '${file}' is not JSON: ${(e as Error).message}`); }
  if (t?.schema !== 'mc.trace/1' || !Array.isArray(t.steps) || typeof t.init !== 'object') throw new UsageError(`'${file}' is not an mc trace (expected "schema": "mc.trace/1" as written by --trace-out)`);
  let model: Model;
  try { model = await loadModel(t.modelPath ?? t.model); } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`trace '${file}' was recorded for model ${JSON.stringify(t.modelPath ?? t.model)}: ${e.message}`);
    throw e;
  }
  const params = replayParams(file, model, t), mutant = replayMutant(file, model, t);
  let c: CompiledModel;
  try { c = compileModel(model, params, mutant); } catch (e) {
    // An automatic mutant of an action the model does not have: the trace is another model's.
    if (e instanceof UsageError) throw new UsageError(`trace '${file}' does not belong to model '${model.name}': ${e.message}`);
    throw e;
  }
  replayFields(file, c, t.init);
  const n = c.layout.slots;
  const lines: string[] = [`mc replay ${file}: model ${model.name}, ${t.steps.length + 1} states${t.property ? `, recorded violation of ${t.property}` : ''}`];
  let state: Int32Array = new Int32Array(n);
  let failedStep: number | undefined, reason: string | undefined;
  try { encodeState(c.layout, t.init, state, 0); lines.push('   1. initial state  ok'); } catch (e) {
    failedStep = 1; reason = `the initial state does not fit the model: ${(e as Error).message}`;
  }
  if (failedStep === undefined) {
    const inits = Array.from({ length: c.initCount }, (_, i) => c.inits.slice(i * n, i * n + n));
    if (!inits.some((s) => s.every((x, k) => x === state[k]))) {
      // Name a field that differs from the nearest initial state (the one with the fewest differing fields).
      const diffs = inits.map((s) => firstDifference(c, state, s)!).sort((a, b) => a.more - b.more);
      const d = diffs[0];
      failedStep = 1;
      reason = `the recorded initial state is not an initial state of the model${d ? `: ${fieldDiffers(d, 'the trace has', inits.length === 1 ? 'the model\'s initial state has' : `the nearest of its ${inits.length} initial states has`)}` : ''}`;
    }
  }
  const seen: Int32Array[] = [state];
  for (let i = 0; failedStep === undefined && i < t.steps.length; i++) {
    const st = t.steps[i], stepNo = i + 2;
    const a = c.actions.find((x) => x.name === st.action);
    if (!a) { failedStep = stepNo; reason = `the model has no action named '${st.action}'${didYouMean(String(st.action), c.actions.map((x) => x.name), 'actions')}`; break; }
    let next: Int32Array | null;
    try { next = applyAction(c, a, state); } catch (e) {
      const me = asModelError(e, a.name), stack = mode.debug ? thrownStack(me) : null;
      if (stack) err(`mc: --debug: the model's code threw (${me.message}):\n${stack}\n`);
      failedStep = stepNo; reason = me.message; break;
    }
    if (next === null) { failedStep = stepNo; reason = `${a.name} is not enabled in the state reached at step ${stepNo - 1}`; break; }
    if (st.state !== undefined) {
      const want = new Int32Array(n);
      try { encodeState(c.layout, st.state, want, 0); } catch (e) { failedStep = stepNo; reason = `the recorded state does not fit the model: ${(e as Error).message}`; break; }
      const d = firstDifference(c, next, want);
      if (d) { failedStep = stepNo; reason = `${a.name} gives a different state than recorded: ${fieldDiffers(d, 'the model gives', 'the trace recorded')}`; break; }
    }
    lines.push(`${String(stepNo).padStart(4)}. ${a.name}  [${a.actor}]  ok`);
    state = next;
    seen.push(next);
  }
  let livenessViolated: string | null = null;
  if (failedStep === undefined && typeof t.loopStart === 'number') {
    // A lasso: the last state must equal the state at loopStart, closing the cycle.
    const loopState = Number.isInteger(t.loopStart) ? seen[t.loopStart - 1] : undefined;
    const d = loopState ? firstDifference(c, state, loopState) : null;
    if (!loopState) { failedStep = t.steps.length + 1; reason = `the trace's loopStart, ${t.loopStart}, is not one of its steps (1..${t.steps.length + 1})`; }
    else if (d) { failedStep = t.steps.length + 1; reason = `the last state does not loop back to step ${t.loopStart}: ${fieldDiffers(d, 'the last state has', `step ${t.loopStart} has`)}`; }
    else {
      lines.push(`      the last state equals step ${t.loopStart}: the cycle closes`);
      // The recorded liveness property must still fail on the cycle: q never holds in it (◇□q: some cycle state has ¬q).
      const l = c.liveness.find((x) => x.name === t.property);
      if (l) {
        const cycle = seen.slice(t.loopStart - 1).map((st) => l.q(c.layout.makeView({ b: st, o: 0 })));
        if (l.kind === 'eventuallyAlways' ? cycle.some((q) => !q) : cycle.every((q) => !q)) livenessViolated = l.name;
      }
    }
  }
  const root = { b: state, o: 0 }, view = c.layout.makeView(root);
  const violated = c.invariants.filter((inv) => { try { return !inv.check(view); } catch { return true; } }).map((i) => i.name);
  if (failedStep === undefined && seen.length >= 2) {
    // The last step (where a step property's counterexample ends): the step properties that fail (or throw) on it.
    const a = c.actions.find((x) => x.name === t.steps[t.steps.length - 1].action)!;
    const from = c.layout.makeView({ b: seen[seen.length - 2]!, o: 0 }), info = stepAction(a);
    for (const st of c.steps) { try { if (!st.check(from, view, info)) violated.push(st.name); } catch { violated.push(st.name); } }
  }
  if (failedStep === undefined && c.deadlock !== 'allowed') {
    const enabled = c.actions.some((a) => { try { return applyAction(c, a, state) !== null; } catch { return true; } });
    const expected = typeof c.deadlock === 'object' && c.deadlock.expected(view);
    if (!enabled && !expected) violated.push('Deadlock');
  }
  if (livenessViolated) violated.push(livenessViolated);
  const doc = { schema: SCHEMA.replay, model: model.name, steps: t.steps.length + 1, ok: failedStep === undefined, ...(failedStep !== undefined ? { failedStep, reason } : {}), violated, recordedProperty: t.property ?? null };
  if (failedStep !== undefined) lines.push(`${String(failedStep).padStart(4)}. FAILED: ${reason}`, `Verdict: the trace no longer applies to the model (step ${failedStep})`);
  else if (violated.length) lines.push(`Verdict: the trace re-executes and ends in a violation of ${violated.join(', ')}`);
  else lines.push(`Verdict: the trace re-executes; no property is violated in its last state${c.steps.length && seen.length >= 2 ? ' or on its last step' : ''}`);
  out(o.json ? jsonDoc(doc) : `${lines.join('\n')}\n`);
  return failedStep !== undefined ? EXIT.gate : violated.length ? EXIT.violation : EXIT.ok;
}

/** `field 'x' differs: A 2, B 3 (and 2 more fields)`, from firstDifference. */
function fieldDiffers(d: { field: string; a: string; b: string; more: number }, a: string, b: string): string {
  return `field ${d.field} differs: ${a} ${d.a}, ${b} ${d.b}${d.more ? ` (and ${d.more} more field${d.more > 1 ? 's' : ''})` : ''}`;
}

/**
 * The parameters a trace was recorded with, for the model it names. A trace with parameters the model does not have
 * was recorded for another model (or relabelled): a usage error saying so, not the model's complaint about a parameter.
 */
function replayParams(file: string, model: Model, t: { params?: unknown }): Record<string, number | string | boolean> {
  const given = (t.params ?? {}) as Record<string, unknown>;
  const own = Object.keys(model.def.params);
  const foreign = Object.keys(given).filter((k) => !own.includes(k));
  if (foreign.length) {
    throw new UsageError(`trace '${file}' does not belong to model '${model.name}': it was recorded with parameter${foreign.length > 1 ? 's' : ''} ${foreign.map((k) => `'${k}'`).join(', ')}, which '${model.name}' does not have (${own.length ? `its parameters: ${own.join(', ')}` : 'it has none'}); a trace replays against the model that wrote it`);
  }
  try { return resolveParams(model, given); } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`trace '${file}' does not fit model '${model.name}' as it is now: ${e.message}`);
    throw e;
  }
}

/** The mutant a trace was recorded with: one the model does not declare means the trace is not this model's. */
function replayMutant(file: string, model: Model, t: { mutant?: unknown }): string | null {
  const m = t.mutant ?? null;
  if (m === null) return null;
  try { mutantById(model, String(m)); } catch (e) {
    if (e instanceof UsageError) throw new UsageError(`trace '${file}' does not belong to model '${model.name}': it was recorded with mutant '${String(m)}', which '${model.name}' does not declare`);
    throw e;
  }
  return String(m);
}

/** A trace whose states have other fields than the model's (at the top level) was recorded for another model: a usage error saying so. */
function replayFields(file: string, c: CompiledModel, init: object): void {
  const own = Object.keys(c.layout.schema.fields), recorded = Object.keys(init ?? {});
  const extra = recorded.filter((k) => !own.includes(k)), missing = own.filter((k) => !recorded.includes(k));
  if (!extra.length && !missing.length) return;
  const names = (xs: string[]): string => `${xs.length > 1 ? 's' : ''} ${xs.slice(0, 6).join(', ')}${xs.length > 6 ? ` and ${xs.length - 6} more` : ''}`;
  const what = [extra.length ? `have field${names(extra)}, which the model's do not` : '', missing.length ? `lack the model's field${names(missing)}` : ''].filter(Boolean).join(', and ');
  throw new UsageError(`trace '${file}' does not belong to model '${c.model.name}': its states ${what}; a trace replays against the model that wrote it`);
}
