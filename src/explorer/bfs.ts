// Breadth-first search (the default: shortest counterexamples), level by level on one thread, handing
// over to parallel workers (bfs-parallel.ts) once a level is large enough; then, with liveness
// properties, the liveness pass over the recorded state graph.
//
// Hot path: states live in packed Int32Array levels; a successor is built in the expander's scratch
// buffer, hashed in place, and looked up in batches (lookUp); only a new one is copied to the next level.
//
// Determinism: BFS is level-synchronous. When a violation is found the current level is finished and the
// first violation in discovery order is reported, so counts and the reported violation do not depend on
// when inside a level the search happened to notice it.
import { FingerprintSet, fpHi, fpLo, hashState, LOOKUP_BATCH, newRecentCache, seenRecently } from './fingerprint.js';
import { checkLivenessAsync } from './liveness.js';
import { Crew } from './crew.js';
import type { Worker } from 'node:worker_threads';
import { PHASE_LIVENESS, PHASE_SAFETY, STOP } from './control.js';
import { workersWithin } from './memory.js';
import type { Engine } from './engine.js';
import { ActionFailure, checkConstraint, deadlock } from './properties.js';
import { ModelError } from './model.js';
import { bfsParallel } from './bfs-parallel.js';

export async function bfs(e: Engine): Promise<void> {
  try { await bfsFrom(e); } finally { await e.crew?.close(); }
  if (e.parallel && !e.handedOver) e.notes.push(`searched on one thread: no level reached ${e.o.parallelFrom} states, where the ${e.workers} workers take over (--parallel-from)`);
}

/**
 * Sequential BFS. With several workers, the helpers start (and load the model) once a level has a
 * tenth of o.parallelFrom states, while the search goes on here, and take over once a level has
 * o.parallelFrom (small models never start them).
 */
async function bfsFrom(e: Engine): Promise<void> {
  const c = e.c;
  const W = e.x.w, packed = e.x.packed, hasSteps = c.steps.length > 0, symmetric = c.symmetry !== null, audit = e.audit;
  let cur = new Int32Array(Math.max(1, c.initCount) * W);
  let curCount = 0;
  e.depth = 1;
  for (let i = 0; i < c.initCount; i++) {
    e.startInit(i);
    if (!e.set.add(packed, 0)) continue;
    e.admit(e.scratchView, -1, -(i + 1), 1);
    cur.set(packed, curCount * W);
    curCount++;
  }
  let levelStart = 0;
  let next = new Int32Array(Math.max(1024, curCount) * W);
  // Successors waiting to be looked up (see lookUp): about LOOKUP_BATCH, plus at most one per action instance of the last state.
  const P = LOOKUP_BATCH + e.acts.length;
  const pendHi = new Int32Array(P), pendLo = new Int32Array(P), pendAct = new Int32Array(P), pendParent = new Int32Array(P), pendPacked = new Int32Array(P * W);
  // With the annotated liveness check: the element each successor's canonicalization applied.
  const pendPerm = new Int32Array(P), perms = e.graph?.perm ?? null;
  let touched = 0;
  /**
   * The fingerprints looked up last (see seenRecently): a successor found here is a repeat and is not looked
   * up again. Not with the state graph, which records every edge's target, nor with exact states, where
   * equal fingerprints need not mean equal states.
   */
  const recent = e.graph === null && e.set instanceof FingerprintSet ? newRecentCache() : null;
  const stop = e.ctl.words;
  while (curCount > 0 && !e.stopNow && e.incomplete === undefined) {
    if (e.parallel && e.crew === null && curCount >= e.o.parallelFrom / 10) startCrew(e);
    if (e.crew !== null && curCount >= e.o.parallelFrom) {
      // This thread's own probe goes quiet: from here the workers' probes say what runs (a stale one would be reported as stuck).
      e.x.idle();
      e.handedOver = true;
      return bfsParallel(e, e.crew, cur, curCount, levelStart);
    }
    if (e.depth >= e.o.maxDepth) { e.incomplete = 'max-depth'; break; }
    e.markLevel();
    let nextCount = 0, np = 0;
    /**
     * Looks the pending successors up, in the order they were generated. Their table cells are loaded
     * first, together: the loads are independent, so their cache misses overlap (looked up as each was
     * generated, each waited for its own, between a state's worth of other work).
     */
    const lookUp = (): void => {
      const graph = e.graph, n = np;
      e.x.idle();
      np = 0; // first: if an invariant throws below, the failure's handler must not look these up again
      for (let j = 0; j < n; j++) touched ^= e.set.touch(pendHi[j]!);
      for (let j = 0; j < n; j++) {
        const isNew = e.set.addHashed(pendPacked, j * W, pendHi[j]!, pendLo[j]!);
        if (graph !== null) {
          const edge = graph.edges++;
          graph.dst.ensure(edge + 1); graph.act.ensure(edge + 1);
          graph.dst.a[edge] = isNew ? e.distinct : e.set.found; graph.act.a[edge] = pendAct[j]!;
          if (perms !== null) { perms.ensure(edge + 1); perms.a[edge] = pendPerm[j]!; }
        }
        if (!isNew) continue;
        e.c.layout.unpack(pendPacked, j * W, e.scratch, 0);
        e.admit(e.scratchView, pendParent[j]!, pendAct[j]!, e.depth + 1);
        if (nextCount * W + W > next.length) { const b = new Int32Array(next.length * 2); b.set(next); next = b; }
        const dst = nextCount * W;
        for (let k = 0; k < W; k++) next[dst + k] = pendPacked[j * W + k]!;
        nextCount++;
      }
    };
    let tick = e.tick;
    try {
      for (let i = 0; i < curCount; i++) {
        // Every 64 states (of this level or the ones before) the clock, for a checkpoint every 100 ms; every state a supervisor's stop request.
        if (((++tick & 63) === 0 && performance.now() > e.nextPause) || stop[STOP] !== 0) {
          lookUp();
          if (e.yields) await e.pause(curCount - i); else e.checkpoint(curCount - i);
          if (e.incomplete !== undefined) break;
        }
        const parentIdx = levelStart + i;
        e.expanding = parentIdx;
        e.x.loadPacked(cur, i * W);
        let enabled = 0;
        const acts = e.acts, graph = e.graph;
        if (graph !== null) { graph.start.ensure(parentIdx + 2); graph.start.a[parentIdx] = graph.edges; }
        const cand = e.x.candidates();
        for (let w = 0; w < cand.length; w++) for (let bits = cand[w]!; bits !== 0; bits &= bits - 1) {
          const ai = (w << 5) + 31 - Math.clz32(bits & -bits);
          const a = acts[ai]!;
          if (!e.x.successor(a)) continue;
          enabled++;
          e.generated++;
          e.fires[ai]!++;
          if (c.constraint !== undefined && !checkConstraint(e, parentIdx, a)) continue;
          // Every step is checked, to a new state or not (as TLC checks action properties).
          if (hasSteps) { const failed = e.x.checkSteps(a); if (failed !== 0) e.stepsFailed(failed, parentIdx, a.id); }
          if (audit !== null) audit.noteConcrete(e.scratch, ai);
          if (symmetric) e.x.canonicalize();
          hashState(packed, 0, W);
          if (audit !== null) audit.note(fpHi, fpLo, ai);
          if (recent !== null && seenRecently(recent, fpHi, fpLo)) continue;
          pendHi[np] = fpHi; pendLo[np] = fpLo; pendAct[np] = a.id; pendParent[np] = parentIdx; pendPerm[np] = e.x.lastElement;
          for (let k = 0, d = np * W; k < W; k++) pendPacked[d + k] = packed[k]!;
          np++;
        }
        if (audit !== null) {
          const why = audit.checkNoted(e.x.cur, 0);
          if (why !== null) throw new ActionFailure(new ModelError(why), parentIdx, -1, null);
        }
        // A deadlock is recorded after the successors of the states before it (as if looked up at once); the graph needs each state's edges before the next state's.
        if (np > LOOKUP_BATCH || enabled === 0 || graph !== null) lookUp();
        if (enabled === 0) deadlock(e, e.curView, parentIdx);
        if (e.incomplete !== undefined) break;
      }
    } catch (err) {
      lookUp(); // the successors generated before a failure were looked up before it, as one by one
      throw err;
    }
    lookUp();
    e.tick = tick;
    e.touched = touched; // so the loads are not optimized away
    e.frontierBytes = Math.max(e.frontierBytes, cur.byteLength + next.byteLength);
    if (e.incomplete !== undefined) break;
    levelStart += curCount;
    const t = cur; cur = next; next = t.length >= 1024 * W ? t : new Int32Array(1024 * W);
    curCount = nextCount;
    if (curCount > 0) e.depth++;
    // Budgets apply between levels, so a budgeted run stops at the same place for any number of workers.
    if (curCount > 0 && e.distinct >= e.o.maxStates) e.incomplete = 'max-states';
    e.publishCounts();
  }
  if (e.graph !== null && curCount === 0 && !e.stopNow && e.incomplete === undefined) await livenessPass(e);
}

