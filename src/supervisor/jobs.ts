// mc mutate's and mc check's searches, supervised as mc run's are (run.ts): on a search thread when the
// model can be loaded there, so that Ctrl-C, --max-seconds and the memory budget stop them even when
// model code does not return; on this thread otherwise.
import type { Model } from '../explorer/model.js';
import { defaultMemoryBudget } from '../explorer/memory.js';
import type { SearchOptions } from '../explorer/search.js';
import { mutationMatrix, runMutant, type MatrixReport, type MutantOutcome } from '../cli/mutation.js';
import { checkModel, type ModelCheck } from '../cli/check.js';
import type { PlainSearchOptions } from './protocol.js';
import { searchThreadAvailable, supervise, type Stopped } from './supervise.js';

/** A search's options that can cross threads (its callbacks stay here). */
function plain(search: Partial<SearchOptions>): PlainSearchOptions {
  const { interrupted: _i, onProgress: _p, spawnWorker: _s, supervision: _v, stopOn: _o, ...rest } = search;
  return rest;
}

const modelRef = (m: Model): string | null => (m.source === undefined || !searchThreadAvailable() ? null : m.source === 'builtin' ? m.name : m.source);

export interface Mutations { outcomes: MutantOutcome[]; matrix: MatrixReport | null; stopped: Stopped | null }

/**
 * mc mutate's runs: the declared mutants `ids` one by one (until `signal` is aborted), or with `matrix`
 * every declared mutant (and with `auto` every automatic one) exhaustively, with the kill matrix. A run
 * whose thread had to be stopped is a row with verdict 'incomplete', and `stopped` says why.
 */
export async function runMutations(model: Model, given: Record<string, unknown>, search: Partial<SearchOptions>, plan: { ids: readonly string[]; matrix: boolean; auto: boolean }, onRow: (o: MutantOutcome) => void, signal: AbortSignal): Promise<Mutations> {
  const maxMemoryBytes = search.maxMemoryBytes ?? defaultMemoryBudget();
  const ref = modelRef(model);
  if (ref === null) {
    const s = { ...search, maxMemoryBytes, interrupted: () => signal.aborted };
    if (plan.matrix) { const r = await mutationMatrix(model, given, s, plan.auto, onRow); return { ...r, stopped: null }; }
    const outcomes: MutantOutcome[] = [];
    for (const id of plan.ids) { if (signal.aborted) break; const r = await runMutant(model, id, given, s); outcomes.push(r); onRow(r); }
    return { outcomes, matrix: null, stopped: null };
  }
  const rows: MutantOutcome[] = [];
  const out = await supervise<{ outcomes: MutantOutcome[]; matrix: MatrixReport | null }>(
    { kind: 'mutate', modelRef: ref, given, search: { ...plain(search), maxMemoryBytes }, ids: plan.ids, matrix: plan.matrix, auto: plan.auto },
    { maxMemoryBytes, signal, ...(search.maxSeconds !== undefined ? { maxSeconds: search.maxSeconds } : {}), onRow: (r) => { rows.push(r); onRow(r); } },
  );
  if (out.done) return { ...out.done, stopped: null };
  const s = out.stopped, mutant = s.run?.info.mutant ?? null;
  // The mutant whose run was stopped (none if it was the correct model's, or a setup).
  if (mutant !== null && s.phase !== 'setup' && !rows.some((r) => r.id === mutant)) {
    const declared = model.def.mutants?.find((m) => m.id === mutant);
    const row: MutantOutcome = {
      id: mutant, expected: [...(declared?.kills ?? [])], fired: null, alsoFired: [], traceLength: null, verdict: 'incomplete',
      params: { ...s.run!.info.params }, distinct: s.counts.distinct, seconds: s.seconds, discarded: 0, message: s.stuck.message,
    };
    rows.push(row); onRow(row);
  }
  return { outcomes: rows, matrix: null, stopped: s };
}

/** mc check of one model (see checkModel); a check whose thread had to be stopped fails with a problem saying why. */
export async function checkModelSupervised(model: Model, search: Partial<SearchOptions>, updateGolden: boolean, signal: AbortSignal): Promise<ModelCheck> {
  const maxMemoryBytes = search.maxMemoryBytes ?? defaultMemoryBudget();
  const ref = modelRef(model);
  if (ref === null) return checkModel(model, { ...search, maxMemoryBytes, interrupted: () => signal.aborted }, updateGolden);
  const t0 = performance.now();
  const out = await supervise<ModelCheck>({ kind: 'check', modelRef: ref, search: { ...plain(search), maxMemoryBytes }, updateGolden }, { maxMemoryBytes, signal });
  if (out.done) return out.done;
  return { model: model.name, configs: [], mutants: [], neverFired: [], unreachedGoals: [], problems: [`stopped (${out.stopped.reason}): ${out.stopped.stuck.message}`], goldenUpdated: false, goldenFile: model.def.goldenFile ?? null, ok: false, seconds: (performance.now() - t0) / 1000 };
}
