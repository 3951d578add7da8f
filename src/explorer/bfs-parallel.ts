// The parallel part of a breadth-first search: from a frontier the sequential search (bfs.ts) hands over,
// level by level over the workers (crew.ts, parallel.ts), taking in what each level found in the order the
// sequential search would have found it, so that the result is the same for any number of workers.
import { ModelError, UsageError } from './model.js';
import { FingerprintSet } from './fingerprint.js';
import { CTL_STOP, type LevelMessage, type LevelResult, type WorkerError } from './level-protocol.js';
import type { Crew } from './crew.js';
import type { Engine } from './engine.js';
import { ActionFailure } from './properties.js';

/** What the model's code threw on a worker thread, as a ModelError's cause: its stack trace (the error itself stayed there). */
const thrownOnWorker = (err: WorkerError): { cause?: { stack: string } } => (err.stack ? { cause: { stack: err.stack } } : {});

/**
 * Level-synchronous BFS over workers, from the frontier the sequential search handed over (`cur`:
 * curCount packed states, the first at index levelStart; checked when found); see level-protocol.ts for why
 * the result equals the sequential one.
 */
export async function bfsParallel(e: Engine, crew: Crew, cur: Int32Array, curCount: number, levelStart: number): Promise<void> {
  const c = e.c, A = c.actions.length;
  const workerError = (err: WorkerError, levelStart: number): ActionFailure =>
    new ActionFailure(new ModelError(err.message, { ...(err.action ? { action: err.action } : {}), ...(err.field ? { field: err.field } : {}), ...thrownOnWorker(err) }), levelStart + err.pos, err.actionId, err.bad);
  const firstError = (errs: (WorkerError | null)[]): WorkerError | undefined =>
    errs.filter((err): err is WorkerError => err !== null).sort((a, b) => a.pos - b.pos || a.actionId - b.actionId)[0];
  /** The last level's parent links, kept while the workers expand the next level (only traces read them). */
  let links: { first: number; parentStart: number; claims: Int32Array } | null = null;
  const keepLinks = (): void => { if (links !== null) e.links.claims.add(links.first, links.parentStart, links.claims); links = null; };
  try {
    // Every worker records the states it owns among those found so far.
    const fps = e.set instanceof FingerprintSet ? e.set.fingerprints() : null;
    if (fps === null) throw new Error('the parallel search needs a fingerprint set');
    crew.seed(fps, e.set.size);
    const Wd = e.x.w;
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
      const checkDeadlock = c.deadlock !== 'allowed' && !e.firstViolation.has('Deadlock');
      const skipInvariants = c.invariants.flatMap((inv, k) => (e.firstViolation.has(inv.name) ? [k] : []));
      const skipGoals = e.goalHit.flatMap((h, k) => (h >= 0 ? [k] : []));
      const m: LevelMessage = { type: 'level', buffers, where: where.buffer as SharedArrayBuffer, count, merged: merged[e.depth & 1]!, expand, checkDeadlock, check: !checked, skipInvariants, skipGoals };
      // Parent links are kept while the helpers start; budgets and progress are seen between slices.
      return crew.level(m, () => { keepLinks(); if (expand) watch(e, crew.ctl, count); }, () => watch(e, crew.ctl, count));
    };
    /**
     * Takes in what checking the frontier found, as the sequential search does when it finds these
     * states (while expanding the level before): a property that threw is a model error of that
     * level (`mark`: its start); violations are recorded in discovery order.
     */
    const takeChecks = (results: LevelResult[], mark: Engine['levelMark']): void => {
      const err = firstError(results.map((r) => r.checkError));
      if (err) { e.levelMark = mark; throw new ActionFailure(new ModelError(err.message, thrownOnWorker(err)), levelStart + err.pos, -1, null); }
      const found: { pos: number; k: number }[] = [];
      for (const r of results) {
        r.antecedents.forEach((h, k) => { e.antecedentHits[k]! += h; });
        e.represented += r.represented;
        r.goals.forEach((h, k) => { if (h && e.goalHit[k]! < 0) e.goalHit[k] = e.depth; });
        for (let i = 0; i < r.violations.length; i += 2) found.push({ pos: r.violations[i + 1]!, k: r.violations[i]! });
      }
      found.sort((a, b) => a.pos - b.pos || a.k - b.k);
      for (const f of found) { const inv = c.invariants[f.k]!; e.record(inv.name, 'invariant', inv.description, levelStart + f.pos); }
      checked = true;
    };
    while (curCount > 0 && !e.stopNow && e.incomplete === undefined) {
      if (e.depth >= e.o.maxDepth) { e.incomplete = 'max-depth'; break; }
      if (curCount * A >= 2 ** 31) throw new UsageError(`a level of ${curCount} states × ${A} actions is too large for --workers (claims are 31-bit); use --workers 1`);
      const prevMark = e.levelMark;
      const results = await runLevel(true);
      if (!results[0]!.exchanged) break; // interrupted or out of time: e.incomplete is set; the frontier is checked below
      if (!checked) takeChecks(results, prevMark);
      // A violation in the frontier: the sequential search stopped before this level (not counting its successors, nor meeting its failures).
      if (e.stopNow) break;
      // The level proper begins here: the sequential search found the violations above before it.
      e.markLevel();
      const err = firstError(results.map((r) => r.error));
      if (err) {
        // The sequential search checks a state as it finds it, so a property that throws on a state found
        // before the failure fails first. Those states lead the next frontier (by claim): check them.
        const own = results[0]!;
        const found = new Int32Array(own.merged ?? merged[e.depth & 1]!, 0, own.count);
        const before = err.pos * A + (err.actionId < 0 ? A : err.actionId);
        let k = 0;
        for (let hi = own.count; k < hi; ) { const mid = (k + hi) >> 1; if (found[mid]! < before) k = mid + 1; else hi = mid; }
        if (k > 0) {
          if (own.where !== null) where = new Int32Array(own.where);
          links = { first: e.distinct, parentStart: levelStart, claims: found.subarray(0, k) };
          buffers = results.map((r) => r.buffer!);
          checked = false; // states just found
          const thrown = firstError((await runLevel(false, k)).map((r) => r.checkError));
          if (thrown) throw new ActionFailure(new ModelError(thrown.message, thrownOnWorker(thrown)), e.distinct + thrown.pos, -1, null);
        }
        throw workerError(err, levelStart);
      }
      for (const r of results) {
        e.generated += r.generated; e.x.discarded += r.discarded;
        for (let a = 0; a < A; a++) e.fires[a]! += r.fires[a]!;
      }
      for (const pos of results.flatMap((r) => r.deadlocks).sort((a, b) => a - b)) e.deadlockAt(levelStart + pos);
      // Each step property's first failing step of the level (the smallest claim of any worker), as the sequential search finds it.
      const failedSteps: { claim: number; k: number }[] = [];
      for (let k = 0; k < c.steps.length; k++) {
        let first = -1;
        for (const r of results) { const cl = r.steps[k]!; if (cl >= 0 && (first < 0 || cl < first)) first = cl; }
        if (first >= 0) failedSteps.push({ claim: first, k });
      }
      failedSteps.sort((a, b) => a.claim - b.claim || a.k - b.k);
      for (const { claim, k } of failedSteps) { const pos = Math.floor(claim / A); e.recordStep(k, levelStart + pos, claim - pos * A); }
      // The workers have exchanged successors and written the next frontier, in the sequential discovery order.
      const own = results[0]!, M = own.count;
      if (own.where !== null) where = new Int32Array(own.where); // worker 0 had to allocate larger ones
      if (own.merged !== null) merged[e.depth & 1] = own.merged;
      links = { first: e.distinct, parentStart: levelStart, claims: new Int32Array(merged[e.depth & 1]!, 0, M) };
      buffers = results.map((r) => r.buffer!);
      e.distinct += M;
      e.parallelBytes = Math.max(e.parallelBytes, results.reduce((a, r) => a + r.bytes, 0) + where.byteLength + merged[0]!.byteLength + merged[1]!.byteLength);
      levelStart += curCount;
      curCount = M;
      checked = false;
      if (curCount > 0) e.depth++;
      if (curCount > 0 && e.distinct >= e.o.maxStates) e.incomplete = 'max-states';
      e.publishCounts();
    }
    // A run that stopped before expanding its frontier (a budget, an interrupt) still checks it, as sequentially.
    if (!checked && curCount > 0) takeChecks(await runLevel(false), e.levelMark);
  } finally {
    keepLinks(); // traces read them
  }
}

/** While workers run a level: progress, interrupts and the time budget (which stop the workers through ctl). */
function watch(e: Engine, ctl: Int32Array, frontier: number): void {
  e.progress(frontier);
  const stop = e.overBudget();
  if (stop !== undefined) { e.incomplete ??= stop; Atomics.store(ctl, CTL_STOP, 1); }
}

