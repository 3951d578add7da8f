// The search: breadth-first (default, shortest counterexamples), depth-first,
// and seeded random walks over a compiled model.
//
// Hot-path design: states live in packed Int32Array arenas (one per BFS level);
// a successor is built in one scratch buffer through a generated view, hashed
// in place, and copied to the next level only if new. Per visited state the
// engine keeps a fingerprint (set), a parent index and an action id; traces are
// rebuilt by re-executing actions from an initial state.
//
// Determinism: BFS is level-synchronous. When a violation is found the current
// level is finished and the first violation in discovery order is reported, so
// counts and the reported violation do not depend on when inside a level the
// search happened to notice it.
import { availableParallelism } from 'node:os';
import { ModelError, UsageError, type ActionInstance, type CompiledModel } from './model.js';
import type { ViewRoot } from './schema.js';
import { collisionProbability, ExactStateSet, FingerprintSet, fingerprintsReady, fpHi, fpLo, hashState, LOOKUP_BATCH, newRecentCache, seenRecently, type StateSet } from './fingerprint.js';
import { executePath, readerError, thrownStack, traceSteps, type TraceStep } from './trace.js';
import { Expander, ExpandFailure } from './expand.js';
import { checkLivenessAsync, type Lasso } from './liveness.js';
import { Crew, CTL_STOP, type LevelMessage, type LevelResult, type WorkerError } from './parallel.js';
import type { Worker } from 'node:worker_threads';
import { Control, IDLE, KIND_CONSTRAINT, KIND_DEADLOCK, KIND_GOAL, KIND_INVARIANT, KIND_LIVENESS, PHASE_LIVENESS, PHASE_REPORT, PHASE_SAFETY, PHASE_SETUP, probeCode, STOP, STOP_REASONS, WHO, type PhaseName } from './control.js';
import { workersWithin } from './memory.js';

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
  liveness: true, stopOn: 'first', interrupted: () => false, onProgress: () => {}, progressEveryMs: 2000,
  workers: 1, spawnWorker: null, parallelFrom: 10_000, modelBytes: 0, supervision: null,
};

class Growable {
  a: Int32Array;
  constructor(cap: number) { this.a = new Int32Array(cap); }
  ensure(n: number): void { if (n > this.a.length) { const b = new Int32Array(Math.max(n, this.a.length * 2)); b.set(this.a); this.a = b; } }
}

/**
 * The parent links of the levels a parallel search found: each level's claims (its new states' parent
 * position in the level before × actions + action id, in discovery order), copied as they are into
 * segments that never move. Writing parent and action arrays from them instead took the main thread
 * half a second on bakery.5 (a division per state, and page faults as the arrays doubled).
 */
class ClaimLinks {
  private readonly levels: { first: number; parentStart: number; claims: Int32Array }[] = [];
  private segment = new Int32Array(0);
  private used = 0;
  private total = 0;
  /** Bytes of the segments. */
  bytes = 0;
  constructor(private readonly actions: number) {}
  /** The first of these levels' states (Infinity while there are none). */
  get first(): number { return this.levels[0]?.first ?? Infinity; }
  /** The next level: its states are numbered from `first`; their parents' level began at `parentStart`. */
  add(first: number, parentStart: number, claims: Int32Array): void {
    const M = claims.length;
    if (this.used + M > this.segment.length) {
      // Segments grow with the run (about as much memory as a doubling array, and nothing is copied twice).
      this.segment = new Int32Array(Math.max(M, Math.min(1 << 22, Math.max(1024, this.total))));
      this.used = 0; this.bytes += this.segment.byteLength;
    }
    this.segment.set(claims, this.used);
    this.levels.push({ first, parentStart, claims: this.segment.subarray(this.used, this.used + M) });
    this.used += M; this.total += M;
  }
  /** State i's parent and the action that found it (i >= first). */
  link(i: number): { parent: number; via: number } {
    let lo = 0, hi = this.levels.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.levels[mid]!.first <= i) lo = mid; else hi = mid - 1; }
    const l = this.levels[lo]!, cl = l.claims[i - l.first]!, pos = Math.floor(cl / this.actions);
    return { parent: l.parentStart + pos, via: cl - pos * this.actions };
  }
}

/** What the model's code threw on a worker thread, as a ModelError's cause: its stack trace (the error itself stayed there). */
const thrownOnWorker = (err: WorkerError): { cause?: { stack: string } } => (err.stack ? { cause: { stack: err.stack } } : {});

/** Raised inside the engine to stop with a model error at a known state. */
class ActionFailure {
  constructor(readonly error: ModelError, readonly parent: number, readonly actionId: number, readonly badSuccessor: Int32Array | null) {}
}

export async function explore(c: CompiledModel, options: Partial<SearchOptions> = {}): Promise<SearchResult> {
  const opts: SearchOptions = { ...DEFAULTS, ...options };
  await fingerprintsReady();
  const engine = new Engine(c, opts);
  return engine.run();
}

class Engine {
  private readonly n: number;
  private readonly acts: readonly ActionInstance[];
  private readonly set: StateSet;
  private readonly parent = new Growable(1 << 16);
  /** Action id that produced each state, or -(init index + 1) for an initial state. */
  private readonly via = new Growable(1 << 16);
  /** Parent links of the states a parallel search found (from the first state it found on). */
  private readonly claimLinks: ClaimLinks;
  private distinct = 0;
  private generated = 0;
  private depth = 0;
  private readonly fires: Float64Array;
  private readonly goalHit: number[];
  private readonly antecedentHits: number[];
  /**
   * The first violation of each property: the state it is in (index), or for a step property the state the
   * step leaves and its action, with the step's place in discovery order (key; see violationKey).
   */
  private readonly firstViolation = new Map<string, { kind: 'invariant' | 'step' | 'deadlock'; description: string; index: number; action?: number; key?: readonly number[] }>();
  private stopNow = false;
  private incomplete: string | undefined;
  private failure: ActionFailure | undefined;
  private readonly t0 = performance.now();
  private lastProgress = performance.now();
  /** When the search next checks its budgets (see checkpoint): at its first check, then every 100 ms. */
  private nextPause = 0;
  /** States expanded (BFS), or DFS steps, counted to read the clock every so many. */
  private tick = 0;
  /** Shared with a supervising thread, if any (control.ts): its STOP word is read once per state. */
  private readonly ctl: Control;
  /** The liveness pass was stopped (a budget or an interrupt), after a complete safety search. */
  private livenessStopped = false;
  /** Whether checkpoints let the event loop run (pause) or not (checkpoint): only on the caller's thread, not on a supervised search thread. */
  private readonly yields: boolean;
  private peakMemory = 0;
  /** The state graph for the liveness pass (CSR: edges of state i are edges[start[i] .. start[i+1])). */
  private readonly graph: { start: Growable; dst: Growable; act: Growable; labels: Growable; edges: number } | null;
  private livenessOutcome: { name: string; status: 'holds' | 'violated'; lasso?: Lasso }[] | null = null;
  private livenessSeconds = 0;
  private frontierBytes = 0;
  // The successor computation; its scratch buffer and views are the engine's.
  private readonly x: Expander;
  private readonly scratch: Int32Array;
  private readonly curRoot: ViewRoot;
  private readonly curView: any;
  /** Read-only, over scratch: the successor as properties and the constraint see it. */
  private readonly scratchView: any;
  /** Index of the state being expanded, so an ExpandFailure can be traced to it. */
  private expanding = -1;

