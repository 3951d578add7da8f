// The expand phase of one worker of the parallel search (see level-protocol.ts): it takes chunks of the
// frontier from a shared counter, checks each state (worker-checks.ts) and sends each successor, with its
// claim, to its outbox for the successor's bucket. Nothing is looked up here.
import { fpHi, fpLo, hashState, newRecentCache, seenRecently } from './fingerprint.js';
import { ExpandFailure, type Expander } from './expand.js';
import { ModelError, type CompiledModel } from './model.js';
import { thrownStack } from './trace.js';
import { IDLE, WHO } from './control.js';
import {
  bucketOf, bucketShift, CHUNK_SHARE, CTL_NEXT, CTL_STOP, MAX_CHUNK, MIN_CHUNK, OUTBOX, sharedInts, type LevelMessage, type WorkerError, type WorkerLinks,
} from './level-protocol.js';
import type { Peers } from './worker-peers.js';
import type { LevelChecks } from './worker-checks.js';

export interface LevelExpansion {
  /** Starts level m: empty outboxes, nothing generated. */
  start(m: LevelMessage): void;
  /** Expands chunks until the frontier is taken or a failure stops the level; false if `deadline` (performance.now()) passed first. */
  expandChunks(deadline: number): boolean;
  /** How many records this worker sent to each bucket in the level. */
  readonly outCount: Int32Array;
  /** What expanding the level found (discardedBefore: the expander's count of discarded successors when the level started). */
  readonly found: { generated: number; fires: Float64Array; deadlocks: number[]; stopped: boolean; error: WorkerError | null; discardedBefore: number };
  /** The bytes its buffers hold. */
  bytes(): number;
}

/** The WorkerError of a failure while expanding frontier position `pos`. */
function failureAt(e: ExpandFailure, pos: number, debug: boolean): WorkerError {
  const stack = debug ? thrownStack(e.error) : null, d = e.error.details;
  return { pos, actionId: e.actionId, message: e.error.message, ...(d.action ? { action: d.action } : {}), ...(d.field ? { field: d.field } : {}), bad: e.badSuccessor, ...(stack ? { stack } : {}) };
}

