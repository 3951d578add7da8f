// The level protocol of the multi-worker breadth-first search, whose results do not depend on the
// number of workers: its shared control words, messages and buckets. The worker's phases are in
// parallel.ts (levelWorker), the main thread's side and the helper threads in crew.ts, the fingerprint
// tables in bucket-tables.ts, and taking in the levels' results in bfs-parallel.ts.
//
// How a level runs:
//
// The fingerprint space is split into buckets (many more than workers), each
// a fingerprint table of its own in shared memory. The main thread is worker 0;
// helper threads are the others. Each level the main thread posts one command,
// and all workers run the level together, meeting at barriers in shared memory:
//   1. expand: the workers expand the frontier (in canonical order), taking
//      chunks of it from a shared counter. Each successor goes to the worker's
//      outbox for its bucket (less those it sent recently); nothing is looked
//      up while expanding.
//   2. insert (after barrier A): the workers take buckets from a shared
//      counter. For each, the worker merges every worker's records of that
//      bucket in claim order and inserts them into the bucket's table: a
//      state's first record has its smallest claim, so a state new in the
//      level is kept, with that claim, by whoever inserted it. Each worker
//      marks its new states' claims in a bitmask of its own, in shared memory:
//      a bit per frontier position and action.
//   3. place (after barrier B): each worker counts the marks (of all workers)
//      before each frontier position and writes its new states' places in the
//      next frontier (`where`, `merged`): a state's place is the number of
//      marks before its claim. No sorting, no merging of the workers' lists.
// Why buckets taken from a counter rather than states owned by a fixed worker:
// with owners, a worker on a faster CPU expanded more chunks, so it sent more
// to the slower one, which then had more to insert. On bakery.5 each worker
// waited about 0.3 s a run for the other to finish inserting.
// A state's invariants and goals are checked when the next level loads it for
// expansion (it is unpacked there anyway), not when it is found: unpacking
// every new state once more cost a tenth of the run. The main thread places
// those results as the sequential search would have found them (see
// bfsParallel in bfs-parallel.ts).
// Every successor carries a claim = (position of its parent in the level, action
// id); a state found several times in the level keeps the smallest claim. That
// is exactly the (parent, action) by which a sequential BFS would first discover
// it, so ordering the level's new states by claim gives the sequential discovery
// order: same indices, parents, traces and first violation, for any number of
// workers.
// Why barriers in shared memory and the main thread as a worker: on this
// project's virtual machines a message took 0.3 to 0.7 ms to wake an idle
// thread's event loop, and with a coordinating main thread and two messages per
// level and worker the workers sat idle for about a sixth of a two-worker
// bakery.5 run. Buffers travel as messages, read synchronously
// (receiveMessageOnPort) once a shared count says they are there.
import type { MessagePort } from 'node:worker_threads';

/** The control words shared with the workers: the stop flag (non-zero: stop)... */
export const CTL_STOP = 0;
/** ...the next frontier position not yet taken (the main thread zeroes it before each level)... */
export const CTL_NEXT = 1;
/** ...the number of commands the main thread has sent (it bumps this after posting one to every helper)... */
export const CTL_COMMANDS = 2;
/** ...non-zero when the run is over (or a helper died): waiting threads give up... */
export const CTL_QUIT = 3;
/** ...and the workers' barrier: arrivals and the generation released. */
export const CTL_ARRIVED = 4;
export const CTL_RELEASED = 5;
/** Set by the last worker to reach barrier A: non-zero if the level was stopped (then nobody exchanges, and the frontier stays as it was). */
export const CTL_SKIP = 6;
/** The next bucket not yet taken for inserting (the main thread zeroes it before each level). */
export const CTL_BUCKET = 7;
export const CTL_WORDS = 8;
/** How long a waiting thread spins before it sleeps (a sleeping thread takes 0.1 to 0.3 ms to wake here). */
export const SPIN_MS = 0.5;

/**
 * Workers take the frontier in chunks from a shared counter, so a worker that finishes early takes more
 * (static halves left one worker idle a fifth of the time on bakery.5). Each worker's chunks still come
 * in increasing order, so its claims do too. A chunk is a share of what is left of the level (guided
 * scheduling): 1 / (CHUNK_SHARE * workers) of it, at least MIN_CHUNK and at most MAX_CHUNK positions (a
 * worker sees a stop request between chunks, so a chunk should take milliseconds). Large chunks first keep
 * a worker's successors together, so its cache of sent fingerprints catches more repeats (each chunk edge
 * loses some): on bakery.5 two workers sent 13.6 M records, against 14.7 M with fixed chunks of 64
 * positions; small chunks last keep the workers finishing together.
 */
export const MIN_CHUNK = 64, MAX_CHUNK = 4096, CHUNK_SHARE = 4;

/**
 * How many buckets split the fingerprint space: enough that the last bucket a worker takes is a small
 * part of a level's inserting (a power of two, at least 16 a worker).
 */
export const bucketsFor = (workers: number): number => { let b = 64; while (b < 16 * workers) b *= 2; return b; };
/** A fingerprint's bucket: the top bits of the low lane (the high lane indexes the bucket's table, the low bits of the low lane the cache of sent fingerprints). */
export const bucketOf = (lo: number, shift: number): number => lo >>> shift;
/** The shift bucketOf takes for `buckets` buckets. */
export const bucketShift = (buckets: number): number => 32 - Math.log2(buckets);
// ---------- messages ----------

