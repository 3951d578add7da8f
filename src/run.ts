// One run of a model, assembled as `mc run` does it: the mutant and the parameters it declares, the
// parameters, compilation, the search, the declared kill reported first, and the mc.result/1 document.
// `mc run` renders what this returns; `runModel` is the same run for code (a test in any runner).
// A model that can be loaded by its file or built-in name runs on a search thread, supervised
// (src/supervisor): Ctrl-C (the signal), the time budget and the memory budget stop it even when its
// model code does not return, and the memory budget counts the whole process, the model's setup too.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { validateModel } from './explorer/validate.js';
import { compileModel, killSet, mutantById, resolveParams, UsageError, type CompiledModel, type Model } from './explorer/model.js';
import { explore, type Progress, type SearchOptions, type SearchResult, type Strategy } from './explorer/search.js';
import { loadModel } from './cli/load.js';
import { resultDoc, type RunInfo } from './cli/render.js';
import { collisionProbability } from './explorer/fingerprint.js';
import { defaultMemoryBudget } from './explorer/memory.js';
import type { Supervision } from './explorer/search.js';
import { searchThreadAvailable, supervise, type Stopped } from './supervisor/supervise.js';

/** The options of `mc run`, by the same names (camelCase); each has the same default. */
export interface RunModelOptions {
  /** Model parameters by name (`{ slots: 4 }`); the rest take their defaults. Out of range: a UsageError. */
  readonly params?: Readonly<Record<string, number | string | boolean>>;
  /** A declared mutant (checked in the parameters it declares, unless `params` overrides one), or an automatic one (`auto:disable:K.Copy`). */
  readonly mutant?: string | null;
  readonly strategy?: Strategy;
  /** Random walks: the seed (default 1) and the number of walks (default 100). */
  readonly seed?: number;
  readonly walks?: number;
  /** Worker threads for the breadth-first search (default 1; 'auto': one per CPU). They load the model by its file or built-in name. */
  readonly workers?: number | 'auto';
  /** With workers: search on one thread until a level has this many states (default 10,000). */
  readonly parallelFrom?: number;
  /**
   * Budgets: the verdict is 'incomplete' when one stops the run. maxMemory is in MiB, as --max-memory: the
   * resident size of the whole process, by default three quarters of the machine's memory (defaultMemoryBudget).
   */
  readonly maxStates?: number;
  readonly maxSeconds?: number;
  readonly maxMemory?: number;
  readonly maxDepth?: number;
  /** Store full states instead of fingerprints. */
  readonly exact?: boolean;
  /** false: skip the liveness pass (--no-liveness). */
  readonly liveness?: boolean;
  /** false: search every state, not one per orbit of the scalarsets the model declares (--no-symmetry). */
  readonly symmetry?: boolean;
  /** How symmetry is audited: 'quick' (default) or 'full' (--symmetry-audit; see symmetry-audit.ts). */
  readonly symmetryAudit?: 'quick' | 'full';
  /** Go on after a violation (--continue). */
  readonly continue?: boolean;
  /** Check that actions never write their input and are deterministic (--debug). */
  readonly debug?: boolean;
  /** Stops the search (verdict 'incomplete', reason 'interrupted') when aborted, as Ctrl-C does. */
  readonly signal?: AbortSignal;
  /** Called every 2 s while the search runs (what --progress prints). */
  readonly onProgress?: (p: Progress) => void;
}

/** The mc.result/1 document: what `mc run --json` prints. */
export type RunResult = ReturnType<typeof resultDoc>;

/** A run as `mc run` renders it: what it needs of the compiled model, the search result, and the document built from them. */
export interface AssembledRun { readonly compiled: RunInfo; readonly result: SearchResult; readonly doc: RunResult }

/** More workers than this is surely a typo: each is a thread with a JavaScript heap of its own (tens of MiB). */
export const MAX_WORKERS = 256;

const OPTION_NAMES = new Set(['params', 'mutant', 'strategy', 'seed', 'walks', 'workers', 'parallelFrom', 'maxStates', 'maxSeconds', 'maxMemory', 'maxDepth', 'exact', 'liveness', 'symmetry', 'symmetryAudit', 'continue', 'debug', 'signal', 'onProgress']);

/**
 * Checks a model the way `mc run --json` does and returns its mc.result/1 document. `model` is a Model
 * (`defineModel(...)`), a built-in model's name, or the path of a model file (relative to the working directory).
 * Where `mc run` exits 2 (an unknown model, mutant or option, a parameter out of range) this throws a
 * UsageError; where it exits 3 with no result (a model file that does not load or compile) a ModelError.
 * A model error during the search is a document with verdict 'error', as `mc run --json` prints it.
 */
