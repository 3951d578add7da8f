// The shared parts of every search (bfs.ts, dfs.ts, random.ts): the visited-state store (a fingerprint
// or exact set, and parent links), checking each new state's properties, recording violations in
// discovery order, budgets, progress and checkpoints, and turning a broken action into a model error.
// The strategies are functions over an Engine; result.ts assembles what it found into a SearchResult.
import { SymmetryAudit } from './symmetry-audit.js';
import { annotatedPlan, needsAnnotated } from './symmetry-liveness.js';
import type { SymmetryJob } from './liveness-annotated.js';
import { availableParallelism } from 'node:os';
import type { ActionInstance, CompiledModel } from './model.js';
import type { ViewRoot } from './schema.js';
import { ExactStateSet, FingerprintSet, hashState, type StateSet } from './fingerprint.js';
import { Expander, ExpandFailure } from './expand.js';
import type { Lasso } from './liveness.js';
import type { Crew } from './crew.js';
import { Control, PHASE_LIVENESS, PHASE_REPORT, PHASE_SAFETY, PHASE_SETUP, STOP_REASONS } from './control.js';
import { Growable, ParentLinks } from './links.js';
import { ActionFailure, checkState } from './properties.js';
import { ModelError } from './model.js';
import type { SearchOptions, SearchResult } from './search.js';

/** The state graph for the liveness pass (CSR: edges of state i are edges[start[i] .. start[i+1])). */
export interface LivenessGraph {
  start: Growable; dst: Growable; act: Growable; labels: Growable; edges: number;
  /** With the annotated check under symmetry: per edge, the element canonicalization applied to the successor. */
  perm: Growable | null;
}

/** A search strategy: runs over the engine, leaving in it what it found. */
export type Search = (e: Engine) => Promise<void>;

/** A violation as recorded (see Engine.firstViolation). */
export interface Recorded { kind: 'invariant' | 'step' | 'deadlock'; description: string; index: number; action?: number; key?: readonly number[] }

/**
 * The search's state, shared by the strategies (which read and write its fields directly: they are the
 * engine's inner loops, split into files of their own) and read by result.ts.
 */
export class Engine {
  readonly n: number;
  readonly acts: readonly ActionInstance[];
  readonly set: StateSet;
  readonly links: ParentLinks;
  distinct = 0;
  /** With symmetry: the states the distinct ones stand for (the sum of their orbits' sizes). */
  represented = 0;
  /** With symmetry: why the liveness properties are not checked (symmetry-liveness.ts: annotatedPlan), or null. */
  readonly livenessRefused: string | null;
  /** With symmetry and liveness that needs the annotated check (liveness-annotated.ts): its plan, else null. */
  readonly annotated: Omit<SymmetryJob, 'perm'> | null;
  /** With symmetry: checks each kept state's properties and successors against its permutations. */
  readonly audit: SymmetryAudit | null;
  generated = 0;
  depth = 0;
  readonly fires: Float64Array;
  readonly goalHit: number[];
  readonly antecedentHits: number[];
  /**
   * The first violation of each property: the state it is in (index), or for a step property the state the
   * step leaves and its action, with the step's place in discovery order (key; see violationKey).
   */
  readonly firstViolation = new Map<string, Recorded>();
  stopNow = false;
  incomplete: string | undefined;
  failure: ActionFailure | undefined;
  readonly t0 = performance.now();
  lastProgress = performance.now();
  /** When the search next checks its budgets (see checkpoint): at its first check, then every 100 ms. */
  nextPause = 0;
  /** States expanded (BFS), or DFS steps, counted to read the clock every so many. */
  tick = 0;
  /** Shared with a supervising thread, if any (control.ts): its STOP word is read once per state. */
  readonly ctl: Control;
  /** The liveness pass was stopped (a budget or an interrupt), after a complete safety search. */
  livenessStopped = false;
  /** Whether checkpoints let the event loop run (pause) or not (checkpoint): only on the caller's thread, not on a supervised search thread. */
  readonly yields: boolean;
  peakMemory = 0;
  /** The state graph for the liveness pass (CSR: edges of state i are edges[start[i] .. start[i+1])). */
  readonly graph: LivenessGraph | null;
  livenessOutcome: { name: string; status: 'holds' | 'violated'; lasso?: Lasso }[] | null = null;
  livenessSeconds = 0;
  frontierBytes = 0;
  // The successor computation; its scratch buffer and views are the engine's.
  readonly x: Expander;
  readonly scratch: Int32Array;
  readonly curRoot: ViewRoot;
  readonly curView: any;
  /** Read-only, over scratch: the successor as properties and the constraint see it. */
  readonly scratchView: any;
  /** Index of the state being expanded, so an ExpandFailure can be traced to it. */
  expanding = -1;