  /** Parallel BFS runs: BFS, more than one worker, no exact mode, no liveness graph (both need one worker). False too once the memory budget leaves room for no helper. */
  private parallel: boolean;
  /** The workers the search uses (fewer than asked when the memory budget has room for fewer). */
  private workers: number;
  /** Parallel BFS: the helper threads, once started, and whether they took over (see bfsFrom). */
  private crew: Crew | null = null;
  private handedOver = false;
  /** Parallel BFS: the bytes the workers hold (fingerprint sets, states, outboxes), at the largest level. */
  private parallelBytes = 0;
  /** Where the BFS leaves the cells it touched (see bfsFrom). */
  private touched = 0;
  /** Why a requested worker count was not used, for the report. */
  readonly notes: string[] = [];

  constructor(private readonly c: CompiledModel, private readonly o: SearchOptions) {
    this.n = c.layout.slots;
    this.acts = c.actions;
    const wantGraph = o.strategy === 'bfs' && o.liveness && c.liveness.length > 0 && c.liveness.length <= 15;
    const reason = o.workers <= 1 ? null : o.strategy !== 'bfs' ? `--strategy ${o.strategy}` : o.exact ? '--exact' : wantGraph ? 'the liveness pass (pass --no-liveness to search in parallel)' : o.spawnWorker === null ? 'this caller' : null;
    if (reason !== null) this.notes.push(`ran with 1 worker instead of ${o.workers}: ${reason} is single-worker in this version`);
    this.parallel = o.workers > 1 && reason === null;
    this.workers = this.parallel ? o.workers : 1;
    if (c.actions.length === 0) this.notes.push(`model '${c.model.name}' has no ${c.baseActions.length ? 'action instances (every action has an empty over)' : 'actions'}: only its initial states are checked`);
    const cpus = availableParallelism();
    if (this.parallel && o.workers > cpus) this.notes.push(`${o.workers} workers on ${cpus} CPU${cpus === 1 ? '' : 's'}: workers beyond the CPU count share CPUs and slow the search (the results are the same)`);
    this.graph = wantGraph ? { start: new Growable(1 << 16), dst: new Growable(1 << 16), act: new Growable(1 << 16), labels: new Growable(1 << 16), edges: 0 } : null;
    this.set = o.exact ? new ExactStateSet(c.layout.words) : new FingerprintSet(wantGraph);
    this.fires = new Float64Array(c.actions.length);
    this.claimLinks = new ClaimLinks(c.actions.length);
    this.generated = c.droppedInits; // initial states outside the state constraint: generated, never stored
    this.goalHit = c.goals.map(() => -1);
    this.antecedentHits = c.invariants.map(() => 0);
    this.x = new Expander(c, o.debug);
    this.ctl = new Control(o.supervision?.control);
    this.yields = o.supervision === null;
    o.supervision?.started(c, this.x.probe, o.strategy);
    this.scratch = this.x.scratch;
    this.curRoot = this.x.curRoot;
    this.curView = this.x.curView;
    this.scratchView = this.x.scratchView;
  }

  /** Runs a search phase, turning a broken action into the run's model error. */
  private async guarded(phase: () => Promise<void>): Promise<void> {
    try { await phase(); } catch (e) {
      if (e instanceof ExpandFailure) this.failure = new ActionFailure(e.error, this.expanding, e.actionId, e.badSuccessor);
      else if (e instanceof ActionFailure) this.failure = e;
      else throw e;
      this.rollbackLevel();
    }
  }

  /**
   * BFS: what the counts were when the current level began. A model error ends the run with the
   * statistics, coverage and violations of the levels completed before it, which are the same for
   * any number of workers (how far into the failing level the search got is not).
   */
  private levelMark: { depth: number; distinct: number; generated: number; fires: Float64Array; goalHit: number[]; antecedentHits: number[]; violations: number; discarded: number } | null = null;
  private markLevel(): void {
    this.levelMark = { depth: this.depth, distinct: this.distinct, generated: this.generated, fires: this.fires.slice(), goalHit: [...this.goalHit], antecedentHits: [...this.antecedentHits], violations: this.firstViolation.size, discarded: this.x.discarded };
  }
  private rollbackLevel(): void {
    const m = this.levelMark;
    if (m === null) return;
    this.depth = m.depth; this.distinct = m.distinct; this.generated = m.generated; this.fires.set(m.fires); this.x.discarded = m.discarded;
    m.goalHit.forEach((h, k) => { this.goalHit[k] = h; });
    m.antecedentHits.forEach((h, k) => { this.antecedentHits[k] = h; });
    [...this.firstViolation.keys()].slice(m.violations).forEach((k) => this.firstViolation.delete(k));
  }

  async run(): Promise<SearchResult> {
    this.ctl.phase = PHASE_SAFETY;
    try {
      if (this.o.strategy === 'bfs') await this.guarded(() => this.bfs());
      else if (this.o.strategy === 'dfs') await this.guarded(() => this.dfs());
      else await this.guarded(() => this.random());
      this.x.idle();
      this.ctl.phase = PHASE_REPORT;
      return this.result();
    } finally {
      this.x.idle();
      this.ctl.phase = PHASE_SETUP;
    }
  }

  // ---------- shared pieces ----------

  private elapsed(): number { return (performance.now() - this.t0) / 1000; }

  private shouldStopAfter(property: string): boolean {
    const s = this.o.stopOn;
    return s === 'first' ? true : s === 'never' ? false : s.has(property);
  }

  private record(property: string, kind: 'invariant' | 'deadlock', description: string, index: number): void {
    if (this.firstViolation.has(property)) return;
    this.firstViolation.set(property, { kind, description, index });
    if (this.shouldStopAfter(property)) this.stopNow = true;
  }

