// Random walks: `walks` seeded walks of at most maxDepth steps (1000 when unbounded), each from a random
// initial state, taking a random enabled successor inside the state constraint at each step. Not
// exhaustive: a run without a violation is incomplete.
import { hashState } from './fingerprint.js';
import { STOP } from './control.js';
import type { Engine } from './engine.js';
import { checkConstraint, deadlock } from './properties.js';

export async function randomWalks(e: Engine): Promise<void> {
  const n = e.n, c = e.c, hasSteps = c.steps.length > 0;
  let seed = (e.o.seed >>> 0) || 1;
  const rand = (k: number): number => { // xorshift32, deterministic per seed
    seed ^= seed << 13; seed >>>= 0; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % k;
  };
  const maxLen = Number.isFinite(e.o.maxDepth) ? e.o.maxDepth : 1000;
  const cur = e.x.cur; // the expander's, which a supervisor can read
  const cand = new Int32Array(e.acts.length * n);
  const candAct = new Int32Array(e.acts.length);
  const stop = e.ctl.words;
  for (let w = 0; w < e.o.walks && !e.stopNow && e.incomplete === undefined; w++) {
    e.publishCounts();
    if (performance.now() > e.nextPause || stop[STOP] !== 0) { if (e.yields) await e.pause(0); else e.checkpoint(0); if (e.incomplete) break; }
    const init = rand(c.initCount);
    e.startInit(init);
    cur.set(e.scratch.subarray(0, n));
    // Each walk's states get indices of their own so the trace is the walk itself.
    e.set.add(e.x.packed, 0);
    let idx = e.admit(e.scratchView, -1, -(init + 1), 1);
    for (let len = 1; len < maxLen && !e.stopNow && e.incomplete === undefined && stop[STOP] === 0; len++) {
      e.curRoot.b = cur; e.curRoot.o = 0;
      e.expanding = idx;
      let k = 0, enabled = 0;
      for (let ai = 0; ai < e.acts.length; ai++) {
        const a = e.acts[ai]!;
        if (!e.x.successor(a)) continue;
        enabled++; e.generated++; e.fires[ai]!++;
        if (c.constraint !== undefined && !checkConstraint(e, idx, a)) continue;
        cand.set(e.scratch.subarray(0, n), k * n); candAct[k++] = ai;
      }
      if (enabled === 0) { deadlock(e, e.curView, idx); break; }
      if (k === 0) break; // every successor is outside the state constraint (not a deadlock, as in BFS): the walk ends
      const pick = rand(k), taken = e.acts[candAct[pick]!]!;
      e.scratch.set(cand.subarray(pick * n, pick * n + n));
      // A walk's step properties are checked on the steps it takes (cur still holds the state they leave).
      if (hasSteps) { const failed = e.x.checkSteps(taken); if (failed !== 0) e.stepsFailed(failed, idx, taken.id); }
      e.x.packScratch(`action ${taken.name}`);
      // The walk goes on from the orbit's representative (the trace is made concrete when it is rebuilt).
      if (c.symmetry !== null) e.x.canonicalize();
      cur.set(e.scratch.subarray(0, n));
      hashState(e.x.packed, 0, e.x.w); e.set.add(e.x.packed, 0);
      e.depth = Math.max(e.depth, len + 1);
      idx = e.admit(e.scratchView, idx, candAct[pick]!, len + 1);
      if (e.set.size >= e.o.maxStates) { e.incomplete = 'max-states'; break; }
    }
  }
  if (e.incomplete === undefined) e.incomplete = 'random walks are not exhaustive';
}
