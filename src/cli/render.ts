// Output: the JSON documents (versioned schemas) and their human renderings.
import { basename } from 'node:path';
import Table from 'cli-table3';
import { kebab, type CompiledModel, type Model, type ParamSpec } from '../explorer/model.js';
import type { SearchResult } from '../explorer/search.js';
import { readGolden } from '../explorer/golden.js';
import type { MatrixReport, MutantOutcome } from './mutation.js';
import type { ModelCheck } from './check.js';
import type { TraceFile, TraceStep } from '../explorer/trace.js';

/** `1 state`, `5 states`. */
const states = (n: number): string => `${n} state${n === 1 ? '' : 's'}`;

export const SCHEMA = { check: 'mc.check/1', result: 'mc.result/1', mutate: 'mc.mutate/1', list: 'mc.list/1', show: 'mc.show/1', replay: 'mc.replay/1', error: 'mc.error/1', progress: 'mc.progress/1' } as const;

const num = (x: number): string => Math.round(x).toLocaleString('en-US');
const mb = (b: number): string => `${(b / 2 ** 20).toFixed(1)} MiB`;
const plainTable = (head: string[]): Table.Table => new Table({ head, style: { head: [], border: [], compact: true } });

// ---------- models ----------

export function paramDoc(spec: ParamSpec): { type: string; range: string; default: unknown; help: string } {
  switch (spec.type) {
    case 'int': return { type: 'int', range: `${spec.min}..${spec.max}`, default: typeof spec.default === 'function' ? 'derived' : spec.default, help: spec.help };
    case 'enum': return { type: 'enum', range: spec.values.join('|'), default: spec.default, help: spec.help };
    case 'bool': return { type: 'bool', range: 'true|false', default: spec.default, help: spec.help };
  }
}

export function modelDoc(m: Model, c: CompiledModel | null) {
  const d = m.def;
  const golden = readGolden(d.goldenFile);
  return {
    name: m.name,
    description: d.description,
    source: m.source ?? 'builtin',
    params: Object.entries(d.params).map(([name, spec]) => ({ name, flag: `--${kebab(name)}`, ...paramDoc(spec) })),
    // Properties and actions depend on parameters; they are listed for the default parameter values.
    // An action's instances may belong to several actors (actor: (i) => `P${i}`): all of them, as coverage lists them.
    actions: c ? c.baseActions.map((a) => {
      const instances = c.actions.filter((x) => x.base === a);
      return { name: a, actor: [...new Set(instances.map((x) => x.actor))].join('|'), instances: instances.length };
    }) : [],
    invariants: c ? c.invariants.map((i) => ({ name: i.name, description: i.description })) : [],
    steps: c ? c.steps.map((st) => ({ name: st.name, description: st.description })) : [],
    goals: c ? c.goals.map((g) => ({ name: g.name, description: g.description })) : [],
    liveness: c ? c.liveness.map((l) => ({ name: l.name, description: l.description, kind: l.kind, fairness: l.fairness })) : [],
    deadlock: c ? (typeof c.deadlock === 'string' ? c.deadlock : `expected terminal states: ${c.deadlock.description}`) : null,
    // The scalarsets the schema declares (default parameters), and how many permutations they make: null without.
    symmetry: c?.symmetry ? { scalarsets: Object.fromEntries(c.symmetry.sets), permutations: c.symmetry.order } : null,
    mutants: (d.mutants ?? []).map((x) => ({ id: x.id, kills: x.kills, why: x.why, params: x.params ?? {} })),
    ci: (d.ci ?? []).map((x) => ({ name: x.name, params: x.params, ...(x.symmetry === false ? { symmetry: false } : {}), golden: golden[x.name] ?? null })),
  };
}
export type ModelDoc = ReturnType<typeof modelDoc>;

export function renderList(docs: ModelDoc[]): string {
  const t = plainTable(['model', 'params', 'invariants', 'mutants', 'description']);
  for (const d of docs) t.push([d.name, d.params.map((p) => `${p.flag} ${p.range}`).join('\n'), String(d.invariants.length), String(d.mutants.length), d.description]);
  return `${t.toString()}\n`;
}