  /** Parallel BFS runs: BFS, more than one worker, no exact mode, no liveness graph (both need one worker). False too once the memory budget leaves room for no helper. */
  parallel: boolean;
  /** The workers the search uses (fewer than asked when the memory budget has room for fewer). */
  workers: number;
  /** Parallel BFS: the helper threads, once started, and whether they took over (see bfsFrom). */
  crew: Crew | null = null;
  handedOver = false;
  /** Parallel BFS: the bytes the workers hold (fingerprint sets, states, outboxes), at the largest level. */
  parallelBytes = 0;
  /** Where the BFS leaves the cells it touched (see bfsFrom). */
  touched = 0;
  /** Why a requested worker count was not used, for the report. */
  readonly notes: string[] = [];

  constructor(readonly c: CompiledModel, readonly o: SearchOptions) {
    this.n = c.layout.slots;
    this.acts = c.actions;
    const plan = c.symmetry !== null && o.liveness && c.liveness.length > 0 && needsAnnotated(c) ? annotatedPlan(c, c.symmetry) : null;
    this.livenessRefused = plan !== null && 'refused' in plan ? plan.refused : null;
    this.annotated = plan !== null && 'job' in plan ? plan.job : null;
    const wantGraph = o.strategy === 'bfs' && o.liveness && c.liveness.length > 0 && c.liveness.length <= 15 && this.livenessRefused === null;
    const reason = o.workers <= 1 ? null : o.strategy !== 'bfs' ? `--strategy ${o.strategy}` : o.exact ? '--exact' : wantGraph ? 'the liveness pass (pass --no-liveness to search in parallel)' : o.spawnWorker === null ? 'this caller' : null;
    if (reason !== null) this.notes.push(`ran with 1 worker instead of ${o.workers}: ${reason} is single-worker in this version`);
    this.parallel = o.workers > 1 && reason === null;
    this.workers = this.parallel ? o.workers : 1;
    if (c.actions.length === 0) this.notes.push(`model '${c.model.name}' has no ${c.baseActions.length ? 'action instances (every action has an empty over)' : 'actions'}: only its initial states are checked`);
    const cpus = availableParallelism();
    if (this.parallel && o.workers > cpus) this.notes.push(`${o.workers} workers on ${cpus} CPU${cpus === 1 ? '' : 's'}: workers beyond the CPU count share CPUs and slow the search (the results are the same)`);
    this.graph = wantGraph ? { start: new Growable(1 << 16), dst: new Growable(1 << 16), act: new Growable(1 << 16), labels: new Growable(1 << 16), edges: 0, perm: this.annotated !== null ? new Growable(1 << 16) : null } : null;
    this.set = o.exact ? new ExactStateSet(c.layout.words) : new FingerprintSet(wantGraph);
    this.fires = new Float64Array(c.actions.length);
    this.links = new ParentLinks(c.actions.length);
    this.generated = c.droppedInits; // initial states outside the state constraint: generated, never stored
    this.goalHit = c.goals.map(() => -1);
    this.antecedentHits = c.invariants.map(() => 0);
    this.x = new Expander(c, o.debug);
    this.audit = c.symmetry !== null ? new SymmetryAudit(c, wantGraph) : null;
    this.ctl = new Control(o.supervision?.control);
    this.yields = o.supervision === null;
    o.supervision?.started(c, this.x.probe, o.strategy);
    this.scratch = this.x.scratch;
    this.curRoot = this.x.curRoot;
    this.curView = this.x.curView;
    this.scratchView = this.x.scratchView;
  }

