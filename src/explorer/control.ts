// What a search thread and the thread supervising it share, in shared memory: the control block (a stop
// request, the phase the search is in, its counters) and one probe per expander (which model function it
// is running, and the state it gave it). Both are plain words, written in place, so that the supervisor
// can read them while the search thread is busy, or after it has been stopped.
//
// The search writes them at near-zero cost: a probe's `who` word is one store per successor (the action
// instance's id) and per property evaluated, and the state is not copied at all: the expander unpacks the
// state it expands into the probe's `cur` slots and builds each successor in its `scratch` slots (they are
// its working buffers). The control block is read once per state (a stop request) and written at phase
// changes and progress reports.

/** The control block's Int32 words: STOP (0: run on; else a StopCode), PHASE (a Phase)... */
export const STOP = 0;
export const PHASE = 1;
/** ...then, as Float64 from byte 16: distinct, generated, depth (as of the last progress report). */
const COUNTS_AT = 16;
export const CONTROL_BYTES = COUNTS_AT + 3 * 8;

/** Why the supervisor asks a search to stop (the STOP word). */
export const STOP_INTERRUPT = 1, STOP_TIME = 2, STOP_MEMORY = 3;
/** The incomplete reason each stop code gives the run. */
export const STOP_REASONS = ['', 'interrupted', 'max-seconds', 'max-memory'] as const;

/** What the search thread is doing (the PHASE word): setting the model up (loading, compiling; between runs of mc mutate and mc check)... */
export const PHASE_SETUP = 0;
/** ...the safety search (BFS, DFS or random walks)... */
export const PHASE_SAFETY = 1;
/** ...the liveness pass over the state graph... */
export const PHASE_LIVENESS = 2;
/** ...or building the report (counterexample traces, re-executing actions). */
export const PHASE_REPORT = 3;
/** How a result names the phase a run stopped in (SearchResult.incompletePhase). */
export const PHASE_NAMES = ['setup', 'safety', 'liveness', 'report'] as const;
export type PhaseName = (typeof PHASE_NAMES)[number];

export class Control {
  readonly words: Int32Array;
  private readonly counts: Float64Array;
  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(CONTROL_BYTES)) {
    this.words = new Int32Array(buffer, 0, 4);
    this.counts = new Float64Array(buffer, COUNTS_AT, 3);
  }
  get stop(): number { return Atomics.load(this.words, STOP); }
  /** Asks the search to stop (the first reason given stays). */
  requestStop(code: number): void { Atomics.compareExchange(this.words, STOP, 0, code); }
  /** Clears a stop request of this kind (mc mutate gives each run its own time budget). */
  clearStop(code: number): void { Atomics.compareExchange(this.words, STOP, code, 0); }
  get phase(): number { return Atomics.load(this.words, PHASE); }
  set phase(p: number) { Atomics.store(this.words, PHASE, p); }
  setCounts(distinct: number, generated: number, depth: number): void { this.counts[0] = distinct; this.counts[1] = generated; this.counts[2] = depth; }
  getCounts(): { distinct: number; generated: number; depth: number } { return { distinct: this.counts[0]!, generated: this.counts[1]!, depth: this.counts[2]! }; }
}

// ---------- probes ----------

/** A probe's words: WHO (what model code runs, see probeCode), then `cur` and `scratch`, `slots` each. */
export const WHO = 0;
export const PROBE_HEAD = 4;
/** No model code is running (the engine's own code is). */
export const IDLE = -1;

/** Kinds of model function other than an action's guard and effect (an action is its instance id, >= 0). */
export const KIND_INVARIANT = 1, KIND_GOAL = 2, KIND_LIVENESS = 3, KIND_CONSTRAINT = 4, KIND_DEADLOCK = 5, KIND_STEP = 6;

/**
 * The WHO word for model function `index` of `kind` (an invariant, goal, liveness property, the state
 * constraint, the deadlock policy or a step property), given the state in the probe's scratch slots (onScratch) or its
 * cur slots. Negative, below IDLE; an action instance is its id.
 */
export const probeCode = (kind: number, index: number, onScratch: boolean): number => -2 - (index * 16 + kind * 2 + (onScratch ? 1 : 0));

export type ProbeReading =
  | { readonly kind: 'action'; readonly index: number; readonly onScratch: false }
  | { readonly kind: 'invariant' | 'goal' | 'liveness' | 'constraint' | 'deadlock' | 'step'; readonly index: number; readonly onScratch: boolean };

const KINDS = ['', 'invariant', 'goal', 'liveness', 'constraint', 'deadlock', 'step'] as const;

/** What a WHO word says runs, or null when no model code does. */
export function readWho(code: number): ProbeReading | null {
  if (code >= 0) return { kind: 'action', index: code, onScratch: false };
  if (code === IDLE) return null;
  const v = -2 - code, kind = KINDS[(v >> 1) & 7];
  if (!kind) return null;
  return { kind, index: Math.floor(v / 16), onScratch: (v & 1) === 1 };
}

/** A probe's buffer for states of `slots` slots (its cur and scratch are the expander's working buffers). */
export const newProbe = (slots: number): SharedArrayBuffer => new SharedArrayBuffer((PROBE_HEAD + 2 * Math.max(1, slots)) * 4);

/** The parts of a probe: its WHO word (as an array, written in place), and its cur and scratch slots. */
export function probeParts(buffer: SharedArrayBuffer, slots: number): { who: Int32Array; cur: Int32Array; scratch: Int32Array } {
  const n = Math.max(1, slots);
  return {
    who: new Int32Array(buffer, 0, PROBE_HEAD),
    cur: new Int32Array(buffer, PROBE_HEAD * 4, n),
    scratch: new Int32Array(buffer, (PROBE_HEAD + n) * 4, n),
  };
}