export function levelExpansion(c: CompiledModel, x: Expander, debug: boolean, links: WorkerLinks, peers: Peers, checks: LevelChecks): LevelExpansion {
  const who = x.who, W = c.layout.words, acts = c.actions, A = acts.length, R = 3 + W;
  const { ctl, workers, buckets: B, self } = links, shift = bucketShift(B);
  const { checkState, inConstraint, stepsFailed, expectedTerminal, audit } = checks;
  const hasSteps = c.steps.length > 0, symmetric = c.symmetry !== null;
  /**
   * The fingerprints this worker last sent (see seenRecently).
   * A worker's claims only grow, so a repeat it drops could never have lowered the claim its earlier record carries.
   */
  const sent = newRecentCache();
  /**
   * This worker's outboxes, one buffer: bucket b's records [claim, hi, lo, packed state] from record
   * b * cap, outCount[b] of them (published in counts.sent before barrier A).
   */
  let cap = 256;
  // Many workers means many buckets: start each bucket smaller, so that a worker's outboxes take about
  // 1 MiB to begin with (each bucket a worker sends to touches a page or more of them).
  while (cap > 16 && B * cap * R * 4 > 1 << 20) cap /= 2;
  while (cap < 2 * A) cap *= 2;
  let outbox = sharedInts(B * cap * R);
  const outCount = new Int32Array(B);
  peers.boxes[self] = outbox;
  peers.announce(OUTBOX, outbox.buffer as SharedArrayBuffer);

  /** The level being run, and what expanding it found so far. */
  let level: LevelMessage | null = null, bufs: Int32Array[] = [], where: Int32Array = new Int32Array(0), expand = false;
  const found: LevelExpansion['found'] = { generated: 0, fires: new Float64Array(A), deadlocks: [], stopped: false, error: null, discardedBefore: 0 };
  /** The frontier position being expanded (for the error of an action that fails there). */
  let expandingAt = 0;

  /** What expandRange returns when a stop was requested, and the successors it generated otherwise. */
  const STOPPED = -1;
  let rangeGenerated = 0;
  /**
   * Checks (if m.check) and expands (if `expand`) frontier positions from..to-1, sending each successor
   * to this worker's outbox for its bucket. Stops at a property that throws, and after a state that left
   * an outbox with room for fewer than A more records. Returns where to go on (once the outboxes have
   * grown), or STOPPED if a stop was requested; rangeGenerated is the successors it generated. (It returns
   * a number, not an object, and sets rangeGenerated rather than adding to it: V8 at times compiled the code
   * after the loop before it had run, then deoptimized the function there, again and again.)
   */
  function expandRange(m: LevelMessage, expand: boolean, from: number, to: number, bufs: Int32Array[], where: Int32Array, fires: Float64Array, deadlocks: number[]): number {
    const packed = x.packed, checkDeadlock = m.checkDeadlock, box = outbox, room = cap - A;
    let generated = 0, full = 0;
    for (let r = from; r < to; r++) {
      if (expand && r === from && Atomics.load(ctl!, CTL_STOP) !== 0) return STOPPED;
      expandingAt = r;
      x.loadPacked(bufs[where[2 * r]!]!, where[2 * r + 1]! * W);
      if (!checkState(r)) break;
      if (!expand) continue;
      const claimBase = r * A;
      let enabled = 0;
      const cand = x.candidates();
      for (let w = 0; w < cand.length; w++) for (let bits = cand[w]!; bits !== 0; bits &= bits - 1) {
        const ai = (w << 5) + 31 - Math.clz32(bits & -bits);
        const a = acts[ai]!;
        if (!x.successor(a)) continue;
        enabled++; generated++; fires[ai]!++;
        if (c.constraint !== undefined && !inConstraint(a.id)) continue;
        // Every step is checked, to a new state or not (as the sequential search does).
        if (hasSteps) { const failed = x.checkSteps(a); if (failed !== 0) stepsFailed(failed, claimBase + ai); }
        if (audit !== null) audit.noteConcrete(x.scratch, ai);
        if (symmetric) x.canonicalize();
        hashState(packed, 0, W);
        const hi = fpHi, lo = fpLo;
        if (audit !== null) audit.note(hi, lo, ai);
        // Sent before (this level, with a smaller claim, or in an earlier one): inserted already, or will be.
        if (seenRecently(sent, hi, lo)) continue;
        const b = bucketOf(lo, shift), j = outCount[b]!++, at = (b * cap + j) * R;
        full |= (room - j - 1) >> 31; // -1 once fewer than A records fit after this one (no branch: see growOutboxes)
        box[at] = claimBase + ai; box[at + 1] = hi; box[at + 2] = lo;
        for (let k = 0; k < W; k++) box[at + 3 + k] = packed[k]!;
      }
      if (audit !== null) { const why = audit.checkNoted(x.cur, 0); if (why !== null) throw new ExpandFailure(new ModelError(why), -1, null); }
      if (enabled === 0 && checkDeadlock && !expectedTerminal()) deadlocks.push(r);
      if (full !== 0) { rangeGenerated = generated; return r + 1; }
    }
    rangeGenerated = generated;
    return to;
  }

  /**
   * Doubles the room of every outbox (into a new buffer, announced to the others). expandRange leaves
   * room for a whole state's successors and returns before that room runs out, rather than growing the
   * outbox itself: a branch its optimized code had not yet taken, levels into the run, deoptimized it.
   */
  function growOutboxes(): void {
    const wider = sharedInts(B * 2 * cap * R);
    for (let b = 0; b < B; b++) wider.set(outbox.subarray(b * cap * R, (b * cap + outCount[b]!) * R), b * 2 * cap * R);
    cap *= 2; outbox = wider; peers.boxes[self] = wider;
    peers.announce(OUTBOX, wider.buffer as SharedArrayBuffer);
  }

  /** The end of the chunk takeChunk took last. */
  let chunkEnd = 0;
  /** Takes the next chunk of a frontier of `count` positions: returns its start (count or more if none is left) and sets chunkEnd. */
  function takeChunk(count: number): number {
    for (;;) {
      const from = Atomics.load(ctl, CTL_NEXT);
      if (from >= count) return from;
      const to = Math.min(count, from + Math.min(MAX_CHUNK, Math.max(MIN_CHUNK, Math.floor((count - from) / (CHUNK_SHARE * workers)))));
      if (Atomics.compareExchange(ctl, CTL_NEXT, from, to) === from) { chunkEnd = to; return from; }
    }
  }

  function expandChunks(deadline: number): boolean {
    const m = level!;
    // Every chunk below the one where this worker stops was taken by some worker, which expanded it or
    // stopped at an earlier failure, so the first failure of the level is found for any number of workers.
    while (!found.stopped && checks.found.checkError === null && !(found.error !== null && !m.check)) {
      let from = takeChunk(m.count);
      if (from >= m.count) break;
      const to = chunkEnd;
      // The try is around the call, not inside the hot loop (where it costs V8 optimizations); expandingAt says where it failed.
      try {
        for (;;) {
          const next = expandRange(m, expand, from, to, bufs, where, found.fires, found.deadlocks);
          if (next === STOPPED) { found.stopped = true; break; } // before generating anything
          found.generated += rangeGenerated;
          if (next >= to) break;
          growOutboxes(); // an outbox is nearly full
          from = next;
        }
      } catch (e) {
        who[WHO] = IDLE;
        if (!(e instanceof ExpandFailure)) throw e;
        // The states found before the failure are this level's too: the main thread checks them, as the sequential search does before it fails.
        found.error = failureAt(e, expandingAt, debug);
        // A property that throws on a later state comes first (that state belongs to the previous level): check on.
        if (!m.check) break;
        expand = false;
        expandRange(m, false, expandingAt + 1, to, bufs, where, found.fires, found.deadlocks);
      }
      who[WHO] = IDLE;
      if (performance.now() > deadline) return false;
    }
    return true;
  }

  function start(m: LevelMessage): void {
    level = m;
    bufs = m.buffers.map((b) => new Int32Array(b));
    where = new Int32Array(m.where);
    outCount.fill(0);
    expand = m.expand;
    found.generated = 0; found.fires = new Float64Array(A); found.deadlocks = []; found.stopped = false; found.error = null; found.discardedBefore = x.discarded;
  }
  const bytes = (): number => sent.byteLength + outbox.byteLength;
  return { start, expandChunks, outCount, found, bytes };
}