export async function runModel(model: Model | string, options: RunModelOptions = {}): Promise<RunResult> {
  checkOptions(options);
  const m = typeof model === 'string' ? await loadModel(model) : model;
  return (await assembleRun(m, options)).doc;
}

/**
 * The one place a run is assembled (mc run and runModel): options are taken as checked. On a search thread,
 * supervised, when the model can be loaded there (by its file or built-in name); here otherwise (a model
 * object made in the caller's code, or mc run from its TypeScript sources), where only a search that
 * returns to its loop can be stopped.
 */
export async function assembleRun(model: Model, o: RunModelOptions): Promise<AssembledRun> {
  const maxMemory = o.maxMemory ?? defaultMemoryBudget() / 2 ** 20;
  if (model.source === undefined || !searchThreadAvailable()) return assembleRunHere(model, { ...o, maxMemory });
  const modelRef = model.source === 'builtin' ? model.name : model.source;
  const { signal, onProgress, ...plain } = o;
  const out = await supervise<{ info: RunInfo; result: SearchResult; doc: RunResult }>(
    { kind: 'run', modelRef, options: { ...plain, maxMemory } },
    { maxMemoryBytes: maxMemory * 2 ** 20, ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}), ...(signal ? { signal } : {}), ...(onProgress ? { onProgress } : {}) },
  );
  if (out.done) return { compiled: out.done.info, result: out.done.result, doc: out.done.doc };
  const info: RunInfo = out.stopped.run?.info ?? { model: { name: model.name, ...(model.source !== 'builtin' ? { source: model.source } : {}) }, params: { ...(o.params ?? {}) }, mutant: o.mutant ?? null, invariants: [], steps: [], deadlock: 'allowed' };
  const result = stoppedResult(out.stopped, o);
  return { compiled: info, result, doc: resultDoc(info, result) };
}

/** The result of a run whose thread was stopped: its counts so far, incomplete, with what did not return. */
function stoppedResult(s: Stopped, o: RunModelOptions): SearchResult {
  const { distinct, generated, depth } = s.counts;
  const secs = s.seconds;
  return {
    verdict: 'incomplete', incompleteReason: s.reason, incompletePhase: s.phase, stuck: s.stuck, strategy: s.run?.strategy ?? o.strategy ?? 'bfs',
    stats: {
      distinct, generated, depth, seconds: secs, distinctPerSecond: secs > 0 ? distinct / secs : 0, generatedPerSecond: secs > 0 ? generated / secs : 0,
      peakMemoryBytes: s.peakMemoryBytes, bytesPerState: 0, collisionProbability: o.exact ? 0 : collisionProbability(distinct, generated), exact: !!o.exact,
      workers: s.workers, discarded: 0, edges: 0, livenessGraphBytes: 0, livenessSeconds: 0,
    },
    violations: [], coverage: [], instanceCoverage: [], goals: [], antecedents: [],
    notes: [s.stuck.message],
    liveness: (s.run?.liveness ?? []).map((name) => ({ name, status: 'not-checked' as const, reason: `the run was stopped (${s.reason}) in its ${s.phase === 'liveness' ? 'liveness pass' : s.phase === 'setup' ? 'setup' : 'safety search'}` })),
  };
}

