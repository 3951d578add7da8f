// `mc check`: the CI gate. Per model: every CI configuration complete with every
// property holding and its figures equal to the golden ones; every declared
// mutant killed by its declared property; every action fired and every
// `sometimes` goal reached in at least one configuration.
import { compileModel, resolveParams, type Golden, type Model } from '../explorer/model.js';
import { explore, type SearchOptions, type Violation } from '../explorer/search.js';
import { readGolden, writeGolden, type GoldenTable } from '../explorer/golden.js';
import type { TraceStep } from '../explorer/trace.js';
import { runMutant, type MutantOutcome } from './mutation.js';
import { validateModel } from '../explorer/validate.js';

export interface ConfigOutcome {
  name: string;
  params: Record<string, unknown>;
  verdict: string;
  figures: Golden;
  golden: Golden | null;
  seconds: number;
  ok: boolean;
  problems: string[];
  violation?: Violation;
  actors: readonly string[];
}

export interface ModelCheck {
  model: string;
  configs: ConfigOutcome[];
  mutants: MutantOutcome[];
  neverFired: string[];
  unreachedGoals: string[];
  /** Model-level problems: no CI configuration, no mutant, golden file updated. */
  problems: string[];
  goldenUpdated: boolean;
  /** Where the model keeps its golden figures (null: it declares no goldenFile). */
  goldenFile: string | null;
  ok: boolean;
  seconds: number;
}

export async function checkModel(model: Model, search: Partial<SearchOptions>, updateGolden: boolean): Promise<ModelCheck> {
  const t0 = performance.now();
  validateModel(model);
  const problems: string[] = [];
  const ci = model.def.ci ?? [];
  if (ci.length === 0) problems.push('declares no CI configuration');
  const golden: GoldenTable = readGolden(model.def.goldenFile);
  const newGolden: GoldenTable = { ...golden };
  const fired = new Map<string, number>();
  const goalsReached = new Map<string, boolean>();
  const configs: ConfigOutcome[] = [];
  for (const cfg of ci) {
    const params = resolveParams(model, cfg.params as Record<string, unknown>);
    const c = compileModel(model, params, null);
    const r = await explore(c, { ...search, stopOn: 'first', ...(cfg.symmetry === false ? { symmetry: false } : {}) });
    // With symmetry, distinct counts orbit representatives; represented (the states they stand for) is kept too.
    const figures: Golden = { distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth, ...(r.stats.represented !== undefined ? { represented: r.stats.represented } : {}) };
    const g = golden[cfg.name] ?? null;
    const cp: string[] = [];
    if (r.verdict === 'violation') cp.push(`${r.violations[0]!.property} is violated`);
    if (r.verdict === 'error') cp.push(`model error: ${r.error!.message}`);
    if (r.verdict === 'incomplete') cp.push(`incomplete (${r.incompleteReason})`);
    for (const l of r.liveness) if (l.status === 'not-checked') cp.push(`liveness ${l.name} not checked: ${l.reason}`);
    if (r.verdict === 'ok') {
      if (updateGolden) newGolden[cfg.name] = figures;
      else if (!g) cp.push(`no golden figures recorded (run mc check ${model.name} --update-golden after a trusted run)`);
      else if (g.distinct !== figures.distinct || g.generated !== figures.generated || g.depth !== figures.depth || g.represented !== figures.represented) {
        const fig = (x: Golden): string => `${x.distinct}/${x.generated}/${x.depth}${x.represented !== undefined ? ` (represented ${x.represented})` : ''}`;
        cp.push(`golden figures drifted: distinct/generated/depth were ${fig(g)}, now ${fig(figures)}`);
      }
    }
    for (const x of r.coverage) fired.set(x.action, (fired.get(x.action) ?? 0) + x.fired);
    for (const x of r.goals) goalsReached.set(x.name, (goalsReached.get(x.name) ?? false) || x.reached);
    configs.push({ name: cfg.name, params, verdict: r.verdict, figures, golden: g, seconds: r.stats.seconds, ok: cp.length === 0, problems: cp, ...(r.violations[0] ? { violation: r.violations[0] } : {}), actors: c.actors });
  }
  const neverFired = [...fired].filter(([, n]) => n === 0).map(([a]) => a);
  const unreachedGoals = [...goalsReached].filter(([, r]) => !r).map(([g]) => g);
  if (neverFired.length) problems.push(`action(s) never fired in any CI configuration: ${neverFired.join(', ')}`);
  if (unreachedGoals.length) problems.push(`sometimes goal(s) never reached in any CI configuration: ${unreachedGoals.join(', ')}`);
  const mutants: MutantOutcome[] = [];
  const ids = (model.def.mutants ?? []).map((m) => m.id);
  if (ids.length === 0) problems.push('declares no mutants: nothing shows that its properties can fail');
  for (const id of ids) mutants.push(await runMutant(model, id, {}, search));
  let goldenUpdated = false;
  if (updateGolden && configs.every((c) => c.verdict === 'ok')) {
    const changed = JSON.stringify(golden) !== JSON.stringify(newGolden);
    if (changed) {
      if (!model.def.goldenFile) problems.push('cannot record golden figures: the model declares no goldenFile');
      else {
        try { writeGolden(model.def.goldenFile, newGolden); goldenUpdated = true; } catch (e) {
          // A file that cannot be written is the check's problem to state, never an internal error.
          const code = (e as { code?: unknown }).code;
          problems.push(`cannot record golden figures in ${model.def.goldenFile}: ${(e as Error).message}${typeof code === 'string' && !(e as Error).message.includes(code) ? ` (${code})` : ''}`);
        }
      }
    }
    for (const c of configs) c.golden = newGolden[c.name] ?? null;
  }
  const ok = problems.length === 0 && configs.every((c) => c.ok) && mutants.every((m) => m.verdict === 'killed');
  return { model: model.name, configs, mutants, neverFired, unreachedGoals, problems, goldenUpdated, goldenFile: model.def.goldenFile ?? null, ok, seconds: (performance.now() - t0) / 1000 };
}