  /**
   * Records step property k, false on the step from state `parent` by action `action`. Its place in discovery
   * order: BFS, just before the state that step reaches (by claim: parent, action), for any number of workers;
   * DFS and random walks, after every state found so far (the state it reaches, if new, is found after it).
   */
  private recordStep(k: number, parent: number, action: number): void {
    const st = this.c.steps[k]!;
    if (this.firstViolation.has(st.name)) return;
    this.firstViolation.set(st.name, { kind: 'step', description: st.description, index: parent, action, key: this.o.strategy === 'bfs' ? [parent, action, 0] : [this.distinct - 1, 2, 0] });
    if (this.shouldStopAfter(st.name)) this.stopNow = true;
  }

  /** The step properties that failed (checkSteps returned `failed`) on the step from state `parent` by action `action`. */
  private stepsFailed(failed: number, parent: number, action: number): void {
    for (let j = 0; j < failed; j++) this.recordStep(this.x.failedSteps[j]!, parent, action);
  }

  /** Initial state i, generated: into scratch (slots) and packed, fingerprint computed (hashState). */
  private startInit(i: number): void {
    const n = this.n;
    this.generated++;
    for (let k = 0; k < n; k++) this.scratch[k] = this.c.inits[i * n + k]!;
    this.x.packScratch(`initial state ${i + 1}`);
    hashState(this.x.packed, 0, this.x.w);
  }

  /** Registers a new state (already in the set) and checks it. Returns its index. */
  private admit(view: any, parent: number, via: number, depth: number): number {
    const idx = this.distinct++;
    this.parent.ensure(this.distinct); this.via.ensure(this.distinct);
    this.parent.a[idx] = parent; this.via.a[idx] = via;
    const invs = this.c.invariants, who = this.x.who;
    for (let k = 0; k < invs.length; k++) {
      const inv = invs[k]!;
      let ok: boolean;
      who[WHO] = probeCode(KIND_INVARIANT, k, true);
      try {
        if (inv.antecedent !== undefined && inv.antecedent(view)) this.antecedentHits[k]!++;
        ok = inv.check(view);
      } catch (e) {
        throw new ActionFailure(readerError(`invariant ${inv.name}`, e), idx, -1, null);
      }
      if (!ok) this.record(inv.name, 'invariant', inv.description, idx);
    }
    const goals = this.c.goals;
    for (let k = 0; k < goals.length; k++) {
      if (this.goalHit[k]! >= 0) continue;
      let hit: boolean;
      who[WHO] = probeCode(KIND_GOAL, k, true);
      try { hit = goals[k]!.check(view); } catch (e) {
        throw new ActionFailure(readerError(`goal ${goals[k]!.name}`, e), idx, -1, null);
      }
      if (hit) this.goalHit[k] = depth;
    }
    if (this.graph !== null) {
      let bits = 0;
      const live = this.c.liveness;
      for (let k = 0; k < live.length; k++) {
        const l = live[k]!;
        who[WHO] = probeCode(KIND_LIVENESS, k, true);
        try {
          if (l.p !== undefined && l.p(view)) bits |= 1 << (2 * k);
          if (l.q(view)) bits |= 1 << (2 * k + 1);
        } catch (e) {
          throw new ActionFailure(readerError(`liveness property ${l.name}`, e), idx, -1, null);
        }
      }
      this.graph.labels.ensure(this.distinct);
      this.graph.labels.a[idx] = bits;
    }
    who[WHO] = IDLE;
    return idx;
  }

  private deadlock(view: any, index: number): void {
    const d = this.c.deadlock;
    if (d === 'allowed') return;
    if (d !== 'error') {
      let expected: boolean;
      this.x.who[WHO] = probeCode(KIND_DEADLOCK, 0, false);
      try { expected = d.expected(view); } catch (e) {
        throw new ActionFailure(readerError('the deadlock policy', e), index, -1, null);
      }
      this.x.idle();
      if (expected) return;
    }
    this.deadlockAt(index);
  }

  /** Progress, every progressEveryMs (or now, `force`, when the liveness pass begins and the figures change meaning). */
  private progress(frontier: number, force = false): void {
    const now = performance.now();
    if (now - this.lastProgress < this.o.progressEveryMs && !(force && Number.isFinite(this.o.progressEveryMs))) return;
    this.lastProgress = now;
    const mem = process.memoryUsage.rss();
    if (mem > this.peakMemory) this.peakMemory = mem;
    const phase = this.ctl.phase === PHASE_LIVENESS ? 'liveness' : 'safety';
    this.o.onProgress({ distinct: this.distinct, generated: this.generated, depth: this.depth, frontier, seconds: this.elapsed(), memoryBytes: mem, phase });
  }

  /** The counts so far, for a supervisor that has to stop the search thread (distinct as the result counts it). */
  private publishCounts(): void { this.ctl.setCounts(this.o.strategy === 'random' ? this.set.size : this.distinct, this.generated, this.depth); }

  /**
   * Between chunks (every 100 ms, or at once when a supervisor asks the search to stop): progress, stop
   * requests, and the time and memory budgets.
   */
  private checkpoint(frontier: number): void {
    this.x.idle();
    this.publishCounts();
    this.progress(frontier);
    this.incomplete ??= this.overBudget();
    this.nextPause = performance.now() + 100;
  }

