// The visited states' parent links: for each state (numbered in discovery order) the state it was found
// from and the action that found it, from which a trace is rebuilt (trace.ts re-executes the actions).

/** An Int32Array that doubles when it runs out of room. */
export class Growable {
  a: Int32Array;
  constructor(cap: number) { this.a = new Int32Array(cap); }
  ensure(n: number): void { if (n > this.a.length) { const b = new Int32Array(Math.max(n, this.a.length * 2)); b.set(this.a); this.a = b; } }
}

/**
 * The parent links of the levels a parallel search found: each level's claims (its new states' parent
 * position in the level before × actions + action id, in discovery order), copied as they are into
 * segments that never move. Writing parent and action arrays from them instead took the main thread
 * half a second on bakery.5 (a division per state, and page faults as the arrays doubled).
 */
export class ClaimLinks {
  private readonly levels: { first: number; parentStart: number; claims: Int32Array }[] = [];
  private segment = new Int32Array(0);
  private used = 0;
  private total = 0;
  /** Bytes of the segments. */
  bytes = 0;
  constructor(private readonly actions: number) {}
  /** The first of these levels' states (Infinity while there are none). */
  get first(): number { return this.levels[0]?.first ?? Infinity; }
  /** The next level: its states are numbered from `first`; their parents' level began at `parentStart`. */
  add(first: number, parentStart: number, claims: Int32Array): void {
    const M = claims.length;
    if (this.used + M > this.segment.length) {
      // Segments grow with the run (about as much memory as a doubling array, and nothing is copied twice).
      this.segment = new Int32Array(Math.max(M, Math.min(1 << 22, Math.max(1024, this.total))));
      this.used = 0; this.bytes += this.segment.byteLength;
    }
    this.segment.set(claims, this.used);
    this.levels.push({ first, parentStart, claims: this.segment.subarray(this.used, this.used + M) });
    this.used += M; this.total += M;
  }
  /** State i's parent and the action that found it (i >= first). */
  link(i: number): { parent: number; via: number } {
    let lo = 0, hi = this.levels.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (this.levels[mid]!.first <= i) lo = mid; else hi = mid - 1; }
    const l = this.levels[lo]!, cl = l.claims[i - l.first]!, pos = Math.floor(cl / this.actions);
    return { parent: l.parentStart + pos, via: cl - pos * this.actions };
  }
}

/**
 * Every visited state's parent and the action that found it: in arrays for the states a search on this
 * thread found, as claims (ClaimLinks) for the levels a parallel search found.
 */
export class ParentLinks {
  readonly parent = new Growable(1 << 16);
  /** Action id that produced each state, or -(init index + 1) for an initial state. */
  readonly via = new Growable(1 << 16);
  /** Parent links of the states a parallel search found (from the first state it found on). */
  readonly claims: ClaimLinks;
  constructor(actions: number) { this.claims = new ClaimLinks(actions); }

  /** The links of state idx, the next state found on this thread. */
  add(idx: number, parent: number, via: number): void {
    this.parent.ensure(idx + 1); this.via.ensure(idx + 1);
    this.parent.a[idx] = parent; this.via.a[idx] = via;
  }

  /** Bytes the links take. */
  get bytes(): number { return this.claims.bytes + this.parent.a.byteLength + this.via.a.byteLength; }

  /** State i's parent and the action that found it (via: -(init number + 1) for an initial state, whose parent is -1). */
  linkOf(i: number): { parent: number; via: number } {
    return i >= this.claims.first ? this.claims.link(i) : { parent: this.parent.a[i]!, via: this.via.a[i]! };
  }

  /** Action ids from an initial state to state `index`, and that initial state's number. */
  path(index: number): { init: number; actions: number[] } {
    const actions: number[] = [];
    for (let i = index; ;) {
      const { parent, via } = this.linkOf(i);
      if (via < 0) return { init: -via - 1, actions: actions.reverse() };
      actions.push(via);
      i = parent;
    }
  }
}
