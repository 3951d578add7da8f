// Symmetry is checked, not assumed. The search keeps one state per orbit, which is sound only if every
// property gives the same answer on every state of an orbit and the actions map orbits to orbits. Model
// code could single out a scalarset value (`s.page.get('p1')`, "the first free page"), so each state the
// search keeps is audited:
// - every property (invariants, goals, liveness labels, the constraint, the deadlock policy) is evaluated
//   on it and on each of its images under the group: with symmetric actions every reachable state is an
//   image of a kept one, so a property that passes this audit gives the same answer on every state;
// - its successors, up to symmetry, are compared with those of its images ('quick': under every
//   permutation for the first states (FULL_AUDIT_IMAGES), which makes small searches exact;
//   then under one permutation per state, the next in turn). This catches an action that treats a value
//   unlike the others wherever the search meets the difference, but on a large search it is not a proof;
//   'full' compares under every permutation at every kept state: exact, and about as costly as searching
//   without symmetry.
import { fpHi, fpLo, hashState } from './fingerprint.js';
import { Expander } from './expand.js';
import type { CompiledModel, Family } from './model.js';
import { codecOf } from './codec.js';
import { actionImages } from './symmetry-liveness.js';
import type { Symmetry } from './symmetry.js';

/**
 * A successor up to symmetry: its representative's fingerprint, the instance that led there, and that
 * instance's action (by index: fairness of a whole action must map to itself). Used when some instance has
 * no image under the group; otherwise the comparison is exact, instance by instance (noteConcrete).
 */
interface Succ { hi: number; lo: number; action: number; base: number }

/**
 * How much 'quick' spends on comparing every relabelling of the first states it audits, in images computed:
 * each relabelled state is expanded and each successor canonicalized (about |G| images), so a state costs
 * about |G|² of them: with 8 permutations the first 6,250 states, with 24 the first 694.
 */
const FULL_AUDIT_IMAGES = 400_000;

const bySucc = (a: Succ, b: Succ): number => a.hi - b.hi || a.lo - b.lo || a.base - b.base;

/** A predicate's value on a state: 1 true, 0 false, 2 threw. */
const valueOf = (f: (s: any) => boolean, view: any): number => { try { return f(view) ? 1 : 0; } catch { return 2; } };
const said = (v: number): string => (v === 1 ? 'true' : v === 0 ? 'false' : 'throws');

/**
 * image[g][k]: the predicate that predicate k becomes under element g. A property made by forEach over a value
 * becomes its sibling for the relabelled value (the family is symmetric as a whole); any other, itself.
 */
function familyImages(sym: Symmetry, preds: readonly { family?: Family; part: string }[]): Int32Array[] {
  const key = (part: string, f: Family, rank: number): string => `${part}\u0000${f.name}\u0000${rank}`;
  const at = new Map<string, number>();
  preds.forEach((p, k) => { if (p.family) at.set(key(p.part, p.family, p.family.index), k); });
  return Array.from({ length: sym.order }, (_, g) => Int32Array.from(preds, (p, k) => {
    const f = p.family;
    if (f === undefined || g === 0) return k;
    return at.get(key(p.part, f, codecOf(f.domain).rank(sym.valueImage(f.domain, f.value, g)))) ?? k;
  }));
}

export class SymmetryAudit {
  private readonly sym: Symmetry;
  private readonly x: Expander;
  private readonly image: Int32Array;
  private readonly imageView: any;
  private readonly packed: Int32Array;
  private readonly predicates: { name: string; eval: (s: any) => boolean; family?: Family; part: string; goal?: number }[];
  /** The predicates audited at every kept state: all but the goals reached at an earlier depth (settleGoals). */
  private active: number[];
  private readonly here: Int8Array;
  /** image[g][k]: the predicate that predicate k is relabelled to by element g (a family member to its sibling). */
  private readonly predImage: Int32Array[];
  /** Every element but the identity. */
  private readonly all: readonly number[];
  private readonly targets: readonly number[];
  private turn = 0;
  /** 'quick' compares every relabelling for the first fullFor states audited (FULL_AUDIT_IMAGES), then one per state. */
  private audited = 0;
  private readonly fullFor: number;
  /** Each action instance's action, by index. */
  private readonly baseOf: Int32Array;
  private readonly mode: 'quick' | 'full';

