// mc check: the CI gate over models (every built-in one by default): CI configurations against golden
// figures, declared mutants, action coverage, reachability goals; JUnit XML and Markdown reports.
import { builtinModels } from '../models/index.js';
import { UsageError } from '../explorer/model.js';
import { loadModel } from './load.js';
import { renderCheck, SCHEMA } from './render.js';
import type { MutantOutcome } from './mutation.js';
import { junitXml, markdownSummary, type ModelCheck } from './check.js';
import { checkModelSupervised } from '../supervisor/jobs.js';
import { checkOutputFile, err, EXIT, jsonDoc, out, withWriteFailure, writeOutput } from './output.js';
import { interruptFlag } from './options.js';

export async function cmdCheck(names: string[], o: { json?: boolean; junit?: string; markdown?: string; updateGolden?: boolean }): Promise<number> {
  if (o.junit !== undefined) checkOutputFile('--junit', o.junit);
  if (o.markdown !== undefined) checkOutputFile('--markdown', o.markdown);
  const models = names.length ? await Promise.all(names.map(loadModel)) : [...builtinModels];
  if (models.length === 0) throw new UsageError('no models to check');
  const intr = interruptFlag();
  const checks: ModelCheck[] = [];
  try {
    for (const m of models) {
      if (intr.interrupted()) break;
      if (!o.json && process.stderr.isTTY) err(`mc check: ${m.name} ...\n`);
      checks.push(await checkModelSupervised(m, { progressEveryMs: Infinity }, !!o.updateGolden, intr.signal));
    }
  } finally { intr.dispose(); }
  const ok = checks.length === models.length && checks.every((c) => c.ok);
  if (o.json) {
    const strip = ({ trace: _t, actors: _a, stack: _s, ...rest }: MutantOutcome) => rest;
    const doc = checks.map((c) => ({ ...c, configs: c.configs.map(({ violation, actors: _a, ...rest }) => ({ ...rest, violation: violation ? { property: violation.property, traceLength: violation.trace.length } : null })), mutants: c.mutants.map(strip) }));
    out(jsonDoc({ schema: SCHEMA.check, verdict: ok ? 'ok' : 'gate-failure', models: doc }));
  } else out(renderCheck(checks, ok));
  // Written after the report, so a file that cannot be written at the end does not lose it.
  let wrote = true;
  if (o.junit !== undefined) wrote = writeOutput('--junit', o.junit, junitXml(checks), 'the results are in the report printed above') && wrote;
  if (o.markdown !== undefined) wrote = writeOutput('--markdown', o.markdown, markdownSummary(checks), 'the results are in the report printed above') && wrote;
  if (intr.interrupted()) return EXIT.incomplete;
  return withWriteFailure(ok ? EXIT.ok : EXIT.gate, wrote);
}