export function renderShow(d: ModelDoc): string {
  const out: string[] = [`${d.name}: ${d.description}`, ''];
  const p = plainTable(['param', 'range', 'default', 'help']);
  for (const x of d.params) p.push([x.flag, x.range, String(x.default), x.help]);
  out.push('Parameters', p.toString());
  const bool = d.params.find((x) => x.type === 'bool');
  if (bool) out.push(`(a true|false flag alone means true: ${bool.flag} is ${bool.flag} true)`);
  out.push('');
  const a = plainTable(['action', 'actor', 'instances']);
  for (const x of d.actions) a.push([x.name, x.actor, String(x.instances)]);
  out.push('Actions (default parameters)', a.toString(), '');
  const i = plainTable(['property', 'kind', 'description']);
  for (const x of d.invariants) i.push([x.name, 'invariant', x.description]);
  for (const x of d.steps) i.push([x.name, 'step', x.description]);
  for (const x of d.goals) i.push([x.name, 'sometimes', x.description]);
  for (const x of d.liveness) i.push([x.name, `liveness (${x.kind})`, x.description]);
  out.push('Properties (default parameters)', i.toString(), `Deadlock policy: ${d.deadlock}`);
  if (d.symmetry) out.push(`Symmetry: scalarsets ${Object.entries(d.symmetry.scalarsets).map(([k, n]) => `${k}: ${n}`).join(', ')} (${num(d.symmetry.permutations)} permutations); runs keep one state per orbit (--no-symmetry: every state)`);
  out.push('');
  if (d.mutants.length) {
    const m = plainTable(['mutant', 'must be killed by', 'params', 'why']);
    for (const x of d.mutants) m.push([x.id, x.kills.join(' | '), Object.entries(x.params).map(([k, v]) => `${k}=${String(v)}`).join(' '), x.why]);
    out.push('Mutants', m.toString(), '');
  }
  if (d.ci.length) {
    const c = plainTable(['ci config', 'params', 'golden distinct/generated/depth']);
    for (const x of d.ci) c.push([x.name, [...Object.entries(x.params).map(([k, v]) => `${k}=${String(v)}`), ...('symmetry' in x ? ['(no symmetry)'] : [])].join(' '), x.golden ? `${num(x.golden.distinct)} / ${num(x.golden.generated)} / ${x.golden.depth}${x.golden.represented !== undefined ? ` (represents ${num(x.golden.represented)})` : ''}` : '(none)']);
    out.push('CI configurations', c.toString(), '');
  }
  return out.join('\n');
}

// ---------- run ----------

/** What reporting a run needs of its compiled model: a CompiledModel is one, and a run on a search thread sends back this much (runInfo). */
export interface RunInfo {
  readonly model: { readonly name: string; readonly source?: string };
  readonly params: Readonly<Record<string, number | string | boolean>>;
  readonly mutant: string | null;
  readonly invariants: readonly { readonly name: string; readonly description: string }[];
  readonly steps: readonly { readonly name: string; readonly description: string }[];
  readonly deadlock: 'error' | 'allowed' | { readonly description: string };
}

/** A compiled model's RunInfo as plain data (it crosses threads). */
export function runInfo(c: CompiledModel): RunInfo {
  return {
    model: { name: c.model.name, ...(c.model.source !== undefined ? { source: c.model.source } : {}) },
    params: { ...c.params }, mutant: c.mutant,
    invariants: c.invariants.map((i) => ({ name: i.name, description: i.description })),
    steps: c.steps.map((st) => ({ name: st.name, description: st.description })),
    deadlock: typeof c.deadlock === 'object' ? { description: c.deadlock.description } : c.deadlock,
  };
}

/** What an incomplete run did not finish: its safety search, its liveness pass (after a complete safety search), or the model's setup. */
function unfinished(r: SearchResult): string {
  return r.incompletePhase === 'liveness' ? 'the liveness pass' : r.incompletePhase === 'setup' ? "the model's setup" : r.incompletePhase === 'report' ? 'the report' : 'the safety search';
}