  /** withLiveness: the liveness properties' labels are checked in this run (then they are audited too). */
  constructor(private readonly c: CompiledModel, withLiveness: boolean) {
    this.sym = c.symmetry!;
    this.mode = this.sym.audit;
    this.x = new Expander(c, false);
    this.image = new Int32Array(c.layout.slots);
    this.imageView = c.layout.makeView({ b: this.image, o: 0 });
    this.packed = new Int32Array(c.layout.words);
    this.baseOf = Int32Array.from(c.actions, (a) => c.baseActions.indexOf(a.base));
    // Not audited: an implication's antecedent (it only counts the representatives where it holds, which the
    // report says), and the deadlock policy at every state (checkDeadlock audits it where it is evaluated).
    const preds: { name: string; eval: (s: any) => boolean; family?: Family; part: string; goal?: number }[] = [];
    const add = (name: string, part: string, f: (s: any) => boolean, family?: Family, goal?: number): void => { preds.push({ name, eval: f, part, ...(family ? { family } : {}), ...(goal !== undefined ? { goal } : {}) }); };
    for (const inv of c.invariants) add(`invariant ${inv.name}`, 'invariant', inv.check, inv.family);
    c.goals.forEach((g, k) => add(`goal ${g.name}`, 'goal', g.check, g.family, k));
    for (const l of withLiveness ? c.liveness : []) {
      if (l.p) add(`liveness property ${l.name} (its trigger)`, 'trigger', l.p, l.family);
      add(`liveness property ${l.name}`, 'liveness', l.q, l.family);
    }
    if (c.constraint) add('the state constraint', 'constraint', c.constraint);
    const d = c.deadlock;
    if (typeof d === 'object') add('the deadlock policy', 'deadlock', d.expected);
    this.predicates = preds;
    this.active = preds.flatMap((p, k) => (p.part === 'deadlock' ? [] : [k]));
    this.here = new Int8Array(preds.length);
    this.predImage = familyImages(this.sym, preds);
    this.fullFor = Math.floor(FULL_AUDIT_IMAGES / (this.sym.order * this.sym.order));
    const images = actionImages(c, this.sym);
    this.exact = images.every((x) => x >= 0) ? images : null;
    this.theirs = new Uint8Array(c.actions.length);
    this.image2 = new Int32Array(c.layout.slots);
    this.all = Array.from({ length: this.sym.order - 1 }, (_, i) => i + 1);
    this.targets = this.all;
  }

  /** Audits the kept state at src[so..] (its view `view`): its properties, and its actions too (computing its successors) unless `transitions` is false. Returns what is not symmetric there, or null. */
  check(src: Int32Array, so: number, view: any, transitions = true): string | null {
    const why = this.active.length > 0 ? this.checkPredicates(this.active, src, so, view) : null;
    return why ?? (transitions ? this.checkTransitions(src, so, this.successors(src, so)) : null);
  }

  /**
   * Goals reached at an earlier depth are no longer audited: reached is then settled whatever the rest of
   * their orbits say, and until then every state of every shallower level was audited (so the depth is right).
   * Called between levels, so what is audited does not depend on the number of workers.
   */
  settleGoals(reached: readonly number[]): void {
    this.active = this.predicates.flatMap((p, k) => (p.part === 'deadlock' || (p.goal !== undefined && reached.includes(p.goal)) ? [] : [k]));
  }

  /** Audits the deadlock policy at a state without successors (where it is evaluated). */
  checkDeadlock(src: Int32Array, so: number, view: any): string | null {
    const k = this.predicates.findIndex((p) => p.part === 'deadlock');
    return k < 0 ? null : this.checkPredicates([k], src, so, view);
  }

