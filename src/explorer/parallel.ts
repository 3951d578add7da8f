// One worker of the parallel breadth-first search (see level-protocol.ts for how a level runs): its
// phases, over one level: expand (expandChunks: the frontier in chunks, successors to the outboxes),
// then with the others (finishLevel) insert (insertBucket), count the marks (countMarks) and place the
// new states in the next frontier (place). A helper thread runs one (crew.ts: serveWorker), and the main
// thread is worker 0 (crew.ts: Crew).
import { fpHi, fpLo, hashState, LOOKUP_BATCH, newRecentCache, seenRecently } from './fingerprint.js';
import { Expander, ExpandFailure } from './expand.js';
import type { CompiledModel } from './model.js';
import { readerError, thrownStack } from './trace.js';
import { IDLE, KIND_CONSTRAINT, KIND_DEADLOCK, KIND_GOAL, KIND_INVARIANT, probeCode, WHO } from './control.js';
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import {
  bitCount, bucketOf, bucketShift, CHUNK_SHARE, CTL_ARRIVED, CTL_BUCKET, CTL_NEXT, CTL_QUIT, CTL_RELEASED, CTL_SKIP, CTL_STOP, grown, grownShared,
  MARKS, MAX_CHUNK, MIN_CHUNK, OUTBOX, sharedInts, type GrowMessage, type LevelMessage, type LevelResult, type LevelWorker, type NewBuffer, type WorkerError, type WorkerLinks,
} from './level-protocol.js';
import { grownTable, TABLE_HEAD, tableLimit } from './bucket-tables.js';