  /** Runs a search phase, turning a broken action into the run's model error. */
  async guarded(phase: () => Promise<void>): Promise<void> {
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
  levelMark: { depth: number; distinct: number; represented: number; generated: number; fires: Float64Array; goalHit: number[]; antecedentHits: number[]; violations: number; discarded: number } | null = null;
  markLevel(): void {
    // The goals reached so far were reached at this depth or before: the audit settles them (symmetry-audit.ts).
    this.audit?.settleGoals(this.goalHit.flatMap((h, k) => (h >= 0 ? [k] : [])));
    this.levelMark = { depth: this.depth, distinct: this.distinct, represented: this.represented, generated: this.generated, fires: this.fires.slice(), goalHit: [...this.goalHit], antecedentHits: [...this.antecedentHits], violations: this.firstViolation.size, discarded: this.x.discarded };
  }
  rollbackLevel(): void {
    const m = this.levelMark;
    if (m === null) return;
    this.depth = m.depth; this.distinct = m.distinct; this.represented = m.represented; this.generated = m.generated; this.fires.set(m.fires); this.x.discarded = m.discarded;
    m.goalHit.forEach((h, k) => { this.goalHit[k] = h; });
    m.antecedentHits.forEach((h, k) => { this.antecedentHits[k] = h; });
    [...this.firstViolation.keys()].slice(m.violations).forEach((k) => this.firstViolation.delete(k));
  }

  /** Runs the search, and assembles the result (`report`, result.ts). */
  async run(search: Search, report: (e: Engine) => SearchResult): Promise<SearchResult> {
    this.ctl.phase = PHASE_SAFETY;
    try {
      await this.guarded(() => search(this));
      this.x.idle();
      this.ctl.phase = PHASE_REPORT;
      return report(this);
    } finally {
      this.x.idle();
      this.ctl.phase = PHASE_SETUP;
    }
  }

  elapsed(): number { return (performance.now() - this.t0) / 1000; }

  shouldStopAfter(property: string): boolean {
    const s = this.o.stopOn;
    return s === 'first' ? true : s === 'never' ? false : s.has(property);
  }

  record(property: string, kind: 'invariant' | 'deadlock', description: string, index: number): void {
    if (this.firstViolation.has(property)) return;
    this.firstViolation.set(property, { kind, description, index });
    if (this.shouldStopAfter(property)) this.stopNow = true;
  }

  /**
   * Records step property k, false on the step from state `parent` by action `action`. Its place in discovery
   * order: BFS, just before the state that step reaches (by claim: parent, action), for any number of workers;
   * DFS and random walks, after every state found so far (the state it reaches, if new, is found after it).
   */
  recordStep(k: number, parent: number, action: number): void {
    const st = this.c.steps[k]!;
    if (this.firstViolation.has(st.name)) return;
    this.firstViolation.set(st.name, { kind: 'step', description: st.description, index: parent, action, key: this.o.strategy === 'bfs' ? [parent, action, 0] : [this.distinct - 1, 2, 0] });
    if (this.shouldStopAfter(st.name)) this.stopNow = true;
  }

  /** The step properties that failed (checkSteps returned `failed`) on the step from state `parent` by action `action`. */
  stepsFailed(failed: number, parent: number, action: number): void {
    for (let j = 0; j < failed; j++) this.recordStep(this.x.failedSteps[j]!, parent, action);
  }

  /** Initial state i, generated: into scratch (slots) and packed, fingerprint computed (hashState). */
  startInit(i: number): void {
    const n = this.n;
    this.generated++;
    for (let k = 0; k < n; k++) this.scratch[k] = this.c.inits[i * n + k]!;
    this.x.packScratch(`initial state ${i + 1}`);
    if (this.c.symmetry !== null) this.x.canonicalize();
    hashState(this.x.packed, 0, this.x.w);
  }

  /** Registers a new state (already in the set) and checks it (properties.ts). Returns its index. */
  admit(view: any, parent: number, via: number, depth: number): number {
    const idx = this.distinct++;
    // Every admitted state's view is over scratch.
    if (this.c.symmetry !== null) this.represented += this.c.symmetry.orbitSize(this.scratch, 0);
    this.links.add(idx, parent, via);
    checkState(this, view, idx, depth);
    if (this.audit !== null) {
      // Breadth-first searches audit a state's actions when they expand it (bfs.ts, worker-expand.ts).
      const why = this.audit.check(this.scratch, 0, view, this.o.strategy !== 'bfs');
      if (why !== null) throw new ActionFailure(new ModelError(why), idx, -1, null);
    }
    return idx;
  }

  /** Progress, every progressEveryMs (or now, `force`, when the liveness pass begins and the figures change meaning). */
  progress(frontier: number, force = false): void {
    const now = performance.now();
    if (now - this.lastProgress < this.o.progressEveryMs && !(force && Number.isFinite(this.o.progressEveryMs))) return;
    this.lastProgress = now;
    const mem = process.memoryUsage.rss();
    if (mem > this.peakMemory) this.peakMemory = mem;
    const phase = this.ctl.phase === PHASE_LIVENESS ? 'liveness' : 'safety';
    this.o.onProgress({ distinct: this.distinct, generated: this.generated, depth: this.depth, frontier, seconds: this.elapsed(), memoryBytes: mem, phase });
  }

  /** The counts so far, for a supervisor that has to stop the search thread (distinct as the result counts it). */
  publishCounts(): void { this.ctl.setCounts(this.o.strategy === 'random' ? this.set.size : this.distinct, this.generated, this.depth); }

  /**
   * Between chunks (every 100 ms, or at once when a supervisor asks the search to stop): progress, stop
   * requests, and the time and memory budgets.
   */
  checkpoint(frontier: number): void {
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
  async pause(frontier: number): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    this.checkpoint(frontier);
  }

  /** Why the run must stop now (an interrupt, the time or memory budget), if it must. */
  overBudget(): string | undefined {
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

  /** Records an unexpected deadlock (the expected-terminal predicate, if any, was evaluated: see deadlock in properties.ts, or by a worker). */
  deadlockAt(index: number): void {
    const d = this.c.deadlock;
    this.record('Deadlock', 'deadlock', typeof d === 'object' ? `a state with no enabled action that is not an expected terminal state (${d.description})` : 'a state with no enabled action', index);
  }
}