/**
 * Sent once through the worker's parentPort; everything after comes as commands on `commands`
 * (read synchronously when CTL_COMMANDS moves). toPeer[v] / fromPeer[v] connect to worker v (null for
 * itself). `counts` is shared by all workers (see WorkerLinks).
 */
export interface InitMessage { type: 'init'; ctl: SharedArrayBuffer; counts: SharedArrayBuffer; workers: number; buckets: number; self: number; commands: MessagePort; toPeer: (MessagePort | null)[]; fromPeer: (MessagePort | null)[]; probe: SharedArrayBuffer }
/** The bucket tables, holding every state found before the parallel search took over. No reply. */
export interface SeedMessage { type: 'seed'; tables: SharedArrayBuffer[] }
export interface LevelMessage {
  type: 'level';
  /** The frontier: states in these buffers (the workers' committed new states, or the initial states)... */
  buffers: SharedArrayBuffer[];
  /** ...at (buffer, index) = where[2r], where[2r+1] for canonical position r < count. The workers overwrite it with the next frontier's. */
  where: SharedArrayBuffer; count: number;
  /** Where the workers write the claims of the level's new states in discovery order (two buffers alternate, so the main thread can read the last level's while this one runs). */
  merged: SharedArrayBuffer;
  /** Expand the positions; if false only check them (the last level of a run that stops early). */
  expand: boolean;
  checkDeadlock: boolean;
  /** Check the invariants and goals of the frontier states (false for the initial states, which the main thread checked). */
  check: boolean;
  /** Invariants already violated (not checked, antecedents still counted) and goals already reached (skipped). */
  skipInvariants: number[]; skipGoals: number[];
}
export interface LevelResult {
  type: 'level-done';
  generated: number;
  fires: Float64Array;
  discarded: number;
  /** Canonical positions of the frontier states that are unexpected deadlocks. */
  deadlocks: number[];
  /** Per step property, the smallest claim (position × actions + action) of a step where it failed, or -1. */
  steps: number[];
  /** Stopped early because a stop was requested. */
  stopped: boolean;
  /** An action that failed (the first in this worker's positions). */
  error: WorkerError | null;
  /** Checking the frontier states: antecedent hits per invariant; pairs (invariant index, position) of violations; goals reached. */
  antecedents: number[]; violations: number[]; goals: number[];
  /** With symmetry: the orbit sizes of the states checked, summed. */
  represented: number;
  /** An invariant or goal that threw on the state at position checkError.pos (the first in this worker's positions). */
  checkError: WorkerError | null;
  /**
   * Whether the workers built the next frontier (false when only checking, or when the level was stopped:
   * then `where` still holds this level's). If so: `count` new states in all, this worker's in `buffer`,
   * and (worker 0 only) the larger `where` / `merged` it had to allocate, or null.
   */
  exchanged: boolean; count: number; buffer: SharedArrayBuffer | null;
  where: SharedArrayBuffer | null; merged: SharedArrayBuffer | null;
  /** Bytes this worker holds: its new states and their claims, its outboxes, its cache of sent fingerprints, its claim marks and their counts; worker 0 also counts the bucket tables (the cells in use). */
  bytes: number;
}
/** A worker to every other when it replaces a buffer the others read: its outboxes (bucket OUTBOX), its claim marks (MARKS), or a bucket's table. */
export interface NewBuffer { bucket: number; buffer: SharedArrayBuffer }
export const OUTBOX = -1, MARKS = -2;
/** Worker 0 to the others when the next frontier outgrows `where` or `merged`. */
export interface GrowMessage { where: SharedArrayBuffer; merged: SharedArrayBuffer }
/** A broken action (pos, actionId: the frontier position and the action), or a property that threw on the state at position pos (actionId -1). */
export interface WorkerError { pos: number; actionId: number; message: string; action?: string; field?: string; bad: Int32Array | null; /** The stack trace of what the model's code threw (thrownStack), for --debug. */ stack?: string }

export const sharedInts = (n: number): Int32Array => new Int32Array(new SharedArrayBuffer(Math.max(1, n) * 4));
export const grownShared = (a: Int32Array): Int32Array => { const b = sharedInts(a.length * 2); b.set(a); return b; };
export const grown = (a: Int32Array): Int32Array => { const b = new Int32Array(a.length * 2); b.set(a); return b; };
/** The number of set bits of a 32-bit word. */
export const bitCount = (x: number): number => {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
};

/**
 * How a worker reaches the others: the control words, a port to and from each other worker (null for
 * itself), and `counts`, shared by all: first posted[u * workers + v], the NewBuffer messages worker u
 * has posted to v; then sent[u * buckets + b], the records in worker u's outbox for bucket b this level.
 */
export interface WorkerLinks { ctl: Int32Array; counts: Int32Array; workers: number; buckets: number; self: number; toPeer: (MessagePort | null)[]; fromPeer: (MessagePort | null)[]; probe: SharedArrayBuffer }

/**
 * One worker's part of the search, driven by a helper thread (serveWorker) or by the main thread, which
 * is worker 0. `finishLevel` yields the barrier generation it waits for whenever it must wait (a helper
 * sleeps on it; the main thread awaits, so its event loop runs); a driver that gives up waiting (the run
 * ended) simply drops the generator.
 */
export interface LevelWorker {
  seed(tables: SharedArrayBuffer[]): void;
  startLevel(m: LevelMessage): void;
  /** Expands chunks until none is left (true) or `deadline` (performance.now()) has passed (false). */
  expandChunks(deadline: number): boolean;
  finishLevel(): Generator<number, LevelResult, void>;
}
