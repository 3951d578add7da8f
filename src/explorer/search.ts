// The search's entry (explore) and its vocabulary: options, progress, violations, the result.
//
// The strategies are files of their own over the shared engine (engine.ts: the visited-state store
// with parent links, property checking, budgets and progress): bfs.ts (with bfs-parallel.ts over the
// workers of crew.ts and parallel.ts), dfs.ts, random.ts; result.ts assembles the result. Per visited state the
// engine keeps a fingerprint (set), a parent index and an action id; traces are rebuilt by re-executing
// actions from an initial state.
import type { CompiledModel } from './model.js';
import { fingerprintsReady } from './fingerprint.js';
import type { TraceStep } from './trace.js';
import type { PhaseName } from './control.js';
import { Engine } from './engine.js';
import { bfs } from './bfs.js';
import { dfs } from './dfs.js';
import { randomWalks } from './random.js';
import { searchResult } from './result.js';

/** A started worker thread (node:worker_threads' Worker). Opaque here, so that the package's public declarations need no Node types. */
export type WorkerThread = object;

export type Strategy = 'bfs' | 'dfs' | 'random';

export interface SearchOptions {
  strategy: Strategy;
  /** Random walks: the seed, the number of walks and the length of each (maxDepth). */
  seed: number;
  walks: number;
  maxStates: number;
  maxSeconds: number;
  /** Resident memory of the whole process (engine tables, frontier, liveness graph, workers), in bytes. */
  maxMemoryBytes: number;
  maxDepth: number;
  exact: boolean;
  /** Check that actions neither write their input state nor give different successors on a second run. */
  debug: boolean;
  /** Reduce by the scalarsets the model declares (symmetry.ts); false searches every state (--no-symmetry). */
  symmetry: boolean;
  /** Check the model's liveness properties (BFS only; records the state graph). */
  liveness: boolean;
  /** 'first': stop at the first violation; 'never': record the first violation of every property and go on; a set: stop once one of these fires. */
  stopOn: 'first' | 'never' | ReadonlySet<string>;
  /** Polled between chunks of work; returning true stops the run as interrupted. */
  interrupted: () => boolean;
  onProgress: (p: Progress) => void;
  progressEveryMs: number;
  /** Parallel BFS: the number of workers and how to start one (a worker runs serveWorker on the same compiled model). */
  workers: number;
  /** Parallel BFS: search sequentially until a level has this many states (small levels go faster on one thread), then with every worker. */
  parallelFrom: number;
  spawnWorker: (() => WorkerThread) | null;
  /** Bytes a thread takes to load and compile this model (an estimate: the helpers each do), for fitting workers in the memory budget. */
  modelBytes: number;
  /** A supervised run (src/supervisor): the control block shared with the supervising thread, and what the engine tells it. */
  supervision: Supervision | null;
}

/**
 * How a supervising thread follows a search running on another thread (control.ts): the control block
 * (stop requests, which the search reads once per state; its phase and counters), and callbacks that
 * pass it each expander's probe: `started` once per run (with the compiled model, to name what runs),
 * `probe` for each further expander (parallel workers).
 */
export interface Supervision {
  readonly control: SharedArrayBuffer;
  started(c: CompiledModel, probe: SharedArrayBuffer, strategy: Strategy): void;
  probe(probe: SharedArrayBuffer): void;
}

/** Progress every progressEveryMs: the counts so far, and whether the safety search or the liveness pass (after it) is running. */
export interface Progress { distinct: number; generated: number; depth: number; frontier: number; seconds: number; memoryBytes: number; phase: 'safety' | 'liveness' }

export interface Violation {
  readonly property: string;
  readonly kind: 'invariant' | 'step' | 'deadlock' | 'liveness';
  readonly description: string;
  /**
   * Trace to the violating state (BFS: a shortest one); for a step property, to the state the offending step
   * leaves, then that step (its last state is the successor); for liveness a lasso: prefix, then the cycle.
   */
  readonly trace: TraceStep[];
  /** Liveness: the step (1-based) where the cycle begins; the last state loops back to it. Null for a bounded (within K) counterexample. */
  readonly loopStart?: number | null;
  /** Liveness: the cycle is a terminal state repeating forever. */
  readonly stutter?: boolean;
}

export interface ModelErrorInfo {
  readonly message: string;
  readonly action?: string;
  readonly field?: string;
  /** Trace to the state the action ran in (and the bad successor, for a domain error). */
  readonly trace: TraceStep[];
  /** With debug: the stack trace of what the model's code threw (see thrownStack), for mc run --debug to print; not in mc.result/1. */
  readonly stack?: string;
}

export interface StuckReport {
  /** 'action Spin(0) [P0]', 'invariant Safe', 'the model's setup', ...: what did not return. */
  readonly running: string;
  readonly action?: string;
  readonly property?: string;
  /** The state it was given (decoded), when it was given one. */
  readonly state?: Record<string, unknown>;
  /** Seconds the supervisor waited for the search to stop before it stopped the thread. */
  readonly waited: number;
  /** What happened, in a sentence (also the run's note). */
  readonly message: string;
}

export interface ActionCoverage { readonly action: string; readonly actor: string; readonly fired: number }