  /** Predicates ks on the state and on each of its images (a family member on its sibling's). */
  private checkPredicates(ks: readonly number[], src: Int32Array, so: number, view: any): string | null {
    const sym = this.sym, preds = this.predicates, here = this.here;
    for (const k of ks) here[k] = valueOf(preds[k]!.eval, view);
    for (const g of this.all) {
      sym.apply(g, src, so, this.image);
      const img = this.predImage[g]!;
      for (const k of ks) {
        const other = preds[img[k]!]!;
        const there = valueOf(other.eval, this.imageView);
        if (there === here[k]) continue;
        const sibling = other === preds[k] ? '' : ` (there ${other.name} stands for it)`;
        return `${preds[k]!.name} is not symmetric in the scalarsets: it is ${said(here[k]!)} on a state the trace below reaches (up to symmetry) and ${said(there)} on the same state with its scalarset values relabelled (${sym.describe(g)})${sibling}. `
          + 'With symmetry the search evaluates it on one state per orbit, so it must not single out a scalarset value (quantify over all of them, or make one property per value with forEach); run with --no-symmetry to check it as it is';
      }
    }
    return null;
  }

  /**
   * The breadth-first searches note each successor they keep while expanding a state (canonical fingerprint
   * and instance) and then call checkNoted: the state's own successors need not be computed again.
   */
  note(hi: number, lo: number, action: number): void { if (this.exact === null) this.noted.push({ hi, lo, action, base: this.baseOf[action]! }); }
  /**
   * The same, before canonicalization: the successor as computed (slots), when every action instance has an
   * image under the group (`over` a domain). Then the comparison is exact and needs no canonical forms: the
   * image of the state must have, by each instance's image, exactly the image of each successor.
   */
  noteConcrete(slots: Int32Array, action: number): void {
    if (this.exact === null) return;
    const n = this.c.layout.slots, at = this.concreteCount * n;
    if (at + n > this.concrete.length) { const b = new Int32Array(Math.max(2 * this.concrete.length, at + n)); b.set(this.concrete); this.concrete = b; }
    for (let k = 0; k < n; k++) this.concrete[at + k] = slots[k]!;
    this.concreteAct[this.concreteCount++] = action;
  }
  private concrete = new Int32Array(0);
  private concreteAct: number[] = [];
  private concreteCount = 0;
  /** actionImages (symmetry-liveness.ts) when no instance lacks an image; null: compare canonical fingerprints. */
  private readonly exact: Int32Array | null;
  checkNoted(src: Int32Array, so: number): string | null {
    if (this.exact !== null) { const why = this.checkExact(src, so); this.concreteCount = 0; return why; }
    const mine = this.noted.sort(bySucc);
    this.noted = [];
    return this.checkTransitions(src, so, mine);
  }
  private noted: Succ[] = [];

  /** Compares the successors of the state at src[so..] (`mine`, sorted; null: an action failed there) with those of one relabelling (all with 'full'). */
  private checkTransitions(src: Int32Array, so: number, mine: Succ[] | null): string | null {
    const sym = this.sym;
    if (this.targets.length === 0 || mine === null) return null;
    for (const g of this.elements()) {
      sym.apply(g, src, so, this.image);
      const theirs = this.successors(this.image, 0);
      if (theirs === null) return null;
      const same = (a: Succ, b: Succ): boolean => a.hi === b.hi && a.lo === b.lo && a.base === b.base;
      if (mine.length === theirs.length && mine.every((m, k) => same(m, theirs[k]!))) continue;
      const missing = mine.find((m) => !theirs.some((t) => same(t, m)));
      const extra = theirs.find((t) => !mine.some((m) => same(m, t)));
      const what = missing !== undefined
        ? `${this.c.actions[missing.action]!.name} leads from it to a state that no action reaches, up to symmetry, from the same state with its scalarset values relabelled (${sym.describe(g)})`
        : extra !== undefined ? `from the same state with its scalarset values relabelled (${sym.describe(g)}), ${this.c.actions[extra.action]!.name} leads to a state that no action reaches from it, up to symmetry`
          : `it and the same state with its scalarset values relabelled (${sym.describe(g)}) reach the same states up to symmetry, but by different numbers of steps (${mine.length} and ${theirs.length})`;
      return `the actions are not symmetric in the scalarsets at a state the trace below reaches (up to symmetry): ${what}. An action treats one scalarset value unlike the others (for example it picks the first free one, or compares with a literal such as 'p1'); run with --no-symmetry`;
    }
    return null;
  }

