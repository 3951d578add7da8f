// Traces: rebuilt by re-executing action ids from an initial state (the engine
// keeps only a parent link and an action id per state), printed as the fields
// each step changed, and replayed from a JSON file against a model.
import { ModelError, whenHolds, type CompiledModel, type ActionInstance } from './model.js';
import { decodeState, describeOutOfDomain, firstOutOfDomain, formatLeaf, showValue, thrownMessage, DomainError, ViewError } from './schema.js';

export interface Change { readonly field: string; readonly from: string; readonly to: string }
export interface TraceStep {
  /** 1-based; step 1 is the initial state. */
  readonly step: number;
  /** Null for the initial state. */
  readonly action: string | null;
  readonly actor: string | null;
  /** Fields that differ from the previous state (every field for step 1). */
  readonly changes: readonly Change[];
  readonly state: Record<string, unknown>;
  /** Liveness counterexamples: what this step shows (the trigger, a fairness obligation met). */
  readonly notes?: readonly string[];
}

/** Runs one action instance on a state's slots. Returns the successor, or null when the action is disabled there (checkDomain false: a successor outside its domain is returned too). */
export function applyAction(c: CompiledModel, a: ActionInstance, src: Int32Array, checkDomain = true): Int32Array | null {
  const n = c.layout.slots;
  if (!whenHolds(a, src, 0)) return null;
  const s = { b: src, o: 0 }, t = { b: new Int32Array(n), o: 0 };
  const sv = c.layout.makeView(s), tv = c.layout.makeWritableView(t);
  t.b.set(src.subarray(0, n));
  try {
    if (a.guard !== undefined && !a.guard(sv, a.arg)) return null;
    if (a.effect(sv, tv, a.arg) === false) return null;
  } catch (e) {
    throw asModelError(e, a.name);
  }
  const bad = checkDomain ? firstOutOfDomain(c.layout, t.b, 0) : -1;
  if (bad >= 0) { const d = describeOutOfDomain(c.layout, t.b, 0, bad); throw new ModelError(`action ${a.name} left a domain: ${d.message}`, { action: a.name, field: d.field }); }
  return t.b;
}

export function asModelError(e: unknown, action: string): ModelError {
  if (e instanceof ModelError) return e;
  if (e instanceof ViewError) return new ModelError(e.explain(`action ${action}`, true), { action, field: e.field, cause: e });
  if (e instanceof DomainError) return new ModelError(`action ${action}: ${e.message}`, { action, field: e.field, cause: e });
  return new ModelError(`action ${action} threw: ${thrownMessage(e)}`, { action, cause: e });
}

/** The error of a property, policy or constraint (`who`: 'invariant Safe') that threw, or misused its view, on a state. */
export function readerError(who: string, e: unknown): ModelError {
  if (e instanceof ViewError) return new ModelError(e.explain(who, false), { field: e.field, cause: e });
  return new ModelError(`${who} threw: ${thrownMessage(e)}`, { cause: e });
}

/**
 * For --debug: the stack trace of what the model's code threw (the cause a ModelError carries, or the error itself),
 * then of each error it names as its cause (`new Error(msg, { cause })`). Null when the model's code threw nothing
 * (mc found the error itself: a value out of its domain after the action returned, a bad declaration).
 */
export function thrownStack(e: unknown): string | null {
  const parts: string[] = [];
  const seen = new Set<unknown>();
  let x: unknown = e instanceof ModelError ? e.details.cause : e;
  while (x !== undefined && x !== null && !seen.has(x) && parts.length < 10) {
    seen.add(x);
    const stack = (x as { stack?: unknown }).stack;
    parts.push(`${parts.length ? 'caused by: ' : ''}${typeof stack === 'string' ? stack : `${typeof x === 'string' ? x : showValue(x)} (thrown without a stack trace: not an Error)`}`);
    x = typeof x === 'object' ? (x as { cause?: unknown }).cause : undefined;
  }
  return parts.length ? parts.join('\n') : null;
}

export function diffStates(c: CompiledModel, prev: Int32Array | null, cur: Int32Array): Change[] {
  const out: Change[] = [];
  for (const leaf of c.layout.leaves) {
    const to = formatLeaf(leaf, cur, 0);
    if (prev === null) { out.push({ field: leaf.path, from: '', to }); continue; }
    let same = true;
    for (let k = 0; k < leaf.width; k++) if (prev[leaf.offset + k] !== cur[leaf.offset + k]) { same = false; break; }
    if (!same) out.push({ field: leaf.path, from: formatLeaf(leaf, prev, 0), to });
  }
  return out;
}

/** The first field (in layout order) where two states differ, both values as traces print them, and how many more fields differ; null if none. */
export function firstDifference(c: CompiledModel, a: Int32Array, b: Int32Array): { field: string; a: string; b: string; more: number } | null {
  let first: { field: string; a: string; b: string } | null = null, more = 0;
  for (const leaf of c.layout.leaves) {
    let same = true;
    for (let k = 0; k < leaf.width; k++) if (a[leaf.offset + k] !== b[leaf.offset + k]) { same = false; break; }
    if (same) continue;
    if (first === null) first = { field: leaf.path, a: formatLeaf(leaf, a, 0), b: formatLeaf(leaf, b, 0) };
    else more++;
  }
  return first === null ? null : { ...first, more };
}

/** The states of a path: the initial state, then one per action id. Throws ModelError if an action does not apply. */
export function executePath(c: CompiledModel, initIndex: number, actionIds: readonly number[]): Int32Array[] {
  const n = c.layout.slots;
  const states: Int32Array[] = [c.inits.slice(initIndex * n, initIndex * n + n)];
  for (const id of actionIds) {
    const a = c.actions[id]!;
    const next = applyAction(c, a, states[states.length - 1]!);
    if (next === null) throw new ModelError(`re-executing the trace: ${a.name} is not enabled (the model is not deterministic)`, { action: a.name });
    states.push(next);
  }
  return states;
}

export function traceSteps(c: CompiledModel, states: readonly Int32Array[], actionIds: readonly number[]): TraceStep[] {
  return states.map((st, i) => {
    const a = i === 0 ? null : c.actions[actionIds[i - 1]!]!;
    return { step: i + 1, action: a ? a.name : null, actor: a ? a.actor : null, changes: diffStates(c, i === 0 ? null : states[i - 1]!, st), state: decodeState(c.layout, st, 0) };
  });
}

/** The trace file `--trace-out` writes and `mc replay` reads. */
export interface TraceFile {
  readonly schema: 'mc.trace/1';
  readonly model: string;
  /** A model file path when the model is not built in. */
  readonly modelPath?: string;
  readonly params: Record<string, number | string | boolean>;
  readonly mutant: string | null;
  readonly property: string | null;
  /** The initial state in full, then the action names in order. */
  readonly init: Record<string, unknown>;
  readonly steps: readonly { readonly action: string; readonly state: Record<string, unknown> }[];
  /** A liveness lasso: the step (1-based) the last state loops back to. */
  readonly loopStart?: number;
}

export interface ReplayOutcome {
  readonly ok: boolean;
  /** Steps that re-executed and matched the recorded state. */
  readonly matched: number;
  /** The first step (1-based, counting the initial state as step 1) that did not apply, and why. */
  readonly failedStep?: number;
  readonly reason?: string;
  /** Properties violated in the last state reached. */
  readonly violated: string[];
}
