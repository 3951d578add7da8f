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
    const r = await explore(c, { ...search, stopOn: 'first' });
    const figures = { distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth };
    const g = golden[cfg.name] ?? null;
    const cp: string[] = [];
    if (r.verdict === 'violation') cp.push(`${r.violations[0]!.property} is violated`);
    if (r.verdict === 'error') cp.push(`model error: ${r.error!.message}`);
    if (r.verdict === 'incomplete') cp.push(`incomplete (${r.incompleteReason})`);
    for (const l of r.liveness) if (l.status === 'not-checked') cp.push(`liveness ${l.name} not checked: ${l.reason}`);
    if (r.verdict === 'ok') {
      if (updateGolden) newGolden[cfg.name] = figures;
      else if (!g) cp.push(`no golden figures recorded (run mc check ${model.name} --update-golden after a trusted run)`);
      else if (g.distinct !== figures.distinct || g.generated !== figures.generated || g.depth !== figures.depth) {
        cp.push(`golden figures drifted: distinct/generated/depth were ${g.distinct}/${g.generated}/${g.depth}, now ${figures.distinct}/${figures.generated}/${figures.depth}`);
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
      else { writeGolden(model.def.goldenFile, newGolden); goldenUpdated = true; }
    }
    for (const c of configs) c.golden = newGolden[c.name] ?? null;
  }
  const ok = problems.length === 0 && configs.every((c) => c.ok) && mutants.every((m) => m.verdict === 'killed');
  return { model: model.name, configs, mutants, neverFired, unreachedGoals, problems, goldenUpdated, ok, seconds: (performance.now() - t0) / 1000 };
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

/** A Mermaid sequence diagram of a trace: one lifeline per actor, one self-message per step. */
export function mermaid(actors: readonly string[], steps: readonly TraceStep[]): string {
  const id = (a: string): string => a.replace(/[^A-Za-z0-9_]/g, '_');
  const text = (s: string): string => s.replace(/[;#:]/g, ' ').replace(/[<>]/g, '').replace(/\s+/g, ' ').trim();
  const lines = ['sequenceDiagram'];
  const used = actors.filter((a) => steps.some((s) => s.actor === a));
  for (const a of used) lines.push(`  participant ${id(a)} as ${text(a)}`);
  for (const s of steps) {
    if (s.action === null) { if (used.length) lines.push(`  Note over ${id(used[0]!)}${used.length > 1 ? `,${id(used[used.length - 1]!)}` : ''}: step 1 initial state`); continue; }
    const changes = s.changes.map((c) => `${c.field}=${c.to}`).join(', ');
    lines.push(`  ${id(s.actor!)}->>${id(s.actor!)}: ${s.step}. ${text(s.action)}${changes ? ` (${text(changes)})` : ''}`);
  }
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
    for (const c of m.configs) if (c.violation) out.push('', `### ${c.name}: ${c.violation.property} violated`, '', '```mermaid', mermaid(c.actors, c.violation.trace), '```');
    for (const x of m.mutants) if (x.trace) out.push('', `### ${x.id}: killed by ${x.fired} in ${x.traceLength} states`, '', '```mermaid', mermaid(x.actors ?? [], x.trace), '```');
  }
  return `${out.join('\n')}\n`;
}