/**
 * Starts the helper threads of a parallel search: as many as asked, or as the memory budget has room
 * for (each is a thread with a heap of its own and a compiled copy of the model), with a note.
 */
function startCrew(e: Engine): void {
  const fit = workersWithin(e.o.workers, e.o.maxMemoryBytes, process.memoryUsage.rss(), e.o.modelBytes);
  if (fit.workers < e.o.workers) e.notes.push(fit.note!);
  if (fit.workers <= 1) { e.parallel = false; return; }
  e.workers = fit.workers;
  const sup = e.o.supervision;
  e.crew = new Crew(e.c, e.o.debug, fit.workers, e.o.spawnWorker! as () => Worker, sup ? (p) => sup.probe(p) : null);
}

/** The liveness pass over the complete state graph. */
async function livenessPass(e: Engine): Promise<void> {
  const t = performance.now();
  e.x.idle();
  e.publishCounts();
  e.ctl.phase = PHASE_LIVENESS;
  e.progress(0, true);
  const g = e.graph!;
  g.start.ensure(e.distinct + 1);
  g.start.a[e.distinct] = g.edges;
  const d = e.distinct, edges = g.edges;
  const outcome = await checkLivenessAsync({
    graph: { states: d, start: g.start.a.subarray(0, d + 1), dst: g.dst.a.subarray(0, edges), act: g.act.a.subarray(0, edges), parent: e.links.parent.a.subarray(0, d), via: e.links.via.a.subarray(0, d), labels: g.labels.a.subarray(0, d) },
    props: e.c.liveness.map(({ name, kind, within, fairness }) => ({ name, kind, within, fairness })),
    actions: e.c.actions.map(({ id, name, base, actor }) => ({ id, name, base, actor })),
    stuttering: e.c.stuttering,
    ...(e.annotated !== null ? { symmetry: { ...e.annotated, perm: g.perm!.a.subarray(0, edges) } } : {}),
  }, () => {
    e.progress(0);
    e.incomplete ??= e.overBudget();
    return e.incomplete !== undefined;
  });
  e.ctl.phase = PHASE_SAFETY;
  e.livenessStopped = outcome === null;
  e.livenessSeconds = (performance.now() - t) / 1000;
  if (outcome === null) return;
  e.livenessOutcome = outcome;
  for (const o of e.livenessOutcome) if (o.status === 'violated' && e.shouldStopAfter(o.name)) e.stopNow = true;
}