  /** The exact comparison (noteConcrete): under the chosen elements, as checkTransitions chooses them. */
  private checkExact(src: Int32Array, so: number): string | null {
    const sym = this.sym, x = this.x, c = this.c, n = c.layout.slots, A = c.actions.length, img = this.exact!;
    if (this.targets.length === 0) return null;
    const theirs = this.theirs, expected = this.image2;
    for (const g of this.elements()) {
      sym.apply(g, src, so, this.image);
      if (!c.layout.pack(this.image, 0, this.packed, 0)) return null;
      theirs.fill(0);
      let count = 0;
      x.loadPacked(this.packed, 0);
      try {
        for (let k = 0; k < this.concreteCount; k++) {
          const a = this.concreteAct[k]!, b = img[g * A + a]!;
          theirs[b] = 1;
          sym.apply(g, this.concrete, k * n, expected);
          const act = c.actions[b]!;
          if (!x.successor(act) || (c.constraint !== undefined && !c.constraint(x.scratchView))) return this.asymmetric(g, `${c.actions[a]!.name} leads from it to a state, and from the same state with its scalarset values relabelled (${sym.describe(g)}) ${act.name} leads nowhere`);
          for (let s = 0; s < n; s++) {
            if (x.scratch[s] !== expected[s]) return this.asymmetric(g, `${c.actions[a]!.name} leads from it to a state, and from the same state with its scalarset values relabelled (${sym.describe(g)}) ${act.name} leads to another state than that one relabelled`);
          }
          count++;
        }
        // No other instance may be enabled at the image.
        for (const b of c.actions) {
          if (theirs[b.id] || !x.successor(b)) continue;
          if (c.constraint !== undefined && !c.constraint(x.scratchView)) continue;
          return this.asymmetric(g, `from the same state with its scalarset values relabelled (${sym.describe(g)}), ${b.name} leads to a state, and its counterpart does not from the state itself`);
        }
      } catch {
        return null; // an action that fails here fails in the search too, which reports it
      } finally { x.idle(); }
      if (count !== this.concreteCount) return null;
    }
    return null;
  }
  private readonly theirs: Uint8Array;

  /** The elements a state's actions are compared under: all of them ('full', and the first states), else the next in turn. */
  private elements(): readonly number[] {
    return this.mode === 'full' || this.audited++ < this.fullFor ? this.targets : [this.targets[this.turn++ % this.targets.length]!];
  }
  private readonly image2: Int32Array;

  private asymmetric(_g: number, what: string): string {
    return `the actions are not symmetric in the scalarsets at a state the trace below reaches (up to symmetry): ${what}. An action treats one scalarset value unlike the others (for example it picks the first free one, or compares with a literal such as 'p1'); run with --no-symmetry`;
  }

  /** The successors of the state at src[so..] in the constraint, as canonical fingerprints with the action that gave each; null if an action fails there (the search reports it). */
  private successors(src: Int32Array, so: number): Succ[] | null {
    const x = this.x, c = this.c, out: Succ[] = [];
    if (!c.layout.pack(src, so, this.packed, 0)) return null;
    x.loadPacked(this.packed, 0);
    try {
      for (const a of c.actions) {
        if (!x.successor(a)) continue;
        if (c.constraint !== undefined && !c.constraint(x.scratchView)) continue;
        x.canonicalize();
        hashState(x.packed, 0, x.w);
        out.push({ hi: fpHi, lo: fpLo, action: a.id, base: this.baseOf[a.id]! });
      }
    } catch {
      return null; // an action that fails here fails in the search too, which reports it
    } finally { x.idle(); }
    return out.sort(bySucc);
  }
}