// ---------- reports ----------

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JUnit XML: one test case per model × configuration and per mutant, plus one for coverage and goals. */
export function junitXml(checks: ModelCheck[]): string {
  const suites = checks.map((m) => {
    const cases: string[] = [];
    const tc = (cls: string, name: string, secs: number, failure: string | null): void => {
      cases.push(`    <testcase classname="${esc(cls)}" name="${esc(name)}" time="${secs.toFixed(3)}">${failure === null ? '' : `\n      <failure message="${esc(failure.split('\n')[0]!)}">${esc(failure)}</failure>\n    `}</testcase>`);
    };
    for (const c of m.configs) tc(`${m.model}.config`, c.name, c.seconds, c.ok ? null : c.problems.join('\n'));
    for (const x of m.mutants) tc(`${m.model}.mutant`, x.id, x.seconds, x.verdict === 'killed' ? null : `${x.id} ${x.verdict}: ${x.message ?? ''}`);
    tc(`${m.model}.model`, 'coverage-goals-mutants', 0, m.problems.length ? m.problems.join('\n') : null);
    const failures = cases.filter((c) => c.includes('<failure')).length;
    return `  <testsuite name="mc.${esc(m.model)}" tests="${cases.length}" failures="${failures}" errors="0" time="${m.seconds.toFixed(3)}">\n${cases.join('\n')}\n  </testsuite>`;
  });
  const tests = checks.reduce((a, m) => a + m.configs.length + m.mutants.length + 1, 0);
  const failures = (suites.join('').match(/<failure /g) ?? []).length;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="mc check" tests="${tests}" failures="${failures}">\n${suites.join('\n')}\n</testsuites>\n`;
}

/**
 * A label as Mermaid text, for any actor or action name. In a sequence diagram ';' ends a statement,
 * '#' starts an entity code, '%%' starts a comment or a directive, a label starting 'wrap:' loses that
 * word, a line 'style...:...#...;' loses its last ';', '<' and '&' are HTML to the renderer, the label
 * is trimmed, and three backquotes end the Markdown fence around the diagram. So '#', ';', ':', '<',
 * '>', '&', '%' and '`', the four characters Mermaid marks its own entity codes with (°, ¶, ß, ﬂ),
 * control characters and a leading or trailing space become numeric entity codes (';' → '#59;'), which
 * Mermaid turns back into the characters when it renders. Every other character is kept as it is.
 */
export function mermaidText(s: string): string {
  return s.replace(/[#;:<>&%`\u00b0\u00b6\u00df\ufb02\u0000-\u001f\u007f]|^\s|\s$/g, (c) => `#${c.codePointAt(0)};`);
}

/**
 * A Mermaid sequence diagram of a trace: one participant per distinct actor (named A1, A2, ... with the
 * actor as its label, so any actor name is safe), one self-message per step. For a lasso the steps of
 * the cycle sit in a `loop` block; a stuttering cycle (a state that repeats forever) is a note.
 */
export function mermaid(actors: readonly string[], steps: readonly TraceStep[], lasso: { loopStart?: number | null; stutter?: boolean } = {}): string {
  const acting = new Set(steps.flatMap((s) => (s.actor === null ? [] : [s.actor])));
  const listed = [...new Set(actors)];
  let shown = [...listed.filter((a) => acting.has(a)), ...[...acting].filter((a) => !listed.includes(a))];
  if (shown.length === 0) shown = listed; // no step acts: the initial state's note still needs a lifeline
  const id = new Map(shown.map((a, i) => [a, `A${i + 1}`]));
  const span = shown.length === 0 ? null : `${id.get(shown[0]!)}${shown.length > 1 ? `,${id.get(shown[shown.length - 1]!)}` : ''}`;
  const lines = ['sequenceDiagram'];
  for (const a of shown) lines.push(`  participant ${id.get(a)} as ${mermaidText(a)}`);
  const loopStart = lasso.loopStart ?? null, last = steps.length === 0 ? 0 : steps[steps.length - 1]!.step;
  const cycle = loopStart !== null && !lasso.stutter && loopStart < last;
  for (const s of steps) {
    const indent = cycle && s.step > loopStart ? '    ' : '  ';
    if (s.action === null || s.actor === null) {
      if (span) lines.push(`${indent}Note over ${span}: ${s.step}. ${mermaidText(s.action ?? 'initial state')}`);
    } else {
      const changes = s.changes.map((c) => `${c.field}=${c.to}`).join(', ');
      lines.push(`${indent}${id.get(s.actor)}->>${id.get(s.actor)}: ${s.step}. ${mermaidText(`${s.action}${changes ? ` (${changes})` : ''}`)}`);
    }
    if (loopStart !== null && s.step === loopStart) {
      const range = loopStart + 1 === last ? `step ${last}` : `steps ${loopStart + 1}..${last}`;
      if (cycle) lines.push(`  loop ${mermaidText(`cycle of ${range}, repeating forever (back to the state of step ${loopStart})`)}`);
      else if (lasso.stutter && span) lines.push(`  Note over ${span}: ${mermaidText(`the state of step ${loopStart} repeats forever (no action under fairness is enabled there)`)}`);
    }
  }
  if (cycle) lines.push('  end');
  return lines.join('\n');
}

export function markdownSummary(checks: ModelCheck[]): string {
  const out: string[] = ['# mc check', ''];
  out.push('| model | configurations | mutants killed | verdict | time |', '|---|---|---|---|---|');
  for (const m of checks) out.push(`| ${m.model} | ${m.configs.filter((c) => c.ok).length}/${m.configs.length} ok | ${m.mutants.filter((x) => x.verdict === 'killed').length}/${m.mutants.length} | ${m.ok ? 'pass' : '**FAIL**'} | ${m.seconds.toFixed(1)} s |`);
  for (const m of checks) {
    out.push('', `## ${m.model}`, '', '| configuration | distinct | generated | depth | golden | result |', '|---|---|---|---|---|---|');
    for (const c of m.configs) out.push(`| ${c.name} | ${c.figures.distinct} | ${c.figures.generated} | ${c.figures.depth} | ${c.golden ? `${c.golden.distinct}/${c.golden.generated}/${c.golden.depth}` : '-'} | ${c.ok ? 'ok' : c.problems.join('; ')} |`);
    for (const p of m.problems) out.push('', `- **${p}**`);
    out.push('', '| mutant | must be killed by | fired | trace | verdict |', '|---|---|---|---|---|');
    for (const x of m.mutants) out.push(`| ${x.id} | ${x.expected.join(' \\| ')} | ${x.fired ?? '-'} | ${x.traceLength ?? '-'} | ${x.verdict} |`);
    for (const c of m.configs) if (c.violation) out.push('', `### ${c.name}: ${c.violation.property} violated`, '', '```mermaid', mermaid(c.actors, c.violation.trace, c.violation), '```');
    for (const x of m.mutants) if (x.trace) out.push('', `### ${x.id}: killed by ${x.fired} in ${x.traceLength} states`, '', '```mermaid', mermaid(x.actors ?? [], x.trace.steps, x.trace), '```');
  }
  return `${out.join('\n')}\n`;
}