export function resultDoc(c: RunInfo, r: SearchResult) {
  return {
    schema: SCHEMA.result,
    model: c.model.name,
    params: c.params,
    mutant: c.mutant,
    strategy: r.strategy,
    verdict: r.verdict,
    // True only when every reachable state was explored and no property failed.
    complete: r.verdict === 'ok',
    ...(r.incompleteReason ? { incompleteReason: r.incompleteReason } : {}),
    ...(r.incompletePhase ? { incompletePhase: r.incompletePhase } : {}),
    ...(r.stuck ? { stuck: r.stuck } : {}),
    stats: r.stats,
    properties: [
      ...c.invariants.map((i) => ({ name: i.name, kind: 'invariant', status: propertyStatus(r, i.name) })),
      ...c.steps.map((st) => ({ name: st.name, kind: 'step', status: propertyStatus(r, st.name) })),
      ...(c.deadlock === 'allowed' ? [] : [{ name: 'Deadlock', kind: 'deadlock', status: propertyStatus(r, 'Deadlock') }]),
      ...r.liveness.map((l) => ({ name: l.name, kind: 'liveness', status: l.status === 'holds' ? 'holds' : l.status === 'violated' ? 'violated' : 'not-checked', ...(l.reason ? { reason: l.reason } : {}) })),
    ],
    violation: r.violations[0] ?? null,
    violations: r.violations,
    // The model's stack trace (--debug) goes to stderr, not into the document.
    error: r.error ? (({ stack: _s, ...rest }) => rest)(r.error) : null,
    coverage: r.coverage.map((x) => ({ ...x, neverFired: x.fired === 0 })),
    instanceCoverage: r.instanceCoverage,
    goals: r.goals,
    antecedents: r.antecedents,
    liveness: r.liveness,
    // What the run printed as `mc: note:` on stderr (e.g. that it ran with fewer workers than asked).
    notes: r.notes,
  };
}

function propertyStatus(r: SearchResult, name: string): string {
  if (r.violations.some((v) => v.property === name)) return 'violated';
  if (r.verdict === 'error') return 'unknown';
  // The liveness pass runs after a complete safety search: the invariants hold.
  if (r.verdict === 'incomplete' && r.incompletePhase === 'liveness') return 'holds';
  return r.verdict === 'ok' ? 'holds' : r.verdict === 'incomplete' ? 'no violation found (incomplete)' : 'no violation found before the search stopped';
}

/** A state on one line, shortened past about 1,000 characters (a state can have a million slots). */
export function stateLine(state: Record<string, unknown>, max = 1000): string {
  const text = JSON.stringify(state);
  return text.length <= max ? text : `${text.slice(0, max)}... (${num(text.length - max)} more characters)`;
}

export function renderTrace(steps: readonly TraceStep[], loopStart: number | null = null, stutter = false): string {
  const lines: string[] = [];
  const w = String(steps.length).length;
  for (const s of steps) {
    const head = `${String(s.step).padStart(w)}. ${s.action === null ? 'initial state' : `${s.action}  [${s.actor}]`}`;
    lines.push(head);
    for (const note of s.notes ?? []) lines.push(`${' '.repeat(w + 4)}» ${note}`);
    const ch = s.action === null ? s.changes.map((x) => `${x.field} = ${x.to}`) : s.changes.map((x) => `${x.field}: ${x.from} → ${x.to}`);
    if (s.action === null) {
      // The initial state in full, packed several fields per line.
      let line = '';
      for (const c of ch) { if (line.length + c.length > 96) { lines.push(`${' '.repeat(w + 4)}${line.trimEnd()}`); line = ''; } line += `${c}   `; }
      if (line) lines.push(`${' '.repeat(w + 4)}${line.trimEnd()}`);
    } else if (ch.length === 0) lines.push(`${' '.repeat(w + 4)}(no field changed)`);
    else for (const c of ch) lines.push(`${' '.repeat(w + 4)}${c}`);
    if (loopStart !== null && s.step === loopStart) {
      lines.push(`${' '.repeat(w)}  ── the cycle starts from this state: ${stutter ? 'it repeats forever (no action under fairness is enabled here)' : `steps ${loopStart + 1}..${steps.length} repeat forever`} ──`);
    }
  }
  if (loopStart !== null && !stutter) lines.push(`${' '.repeat(w)}  ── back to step ${loopStart} ──`);
  return lines.join('\n');
}