  /**
   * A checkpoint after letting the event loop run, for a search on the caller's thread (signals, timers,
   * an AbortSignal). A supervised search (on a search thread) needs no event loop: its supervisor reads the
   * signals and asks through shared memory, so its loops never await. The search loops take one branch or
   * the other for a whole run (`yields`), and the first checkpoint comes within the first 64 states
   * (nextPause starts at 0), so the loops' optimized code has seen it: a path first taken after V8 had
   * optimized the loop deoptimized it, and cost a run of 0.5 s (counters N=4, K=30) about a fifth of its time.
   */
  private async pause(frontier: number): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.checkpoint(frontier);
  }

  /** Why the run must stop now (an interrupt, the time or memory budget), if it must. */
  private overBudget(): string | undefined {
    const asked = this.ctl.stop;
    if (asked !== 0) return STOP_REASONS[asked] ?? 'interrupted';
    if (this.o.interrupted()) return 'interrupted';
    if (this.elapsed() > this.o.maxSeconds) return 'max-seconds';
    if (Number.isFinite(this.o.maxMemoryBytes)) {
      const rss = process.memoryUsage.rss();
      if (rss > this.peakMemory) this.peakMemory = rss;
      if (rss > this.o.maxMemoryBytes) return 'max-memory';
    }
    return undefined;
  }

  /**
   * Starts the helper threads of a parallel search: as many as asked, or as the memory budget has room
   * for (each is a thread with a heap of its own and a compiled copy of the model), with a note.
   */
  private startCrew(): void {
    const fit = workersWithin(this.o.workers, this.o.maxMemoryBytes, process.memoryUsage.rss(), this.o.modelBytes);
    if (fit.workers < this.o.workers) this.notes.push(fit.note!);
    if (fit.workers <= 1) { this.parallel = false; return; }
    this.workers = fit.workers;
    const sup = this.o.supervision;
    this.crew = new Crew(this.c, this.o.debug, fit.workers, this.o.spawnWorker! as () => Worker, sup ? (p) => sup.probe(p) : null);
  }

  // ---------- breadth-first ----------

  private async bfs(): Promise<void> {
    try { await this.bfsFrom(); } finally { await this.crew?.close(); }
    if (this.parallel && !this.handedOver) this.notes.push(`searched on one thread: no level reached ${this.o.parallelFrom} states, where the ${this.workers} workers take over (--parallel-from)`);
  }

  /**
   * Sequential BFS. With several workers, the helpers start (and load the model) once a level has a
   * tenth of o.parallelFrom states, while the search goes on here, and take over once a level has
   * o.parallelFrom (small models never start them).
   */
  private async bfsFrom(): Promise<void> {
    const c = this.c;
    const W = this.x.w, packed = this.x.packed, hasSteps = c.steps.length > 0;
    let cur = new Int32Array(Math.max(1, c.initCount) * W);
    let curCount = 0;
    this.depth = 1;
    for (let i = 0; i < c.initCount; i++) {
      this.startInit(i);
      if (!this.set.add(packed, 0)) continue;
      this.admit(this.scratchView, -1, -(i + 1), 1);
      cur.set(packed, curCount * W);
      curCount++;
    }
    let levelStart = 0;
    let next = new Int32Array(Math.max(1024, curCount) * W);
    // Successors waiting to be looked up (see lookUp): about LOOKUP_BATCH, plus at most one per action instance of the last state.
    const P = LOOKUP_BATCH + this.acts.length;
    const pendHi = new Int32Array(P), pendLo = new Int32Array(P), pendAct = new Int32Array(P), pendParent = new Int32Array(P), pendPacked = new Int32Array(P * W);
    let touched = 0;
    /**
     * The fingerprints looked up last (see seenRecently): a successor found here is a repeat and is not looked
     * up again. Not with the state graph, which records every edge's target, nor with exact states, where
     * equal fingerprints need not mean equal states.
     */
    const recent = this.graph === null && this.set instanceof FingerprintSet ? newRecentCache() : null;
    const stop = this.ctl.words;
    while (curCount > 0 && !this.stopNow && this.incomplete === undefined) {
      if (this.parallel && this.crew === null && curCount >= this.o.parallelFrom / 10) this.startCrew();
      if (this.crew !== null && curCount >= this.o.parallelFrom) {
        // This thread's own probe goes quiet: from here the workers' probes say what runs (a stale one would be reported as stuck).
        this.x.idle();
        this.handedOver = true;
        return this.bfsParallel(this.crew, cur, curCount, levelStart);
      }
      if (this.depth >= this.o.maxDepth) { this.incomplete = 'max-depth'; break; }
      this.markLevel();
      let nextCount = 0, np = 0;
      /**
       * Looks the pending successors up, in the order they were generated. Their table cells are loaded
       * first, together: the loads are independent, so their cache misses overlap (looked up as each was
       * generated, each waited for its own, between a state's worth of other work).
       */
      const lookUp = (): void => {
        const graph = this.graph, n = np;
        this.x.idle();
        np = 0; // first: if an invariant throws below, the failure's handler must not look these up again
        for (let j = 0; j < n; j++) touched ^= this.set.touch(pendHi[j]!);
        for (let j = 0; j < n; j++) {
          const isNew = this.set.addHashed(pendPacked, j * W, pendHi[j]!, pendLo[j]!);
          if (graph !== null) {
            const e = graph.edges++;
            graph.dst.ensure(e + 1); graph.act.ensure(e + 1);
            graph.dst.a[e] = isNew ? this.distinct : this.set.found; graph.act.a[e] = pendAct[j]!;
          }
          if (!isNew) continue;
          this.c.layout.unpack(pendPacked, j * W, this.scratch, 0);
          this.admit(this.scratchView, pendParent[j]!, pendAct[j]!, this.depth + 1);
          if (nextCount * W + W > next.length) { const b = new Int32Array(next.length * 2); b.set(next); next = b; }
          const dst = nextCount * W;
          for (let k = 0; k < W; k++) next[dst + k] = pendPacked[j * W + k]!;
          nextCount++;
        }
      };
      let tick = this.tick;
      try {
        for (let i = 0; i < curCount; i++) {
          // Every 64 states (of this level or the ones before) the clock, for a checkpoint every 100 ms; every state a supervisor's stop request.
          if (((++tick & 63) === 0 && performance.now() > this.nextPause) || stop[STOP] !== 0) {
            lookUp();
            if (this.yields) await this.pause(curCount - i); else this.checkpoint(curCount - i);
            if (this.incomplete !== undefined) break;
          }
          const parentIdx = levelStart + i;
          this.expanding = parentIdx;
          this.x.loadPacked(cur, i * W);
          let enabled = 0;
          const acts = this.acts, graph = this.graph;
          if (graph !== null) { graph.start.ensure(parentIdx + 2); graph.start.a[parentIdx] = graph.edges; }
          const cand = this.x.candidates();
          for (let w = 0; w < cand.length; w++) for (let bits = cand[w]!; bits !== 0; bits &= bits - 1) {
            const ai = (w << 5) + 31 - Math.clz32(bits & -bits);
            const a = acts[ai]!;
            if (!this.x.successor(a)) continue;
            enabled++;
            this.generated++;
            this.fires[ai]!++;
            if (c.constraint !== undefined && !this.checkConstraint(parentIdx, a)) continue;
            // Every step is checked, to a new state or not (as TLC checks action properties).
            if (hasSteps) { const failed = this.x.checkSteps(a); if (failed !== 0) this.stepsFailed(failed, parentIdx, a.id); }
            hashState(packed, 0, W);
            if (recent !== null && seenRecently(recent, fpHi, fpLo)) continue;
            pendHi[np] = fpHi; pendLo[np] = fpLo; pendAct[np] = a.id; pendParent[np] = parentIdx;
            for (let k = 0, d = np * W; k < W; k++) pendPacked[d + k] = packed[k]!;
            np++;
          }
          // A deadlock is recorded after the successors of the states before it (as if looked up at once); the graph needs each state's edges before the next state's.
          if (np > LOOKUP_BATCH || enabled === 0 || graph !== null) lookUp();
          if (enabled === 0) this.deadlock(this.curView, parentIdx);
          if (this.incomplete !== undefined) break;
        }
      } catch (e) {
        lookUp(); // the successors generated before a failure were looked up before it, as one by one
        throw e;
      }
      lookUp();
      this.tick = tick;
      this.touched = touched; // so the loads are not optimized away
      this.frontierBytes = Math.max(this.frontierBytes, cur.byteLength + next.byteLength);
      if (this.incomplete !== undefined) break;
      levelStart += curCount;
      const t = cur; cur = next; next = t.length >= 1024 * W ? t : new Int32Array(1024 * W);
      curCount = nextCount;
      if (curCount > 0) this.depth++;
      // Budgets apply between levels, so a budgeted run stops at the same place for any number of workers.
      if (curCount > 0 && this.distinct >= this.o.maxStates) this.incomplete = 'max-states';
      this.publishCounts();
    }
    if (this.graph !== null && curCount === 0 && !this.stopNow && this.incomplete === undefined) await this.liveness();
  }

  /**
   * Level-synchronous BFS over workers, from the frontier the sequential search handed over (`cur`:
   * curCount packed states, the first at index levelStart; checked when found); see parallel.ts for why
   * the result equals the sequential one.
   */
  private async bfsParallel(crew: Crew, cur: Int32Array, curCount: number, levelStart: number): Promise<void> {
    const c = this.c, A = c.actions.length;
    const workerError = (err: WorkerError, levelStart: number): ActionFailure =>
      new ActionFailure(new ModelError(err.message, { ...(err.action ? { action: err.action } : {}), ...(err.field ? { field: err.field } : {}), ...thrownOnWorker(err) }), levelStart + err.pos, err.actionId, err.bad);
    const firstError = (errs: (WorkerError | null)[]): WorkerError | undefined =>
      errs.filter((e): e is WorkerError => e !== null).sort((a, b) => a.pos - b.pos || a.actionId - b.actionId)[0];
    /** The last level's parent links, kept while the workers expand the next level (only traces read them). */
    let links: { first: number; parentStart: number; claims: Int32Array } | null = null;
    const keepLinks = (): void => { if (links !== null) this.claimLinks.add(links.first, links.parentStart, links.claims); links = null; };
    try {
      // Every worker records the states it owns among those found so far.
      const fps = this.set instanceof FingerprintSet ? this.set.fingerprints() : null;
      if (fps === null) throw new Error('the parallel search needs a fingerprint set');
      crew.seed(fps, this.set.size);
      const Wd = this.x.w;
      const first = new Int32Array(new SharedArrayBuffer(Math.max(1, curCount) * Wd * 4));
      first.set(cur.subarray(0, curCount * Wd));
      // The frontier: buffers, and for each canonical position the (buffer, index) of its state.
      let buffers: SharedArrayBuffer[] = [first.buffer as SharedArrayBuffer];
      // The workers write the next frontier's positions over `where` and its claims (discovery order) into merged[depth & 1].
      let where = new Int32Array(new SharedArrayBuffer(Math.max(1024, curCount) * 8));
      for (let k = 0; k < curCount; k++) { where[2 * k] = 0; where[2 * k + 1] = k; }
      const merged = [0, 1].map(() => new SharedArrayBuffer(1024 * 4));
      /** Whether the frontier's states were checked: the sequential search checked them; the workers check the others as they expand them. */
      let checked = true;
      /** Sends the frontier to the workers (they take it in chunks), to expand and/or check. */
      const runLevel = async (expand: boolean, count = curCount): Promise<LevelResult[]> => {
        const checkDeadlock = c.deadlock !== 'allowed' && !this.firstViolation.has('Deadlock');
        const skipInvariants = c.invariants.flatMap((inv, k) => (this.firstViolation.has(inv.name) ? [k] : []));
        const skipGoals = this.goalHit.flatMap((h, k) => (h >= 0 ? [k] : []));
        const m: LevelMessage = { type: 'level', buffers, where: where.buffer as SharedArrayBuffer, count, merged: merged[this.depth & 1]!, expand, checkDeadlock, check: !checked, skipInvariants, skipGoals };
        // Parent links are kept while the helpers start; budgets and progress are seen between slices.
        return crew.level(m, () => { keepLinks(); if (expand) this.watch(crew.ctl, count); }, () => this.watch(crew.ctl, count));
      };
      /**
       * Takes in what checking the frontier found, as the sequential search does when it finds these
       * states (while expanding the level before): a property that threw is a model error of that
       * level (`mark`: its start); violations are recorded in discovery order.
       */
      const takeChecks = (results: LevelResult[], mark: typeof this.levelMark): void => {
        const err = firstError(results.map((r) => r.checkError));
        if (err) { this.levelMark = mark; throw new ActionFailure(new ModelError(err.message, thrownOnWorker(err)), levelStart + err.pos, -1, null); }
        const found: { pos: number; k: number }[] = [];
        for (const r of results) {
          r.antecedents.forEach((h, k) => { this.antecedentHits[k]! += h; });
          r.goals.forEach((h, k) => { if (h && this.goalHit[k]! < 0) this.goalHit[k] = this.depth; });
          for (let i = 0; i < r.violations.length; i += 2) found.push({ pos: r.violations[i + 1]!, k: r.violations[i]! });
        }
        found.sort((a, b) => a.pos - b.pos || a.k - b.k);
        for (const f of found) { const inv = c.invariants[f.k]!; this.record(inv.name, 'invariant', inv.description, levelStart + f.pos); }
        checked = true;
      };
      while (curCount > 0 && !this.stopNow && this.incomplete === undefined) {
        if (this.depth >= this.o.maxDepth) { this.incomplete = 'max-depth'; break; }
        if (curCount * A >= 2 ** 31) throw new UsageError(`a level of ${curCount} states × ${A} actions is too large for --workers (claims are 31-bit); use --workers 1`);
        const prevMark = this.levelMark;
        const results = await runLevel(true);
        if (!results[0]!.exchanged) break; // interrupted or out of time: this.incomplete is set; the frontier is checked below
        if (!checked) takeChecks(results, prevMark);
        // A violation in the frontier: the sequential search stopped before this level (not counting its successors, nor meeting its failures).
        if (this.stopNow) break;
        // The level proper begins here: the sequential search found the violations above before it.
        this.markLevel();
        const err = firstError(results.map((r) => r.error));
        if (err) {
          // The sequential search checks a state as it finds it, so a property that throws on a state found
          // before the failure fails first. Those states lead the next frontier (by claim): check them.
          const own = results[0]!;
          const found = new Int32Array(own.merged ?? merged[this.depth & 1]!, 0, own.count);
          const before = err.pos * A + (err.actionId < 0 ? A : err.actionId);
          let k = 0;
          for (let hi = own.count; k < hi; ) { const mid = (k + hi) >> 1; if (found[mid]! < before) k = mid + 1; else hi = mid; }
          if (k > 0) {
            if (own.where !== null) where = new Int32Array(own.where);
            links = { first: this.distinct, parentStart: levelStart, claims: found.subarray(0, k) };
            buffers = results.map((r) => r.buffer!);
            checked = false; // states just found
            const thrown = firstError((await runLevel(false, k)).map((r) => r.checkError));
            if (thrown) throw new ActionFailure(new ModelError(thrown.message, thrownOnWorker(thrown)), this.distinct + thrown.pos, -1, null);
          }
          throw workerError(err, levelStart);
        }
        for (const r of results) {
          this.generated += r.generated; this.x.discarded += r.discarded;
          for (let a = 0; a < A; a++) this.fires[a]! += r.fires[a]!;
        }
        for (const pos of results.flatMap((r) => r.deadlocks).sort((a, b) => a - b)) this.deadlockAt(levelStart + pos);
        // Each step property's first failing step of the level (the smallest claim of any worker), as the sequential search finds it.
        const failedSteps: { claim: number; k: number }[] = [];
        for (let k = 0; k < c.steps.length; k++) {
          let first = -1;
          for (const r of results) { const cl = r.steps[k]!; if (cl >= 0 && (first < 0 || cl < first)) first = cl; }
          if (first >= 0) failedSteps.push({ claim: first, k });
        }
        failedSteps.sort((a, b) => a.claim - b.claim || a.k - b.k);
        for (const { claim, k } of failedSteps) { const pos = Math.floor(claim / A); this.recordStep(k, levelStart + pos, claim - pos * A); }
        // The workers have exchanged successors and written the next frontier, in the sequential discovery order.
        const own = results[0]!, M = own.count;
        if (own.where !== null) where = new Int32Array(own.where); // worker 0 had to allocate larger ones
        if (own.merged !== null) merged[this.depth & 1] = own.merged;
        links = { first: this.distinct, parentStart: levelStart, claims: new Int32Array(merged[this.depth & 1]!, 0, M) };
        buffers = results.map((r) => r.buffer!);
        this.distinct += M;
        this.parallelBytes = Math.max(this.parallelBytes, results.reduce((a, r) => a + r.bytes, 0) + where.byteLength + merged[0]!.byteLength + merged[1]!.byteLength);
        levelStart += curCount;
        curCount = M;
        checked = false;
        if (curCount > 0) this.depth++;
        if (curCount > 0 && this.distinct >= this.o.maxStates) this.incomplete = 'max-states';
        this.publishCounts();
      }
      // A run that stopped before expanding its frontier (a budget, an interrupt) still checks it, as sequentially.
      if (!checked && curCount > 0) takeChecks(await runLevel(false), this.levelMark);
    } finally {
      keepLinks(); // traces read them
    }
  }

  /** While workers run a level: progress, interrupts and the time budget (which stop the workers through ctl). */
  private watch(ctl: Int32Array, frontier: number): void {
    this.progress(frontier);
    const stop = this.overBudget();
    if (stop !== undefined) { this.incomplete ??= stop; Atomics.store(ctl, CTL_STOP, 1); }
  }

  /** Records an unexpected deadlock found by a worker (the worker already evaluated the expected-terminal predicate). */
  private deadlockAt(index: number): void {
    const d = this.c.deadlock;
    this.record('Deadlock', 'deadlock', typeof d === 'object' ? `a state with no enabled action that is not an expected terminal state (${d.description})` : 'a state with no enabled action', index);
  }

  /** The liveness pass over the complete state graph. */
  private async liveness(): Promise<void> {
    const t = performance.now();
    this.x.idle();
    this.publishCounts();
    this.ctl.phase = PHASE_LIVENESS;
    this.progress(0, true);
    const g = this.graph!;
    g.start.ensure(this.distinct + 1);
    g.start.a[this.distinct] = g.edges;
    const d = this.distinct, e = g.edges;
    const outcome = await checkLivenessAsync({
      graph: { states: d, start: g.start.a.subarray(0, d + 1), dst: g.dst.a.subarray(0, e), act: g.act.a.subarray(0, e), parent: this.parent.a.subarray(0, d), via: this.via.a.subarray(0, d), labels: g.labels.a.subarray(0, d) },
      props: this.c.liveness.map(({ name, kind, within, fairness }) => ({ name, kind, within, fairness })),
      actions: this.c.actions.map(({ id, name, base, actor }) => ({ id, name, base, actor })),
      stuttering: this.c.stuttering,
    }, () => {
      this.progress(0);
      this.incomplete ??= this.overBudget();
      return this.incomplete !== undefined;
    });
    this.ctl.phase = PHASE_SAFETY;
    this.livenessStopped = outcome === null;
    this.livenessSeconds = (performance.now() - t) / 1000;
    if (outcome === null) return;
    this.livenessOutcome = outcome;
    for (const o of this.livenessOutcome) if (o.status === 'violated' && this.shouldStopAfter(o.name)) this.stopNow = true;
  }

  private checkConstraint(parentIdx: number, a: ActionInstance): boolean {
    this.x.who[WHO] = probeCode(KIND_CONSTRAINT, 0, true);
    try { return this.c.constraint!(this.scratchView); } catch (e) {
      throw new ActionFailure(readerError('the state constraint', e), parentIdx, a.id, this.scratch.slice(0, this.n));
    }
  }

  // ---------- depth-first ----------

  private async dfs(): Promise<void> {
    const n = this.n, c = this.c, hasSteps = c.steps.length > 0;
    let stack = new Int32Array(64 * n);
    let idxStack = new Int32Array(64);
    let actStack = new Int32Array(64);
    let enabledStack = new Int32Array(64);
    let tick = 0;
    const stop = this.ctl.words, cur = this.x.cur;
    for (let i = 0; i < c.initCount && !this.stopNow && this.incomplete === undefined; i++) {
      this.startInit(i);
      if (!this.set.add(this.x.packed, 0)) continue;
      let top = 0;
      /** The stack frame whose state is in cur (the expander's, which a supervisor can read). */
      let loaded = -1;
      stack.set(this.scratch.subarray(0, n), 0);
      idxStack[0] = this.admit(this.scratchView, -1, -(i + 1), 1);
      actStack[0] = 0; enabledStack[0] = 0;
      this.depth = Math.max(this.depth, 1);
      while (top >= 0 && !this.stopNow && this.incomplete === undefined) {
        if ((++tick & 1023) === 0) this.publishCounts();
        if (((tick & 1023) === 0 && performance.now() > this.nextPause) || stop[STOP] !== 0) { if (this.yields) await this.pause(top + 1); else this.checkpoint(top + 1); if (this.incomplete) break; }
        // Each push and pop changes top, so a frame is loaded once per visit.
        if (loaded !== top) { cur.set(stack.subarray(top * n, top * n + n)); loaded = top; }
        this.expanding = idxStack[top]!;
        const ai = actStack[top]!;
        if (ai >= this.acts.length) {
          if (enabledStack[top] === 0) this.deadlock(this.curView, idxStack[top]!);
          top--; continue;
        }
        actStack[top] = ai + 1;
        const a = this.acts[ai]!;
        if (!this.x.successor(a)) continue;
        enabledStack[top]!++;
        this.generated++; this.fires[ai]!++;
        if (c.constraint !== undefined && !this.checkConstraint(idxStack[top]!, a)) continue;
        if (hasSteps) { const failed = this.x.checkSteps(a); if (failed !== 0) this.stepsFailed(failed, idxStack[top]!, a.id); }
        hashState(this.x.packed, 0, this.x.w);
        if (!this.set.add(this.x.packed, 0)) continue;
        const d = top + 2;
        const idx = this.admit(this.scratchView, idxStack[top]!, a.id, d);
        if (this.distinct >= this.o.maxStates) { this.incomplete = 'max-states'; break; }
        if (d > this.o.maxDepth) { this.incomplete = 'max-depth'; break; }
        this.depth = Math.max(this.depth, d);
        top++;
        if ((top + 1) * n > stack.length) {
          const s2 = new Int32Array(stack.length * 2); s2.set(stack); stack = s2;
          const grow = (x: Int32Array) => { const y = new Int32Array(x.length * 2); y.set(x); return y; };
          idxStack = grow(idxStack); actStack = grow(actStack); enabledStack = grow(enabledStack);
        }
        stack.set(this.scratch.subarray(0, n), top * n);
        idxStack[top] = idx; actStack[top] = 0; enabledStack[top] = 0;
      }
    }
    this.frontierBytes = stack.byteLength * 2;
  }

  // ---------- random walks ----------

  private async random(): Promise<void> {
    const n = this.n, c = this.c, hasSteps = c.steps.length > 0;
    let seed = (this.o.seed >>> 0) || 1;
    const rand = (k: number): number => { // xorshift32, deterministic per seed
      seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
      return seed % k;
    };
    const maxLen = Number.isFinite(this.o.maxDepth) ? this.o.maxDepth : 1000;
    const cur = this.x.cur; // the expander's, which a supervisor can read
    const cand = new Int32Array(this.acts.length * n);
    const candAct = new Int32Array(this.acts.length);
    const stop = this.ctl.words;
    for (let w = 0; w < this.o.walks && !this.stopNow && this.incomplete === undefined; w++) {
      this.publishCounts();
      if (performance.now() > this.nextPause || stop[STOP] !== 0) { if (this.yields) await this.pause(0); else this.checkpoint(0); if (this.incomplete) break; }
      const init = rand(c.initCount);
      this.startInit(init);
      cur.set(this.scratch.subarray(0, n));
      // Each walk's states get indices of their own so the trace is the walk itself.
      this.set.add(this.x.packed, 0);
      let idx = this.admit(this.scratchView, -1, -(init + 1), 1);
      for (let len = 1; len < maxLen && !this.stopNow && this.incomplete === undefined && stop[STOP] === 0; len++) {
        this.curRoot.b = cur; this.curRoot.o = 0;
        this.expanding = idx;
        let k = 0, enabled = 0;
        for (let ai = 0; ai < this.acts.length; ai++) {
          const a = this.acts[ai]!;
          if (!this.x.successor(a)) continue;
          enabled++; this.generated++; this.fires[ai]!++;
          if (c.constraint !== undefined && !this.checkConstraint(idx, a)) continue;
          cand.set(this.scratch.subarray(0, n), k * n); candAct[k++] = ai;
        }
        if (enabled === 0) { this.deadlock(this.curView, idx); break; }
        if (k === 0) break; // every successor is outside the state constraint (not a deadlock, as in BFS): the walk ends
        const pick = rand(k), taken = this.acts[candAct[pick]!]!;
        this.scratch.set(cand.subarray(pick * n, pick * n + n));
        // A walk's step properties are checked on the steps it takes (cur still holds the state they leave).
        if (hasSteps) { const failed = this.x.checkSteps(taken); if (failed !== 0) this.stepsFailed(failed, idx, taken.id); }
        cur.set(this.scratch.subarray(0, n));
        this.x.packScratch(`action ${taken.name}`);
        hashState(this.x.packed, 0, this.x.w); this.set.add(this.x.packed, 0);
        this.depth = Math.max(this.depth, len + 1);
        idx = this.admit(this.scratchView, idx, candAct[pick]!, len + 1);
        if (this.set.size >= this.o.maxStates) { this.incomplete = 'max-states'; break; }
      }
    }
    if (this.incomplete === undefined) this.incomplete = 'random walks are not exhaustive';
  }

  // ---------- results ----------

  /** State i's parent and the action that found it (via: -(init number + 1) for an initial state, whose parent is -1). */
  private linkOf(i: number): { parent: number; via: number } {
    return i >= this.claimLinks.first ? this.claimLinks.link(i) : { parent: this.parent.a[i]!, via: this.via.a[i]! };
  }

  /** Action ids from an initial state to state `index`, and that initial state's number. */
  private path(index: number): { init: number; actions: number[] } {
    const actions: number[] = [];
    for (let i = index; ;) {
      const { parent, via } = this.linkOf(i);
      if (via < 0) return { init: -via - 1, actions: actions.reverse() };
      actions.push(via);
      i = parent;
    }
  }

  /** The trace to state `index`, then (a step property's violation) the step by `extraAction` from it. */
  private traceTo(index: number, extraAction = -1): TraceStep[] {
    const p = this.path(index);
    if (extraAction >= 0) p.actions.push(extraAction);
    return traceSteps(this.c, executePath(this.c, p.init, p.actions), p.actions);
  }

  /**
   * A violation's place in discovery order, compared as a tuple: the one reported is the first. BFS: by the
   * step that found its state (parent, action; initial states first, by number), which is the order of state
   * indices, and a step property's just before the state its step reaches (recordStep), the same for any
   * number of workers. DFS and random walks: by state index.
   */
  private violationKey(v: { index: number; key?: readonly number[] }): readonly number[] {
    if (v.key !== undefined) return v.key;
    if (this.o.strategy !== 'bfs') return [v.index, 1, 0];
    const { parent, via } = this.linkOf(v.index);
    return via < 0 ? [-1, -via - 1, 1] : [parent, via, 1];
  }

  private livenessSkipReason(): string {
    if (this.o.strategy !== 'bfs') return `liveness is checked with --strategy bfs only (this run used ${this.o.strategy})`;
    if (!this.o.liveness) return 'liveness checking was turned off (--no-liveness)';
    if (this.c.liveness.length > 15) return 'more than 15 liveness properties in one model';
    if (this.failure) return 'the run stopped at a model error';
    if (this.incomplete !== undefined) return `the run stopped before the liveness pass finished (${this.incomplete})`;
    return 'the search stopped at a safety violation before the state graph was complete';
  }

  private result(): SearchResult {
    const secs = this.elapsed();
    const mem = process.memoryUsage.rss();
    if (mem > this.peakMemory) this.peakMemory = mem;
    const byBase = new Map<string, { actor: string; fired: number }>();
    for (const a of this.c.actions) {
      const e = byBase.get(a.base);
      if (e) { e.fired += this.fires[a.id]!; if (e.actor !== a.actor && !e.actor.split('|').includes(a.actor)) e.actor += `|${a.actor}`; }
      else byBase.set(a.base, { actor: a.actor, fired: this.fires[a.id]! });
    }
    const g = this.graph;
    const graphBytes = g ? g.start.a.byteLength + g.dst.a.byteLength + g.act.a.byteLength + g.labels.a.byteLength : 0;
    const tables = this.set.bytes + this.parallelBytes + this.claimLinks.bytes + this.parent.a.byteLength + this.via.a.byteLength + this.frontierBytes + graphBytes;
    const stats: SearchStats = {
      // Random walks give each visited state its own index (the walk is its trace); distinct counts the set.
      distinct: this.o.strategy === 'random' ? this.set.size : this.distinct, generated: this.generated, depth: this.depth, seconds: secs,
      distinctPerSecond: secs > 0 ? this.distinct / secs : 0, generatedPerSecond: secs > 0 ? this.generated / secs : 0,
      peakMemoryBytes: this.peakMemory, bytesPerState: this.distinct ? tables / this.distinct : 0,
      collisionProbability: this.o.exact ? 0 : collisionProbability(this.distinct, this.generated), exact: this.o.exact,
      workers: this.parallel ? this.workers : 1, discarded: this.x.discarded, edges: g ? g.edges : 0, livenessGraphBytes: graphBytes, livenessSeconds: this.livenessSeconds,
    };
    const res: SearchResult = {
      verdict: 'ok', strategy: this.o.strategy, stats, violations: [], notes: this.notes,
      coverage: [...byBase].map(([action, e]) => ({ action, actor: e.actor, fired: e.fired })),
      instanceCoverage: this.c.actions.map((a) => ({ action: a.name, actor: a.actor, fired: this.fires[a.id]! })),
      goals: this.c.goals.map((g, k) => ({ name: g.name, description: g.description, reached: this.goalHit[k]! >= 0, depth: this.goalHit[k]! >= 0 ? this.goalHit[k]! : null })),
      antecedents: this.c.invariants.flatMap((inv, k) => (inv.antecedent ? [{ name: inv.name, hits: this.antecedentHits[k]! }] : [])),
      liveness: this.c.liveness.map((l) => {
        const o = this.livenessOutcome?.find((x) => x.name === l.name);
        return o ? { name: l.name, status: o.status } : { name: l.name, status: 'not-checked' as const, reason: this.livenessSkipReason() };
      }),
    };
    if (this.failure) {
      const f = this.failure;
      let trace: TraceStep[] = [];
      try {
        const p = this.path(f.parent);
        const states = executePath(this.c, p.init, p.actions);
        const ids = [...p.actions];
        if (f.badSuccessor) { states.push(f.badSuccessor); ids.push(f.actionId); }
        trace = traceSteps(this.c, states, ids);
      } catch { /* the trace itself could not be rebuilt; the message still says what failed */ }
      res.verdict = 'error';
      const stack = this.o.debug ? thrownStack(f.error) : null;
      res.error = { message: f.error.message, trace, ...(f.error.details.action ? { action: f.error.details.action } : {}), ...(f.error.details.field ? { field: f.error.details.field } : {}), ...(stack ? { stack } : {}) };
      return res;
    }
    // Report violations in discovery order (see violationKey): the shortest first in BFS.
    const keyed = [...this.firstViolation].map(([property, v]) => ({ property, v, key: this.violationKey(v) }));
    keyed.sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]!);
    res.violations = keyed.map(({ property, v }) => ({ property, kind: v.kind, description: v.description, trace: this.traceTo(v.index, v.action ?? -1) }));
    for (const o of this.livenessOutcome ?? []) {
      if (o.status !== 'violated' || !o.lasso) continue;
      const l = this.c.liveness.find((x) => x.name === o.name)!;
      const lasso = o.lasso;
      const states = executePath(this.c, lasso.init, lasso.actions);
      const steps = traceSteps(this.c, states, lasso.actions).map((st, i) => (lasso.notes.has(i) ? { ...st, notes: lasso.notes.get(i)! } : st));
      res.violations.push({ property: o.name, kind: 'liveness', description: l.description, trace: steps, loopStart: lasso.loopStart >= 0 ? lasso.loopStart + 1 : null, stutter: lasso.stutter });
    }
    if (res.violations.length > 0) res.verdict = 'violation';
    else if (this.incomplete !== undefined) { res.verdict = 'incomplete'; res.incompleteReason = this.incomplete; res.incompletePhase = this.livenessStopped ? 'liveness' : 'safety'; }
    return res;
  }
}
