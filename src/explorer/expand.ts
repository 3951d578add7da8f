// Computing one successor: guard, copy, effect, domain check (and, in debug
// mode, the determinism and input-immutability checks). Shared by the
// sequential engine and the parallel workers so both run the same code.
import { ModelError, whenHolds, type ActionInstance, type CompiledModel } from './model.js';
import { describeOutOfDomain, firstOutOfDomain, type ViewRoot } from './schema.js';
import { asModelError } from './trace.js';

/** A broken action: the error, the action, and (for a domain error) the bad successor to show in the trace. */
export class ExpandFailure {
  constructor(readonly error: ModelError, readonly actionId: number, readonly badSuccessor: Int32Array | null) {}
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
  readonly curView: any;
  readonly nextView: any;
  /** Successors a drop-guard mutant's effect could not produce (threw or left a domain). */
  discarded = 0;

  constructor(private readonly c: CompiledModel, private readonly debug: boolean) {
    this.n = c.layout.slots;
    this.w = c.layout.words;
    this.scratch = new Int32Array(Math.max(1, this.n));
    this.packed = new Int32Array(this.w);
    this.cur = new Int32Array(Math.max(1, this.n));
    this.curRoot = { b: this.cur, o: 0 };
    this.curView = c.layout.makeView(this.curRoot);
    this.nextView = c.layout.makeView({ b: this.scratch, o: 0 });
  }

  /** Makes the packed state at words[off..] the one to expand. */
  loadPacked(words: Int32Array, off: number): void {
    this.c.layout.unpack(words, off, this.cur, 0);
    this.curRoot.b = this.cur; this.curRoot.o = 0;
  }

  /** Packs scratch into packed (scratch must be in its domains, e.g. an initial state). */
  packScratch(): void { this.c.layout.pack(this.scratch, 0, this.packed, 0); }

  /** Computes the successor of the current state by `a` into scratch and packed; false when `a` is disabled there. Throws ExpandFailure. */
  successor(a: ActionInstance): boolean {
    // Kept small so V8 inlines it into the search loops; the rare paths are methods of their own.
    const src = this.curRoot.b, base = this.curRoot.o, dst = this.scratch, n = this.n;
    if (a.when !== null && !whenHolds(a, src, base)) return false;
    if (this.debug) return this.successorDebug(a);
    try {
      if (a.guard !== undefined && !a.guard(this.curView, a.arg)) return false;
      for (let k = 0; k < n; k++) dst[k] = src[base + k]!;
      if (a.effect(this.curView, this.nextView, a.arg) === false) return false;
    } catch (e) {
      return this.threw(a, e);
    }
    // Packing is also the domain check.
    return this.c.layout.pack(dst, 0, this.packed, 0) || this.leftDomain(a);
  }

  /** An action threw: a drop-guard mutant's successor is discarded (false); otherwise the run fails. */
  private threw(a: ActionInstance, e: unknown): false {
    if (a.lenient) { this.discarded++; return false; }
    throw new ExpandFailure(asModelError(e, a.name), a.id, null);
  }

  /** The successor in scratch left a domain: discarded for a drop-guard mutant (false); otherwise the run fails. */
  private leftDomain(a: ActionInstance): false {
    if (a.lenient) { this.discarded++; return false; }
    const dst = this.scratch;
    const d = describeOutOfDomain(this.c.layout, dst, 0, firstOutOfDomain(this.c.layout, dst, 0));
    throw new ExpandFailure(new ModelError(`action ${a.name} left a domain: ${d.message}`, { action: a.name, field: d.field }), a.id, dst.slice(0, this.n));
  }

  /** successor() with the debug checks: the action must not write its input and must be deterministic. */
  private successorDebug(a: ActionInstance): boolean {
    const src = this.curRoot.b, base = this.curRoot.o, dst = this.scratch, n = this.n;
    const before = src.slice(base, base + n);
    try {
      if (a.guard !== undefined && !a.guard(this.curView, a.arg)) return false;
      for (let k = 0; k < n; k++) dst[k] = src[base + k]!;
      if (a.effect(this.curView, this.nextView, a.arg) === false) return false;
    } catch (e) {
      return this.threw(a, e);
    }
    if (!this.c.layout.pack(dst, 0, this.packed, 0)) return this.leftDomain(a);
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
    this.c.layout.pack(this.scratch, 0, this.packed, 0);
  }
}
