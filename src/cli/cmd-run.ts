// mc run: one model (its parameters and mutant, from the command line), searched through assembleRun
// (src/run.ts); the report as text, JSON or JSON Lines, and the counterexample for mc replay.
import type { Model } from '../explorer/model.js';
import type { Progress } from '../explorer/search.js';
import { assembleRun, type AssembledRun } from '../run.js';
import { renderRun, SCHEMA, traceFile } from './render.js';
import { checkOutputFile, err, EXIT, jsonDoc, out, withWriteFailure, writeOutput } from './output.js';
import { givenParams, interruptFlag, progressPrinter, type RunOpts } from './options.js';

export async function cmdRun(model: Model, o: RunOpts & Record<string, unknown>): Promise<number> {
  const progress = o.progress ?? (process.stderr.isTTY && !o.json && !o.jsonl);
  const text = progressPrinter(!!progress);
  // With --jsonl, progress as JSON Lines on stdout every 2 s (and on stderr as text too, if asked for).
  const onProgress = o.jsonl ? (p: Progress): void => { out(jsonDoc({ schema: SCHEMA.progress, ...p })); text(p); } : text;
  if (o.traceOut !== undefined) checkOutputFile('--trace-out', o.traceOut);
  const intr = interruptFlag();
  let run: AssembledRun;
  try {
    run = await assembleRun(model, {
      params: givenParams(model, o) as Record<string, string>, mutant: o.mutant ?? null, strategy: o.strategy, seed: o.seed, walks: o.walks,
      workers: o.workers, ...(o.parallelFrom !== undefined ? { parallelFrom: o.parallelFrom } : {}),
      ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}), ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
      ...(o.maxMemory !== undefined ? { maxMemory: o.maxMemory } : {}), ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
      exact: !!o.exact, liveness: o.liveness !== false, symmetry: o.symmetry !== false, ...(o.symmetryAudit ? { symmetryAudit: o.symmetryAudit } : {}), continue: !!o.continue, debug: !!o.debug, signal: intr.signal, onProgress,
    });
  } finally { intr.dispose(); }
  const { compiled: c, result: r, doc } = run;
  for (const note of r.notes) err(`mc: note: ${note}\n`);
  if (progress && process.stderr.isTTY) err('\n');
  let trace: string | null = null;
  if (o.traceOut !== undefined) {
    const steps = r.violations[0]?.trace ?? r.error?.trace;
    if (steps && steps.length) trace = `${JSON.stringify(traceFile(c, r.violations[0]?.property ?? null, steps, r.violations[0]?.loopStart ?? null), null, 2)}\n`;
    else err(`mc: no counterexample to write to ${o.traceOut} (verdict ${r.verdict})\n`);
  }
  out(o.json || o.jsonl ? jsonDoc(doc) : renderRun(c, r));
  if (r.error?.stack) err(`mc: --debug: the model's code threw (${r.error.message}):\n${r.error.stack}\n`);
  const wrote = trace === null || writeOutput('--trace-out', o.traceOut!, trace, `${r.error ? 'the trace to the model error' : 'the counterexample'} is in the report printed above`);
  return withWriteFailure(r.verdict === 'ok' ? EXIT.ok : r.verdict === 'violation' ? EXIT.violation : r.verdict === 'incomplete' ? EXIT.incomplete : EXIT.model, wrote);
}