export function levelWorker(c: CompiledModel, debug: boolean, links: WorkerLinks): LevelWorker {
  const x = new Expander(c, debug, links.probe);
  const who = x.who;
  const n = c.layout.slots, W = c.layout.words, acts = c.actions, A = acts.length, R = 3 + W;
  const { ctl, counts, workers, buckets: B, self, toPeer, fromPeer } = links;
  const SENT = workers * workers, shift = bucketShift(B);
  /** Every bucket's table (kept current: see NewBuffer). */
  let tables: Int32Array[] = [];
  /** The level's new states this worker inserted: `fresh` of them, held here (packed) with their claims. */
  let fresh = 0;
  let states = sharedInts(1024 * W), committed = sharedInts(1024 * W), claims: Int32Array = new Int32Array(1024);
  /**
   * Claim marks: a bit per (frontier position, action), M words per position. Each worker marks the claims
   * of the new states it inserted in its own marks, in shared memory (every worker's, as last announced, in
   * marksOf; marksOf[self] is this one's), and clears them before the next level's. Marking straight into
   * one shared bitmask took atomic writes (two workers write to the same words): or-ing them in cost
   * each worker 0.1 s on bakery.5. After barrier B every worker ors all of them into allMarks, and
   * counts them (marksBefore: how many marks come before each position).
   */
  const M = (A + 31) >>> 5;
  let ownMarks = sharedInts(1024), marked = 0;
  const marksOf: Int32Array[] = Array.from({ length: workers }, () => new Int32Array(0));
  marksOf[self] = ownMarks;
  let allMarks = new Int32Array(1024), marksBefore = new Int32Array(1024);
  /**
   * The fingerprints this worker last sent (see seenRecently).
   * A worker's claims only grow, so a repeat it drops could never have lowered the claim its earlier record carries.
   */
  const sent = newRecentCache();
  /**
   * This worker's outboxes, one buffer: bucket b's records [claim, hi, lo, packed state] from record
   * b * cap, outCount[b] of them (published in counts.sent before barrier A). Every worker's, as last
   * announced (boxes[self] is this one).
   */
  let cap = 256;
  // Many workers means many buckets: start each bucket smaller, so that a worker's outboxes take about
  // 1 MiB to begin with (each bucket a worker sends to touches a page or more of them).
  while (cap > 16 && B * cap * R * 4 > 1 << 20) cap /= 2;
  while (cap < 2 * A) cap *= 2;
  let outbox = sharedInts(B * cap * R);
  const outCount = new Int32Array(B);
  const boxes: Int32Array[] = Array.from({ length: workers }, () => new Int32Array(0));
  boxes[self] = outbox;
  /** NewBuffer messages read from each worker. */
  const read = new Int32Array(workers);

  /** Keeps a new state this worker inserted (packed, with its claim) for the next frontier. */
  const keep = (claim: number, words: Int32Array, off: number): void => {
    if ((fresh + 1) * W > states.length) states = grownShared(states);
    if (fresh + 1 > claims.length) claims = grown(claims);
    for (let k = 0, d = fresh * W; k < W; k++) states[d + k] = words[off + k]!;
    claims[fresh++] = claim;
  };

  /** A message already posted to `from` (the poster moved a shared word after posting it). */
  function take<T>(from: MessagePort): T {
    for (;;) {
      const got = receiveMessageOnPort(from);
      if (got !== undefined) return got.message as T;
      if (Atomics.load(ctl, CTL_QUIT) !== 0) throw new Error('the run ended while a worker waited for a message');
    }
  }
  /** Tells every other worker that this one replaced a buffer they read. */
  function announce(bucket: number, buffer: SharedArrayBuffer): void {
    for (let v = 0; v < workers; v++) {
      if (v === self) continue;
      toPeer[v]!.postMessage({ bucket, buffer } satisfies NewBuffer);
      Atomics.add(counts, self * workers + v, 1);
    }
  }
  announce(OUTBOX, outbox.buffer as SharedArrayBuffer);
  announce(MARKS, ownMarks.buffer as SharedArrayBuffer);
  /** Takes the buffers the others replaced (called after a barrier, so every announcement made before it is counted). */
  function takeNewBuffers(): void {
    for (let u = 0; u < workers; u++) {
      for (const posted = Atomics.load(counts, u * workers + self); read[u]! < posted; read[u]!++) {
        const nb = take<NewBuffer>(fromPeer[u]!);
        if (nb.bucket === OUTBOX) boxes[u] = new Int32Array(nb.buffer);
        else if (nb.bucket === MARKS) marksOf[u] = new Int32Array(nb.buffer);
        else tables[nb.bucket] = new Int32Array(nb.buffer);
      }
    }
  }
  let barriers = 0;
  /** Waits for every worker to arrive (yielding the generation to wait for); the last to arrive runs `last` before releasing the others. */
  function* barrier(last?: () => void): Generator<number, void, void> {
    const gen = ++barriers;
    if (Atomics.add(ctl, CTL_ARRIVED, 1) === gen * workers - 1) {
      last?.();
      Atomics.store(ctl, CTL_RELEASED, gen); Atomics.notify(ctl, CTL_RELEASED);
      return;
    }
    while (Atomics.load(ctl, CTL_RELEASED) < gen) yield gen;
  }
  /** Sends this worker's result of the level to worker 0 (the main thread), which reads it after the level's last barrier. */
  function report(res: LevelResult): void {
    if (self !== 0) toPeer[0]!.postMessage(res, [res.fires.buffer as ArrayBuffer]);
  }

  /** The state constraint on the successor in scratch; a throw becomes the action's failure. */
  const inConstraint = (actionId: number): boolean => {
    who[WHO] = probeCode(KIND_CONSTRAINT, 0, true);
    try { return c.constraint!(x.scratchView); } catch (e) {
      throw new ExpandFailure(readerError('the state constraint', e), actionId, x.scratch.slice(0, n));
    }
  };
  const hasSteps = c.steps.length > 0;
  /** Per step property, the first claim (this worker's claims only grow) of a step where it failed, or -1. */
  let stepFirst: number[] = [];
  /** Notes the step properties that failed (checkSteps returned `failed`) on the step with this claim. */
  const stepsFailed = (failed: number, claim: number): void => {
    for (let j = 0; j < failed; j++) { const k = x.failedSteps[j]!; if (stepFirst[k]! < 0) stepFirst[k] = claim; }
  };
  /** Whether the current state (no action enabled) is an expected terminal state. */
  const expectedTerminal = (): boolean => {
    const d = c.deadlock;
    if (typeof d !== 'object') return false;
    who[WHO] = probeCode(KIND_DEADLOCK, 0, false);
    try { return d.expected(x.curView); } catch (e) {
      throw new ExpandFailure(readerError('the deadlock policy', e), -1, null);
    }
  };

  /** The frontier position being expanded (for the error of an action that fails there). */
  let expandingAt = 0;

  /** The properties checked in this level, and what checking found. */
  let checkInv: boolean[] = [], checkGoal: boolean[] = [];
  let antecedents: number[] = [], goals: number[] = [], violations: number[] = [];
  let checkError: WorkerError | null = null;

  /** Checks the invariants and goals of the loaded frontier state (position r); false if one threw (checkError says which). */
  function checkState(r: number): boolean {
    if (!level!.check) return true;
    const view = x.curView;
    // Which property is being evaluated: invariant q, or goal q as -2 - q. (Naming it here, as a string
    // built per state, allocated about 300 MB in a two-worker bakery.5 run: 78 young-generation collections.)
    let at = -1;
    try {
      for (let q = 0; q < c.invariants.length; q++) {
        const inv = c.invariants[q]!;
        at = q;
        who[WHO] = probeCode(KIND_INVARIANT, q, false);
        if (inv.antecedent !== undefined && inv.antecedent(view)) antecedents[q]!++;
        // Evaluated even once violated (only not recorded again): the sequential search evaluates it too, and it may throw.
        if (!inv.check(view) && checkInv[q]) violations.push(q, r);
      }
      for (let q = 0; q < goals.length; q++) {
        if (!checkGoal[q] || goals[q]) continue;
        at = -2 - q;
        who[WHO] = probeCode(KIND_GOAL, q, false);
        if (c.goals[q]!.check(view)) goals[q] = 1;
      }
      who[WHO] = IDLE;
      return true;
    } catch (e) {
      const what = at >= 0 ? `invariant ${c.invariants[at]!.name}` : `goal ${c.goals[-2 - at]!.name}`;
      const failure = readerError(what, e), stack = debug ? thrownStack(failure) : null;
      checkError = { pos: r, actionId: -1, message: failure.message, bad: null, ...(stack ? { stack } : {}) };
      return false;
    }
  }

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
        hashState(packed, 0, W);
        const hi = fpHi, lo = fpLo;
        // Sent before (this level, with a smaller claim, or in an earlier one): inserted already, or will be.
        if (seenRecently(sent, hi, lo)) continue;
        const b = bucketOf(lo, shift), j = outCount[b]!++, at = (b * cap + j) * R;
        full |= (room - j - 1) >> 31; // -1 once fewer than A records fit after this one (no branch: see growOutboxes)
        box[at] = claimBase + ai; box[at + 1] = hi; box[at + 2] = lo;
        for (let k = 0; k < W; k++) box[at + 3 + k] = packed[k]!;
      }
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
    cap *= 2; outbox = wider; boxes[self] = wider;
    announce(-1, wider.buffer as SharedArrayBuffer);
  }

  /** The level being run, and what expanding it found so far. */
  let level: LevelMessage | null = null, bufs: Int32Array[] = [], where: Int32Array = new Int32Array(0);
  let generated = 0, error: WorkerError | null = null, stopped = false, expand = false, discarded0 = 0;
  let fires = new Float64Array(A), deadlocks: number[] = [];

  function startLevel(m: LevelMessage): void {
    level = m;
    bufs = m.buffers.map((b) => new Int32Array(b));
    where = new Int32Array(m.where);
    fresh = 0;
    outCount.fill(0);
    generated = 0; error = null; stopped = false; expand = m.expand; discarded0 = x.discarded;
    fires = new Float64Array(A); deadlocks = []; stepFirst = c.steps.map(() => -1);
    checkInv = c.invariants.map((_, k) => !m.skipInvariants.includes(k));
    checkGoal = c.goals.map((_, k) => !m.skipGoals.includes(k));
    antecedents = c.invariants.map(() => 0); goals = c.goals.map(() => 0); violations = []; checkError = null;
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
    while (!stopped && checkError === null && !(error !== null && !m.check)) {
      let from = takeChunk(m.count);
      if (from >= m.count) break;
      const to = chunkEnd;
      // The try is around the call, not inside the hot loop (where it costs V8 optimizations); expandingAt says where it failed.
      try {
        for (;;) {
          const next = expandRange(m, expand, from, to, bufs, where, fires, deadlocks);
          if (next === STOPPED) { stopped = true; break; } // before generating anything
          generated += rangeGenerated;
          if (next >= to) break;
          growOutboxes(); // an outbox is nearly full
          from = next;
        }
      } catch (e) {
        who[WHO] = IDLE;
        if (!(e instanceof ExpandFailure)) throw e;
        // The states found before the failure are this level's too: the main thread checks them, as the sequential search does before it fails.
        const stack = debug ? thrownStack(e.error) : null;
        error = { pos: expandingAt, actionId: e.actionId, message: e.error.message, ...(e.error.details.action ? { action: e.error.details.action } : {}), ...(e.error.details.field ? { field: e.error.details.field } : {}), bad: e.badSuccessor, ...(stack ? { stack } : {}) };
        // A property that throws on a later state comes first (that state belongs to the previous level): check on.
        if (!m.check) break;
        expand = false;
        expandRange(m, false, expandingAt + 1, to, bufs, where, fires, deadlocks);
      }
      who[WHO] = IDLE;
      if (performance.now() > deadline) return false;
    }
    return true;
  }

  /** After expanding: with the others, builds the next frontier (unless only checking, or stopped), and reports. */
  function* finishLevel(): Generator<number, LevelResult, void> {
    const m = level!;
    const res: LevelResult = {
      type: 'level-done', generated, fires, discarded: x.discarded - discarded0, deadlocks, steps: stepFirst, stopped, error,
      antecedents, violations, goals, checkError,
      exchanged: false, count: 0, buffer: null, where: null, merged: null, bytes: 0,
    };
    if (!m.expand) { report(res); yield* barrier(); return res; }
    // Barrier A: every worker has expanded. The last to arrive decides for all whether the level was stopped.
    for (let b = 0; b < B; b++) counts[SENT + self * B + b] = outCount[b]!;
    yield* barrier(() => Atomics.store(ctl, CTL_SKIP, Atomics.load(ctl, CTL_STOP)));
    takeNewBuffers();
    if (Atomics.load(ctl, CTL_SKIP) !== 0) { report(res); yield* barrier(); return res; }
    // Everyone has placed the last level's states (barrier C), so its marks can go.
    ownMarks.fill(0, 0, marked);
    marked = m.count * M;
    if (marked > ownMarks.length) {
      ownMarks = sharedInts(Math.max(marked, 2 * ownMarks.length)); marksOf[self] = ownMarks;
      announce(MARKS, ownMarks.buffer as SharedArrayBuffer);
    }
    insertBuckets();
    // Barrier B: every new state's claim is marked; count them.
    yield* barrier();
    takeNewBuffers();
    const total = countMarks(m.count);
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
      if (self !== 0) { const g = take<GrowMessage>(fromPeer[0]!); nextWhere = new Int32Array(g.where); merged = new Int32Array(g.merged); }
    }
    // The per-level loops live in small functions (insertBucket, mark, countMarks, place): written inline here, they
    // made V8 recompile this generator about ten times a run, as later levels took branches it had not seen yet.
    place(nextWhere, merged);
    // The new states become this worker's part of the next frontier.
    const old = committed; committed = states; states = old;
    res.exchanged = true; res.count = total; res.buffer = committed.buffer as SharedArrayBuffer;
    // The bucket tables are shared: worker 0 counts them.
    res.bytes = (self === 0 ? tables.reduce((a, t) => a + 4 * (TABLE_HEAD + 2 * t[1]!), 0) : 0) + committed.byteLength + states.byteLength + claims.byteLength + marksBefore.byteLength + ownMarks.byteLength + allMarks.byteLength + sent.byteLength + outbox.byteLength;
    report(res);
    // Barrier C: nobody starts the next level (or lets the main thread read `where`) before all have written their positions.
    yield* barrier();
    return res;
  }

  /**
   * allMarks = every worker's marks or-ed together; marksBefore[r] = the marks of frontier positions
   * before r, for r <= count; returns them all (the next frontier's size).
   */
  function countMarks(count: number): number {
    if (count + 1 > marksBefore.length) marksBefore = new Int32Array(Math.max(count + 1, 2 * marksBefore.length));
    if (count * M > allMarks.length) allMarks = new Int32Array(Math.max(count * M, 2 * allMarks.length));
    const all = allMarks, of = marksOf;
    let n = 0;
    for (let r = 0; r < count; r++) {
      marksBefore[r] = n;
      for (let w = r * M, end = w + M; w < end; w++) {
        let bits = 0;
        for (let u = 0; u < workers; u++) bits |= of[u]![w]!;
        all[w] = bits;
        n += bitCount(bits);
      }
    }
    marksBefore[count] = n;
    return n;
  }
  /**
   * Writes this worker's new states' places in the next frontier: a state's place is the number of claims
   * marked before its own (claims are distinct), which is its place in the sequential discovery order.
   */
  function place(nextWhere: Int32Array, merged: Int32Array): void {
    const marks = allMarks;
    for (let j = 0; j < fresh; j++) {
      const cl = claims[j]!, r = Math.floor(cl / A), a = cl - r * A, w = r * M + (a >>> 5);
      let p = marksBefore[r]! + bitCount(marks[w]! & ((1 << (a & 31)) - 1));
      for (let u = r * M; u < w; u++) p += bitCount(marks[u]!);
      nextWhere[2 * p] = self; nextWhere[2 * p + 1] = j;
      merged[p] = cl;
    }
  }

  /** Takes buckets from the shared counter until none is left, and inserts every worker's records of each. */
  function insertBuckets(): void {
    for (let b = Atomics.add(ctl, CTL_BUCKET, 1); b < B; b = Atomics.add(ctl, CTL_BUCKET, 1)) insertBucket(b);
  }
  /** Where touched cells' words go (so the loads are kept). */
  let touched = 0;
  /** Where each worker's records of the bucket being inserted are read next (record offsets), and end. */
  const head = new Int32Array(workers), end = new Int32Array(workers);
  /** The bucket's records in claim order (as outbox, record offset), in batches. */
  const batchBox = new Int32Array(LOOKUP_BATCH), batchAt = new Int32Array(LOOKUP_BATCH);
  /**
   * Inserts the workers' records of bucket b into its table, in claim order (each worker's records are in
   * claim order already: merged, a state's first record carries its smallest claim). A new state is kept
   * with that claim. Records go in batches: first each one's first cell is read (independent loads, so
   * their cache misses overlap), then they are inserted; one by one, each waited for its own miss.
   */
  function insertBucket(b: number): void {
    for (let u = 0; u < workers; u++) {
      const k = (b * (boxes[u]!.length / (B * R))) * R;
      head[u] = k; end[u] = k + counts[SENT + u * B + b]! * R;
    }
    let t = tables[b]!, mask = t[1]! - 1, limit = tableLimit(mask + 1), stored = t[0]!, moved = false;
    for (;;) {
      // The next batch, merged: the worker whose next record has the smallest claim goes first.
      let n = 0;
      for (; n < LOOKUP_BATCH; n++) {
        let best = -1, bestClaim = 0;
        for (let u = 0; u < workers; u++) {
          if (head[u]! < end[u]! && (best < 0 || boxes[u]![head[u]!]! < bestClaim)) { best = u; bestClaim = boxes[u]![head[u]!]!; }
        }
        if (best < 0) break;
        batchBox[n] = best; batchAt[n] = head[best]!; head[best] = head[best]! + R;
      }
      if (n === 0) break;
      for (let k = 0; k < n; k++) touched ^= t[TABLE_HEAD + 2 * (boxes[batchBox[k]!]![batchAt[k]! + 1]! & mask)]!;
      for (let k = 0; k < n; k++) {
        const box = boxes[batchBox[k]!]!, at = batchAt[k]!, hi = box[at + 1]!;
        let lo = box[at + 2]!;
        if (hi === 0 && lo === 0) lo = 1;
        let i = hi & mask, found = false;
        for (;;) {
          const h = t[TABLE_HEAD + 2 * i]!, l = t[TABLE_HEAD + 2 * i + 1]!;
          if (h === 0 && l === 0) break;
          if (h === hi && l === lo) { found = true; break; }
          i = (i + 1) & mask;
        }
        if (found) continue;
        t[TABLE_HEAD + 2 * i] = hi; t[TABLE_HEAD + 2 * i + 1] = lo;
        const cl = box[at]!, r = Math.floor(cl / A), a = cl - r * A;
        ownMarks[r * M + (a >>> 5)] |= 1 << (a & 31);
        keep(cl, box, at + 3);
        if (++stored > limit) {
          t[0] = stored;
          const g = grownTable(t);
          if (g !== true) { t = g; tables[b] = t; moved = true; }
          mask = t[1]! - 1; limit = tableLimit(mask + 1);
        }
      }
    }
    t[0] = stored;
    if (moved) announce(b, t.buffer as SharedArrayBuffer);
  }
  function seed(shared: SharedArrayBuffer[]): void { tables = shared.map((t) => new Int32Array(t)); }

  return { seed, startLevel, expandChunks, finishLevel };
}
