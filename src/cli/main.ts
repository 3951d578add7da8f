#!/usr/bin/env node
// The `mc` command line. Exit codes (design.md section 5):
//   0 ok, 1 violation, 2 usage error, 3 model error, 4 incomplete, 5 gate failure.
import { accessSync, constants as fsConstants, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { builtinModels } from '../models/index.js';
import { compileModel, kebab, ModelError, mutantById, resolveParams, stepAction, UsageError, type CompiledModel, type Model } from '../explorer/model.js';
import type { Progress, SearchOptions, Strategy } from '../explorer/search.js';
import { assembleRun, MAX_WORKERS, type AssembledRun } from '../run.js';
import { applyAction, asModelError, firstDifference, thrownStack } from '../explorer/trace.js';
import { didYouMean } from '../explorer/validate.js';
import { encodeState, DomainError } from '../explorer/schema.js';
import { loadModel, looksLikePath } from './load.js';
import { modelDoc, paramDoc, renderCheck, renderList, renderMatrix, renderMutate, renderRun, renderShow, SCHEMA, traceFile } from './render.js';
import type { MutantOutcome } from './mutation.js';
import { junitXml, markdownSummary, type ModelCheck } from './check.js';
import { checkModelSupervised, runMutations } from '../supervisor/jobs.js';
import { prewarm } from '../supervisor/supervise.js';
import { defaultMemoryBudget } from '../explorer/memory.js';

export const EXIT = { ok: 0, violation: 1, usage: 2, model: 3, incomplete: 4, gate: 5 } as const;

let jsonMode = false;
/** --jsonl: every JSON document goes on one line (JSON Lines), so progress lines and the result can be read line by line. */
let jsonLines = false;
let debugMode = false;
/** A JSON document on stdout: indented, or on one line with --jsonl (JSON Lines). */
const jsonDoc = (doc: unknown): string => `${jsonLines ? JSON.stringify(doc) : JSON.stringify(doc, null, 2)}\n`;

const out = (s: string): void => { process.stdout.write(s); };
// A reader that goes away (mc run ... | head) is not an error worth a stack trace.
process.stdout.on('error', (e: NodeJS.ErrnoException) => { if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0); else throw e; });
const err = (s: string): void => { process.stderr.write(s); };

// ---------- option parsers ----------

const natural = (name: string) => (v: string): number => {
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v)) || Number(v) < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
  return Number(v);
};
const workerCount = (v: string): number => {
  if (v === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 1 || n > MAX_WORKERS) throw new InvalidArgumentError(`--workers must be 'auto' or a whole number from 1 to ${MAX_WORKERS}, got '${v}'`);
  return n;
};
const seconds = (v: string): number => {
  const x = Number(v);
  if (!/^\d+(\.\d+)?$/.test(v) || !(x > 0)) throw new InvalidArgumentError(`--max-seconds must be a positive number of seconds, got '${v}'`);
  return x;
};
const seedParser = (v: string): number => {
  if (!/^\d+$/.test(v) || Number(v) > 0xffffffff) throw new InvalidArgumentError(`--seed must be an integer 0..4294967295, got '${v}'`);
  return Number(v);
};

/** Options that take a value, so the pre-scan can skip their values while looking for the model argument. */
const VALUE_OPTIONS = new Set(['--mutant', '--strategy', '--seed', '--walks', '--workers', '--parallel-from', '--max-states', '--max-seconds', '--max-memory', '--max-depth', '--trace-out']);

/**
 * The model named on the command line of `run`, `mutate` or `show`, found before commander parses so its params
 * become flags. Those flags are not known yet, so a parameter's value before the model (`--slots 4 ring`) looks
 * like a positional argument too: the model is the first one that names a built-in model or a file, else the first.
 */
function modelArgument(argv: string[]): { command: string; model: string; index: number } | null {
  const command = argv[2];
  if (command !== 'run' && command !== 'mutate' && command !== 'show') return null;
  const positionals: number[] = [];
  for (let i = 3; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') { if (argv[i + 1]) positionals.push(i + 1); break; }
    if (a.startsWith('-')) { if (VALUE_OPTIONS.has(a)) i++; continue; }
    positionals.push(i);
  }
  const index = positionals.find((i) => looksLikePath(argv[i]!) || builtinModels.some((m) => m.name === argv[i])) ?? positionals[0];
  return index === undefined ? null : { command, model: argv[index]!, index };
}

