// One worker of the parallel breadth-first search (see level-protocol.ts for how a level runs). Its
// phases, over one level: expand (worker-expand.ts: the frontier in chunks, each state checked by
// worker-checks.ts, successors to the outboxes), then with the others (finishLevel) insert and place
// (worker-insert.ts), meeting at barriers (worker-peers.ts). A helper thread runs one (crew.ts:
// serveWorker), and the main thread is worker 0 (crew.ts: Crew).
import { Expander } from './expand.js';
import type { CompiledModel } from './model.js';
import { CTL_SKIP, CTL_STOP, sharedInts, type GrowMessage, type LevelMessage, type LevelResult, type LevelWorker, type WorkerLinks } from './level-protocol.js';
import { TABLE_HEAD } from './bucket-tables.js';
import { peersOf } from './worker-peers.js';
import { levelChecks } from './worker-checks.js';
import { levelExpansion } from './worker-expand.js';
import { levelInsertion } from './worker-insert.js';

export function levelWorker(c: CompiledModel, debug: boolean, links: WorkerLinks): LevelWorker {
  const x = new Expander(c, debug, links.probe);
  const { ctl, counts, workers, buckets: B, self, toPeer, fromPeer } = links;
  const SENT = workers * workers;
  const peers = peersOf(links), { barrier, report, takeNewBuffers, tables } = peers;
  const checks = levelChecks(c, x, debug);
  const expansion = levelExpansion(c, x, debug, links, peers, checks);
  const insertion = levelInsertion(c, links, peers);
  let level: LevelMessage | null = null;

  function startLevel(m: LevelMessage): void {
    level = m;
    insertion.start();
    expansion.start(m);
    checks.start(m);
  }

  /** After expanding: with the others, builds the next frontier (unless only checking, or stopped), and reports. */
  function* finishLevel(): Generator<number, LevelResult, void> {
    const m = level!, e = expansion.found, k = checks.found;
    const res: LevelResult = {
      type: 'level-done', generated: e.generated, fires: e.fires, discarded: x.discarded - e.discardedBefore, deadlocks: e.deadlocks,
      steps: k.steps, stopped: e.stopped, error: e.error, antecedents: k.antecedents, violations: k.violations, goals: k.goals, checkError: k.checkError, represented: k.represented,
      exchanged: false, count: 0, buffer: null, where: null, merged: null, bytes: 0,
    };
    if (!m.expand) { report(res); yield* barrier(); return res; }
    // Barrier A: every worker has expanded. The last to arrive decides for all whether the level was stopped.
    const outCount = expansion.outCount;
    for (let b = 0; b < B; b++) counts[SENT + self * B + b] = outCount[b]!;
    yield* barrier(() => Atomics.store(ctl, CTL_SKIP, Atomics.load(ctl, CTL_STOP)));
    takeNewBuffers();
    if (Atomics.load(ctl, CTL_SKIP) !== 0) { report(res); yield* barrier(); return res; }
    insertion.clearMarks(m.count);
    insertion.insertBuckets();
    // Barrier B: every new state's claim is marked; count them.
    yield* barrier();
    takeNewBuffers();
    const total = insertion.countMarks(m.count);
    // The next frontier's positions go over this level's (nobody reads those after barrier A).
    let nextWhere: Int32Array = new Int32Array(m.where), merged: Int32Array = new Int32Array(m.merged);
    if (2 * total > nextWhere.length || total > merged.length) {
      // Every worker sees the same total, so all take this branch; worker 0 allocates and shares.
      if (self === 0) {
        if (2 * total > nextWhere.length) nextWhere = sharedInts(Math.max(2 * total, 2 * nextWhere.length));
        if (total > merged.length) merged = sharedInts(Math.max(total, 2 * merged.length));
        for (let v = 1; v < workers; v++) toPeer[v]!.postMessage({ where: nextWhere.buffer as SharedArrayBuffer, merged: merged.buffer as SharedArrayBuffer } satisfies GrowMessage);
        res.where = nextWhere.buffer as SharedArrayBuffer; res.merged = merged.buffer as SharedArrayBuffer;
      }
      yield* barrier();
      if (self !== 0) { const g = peers.take<GrowMessage>(fromPeer[0]!); nextWhere = new Int32Array(g.where); merged = new Int32Array(g.merged); }
    }
    // The per-level loops live in small functions (insertBucket, countMarks, place): written inline here, they
    // made V8 recompile this generator about ten times a run, as later levels took branches it had not seen yet.
    insertion.place(nextWhere, merged);
    // The new states become this worker's part of the next frontier.
    res.exchanged = true; res.count = total; res.buffer = insertion.commit();
    // The bucket tables are shared: worker 0 counts them.
    res.bytes = (self === 0 ? tables.reduce((a, t) => a + 4 * (TABLE_HEAD + 2 * t[1]!), 0) : 0) + insertion.bytes() + expansion.bytes();
    report(res);
    // Barrier C: nobody starts the next level (or lets the main thread read `where`) before all have written their positions.
    yield* barrier();
    return res;
  }

  function seed(shared: SharedArrayBuffer[]): void {
    tables.length = 0;
    for (const t of shared) tables.push(new Int32Array(t));
  }
  return { seed, startLevel, expandChunks: (deadline) => expansion.expandChunks(deadline), finishLevel };
}
