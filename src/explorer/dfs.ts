// Depth-first search: one path at a time, on an explicit stack of packed states (each frame: the state,
// its index, the next action to try, and how many were enabled, for deadlocks). Counterexamples are not
// the shortest; each state is found once, from the first path that reaches it.
import { hashState } from './fingerprint.js';
import { STOP } from './control.js';
import type { Engine } from './engine.js';
import { checkConstraint, deadlock } from './properties.js';

export async function dfs(e: Engine): Promise<void> {
  const n = e.n, c = e.c, hasSteps = c.steps.length > 0;
  let stack = new Int32Array(64 * n);
  let idxStack = new Int32Array(64);
  let actStack = new Int32Array(64);
  let enabledStack = new Int32Array(64);
  let tick = 0;
  const stop = e.ctl.words, cur = e.x.cur;
  for (let i = 0; i < c.initCount && !e.stopNow && e.incomplete === undefined; i++) {
    e.startInit(i);
    if (!e.set.add(e.x.packed, 0)) continue;
    let top = 0;
    /** The stack frame whose state is in cur (the expander's, which a supervisor can read). */
    let loaded = -1;
    stack.set(e.scratch.subarray(0, n), 0);
    idxStack[0] = e.admit(e.scratchView, -1, -(i + 1), 1);
    actStack[0] = 0; enabledStack[0] = 0;
    e.depth = Math.max(e.depth, 1);
    while (top >= 0 && !e.stopNow && e.incomplete === undefined) {
      if ((++tick & 1023) === 0) e.publishCounts();
      if (((tick & 1023) === 0 && performance.now() > e.nextPause) || stop[STOP] !== 0) { if (e.yields) await e.pause(top + 1); else e.checkpoint(top + 1); if (e.incomplete) break; }
      // Each push and pop changes top, so a frame is loaded once per visit.
      if (loaded !== top) { cur.set(stack.subarray(top * n, top * n + n)); loaded = top; }
      e.expanding = idxStack[top]!;
      const ai = actStack[top]!;
      if (ai >= e.acts.length) {
        if (enabledStack[top] === 0) deadlock(e, e.curView, idxStack[top]!);
        top--; continue;
      }
      actStack[top] = ai + 1;
      const a = e.acts[ai]!;
      if (!e.x.successor(a)) continue;
      enabledStack[top]!++;
      e.generated++; e.fires[ai]!++;
      if (c.constraint !== undefined && !checkConstraint(e, idxStack[top]!, a)) continue;
      if (hasSteps) { const failed = e.x.checkSteps(a); if (failed !== 0) e.stepsFailed(failed, idxStack[top]!, a.id); }
      if (c.symmetry !== null) e.x.canonicalize();
      hashState(e.x.packed, 0, e.x.w);
      if (!e.set.add(e.x.packed, 0)) continue;
      const d = top + 2;
      const idx = e.admit(e.scratchView, idxStack[top]!, a.id, d);
      if (e.distinct >= e.o.maxStates) { e.incomplete = 'max-states'; break; }
      if (d > e.o.maxDepth) { e.incomplete = 'max-depth'; break; }
      e.depth = Math.max(e.depth, d);
      top++;
      if ((top + 1) * n > stack.length) {
        const s2 = new Int32Array(stack.length * 2); s2.set(stack); stack = s2;
        const grow = (x: Int32Array) => { const y = new Int32Array(x.length * 2); y.set(x); return y; };
        idxStack = grow(idxStack); actStack = grow(actStack); enabledStack = grow(enabledStack);
      }
      stack.set(e.scratch.subarray(0, n), top * n);
      idxStack[top] = idx; actStack[top] = 0; enabledStack[top] = 0;
    }
  }
  e.frontierBytes = stack.byteLength * 2;
}