/**
 * `--fixed` alone means `--fixed true`: a boolean parameter's flag gets `=true` when nothing follows it, an option
 * does, or the model argument does (`mc run --fixed ./m.ts`). Anything else after it is its value, which
 * coerceParam checks (so `--fixed maybe` is an error about the value, not a stray argument).
 */
function expandBareBooleans(argv: string[], model: Model, modelIndex: number): string[] {
  const flags = new Set(Object.entries(model.def.params).filter(([, spec]) => spec.type === 'bool').map(([name]) => `--${kebab(name)}`));
  const out = [...argv];
  for (let i = 3; i < argv.length; i++) {
    if (argv[i] === '--') break;
    if (flags.has(argv[i]!) && (i + 1 >= argv.length || argv[i + 1]!.startsWith('-') || i + 1 === modelIndex)) out[i] = `${argv[i]}=true`;
  }
  return out;
}

function addParamOptions(cmd: Command, model: Model): void {
  for (const [name, spec] of Object.entries(model.def.params)) {
    const d = paramDoc(spec);
    const flag = `--${kebab(name)}`;
    const value = d.type === 'int' ? '<n>' : d.type === 'bool' ? '[true|false]' : '<value>';
    const help = `[${model.name}] ${spec.help} (${d.range}${d.type === 'bool' ? `, ${flag} alone: true` : ''}; default ${String(d.default)})`;
    let opt: Option;
    try { opt = new Option(`${flag} ${value}`, help); } catch {
      throw new ModelError(`model '${model.name}': parameter '${name}' cannot be a command-line flag (${flag}); name parameters with letters, digits and _`);
    }
    (opt as Option & { attributeName(): string }).attributeName = () => `param:${name}`;
    // Commander would refuse the second flag with an error that reads as mc's own fault.
    const taken = flag === '--help' ? '--help' : cmd.options.find((o) => o.long === flag)?.flags;
    if (taken) throw new ModelError(`model '${model.name}': parameter '${name}' would be the flag ${flag}, which mc ${cmd.name()} has already (${taken}); rename the parameter`);
    cmd.addOption(opt);
  }
}

function givenParams(model: Model | null, opts: Record<string, unknown>): Record<string, unknown> {
  const given: Record<string, unknown> = {};
  if (!model) return given;
  for (const name of Object.keys(model.def.params)) if (opts[`param:${name}`] !== undefined) given[name] = opts[`param:${name}`];
  return given;
}

// ---------- output files ----------

/** What a failed file operation means, in words, with Node's code. */
function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory', EACCES: 'permission denied', EPERM: 'permission denied', EROFS: 'read-only file system',
    ENOSPC: 'no space left on device', EDQUOT: 'disk quota exceeded', EISDIR: 'it is a directory', ENOTDIR: 'not a directory', EIO: 'input/output error',
  };
  return code && words[code] ? `${words[code]} (${code})` : (e as Error)?.message ?? String(e);
}

/**
 * An output file (--trace-out, --junit, --markdown) that cannot be written is a usage error before the search, not a
 * report lost after it: the file must be writable, or not exist in a directory that does. Nothing is created here.
 */
function checkOutputFile(flag: string, file: string): void {
  const path = resolve(file);
  const bad = (why: string): never => { throw new UsageError(`${flag} '${file}' cannot be written: ${why}`); };
  if (file === '') throw new UsageError(`${flag} needs the name of a file to write`);
  let isDir: boolean | null = null;
  try { isDir = statSync(path).isDirectory(); } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'ENOENT' && (e as NodeJS.ErrnoException).code !== 'ENOTDIR') bad(fsReason(e)); }
  if (isDir) bad('it is a directory (give the name of a file to write)');
  if (isDir === false) { try { accessSync(path, fsConstants.W_OK); } catch (e) { bad(fsReason(e)); } return; }
  // A new file: its directory must exist and be writable. Name the first part of the path that is missing or not a directory.
  let dir = dirname(path);
  let shown = dirname(file);
  for (;;) {
    let st;
    try { st = statSync(dir); } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') { const up = dirname(dir); if (up !== dir) { dir = up; shown = dirname(shown); continue; } }
      bad(fsReason(e));
    }
    if (!st!.isDirectory()) bad(`'${shown}' is a file, not a directory`);
    break;
  }
  if (dir !== dirname(path)) bad(`the directory '${dirname(file)}' does not exist`);
  try { accessSync(dir, fsConstants.W_OK); } catch (e) { bad(`the directory '${dirname(file)}' is not writable: ${fsReason(e)}`); }
}