export interface SearchStats {
  distinct: number;
  generated: number;
  depth: number;
  seconds: number;
  distinctPerSecond: number;
  generatedPerSecond: number;
  peakMemoryBytes: number;
  /** Bytes the engine's own tables use per distinct state (fingerprints, parent links, action ids, frontier). */
  bytesPerState: number;
  collisionProbability: number;
  exact: boolean;
  /** Workers the search actually used. */
  workers: number;
  discarded: number;
  /** Liveness pass: edges stored, bytes of the stored graph, seconds the pass took (0 when no liveness is checked). */
  edges: number;
  livenessGraphBytes: number;
  livenessSeconds: number;
  /**
   * With symmetry (the model declares scalarsets, and --no-symmetry was not given): distinct counts orbit
   * representatives, and represented the states they stand for (the sum of their orbits' sizes): the distinct
   * count of the same search without symmetry. Absent without symmetry, and for random walks.
   */
  represented?: number;
  /** With symmetry: the scalarsets by name with their sizes, and how many permutations the group has. */
  symmetry?: { scalarsets: Record<string, number>; permutations: number };
}

export interface SearchResult {
  verdict: 'ok' | 'violation' | 'incomplete' | 'error';
  /** Why a run is incomplete: 'max-states', 'max-seconds', 'max-memory', 'max-depth', 'interrupted', 'random walks are not exhaustive'. */
  incompleteReason?: string;
  /** Where an incomplete run stopped: setting the model up, the safety search, or the liveness pass (after a complete safety search). */
  incompletePhase?: PhaseName;
  /** A supervised run whose model code did not return when asked to stop: what was running, on which state (see src/supervisor). */
  stuck?: StuckReport;
  strategy: Strategy;
  stats: SearchStats;
  /** First violation of each property, in the order found; violations[0] is the one reported. */
  violations: Violation[];
  error?: ModelErrorInfo;
  /** Per declared action (all instances together), in declaration order. */
  coverage: ActionCoverage[];
  /** Per action instance. */
  instanceCoverage: ActionCoverage[];
  goals: { name: string; description: string; reached: boolean; depth: number | null }[];
  /** Invariants written as implications: how many visited states made the antecedent true. */
  antecedents: { name: string; hits: number }[];
  /** Things the user should know about how the run was done (e.g. fewer workers than asked). */
  notes: string[];
  /** Liveness properties checked (holds/violated) and the ones not checked, with the reason. */
  liveness: { name: string; status: 'holds' | 'violated' | 'not-checked'; reason?: string }[];
}

const DEFAULTS: SearchOptions = {
  strategy: 'bfs', seed: 1, walks: 100, maxStates: Infinity, maxSeconds: Infinity, maxMemoryBytes: Infinity, maxDepth: Infinity, exact: false, debug: false,
  liveness: true, symmetry: true, stopOn: 'first', interrupted: () => false, onProgress: () => {}, progressEveryMs: 2000,
  workers: 1, spawnWorker: null, parallelFrom: 10_000, modelBytes: 0, supervision: null,
};

export async function explore(c: CompiledModel, options: Partial<SearchOptions> = {}): Promise<SearchResult> {
  const opts: SearchOptions = { ...DEFAULTS, ...options };
  if (!opts.symmetry && c.symmetry !== null) c = { ...c, symmetry: null };
  await fingerprintsReady();
  const engine = new Engine(c, opts);
  const res = await engine.run(opts.strategy === 'bfs' ? bfs : opts.strategy === 'dfs' ? dfs : randomWalks, searchResult);
  return res.violations.some(untraced) ? withConcreteLassos(c, opts, res) : res;
}

/** A liveness violation the annotated check under symmetry found: a verdict, with no trace yet. */
const untraced = (v: Violation): boolean => v.kind === 'liveness' && v.trace.length === 0;

/**
 * Liveness under symmetry with fairness of single instances or property families gives verdicts over the
 * representatives (liveness-annotated.ts); a fair cycle of the model itself can go round a cycle of
 * representatives under several permutations, so the counterexample comes from the same search without
 * symmetry: the lasso --no-symmetry reports, exactly. Only a run that found such a violation pays for it.
 */
async function withConcreteLassos(c: CompiledModel, opts: SearchOptions, res: SearchResult): Promise<SearchResult> {
  const plain = await explore({ ...c, symmetry: null }, { ...opts, symmetry: false });
  const out: SearchResult = { ...res, violations: [...res.violations], notes: [...res.notes] };
  const rebuilt: string[] = [];
  for (const [i, v] of out.violations.entries()) {
    if (!untraced(v)) continue;
    const twin = plain.violations.find((w) => w.property === v.property);
    if (twin !== undefined) {
      out.violations[i] = twin;
      rebuilt.push(v.property);
    } else if (plain.verdict === 'incomplete' || plain.verdict === 'error') {
      out.notes.push(`the counterexample of ${v.property} needs the search without symmetry, which ${plain.verdict === 'error' ? `failed (${plain.error?.message ?? 'a model error'})` : `stopped (${plain.incompleteReason ?? 'a budget'})`}: run with --no-symmetry and a larger budget to see it`);
    } else {
      out.verdict = 'error';
      out.error = { message: `liveness property ${v.property} is violated over the orbit representatives but holds in the search without symmetry: the model is not symmetric where the audit did not look (run with --symmetry-audit full to find where), or this is a bug in mc`, trace: [] };
    }
  }
  if (rebuilt.length) out.notes.push(`the counterexample${rebuilt.length > 1 ? 's' : ''} of ${rebuilt.join(', ')} ${rebuilt.length > 1 ? 'are' : 'is'} from the same search without symmetry (${plain.stats.distinct} states): over the orbit representatives, liveness gives the verdict but not the behaviour`);
  return out;
}
