// Computing one successor: guard, copy, effect, domain check (and, in debug
// mode, the determinism and input-immutability checks). Shared by the
// sequential engine and the parallel workers so both run the same code.
import { ModelError, stepAction, whenHolds, type ActionInstance, type CompiledModel, type StepAction } from './model.js';
import { describeOutOfDomain, firstOutOfDomain, thrownMessage, ViewError, type ViewRoot } from './schema.js';
import { asModelError, readerError } from './trace.js';
import { IDLE, KIND_CONSTRAINT, KIND_STEP, newProbe, probeCode, probeParts, WHO } from './control.js';

/** A broken action: the error, the action, and (for a domain error) the bad successor to show in the trace. */
export class ExpandFailure {
  constructor(readonly error: ModelError, readonly actionId: number, readonly badSuccessor: Int32Array | null) {}
}

/**
 * Which action instances can be enabled in a state, from their `when` alone, as a bitmask: per
 * dispatch slot (a slot some `when` tests first, with a small domain) and per value of it, the
 * instances that test that value. A state's candidates are the instances without such a test,
 * plus, for each dispatch slot, those whose value it holds: a few loads and ORs instead of a test
 * per instance. Bits come out in action order, so the search order does not change.
 */
class WhenDispatch {
  /** Words of a mask: one bit per action instance. */
  readonly words: number;
  private readonly always: Int32Array;
  private readonly slots: Int32Array;
  private readonly mins: Int32Array;
  private readonly spans: Int32Array;
  /** Per dispatch slot d: masks for values min..min+span-1, at (offset[d] + value - min) * words. */
  private readonly offsets: Int32Array;
  private readonly masks: Int32Array;
  readonly scratch: Int32Array;

  constructor(c: CompiledModel) {
    const A = c.actions.length, words = Math.max(1, Math.ceil(A / 32));
    const MAX_SPAN = 64;
    const dispatch = new Map<number, number[]>(); // slot -> instance ids
    const always: number[] = [];
    for (const a of c.actions) {
      const s = a.when === null ? -1 : a.when[0]!;
      if (s < 0 || c.layout.slotMax[s]! - c.layout.slotMin[s]! >= MAX_SPAN) { always.push(a.id); continue; }
      dispatch.set(s, [...(dispatch.get(s) ?? []), a.id]);
    }
    this.words = words;
    this.always = new Int32Array(words);
    for (const id of always) this.always[id >>> 5]! |= 1 << (id & 31);
    const slots = [...dispatch.keys()];
    this.slots = Int32Array.from(slots);
    this.mins = Int32Array.from(slots, (s) => c.layout.slotMin[s]!);
    this.spans = Int32Array.from(slots, (s) => c.layout.slotMax[s]! - c.layout.slotMin[s]! + 1);
    this.offsets = new Int32Array(slots.length);
    let total = 0;
    slots.forEach((_, d) => { this.offsets[d] = total; total += this.spans[d]!; });
    this.masks = new Int32Array(Math.max(1, total * words));
    slots.forEach((s, d) => {
      for (const id of dispatch.get(s)!) {
        const w = c.actions[id]!.when!; // its first group: [slot, k, v1..vk]
        for (let j = 0; j < w[1]!; j++) {
          const v = w[2 + j]! - this.mins[d]!;
          this.masks[(this.offsets[d]! + v) * words + (id >>> 5)]! |= 1 << (id & 31);
        }
      }
    });
    this.scratch = new Int32Array(words);
  }

  /** The candidate mask of the state at b[o..] into `scratch`. */
  candidates(b: Int32Array, o: number): Int32Array {
    const m = this.scratch, words = this.words;
    for (let w = 0; w < words; w++) m[w] = this.always[w]!;
    for (let d = 0; d < this.slots.length; d++) {
      const v = b[o + this.slots[d]!]! - this.mins[d]!;
      if (v < 0 || v >= this.spans[d]!) continue; // out of domain: no instance tests this value
      const at = (this.offsets[d]! + v) * words;
      for (let w = 0; w < words; w++) m[w]! |= this.masks[at + w]!;
    }
    return m;
  }
}