/** Writes an output file at the end of a command. A failure is stated on stderr (the report is printed all the same); false then. */
function writeOutput(flag: string, file: string, text: string, where: string): boolean {
  try { writeFileSync(file, text); return true; } catch (e) {
    err(`mc: ${flag} '${file}' could not be written: ${fsReason(e)}; ${where}\n`);
    return false;
  }
}

/** The exit code of a command whose output file could not be written: its own if it says something went wrong, else usage (2). */
const withWriteFailure = (code: number, wrote: boolean): number => (wrote || code !== EXIT.ok ? code : EXIT.usage);

// ---------- run ----------

interface RunOpts { workers: number; parallelFrom?: number; liveness?: boolean; mutant?: string; strategy: Strategy; seed: number; walks: number; maxStates?: number; maxSeconds?: number; maxMemory?: number; maxDepth?: number; exact?: boolean; json?: boolean; jsonl?: boolean; traceOut?: string; continue?: boolean; progress?: boolean; debug?: boolean }

function progressPrinter(enabled: boolean): (p: Progress) => void {
  if (!enabled) return () => {};
  const tty = process.stderr.isTTY;
  return (p) => {
    const line = p.phase === 'liveness' ? `  liveness pass over ${Math.round(p.distinct).toLocaleString('en-US')} states · ${(p.memoryBytes / 2 ** 20).toFixed(0)} MiB · ${p.seconds.toFixed(0)} s` : `  ${Math.round(p.distinct).toLocaleString('en-US')} distinct · ${Math.round(p.generated).toLocaleString('en-US')} generated · depth ${p.depth} · frontier ${p.frontier.toLocaleString('en-US')} · ${Math.round(p.distinct / Math.max(p.seconds, 1e-9)).toLocaleString('en-US')} distinct/s · ${(p.memoryBytes / 2 ** 20).toFixed(0)} MiB · ${p.seconds.toFixed(0)} s`;
    err(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

/** Ctrl-C: the first stops the search (statistics so far, exit 4); a second one exits at once. */
function interruptFlag(): { interrupted: () => boolean; signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const onSig = (): void => {
    if (ac.signal.aborted) process.exit(130);
    ac.abort();
    err('\nmc: interrupted; finishing with the statistics so far (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSig);
  process.on('SIGTERM', onSig);
  return { interrupted: () => ac.signal.aborted, signal: ac.signal, dispose: () => { process.off('SIGINT', onSig); process.off('SIGTERM', onSig); } };
}

/** mutate's search options (run's go through assembleRun, with the same meaning). */
function searchOptions(o: RunOpts, progress: boolean): Partial<SearchOptions> {
  return {
    workers: o.workers, ...(o.parallelFrom !== undefined ? { parallelFrom: o.parallelFrom } : {}),
    strategy: o.strategy, seed: o.seed, walks: o.walks, exact: !!o.exact, debug: !!o.debug, liveness: o.liveness !== false,
    ...(o.maxStates ? { maxStates: o.maxStates } : {}), ...(o.maxSeconds ? { maxSeconds: o.maxSeconds } : {}), ...(o.maxMemory ? { maxMemoryBytes: o.maxMemory * 2 ** 20 } : {}), ...(o.maxDepth ? { maxDepth: o.maxDepth } : {}),
    onProgress: progressPrinter(progress),
  };
}

async function cmdRun(model: Model, o: RunOpts & Record<string, unknown>): Promise<number> {
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
      exact: !!o.exact, liveness: o.liveness !== false, continue: !!o.continue, debug: !!o.debug, signal: intr.signal, onProgress,
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

// ---------- mutate ----------

async function cmdMutate(model: Model, o: RunOpts & { auto?: boolean; matrix?: boolean } & Record<string, unknown>): Promise<number> {
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

// ---------- check ----------

async function cmdCheck(names: string[], o: { json?: boolean; junit?: string; markdown?: string; updateGolden?: boolean }): Promise<number> {
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

// ---------- list / show ----------

function docFor(m: Model) {
  let c: CompiledModel | null = null;
  try { c = compileModel(m, resolveParams(m, {})); } catch (e) { if (!(e instanceof ModelError)) throw e; }
  return modelDoc(m, c);
}

// ---------- replay ----------

async function cmdReplay(file: string, o: { json?: boolean; debug?: boolean }): Promise<number> {
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
      const me = asModelError(e, a.name), stack = debugMode ? thrownStack(me) : null;
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

// ---------- program ----------

/** The default memory budget as --help states it. */
const MEMORY_DEFAULT_HELP = `three quarters of this machine's memory or of its cgroup's limit: ${Math.round(defaultMemoryBudget() / 2 ** 20)} MiB here`;

function runOptions(cmd: Command): Command {
  return cmd
    .option('--mutant <id>', 'run a declared mutant instead of the correct model')
    .addOption(new Option('--strategy <name>', 'search strategy: bfs (shortest counterexamples), dfs, random (seeded walks)').choices(['bfs', 'dfs', 'random']).default('bfs'))
    .option('--seed <n>', 'seed of the random strategy', seedParser, 1)
    .option('--walks <n>', 'number of walks of the random strategy (each at most --max-depth steps; there --max-depth defaults to 1000)', natural('--walks'), 100)
    .option('--max-states <n>', 'stop (verdict incomplete) after this many distinct states', natural('--max-states'))
    .option('--max-seconds <s>', 'stop (verdict incomplete) after this many seconds', seconds)
    .option('--max-memory <MiB>', `stop (verdict incomplete) when the whole process (every thread, the model's setup, the liveness pass) uses more resident memory than this (default: ${MEMORY_DEFAULT_HELP})`, natural('--max-memory'))
    .option('--max-depth <d>', 'do not explore beyond this depth (verdict incomplete if deeper states exist)', natural('--max-depth'))
    .option('--workers <n>', "worker threads for the breadth-first search, or 'auto' for one per CPU (results are identical for any number; it pays on models of millions of states, and slows small ones)", workerCount, 1)
    .option('--parallel-from <states>', 'with --workers: search on one thread until a level has this many states, then on all (results are the same either way)', natural('--parallel-from'), 10000)
    .option('--no-liveness', 'skip the liveness pass (no state graph is stored)')
    .option('--exact', 'store full states instead of fingerprints (rules out hash collisions; more memory)')
    .option('--json', 'print one JSON document (schema mc.result/1 or mc.mutate/1) instead of text')
    .option('--progress', 'print progress to stderr every 2 s (default: only when stderr is a terminal)')
    .option('--no-progress', 'never print progress')
    .option('--debug', 'check that actions are deterministic and never write their input; show stack traces');
}

async function main(argv: string[]): Promise<number> {
  jsonLines = argv.includes('--jsonl');
  jsonMode = argv.includes('--json') || jsonLines;
  debugMode = argv.includes('--debug');
  const target = modelArgument(argv);
  // The search thread loads the model meanwhile (src/supervisor/supervise.ts).
  if (target && target.command !== 'show' && !argv.includes('--help') && !argv.includes('-h')) prewarm(target.model);
  const model = target && target.command !== 'show' ? await loadModel(target.model) : null;
  if (model) argv = expandBareBooleans(argv, model, target!.index);

  let code: number = EXIT.ok;
  const program = new Command('mc')
    .description('mc: an explicit-state interleaving model checker\n\nExit codes: 0 ok, 1 property violated, 2 usage error, 3 model error, 4 incomplete (budget or interrupt), 5 gate failure (mutant survived, golden drift)')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run mc --help, or mc <command> --help)')
    .configureOutput({ writeErr: (s) => { if (!jsonMode) err(s); } });

  program.command('list').description('list the built-in models with their parameters, properties and mutants')
    .option('--json', 'print mc.list/1 JSON')
    .action((o: { json?: boolean }) => {
      const docs = builtinModels.map(docFor);
      out(o.json ? jsonDoc({ schema: SCHEMA.list, models: docs }) : renderList(docs));
    });

  program.command('show').description('show one model in full: parameters, actions, properties, mutants, CI configurations')
    .argument('<model>', 'a built-in model name or a path to a model file')
    .option('--json', 'print mc.show/1 JSON')
    .action(async (name: string, o: { json?: boolean }) => {
      const d = docFor(await loadModel(name));
      out(o.json ? jsonDoc({ schema: SCHEMA.show, ...d }) : renderShow(d));
    });

  const run = runOptions(program.command('run').description('explore every interleaving of a model and check its properties'))
    .argument('<model>', 'a built-in model name or a path to a model file (.js, .mjs, .ts)')
    .option('--trace-out <file>', 'write the counterexample (or the trace to a model error) as JSON for mc replay')
    .addOption(new Option('--jsonl', 'print JSON Lines instead of text: an mc.progress/1 line every 2 s while the search runs, then the mc.result/1 document on one line').conflicts('json'))
    .option('--continue', 'go on searching after a violation (as TLC -continue): the whole state space is counted, and every violated property is reported with its first counterexample');
  if (model && target!.command === 'run') addParamOptions(run, model);
  run.action(async (_name: string, o: RunOpts & Record<string, unknown>) => { code = await cmdRun(model!, o); });

  const mutate = runOptions(program.command('mutate').description('run every declared mutant; each must be killed by the property it declares (exit 5 otherwise)'))
    .argument('<model>', 'a built-in model name or a path to a model file')
    .option('--auto', 'also run the automatic mutants (auto:disable:<action>, auto:drop-guard:<action>) and report which properties each kills')
    .option('--matrix', 'print the kill matrix: rows mutants, columns properties (runs each mutant exhaustively)');
  if (model && target!.command === 'mutate') addParamOptions(mutate, model);
  mutate.action(async (_name: string, o: RunOpts & Record<string, unknown>) => { code = await cmdMutate(model!, o); });

  program.command('check').description('the CI gate: CI configurations against golden figures, declared mutants, action coverage, reachability goals (exit 0 or 5)')
    .argument('[models...]', 'models to check (default: every built-in model)')
    .option('--json', 'print mc.check/1 JSON')
    .option('--junit <file>', 'write JUnit XML (one test case per model × configuration and per mutant)')
    .option('--markdown <file>', 'write a Markdown summary with Mermaid sequence diagrams of the counterexamples')
    .option('--update-golden', 'record the figures of passing configurations as the new golden figures (rewrites golden.json)')
    .action(async (names: string[], o: { json?: boolean; junit?: string; markdown?: string; updateGolden?: boolean }) => { code = await cmdCheck(names, o); });

  program.command('replay').description('re-execute a trace written by --trace-out; reports the first step that no longer applies')
    .argument('<trace.json>')
    .option('--json', 'print mc.replay/1 JSON')
    .option('--debug', "show the stack trace where the model's code throws")
    .action(async (file: string, o: { json?: boolean; debug?: boolean }) => { code = await cmdReplay(file, o); });

  if (argv.length <= 2) { out(program.helpInformation()); return EXIT.usage; }
  await program.parseAsync(argv);
  return code;
}

function fail(code: number, message: string, e?: unknown): number {
  if (jsonMode) out(jsonDoc({ schema: SCHEMA.error, exitCode: code, error: message }));
  err(`mc: ${message}\n`);
  if (debugMode) {
    // The model's own frames when its code threw (and the causes it gave); else where mc raised the error.
    const thrown = thrownStack(e);
    const stack = thrown ?? (e instanceof Error ? e.stack : null);
    if (stack) err(`${thrown ? "mc: --debug: the model's code threw:\n" : ''}${stack}\n`);
  }
  return code;
}

// If the event loop empties before the command settles (a bug: something awaited that nothing will
// resolve), Node would exit with status 0 and no output: a silent pass. Fail loudly instead.
let settled = false;
process.on('beforeExit', () => {
  if (settled) return;
  settled = true;
  process.exitCode = fail(EXIT.model, 'internal error: mc stopped before the command finished (nothing was left to wait for); this is a bug in mc', new Error('event loop emptied'));
});

main(process.argv).finally(() => { settled = true; }).then(
  (code) => { process.exitCode = code; },
  (e: unknown) => {
    if (e instanceof CommanderError) {
      // Help and version are not errors; everything else commander rejects is a usage error.
      process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
      if (jsonMode && process.exitCode !== EXIT.ok) out(jsonDoc({ schema: SCHEMA.error, exitCode: EXIT.usage, error: e.message }));
      return;
    }
    if (e instanceof UsageError) { process.exitCode = fail(EXIT.usage, e.message, e); return; }
    if (e instanceof ModelError || e instanceof DomainError) { process.exitCode = fail(EXIT.model, `model error: ${e.message}`, e); return; }
    process.exitCode = fail(EXIT.model, `internal error: ${(e as Error)?.message ?? String(e)}${debugMode ? '' : ' (run with --debug for the stack trace)'}`, e);
  },
);