/** assembleRun on this thread; `supervision` when this is a search thread. */
export async function assembleRunHere(model: Model, o: RunModelOptions, supervision: Supervision | null = null): Promise<{ compiled: CompiledModel; result: SearchResult; doc: RunResult }> {
  // The declarations first: a mutant's parameters are read before the model is compiled.
  validateModel(model);
  const mutant = o.mutant ?? null;
  const declared = mutant !== null ? mutantById(model, mutant) : null;
  // A mutant is checked in the configuration it declares unless the caller overrides a parameter.
  const heapBefore = process.memoryUsage().heapUsed;
  const c = compileModel(model, resolveParams(model, { ...(declared?.params ?? {}), ...(o.params ?? {}) }), mutant, { symmetry: o.symmetry !== false, symmetryAudit: o.symmetryAudit ?? 'quick' });
  // What a helper thread will take to compile it too (an estimate: what this thread's heap grew by).
  const modelBytes = Math.max(0, process.memoryUsage().heapUsed - heapBefore);
  // A declared mutant runs until a property it declares fires (as in mc mutate), and that one is reported first;
  // with `continue` every run goes on to the end of the state space.
  const kills = declared && declared.kills.length ? killSet(c, declared.kills) : null;
  const requested = o.workers === 'auto' ? Math.min(availableParallelism(), MAX_WORKERS) : o.workers ?? 1;
  const spawnWorker = workerSpawner(c, !!o.debug);
  const notes: string[] = [];
  if (requested > 1 && spawnWorker === null) {
    notes.push(`ran with 1 worker instead of ${requested}: worker threads load the model from its file, and this model object has none (pass runModel the model file's path, or a built-in model's name)`);
  }
  const signal = o.signal;
  const search: Partial<SearchOptions> = {
    strategy: o.strategy ?? 'bfs', seed: o.seed ?? 1, walks: o.walks ?? 100,
    workers: spawnWorker === null ? 1 : requested, spawnWorker, ...(o.parallelFrom !== undefined ? { parallelFrom: o.parallelFrom } : {}),
    exact: !!o.exact, debug: !!o.debug, liveness: o.liveness !== false, symmetry: o.symmetry !== false,
    ...(o.maxStates !== undefined ? { maxStates: o.maxStates } : {}), ...(o.maxSeconds !== undefined ? { maxSeconds: o.maxSeconds } : {}),
    ...(o.maxMemory !== undefined ? { maxMemoryBytes: o.maxMemory * 2 ** 20 } : {}), ...(o.maxDepth !== undefined ? { maxDepth: o.maxDepth } : {}),
    stopOn: o.continue ? 'never' : kills ?? 'first', modelBytes, supervision,
    ...(signal ? { interrupted: () => signal.aborted } : {}),
    ...(o.onProgress ? { onProgress: o.onProgress } : {}),
  };
  const r = await explore(c, search);
  if (kills) {
    const hit = r.violations.findIndex((v) => kills.has(v.property));
    if (hit > 0) r.violations.unshift(...r.violations.splice(hit, 1));
  }
  r.notes.unshift(...notes);
  return { compiled: c, result: r, doc: resultDoc(c, r) };
}

/**
 * How the engine starts a worker: the worker loads the same model by its file or built-in name, with the same
 * parameters and mutant. Null for a model object that has neither (one made in the caller's code).
 */
function workerSpawner(c: CompiledModel, debug: boolean): (() => Worker) | null {
  const symmetry = c.symmetry !== null, symmetryAudit = c.symmetry?.audit ?? 'quick';
  const source = c.model.source;
  if (source === undefined) return null;
  const modelRef = source === 'builtin' ? c.model.name : source;
  return () => new Worker(new URL('./cli/worker.js', import.meta.url), { workerData: { modelRef, params: c.params, mutant: c.mutant, debug, symmetry, symmetryAudit } });
}

/** runModel's options, checked as mc run's command line checks its flags (a UsageError, exit 2 there). */
function checkOptions(o: RunModelOptions): void {
  if (typeof o !== 'object' || o === null) throw new UsageError('runModel: options must be an object');
  const unknown = Object.keys(o).filter((k) => !OPTION_NAMES.has(k));
  if (unknown.length) throw new UsageError(`runModel: unknown option${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')} (the options are: ${[...OPTION_NAMES].join(', ')})`);
  const positive = (name: keyof RunModelOptions, max = Number.MAX_SAFE_INTEGER): void => {
    const v = o[name];
    if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 1 && (v as number) <= max)) throw new UsageError(`runModel: ${name} must be a whole number from 1${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}, got ${String(v)}`);
  };
  for (const name of ['walks', 'parallelFrom', 'maxStates', 'maxMemory', 'maxDepth'] as const) positive(name);
  if (o.workers !== 'auto') positive('workers', MAX_WORKERS);
  if (o.maxSeconds !== undefined && !(typeof o.maxSeconds === 'number' && o.maxSeconds > 0 && Number.isFinite(o.maxSeconds))) throw new UsageError(`runModel: maxSeconds must be a positive number of seconds, got ${String(o.maxSeconds)}`);
  if (o.seed !== undefined && !(Number.isInteger(o.seed) && o.seed >= 0 && o.seed <= 0xffffffff)) throw new UsageError(`runModel: seed must be an integer 0..4294967295, got ${String(o.seed)}`);
  if (o.strategy !== undefined && !['bfs', 'dfs', 'random'].includes(o.strategy)) throw new UsageError(`runModel: strategy must be 'bfs', 'dfs' or 'random', got ${String(o.strategy)}`);
  if (o.symmetryAudit !== undefined && !['quick', 'full'].includes(o.symmetryAudit)) throw new UsageError(`runModel: symmetryAudit must be 'quick' or 'full', got ${String(o.symmetryAudit)}`);
  if (o.mutant !== undefined && o.mutant !== null && typeof o.mutant !== 'string') throw new UsageError(`runModel: mutant must be a mutant's id, got ${String(o.mutant)}`);
  if (o.params !== undefined && (typeof o.params !== 'object' || o.params === null || Array.isArray(o.params))) throw new UsageError('runModel: params must be an object of parameter values by name');
}