export class Expander {
  readonly n: number;
  /** Words of a packed state. */
  readonly w: number;
  /** The successor is built here (slots)... */
  readonly scratch: Int32Array;
  /** ...and packed here (what is hashed and stored). */
  readonly packed: Int32Array;
  /** Holds the unpacked state being expanded (see loadPacked). */
  readonly cur: Int32Array;
  /** The view of the state being expanded reads curRoot: point it at cur (loadPacked) or at any slots. */
  readonly curRoot: ViewRoot;
  /** Read-only: an action's input state s (its setters throw). */
  readonly curView: any;
  /** Writable: the successor n, over scratch; only effects get it. */
  readonly nextView: any;
  /** Read-only, over scratch: what properties and the state constraint read of a successor. */
  readonly scratchView: any;
  /** The candidate action instances of a state (see WhenDispatch); the search loops walk its bits. */
  private readonly dispatch: WhenDispatch;
  /** Successors a drop-guard mutant's effect could not produce (threw or left a domain). */
  discarded = 0;
  /** What a step property is told of each action instance (by id), frozen: it only reads. */
  private readonly stepActions: readonly StepAction[];
  /** The step properties (indices into c.steps) that failed on the transition checkSteps checked last. */
  readonly failedSteps: Int32Array;
  /**
   * The probe's WHO word (control.ts): the action instance whose guard or effect runs (its id), or the
   * property the engine evaluates, so a supervisor can name what did not return. cur and scratch are
   * the probe's slots, in the same shared buffer.
   */
  readonly who: Int32Array;
  readonly probe: SharedArrayBuffer;

  constructor(private readonly c: CompiledModel, private readonly debug: boolean, probe: SharedArrayBuffer = newProbe(c.layout.slots)) {
    this.n = c.layout.slots;
    this.w = c.layout.words;
    this.probe = probe;
    const parts = probeParts(probe, this.n);
    this.who = parts.who;
    this.scratch = parts.scratch;
    this.packed = new Int32Array(this.w);
    this.cur = parts.cur;
    this.curRoot = { b: this.cur, o: 0 };
    this.curView = c.layout.makeView(this.curRoot);
    const scratchRoot = { b: this.scratch, o: 0 };
    this.nextView = c.layout.makeWritableView(scratchRoot);
    this.scratchView = c.layout.makeView(scratchRoot);
    this.dispatch = new WhenDispatch(c);
    this.stepActions = c.actions.map(stepAction);
    this.failedSteps = new Int32Array(c.steps.length);
  }

  /** The candidate instances of the loaded state (cur), as a bitmask over action ids; successor() still checks each `when` in full. */
  candidates(): Int32Array { return this.dispatch.candidates(this.cur, 0); }

  /** Makes the packed state at words[off..] the one to expand. */
  loadPacked(words: Int32Array, off: number): void {
    this.c.layout.unpack(words, off, this.cur, 0);
    this.curRoot.b = this.cur; this.curRoot.o = 0;
  }

  /** No model code runs now (the engine's own code does): see `who`. */
  idle(): void { this.who[WHO] = IDLE; }

  /** Packs scratch into packed (an initial state, or a successor packed before); a slot outside its domain is a model error, never ignored. */
  packScratch(what: string): void {
    if (this.c.layout.pack(this.scratch, 0, this.packed, 0)) return;
    const d = describeOutOfDomain(this.c.layout, this.scratch, 0, firstOutOfDomain(this.c.layout, this.scratch, 0));
    throw new ModelError(`${what} left a domain: ${d.message}`, { field: d.field });
  }

  /** Computes the successor of the current state by `a` into scratch and packed; false when `a` is disabled there. Throws ExpandFailure. */
  successor(a: ActionInstance): boolean {
    // Kept small so V8 inlines it into the search loops; the rare paths are methods of their own.
    if (a.when !== null && !whenHolds(a, this.curRoot.b, this.curRoot.o)) return false;
    this.who[WHO] = a.id;
    if (this.debug) return this.successorDebug(a);
    // Packing is also the domain check.
    return this.apply(a) && (this.c.layout.pack(this.scratch, 0, this.packed, 0) || this.leftDomain(a));
  }

  /**
   * With symmetry (c.symmetry): replaces the successor in scratch by its orbit's representative, and packs
   * that. Called once the step properties and the state constraint have seen the successor as it is.
   */
  canonicalize(): void {
    const sym = this.c.symmetry!;
    sym.canonicalize(this.scratch, 0, this.scratch);
    this.lastElement = sym.lastElement;
    this.c.layout.pack(this.scratch, 0, this.packed, 0);
  }
  /** The element the last canonicalize() applied (liveness under symmetry records it on each edge). */
  lastElement = 0;