export function renderRun(c: RunInfo, r: SearchResult): string {
  const s = r.stats;
  const params = Object.entries(c.params).map(([k, v]) => `${kebab(k)}=${String(v)}`).join(' ');
  const out: string[] = [];
  out.push(`mc run ${c.model.name}${params ? `  ${params}` : ''}${c.mutant ? `  mutant=${c.mutant}` : ''}  strategy=${r.strategy}${s.exact ? ' exact' : ''}`);
  out.push(`  states    ${num(s.distinct)} distinct${s.symmetry ? ' (orbit representatives)' : ''}, ${num(s.generated)} generated, depth ${s.depth}`);
  if (s.symmetry) {
    const sets = Object.entries(s.symmetry.scalarsets).map(([k, n]) => `${k}: ${n}`).join(', ');
    out.push(`  symmetry  ${s.represented !== undefined ? `${num(s.represented)} states represented; ` : ''}scalarsets ${sets} (${num(s.symmetry.permutations)} permutations; --no-symmetry searches every state)`);
  }
  out.push(`  time      ${s.seconds.toFixed(2)} s  (${num(s.distinctPerSecond)} distinct/s, ${num(s.generatedPerSecond)} generated/s)`);
  out.push(`  memory    peak RSS ${mb(s.peakMemoryBytes)}, ${s.bytesPerState.toFixed(1)} bytes/state in engine tables`);
  out.push(`  collision ${s.exact ? 'none possible (exact mode stores full states)' : `probability ≈ ${s.collisionProbability.toExponential(1)} (64-bit fingerprints; --exact rules it out)`}`);
  out.push('');
  if (r.stuck) {
    // The search thread was stopped: only the counts so far are known.
    out.push(`STOPPED: ${r.stuck.message}${r.stuck.state ? `. ${r.stuck.action ? 'Its' : 'The'} state:` : ''}`);
    if (r.stuck.state) out.push(`  ${stateLine(r.stuck.state)}`);
    out.push('', `Verdict: INCOMPLETE (${r.incompleteReason}): no violation in the ${num(s.distinct)} states explored, but ${unfinished(r)} did not finish`);
    return `${out.join('\n')}\n`;
  }
  if (r.error) {
    out.push(`MODEL ERROR: ${r.error.message}`);
    if (r.error.trace.length) { out.push('', `Trace to the failing step (${states(r.error.trace.length)}):`, renderTrace(r.error.trace)); }
    out.push('', 'Verdict: ERROR (the model is broken; fix it and run again)');
    return `${out.join('\n')}\n`;
  }
  const props = plainTable(['property', 'kind', 'result']);
  for (const i of c.invariants) props.push([i.name, 'invariant', propertyStatus(r, i.name)]);
  for (const st of c.steps) props.push([st.name, 'step', propertyStatus(r, st.name)]);
  if (c.deadlock !== 'allowed') props.push(['Deadlock', 'deadlock', propertyStatus(r, 'Deadlock')]);
  for (const l of r.liveness) props.push([l.name, 'liveness', l.status === 'not-checked' ? `not checked: ${l.reason}` : l.status === 'violated' ? 'VIOLATED' : 'holds']);
  if (props.length) out.push(props.toString());
  if (r.goals.length) {
    const g = plainTable(['goal (sometimes)', 'reached']);
    for (const x of r.goals) g.push([x.name, x.reached ? `yes, at depth ${x.depth}` : r.verdict === 'ok' || r.incompletePhase === 'liveness' ? 'NO (unreachable in this configuration)' : 'not yet']);
    out.push(g.toString());
  }
  const never = r.coverage.filter((x) => x.fired === 0);
  const cov = plainTable(['action', 'actor', 'fired']);
  for (const x of r.coverage) cov.push([x.action, x.actor, x.fired === 0 ? 'NEVER' : num(x.fired)]);
  out.push(cov.toString());
  if (never.length) out.push(`  ${never.length} action(s) never fired: ${never.map((x) => x.action).join(', ')}`);
  out.push('');
  const v = r.violations[0];
  if (v) {
    out.push(`VIOLATION of ${v.kind === 'deadlock' ? 'deadlock freedom' : v.kind === 'invariant' ? `invariant ${v.property}` : v.kind === 'step' ? `step property ${v.property}` : `liveness property ${v.property}`}: ${v.description}`);
    if (v.kind === 'step') out.push(`Counterexample (${states(v.trace.length)}${r.strategy === 'bfs' ? ', a shortest one' : ''}; the last step is the one that violates it):`);
    else if (v.kind === 'liveness') out.push(v.loopStart ? `Counterexample: a lasso of ${v.trace.length} states (prefix of ${v.loopStart - 1} steps, then a fair cycle):` : `Counterexample (${v.trace.length} states: q is not reached within the bound):`);
    else out.push(`Counterexample (${states(v.trace.length)}${r.strategy === 'bfs' ? ', a shortest one' : ''}):`);
    out.push(renderTrace(v.trace, v.loopStart ?? null, v.stutter ?? false));
    if (r.violations.length > 1) out.push('', `Also violated: ${r.violations.slice(1).map((x) => `${x.property} (${states(x.trace.length)})`).join(', ')}`);
    out.push('', `Verdict: VIOLATION of ${r.violations.map((x) => x.property).join(', ')}`);
  } else if (r.verdict === 'incomplete' && r.incompletePhase === 'liveness') {
    out.push(`Verdict: INCOMPLETE (${r.incompleteReason}): every invariant holds in all ${num(s.distinct)} reachable states (the safety search finished), but the liveness pass did not finish`);
  } else if (r.verdict === 'incomplete') {
    out.push(`Verdict: INCOMPLETE (${r.incompleteReason}): no violation in the ${num(s.distinct)} states explored, but ${unfinished(r)} did not finish`);
  } else {
    const unchecked = r.liveness.filter((l) => l.status === 'not-checked').length;
    out.push(`Verdict: OK: every invariant holds in all ${num(s.distinct)} reachable states${c.steps.length ? ', and every step property on every step between them' : ''}${r.liveness.length ? (unchecked ? `; ${unchecked} liveness propert${unchecked === 1 ? 'y' : 'ies'} NOT checked` : `; every liveness property holds (${s.edges.toLocaleString('en-US')} edges, ${s.livenessSeconds.toFixed(2)} s)`) : ''}`);
  }
  return `${out.join('\n')}\n`;
}

