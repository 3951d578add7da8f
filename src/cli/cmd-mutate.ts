// mc mutate: every declared mutant (and with --auto the automatic ones) must be killed by the property
// it declares; with --matrix, which properties kill which mutants.
import { mutantById, type Model } from '../explorer/model.js';
import { renderMatrix, renderMutate, SCHEMA } from './render.js';
import type { MutantOutcome } from './mutation.js';
import { runMutations } from '../supervisor/jobs.js';
import { err, EXIT, jsonDoc, out } from './output.js';
import { givenParams, interruptFlag, searchOptions, type RunOpts } from './options.js';

export async function cmdMutate(model: Model, o: RunOpts & { auto?: boolean; matrix?: boolean } & Record<string, unknown>): Promise<number> {
  const ids = (model.def.mutants ?? []).map((m) => m.id).filter((id) => !o.mutant || id === o.mutant);
  if (o.mutant) mutantById(model, o.mutant);
  if (ids.length === 0 && !o.auto) {
    const msg = `model '${model.name}' declares no mutants: nothing shows that its properties can fail (try --auto)`;
    out(o.json ? jsonDoc({ schema: SCHEMA.mutate, model: model.name, mutants: [], verdict: 'gate-failure', message: msg }) : `${msg}\nVerdict: GATE FAILURE\n`);
    return EXIT.gate;
  }
  const intr = interruptFlag();
  const search = searchOptions(o, false);
  const given = givenParams(model, o);
  let rows: MutantOutcome[] = [];
  let matrix = null;
  try {
    const onRow = (row: MutantOutcome): void => { if ((o.auto || o.matrix) && !o.json && process.stderr.isTTY) err(`  ${row.id}: ${row.verdict}\n`); };
    const r = await runMutations(model, given, search, { ids, matrix: !!(o.auto || o.matrix), auto: !!o.auto }, onRow, intr.signal);
    rows = r.outcomes; matrix = r.matrix;
    if (r.stopped) err(`mc: ${r.stopped.stuck.message}\n`);
  } finally { intr.dispose(); }
  // The gate is about declared mutants; automatic ones inform the matrix and the vacuity report.
  const declared = rows.filter((r) => ids.includes(r.id));
  const ok = declared.length === ids.length && declared.every((r) => r.verdict === 'killed');
  if (o.json) {
    const strip = ({ trace: _t, actors: _a, stack: _s, ...rest }: MutantOutcome) => rest;
    out(jsonDoc({ schema: SCHEMA.mutate, model: model.name, mutants: declared.map(strip), ...(o.auto ? { auto: rows.filter((r) => !ids.includes(r.id)).map(strip) } : {}), ...(matrix ? { matrix } : {}), verdict: ok ? 'ok' : 'gate-failure' }));
  } else {
    out(renderMutate(model.name, declared, rows.filter((r) => !ids.includes(r.id))));
    if (matrix) out(`\n${renderMatrix(model.name, matrix)}`);
  }
  for (const r of rows) if (r.stack) err(`mc: --debug: mutant ${r.id}: the model's code threw (${r.message}):\n${r.stack}\n`);
  if (intr.interrupted()) return EXIT.incomplete;
  return ok ? EXIT.ok : EXIT.gate;
}