  /**
   * Checks the step properties on the transition from the current state by `a` to the successor in scratch
   * (one successor() computed); returns how many failed, their indices in failedSteps. Throws ExpandFailure.
   */
  checkSteps(a: ActionInstance): number {
    const steps = this.c.steps, info = this.stepActions[a.id]!;
    let k = 0, failed = 0;
    try {
      for (; k < steps.length; k++) {
        this.who[WHO] = probeCode(KIND_STEP, k, false);
        if (!steps[k]!.check(this.curView, this.scratchView, info)) this.failedSteps[failed++] = k;
      }
    } catch (e) {
      throw new ExpandFailure(readerError(`step property ${steps[k]!.name}`, e), a.id, this.scratch.slice(0, this.n));
    }
    return failed;
  }

  /** Guard, copy of the current state, effect: the successor in scratch; false when there is none (or it is discarded). */
  private apply(a: ActionInstance): boolean {
    try {
      if (a.guard !== undefined && !a.guard(this.curView, a.arg)) return false;
      this.c.layout.copy(this.curRoot.b, this.curRoot.o, this.scratch, 0);
      return a.effect(this.curView, this.nextView, a.arg) !== false;
    } catch (e) {
      return this.threw(a, e);
    }
  }

  /** An action threw: a drop-guard mutant's successor is discarded (false); otherwise the run fails. A misused view fails it always. */
  private threw(a: ActionInstance, e: unknown): false {
    if (a.lenient && !(e instanceof ViewError)) { this.discarded++; return false; }
    throw new ExpandFailure(asModelError(e, a.name), a.id, null);
  }

  /**
   * The successor in scratch left a domain: discarded for a drop-guard mutant (false). Outside the state
   * constraint it is a successor like any other the constraint drops (TLC's semantics, so a bound can be
   * declared at the constraint's own bound): true, and the search loop's own constraint check drops it,
   * counted as generated. Otherwise the run fails.
   */
  private leftDomain(a: ActionInstance): boolean {
    if (a.lenient) { this.discarded++; return false; }
    let threw = '';
    if (this.c.constraint !== undefined) {
      // Read from the raw slots, where a value may be past its bound: a constraint that throws on it leaves the domain error to report.
      this.who[WHO] = probeCode(KIND_CONSTRAINT, 0, true);
      try { if (!this.c.constraint(this.scratchView)) return true; } catch (e) { threw = `; the state constraint threw on it: ${thrownMessage(e)}`; }
    }
    const dst = this.scratch;
    const d = describeOutOfDomain(this.c.layout, dst, 0, firstOutOfDomain(this.c.layout, dst, 0));
    throw new ExpandFailure(new ModelError(`action ${a.name} left a domain: ${d.message}${threw}`, { action: a.name, field: d.field }), a.id, dst.slice(0, this.n));
  }

  /** successor() with the debug checks: the action must not write its input and must be deterministic. */
  private successorDebug(a: ActionInstance): boolean {
    const base = this.curRoot.o;
    const before = this.curRoot.b.slice(base, base + this.n);
    if (!this.apply(a)) return false;
    if (!this.c.layout.pack(this.scratch, 0, this.packed, 0)) return this.leftDomain(a);
    this.debugCheck(a, before);
    return true;
  }

  /** Debug mode: the input state must be unchanged and a second run must give the same successor. */
  private debugCheck(a: ActionInstance, before: Int32Array): void {
    const n = this.n, src = this.curRoot.b, base = this.curRoot.o;
    const wroteInput = (): boolean => { for (let k = 0; k < n; k++) if (src[base + k] !== before[k]) return true; return false; };
    const fail = (msg: string): never => { throw new ExpandFailure(new ModelError(msg, { action: a.name }), a.id, null); };
    if (wroteInput()) fail(`action ${a.name} wrote its input state (write the successor n, never s)`);
    const first = this.scratch.slice(0, n);
    for (let k = 0; k < n; k++) this.scratch[k] = src[base + k]!;
    let again: boolean;
    try { again = (a.guard === undefined || a.guard(this.curView, a.arg)) && a.effect(this.curView, this.nextView, a.arg) !== false; } catch (e) {
      throw new ExpandFailure(asModelError(e, a.name), a.id, null);
    }
    if (wroteInput()) fail(`action ${a.name} wrote its input state (write the successor n, never s)`);
    let same = again;
    for (let k = 0; same && k < n; k++) if (this.scratch[k] !== first[k]) same = false;
    if (!same) fail(`action ${a.name} is not deterministic: a second run from the same state gave a different successor (use 'over' for a nondeterministic choice)`);
    this.scratch.set(first);
    this.packScratch(`action ${a.name}`);
  }
}