export function traceFile(c: RunInfo, property: string | null, steps: readonly TraceStep[], loopStart: number | null = null): TraceFile {
  return {
    ...(loopStart !== null ? { loopStart } : {}),
    schema: 'mc.trace/1',
    model: c.model.name,
    ...(c.model.source && c.model.source !== 'builtin' ? { modelPath: c.model.source } : {}),
    params: c.params,
    mutant: c.mutant,
    property,
    init: steps[0]!.state,
    steps: steps.slice(1).map((s) => ({ action: s.action!, state: s.state })),
  };
}

// ---------- mutate ----------

export function renderMutate(model: string, rows: MutantOutcome[], auto: MutantOutcome[] = []): string {
  const t = plainTable(['mutant', 'must be killed by', 'fired', 'trace', 'verdict']);
  for (const r of rows) t.push([r.id, r.expected.join(' | '), r.fired ?? (r.alsoFired[0] ? `(${r.alsoFired.join(', ')})` : '-'), r.traceLength === null ? '-' : String(r.traceLength), r.verdict === 'killed' ? 'killed' : r.verdict.toUpperCase()]);
  const bad = rows.filter((r) => r.verdict !== 'killed');
  const lines = [`mc mutate ${model}: ${rows.length} declared mutant(s)`, t.toString()];
  if (auto.length) {
    const a = plainTable(['automatic mutant', 'properties that fired', 'verdict']);
    for (const r of auto) a.push([r.id, [r.fired, ...r.alsoFired].filter(Boolean).join(', ') || '-', r.verdict === 'killed' ? 'killed' : r.verdict === 'survived' ? 'survived (equivalent or unobserved)' : r.verdict]);
    lines.push(`${auto.length} automatic mutant(s) (informational: they feed the vacuity report, not the gate)`, a.toString());
  }
  for (const r of bad) if (r.message) lines.push(`  ${r.id}: ${r.message}`);
  lines.push(bad.length === 0 ? `Verdict: OK: every mutant was killed by the property it declares` : `Verdict: GATE FAILURE: ${bad.map((r) => `${r.id} ${r.verdict}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function renderMatrix(model: string, m: MatrixReport): string {
  // Columns are numbered so the table stays narrow; the legend names them.
  const t = plainTable(['mutant', ...m.properties.map((_, i) => `P${i + 1}`)]);
  for (const r of m.rows) t.push([r.id, ...m.properties.map((p) => (r.fired.includes(p) ? (r.expected.includes(p) ? 'X*' : 'X') : '.'))]);
  const lines = [`Kill matrix for ${model}: X = the property fired on the mutant, * = the property the mutant declares`, t.toString()];
  lines.push(...m.properties.map((p, i) => `  P${i + 1} = ${p}: killed by ${m.killers[p]!.length ? m.killers[p]!.length : 'NO'} mutant(s)`));
  if (m.possiblyVacuous.length) lines.push(`Possibly vacuous (no mutant, declared or automatic, makes it fail): ${m.possiblyVacuous.join(', ')}`);
  else lines.push('Every property is killed by at least one mutant.');
  for (const a of m.antecedents) lines.push(`  implication ${a.name}: antecedent true in ${a.hits.toLocaleString('en-US')} state(s)${a.hits === 0 ? ' (NEVER: the invariant holds vacuously)' : ''}`);
  const disc = Object.entries(m.discarded);
  if (disc.length) lines.push(`Discarded successors of drop-guard mutants (effect threw or left a domain): ${disc.map(([k, v]) => `${k} ${v}`).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

export function renderCheck(checks: ModelCheck[], ok: boolean): string {
  const t = plainTable(['model', 'check', 'result', 'detail']);
  for (const m of checks) {
    for (const c of m.configs) t.push([m.model, `config ${c.name}`, c.ok ? 'ok' : 'FAIL', c.ok ? `${num(c.figures.distinct)} / ${num(c.figures.generated)} / depth ${c.figures.depth} = golden, ${c.seconds.toFixed(1)} s` : c.problems.join('\n')]);
    for (const x of m.mutants) t.push([m.model, `mutant ${x.id}`, x.verdict === 'killed' ? 'killed' : x.verdict.toUpperCase(), x.verdict === 'killed' ? `${x.fired} (${states(x.traceLength ?? 0)})` : x.message ?? '']);
    t.push([m.model, 'coverage & goals', m.neverFired.length || m.unreachedGoals.length ? 'FAIL' : 'ok', [m.neverFired.length ? `never fired: ${m.neverFired.join(', ')}` : 'every action fired', m.unreachedGoals.length ? `unreached: ${m.unreachedGoals.join(', ')}` : 'every goal reached'].join('; ')]);
    for (const p of m.problems.filter((p) => !p.startsWith('action(s) never') && !p.startsWith('sometimes goal'))) t.push([m.model, 'model', 'FAIL', p]);
    if (m.goldenUpdated) t.push([m.model, 'golden', 'updated', `${m.goldenFile === null ? 'the golden file' : basename(m.goldenFile)} rewritten with the figures above`]);
  }
  return `${t.toString()}\n${ok ? 'Verdict: PASS: every gate passed' : `Verdict: GATE FAILURE in ${checks.filter((c) => !c.ok).map((c) => c.model).join(', ')}`}\n`;
}
