// Symmetry reduction over scalarsets (Murphi's, TLC's symmetry sets): identities a model declares
// interchangeable with `scalarset(name, n)`. A permutation of a scalarset's values, applied to a state,
// moves the entries of maps keyed by it and relabels every value that holds one (a field, a set member,
// a list element, a tuple item, ...). States that are permutations of one another form an orbit; the
// search stores one representative per orbit: the image that is least, slot by slot, over the group
// (every permutation of every scalarset). `represented` sums the orbits' sizes (|G| / |stabilizer|).
//
// The group acts on the slot layout through one program per element: a gather of slots (where maps move
// entries), then tables for the slots whose values name scalarset values, sets re-built member by member,
// and list elements up to the list's length. Nothing here is model code: the layout alone decides it.
import { codecOf } from './codec.js';
import { SchemaError, type Domain, type EnumD, type RecordD } from './domains.js';
import type { Layout } from './schema.js';
import { isOneSlot, setWords, slotCodecOf, widthOf } from './values.js';

/** The most permutations a symmetry group may have (the canonical form tries each). */
export const MAX_GROUP = 5040;
/** The most permutations liveness under symmetry composes (its multiplication table has order² entries). */
export const MAX_ALGEBRA = 720;

/** A scalarset: an enum whose values (`${name}1`..) are interchangeable identities. */
export interface ScalarsetD extends EnumD<string> { readonly scalarset: string }
export const isScalarset = (d: Domain): d is ScalarsetD => d.kind === 'enum' && d.scalarset !== undefined;

/** One group element: per scalarset (by name), the image of each value's index. */
type Perm = ReadonlyMap<string, Int32Array>;

/** Whether values of d can name a scalarset value (then a permutation may change them). */
function mentions(d: Domain): boolean {
  switch (d.kind) {
    case 'enum': return isScalarset(d);
    case 'bool': case 'int': return false;
    case 'record': return Object.values(d.fields).some(mentions);
    case 'tuple': return d.items.some(mentions);
    case 'oneOf': return d.alts.some(mentions);
    case 'map': return mentions(d.keys) || mentions(d.of);
    case 'array': case 'optional': case 'set': case 'list': return mentions(d.of);
  }
}

/** The scalarsets a schema uses, by name, with their sizes; the same name must mean the same values. */
export function scalarsetsOf(schema: Domain): Map<string, number> {
  const found = new Map<string, number>();
  const walk = (d: Domain): void => {
    if (isScalarset(d)) {
      const n = found.get(d.scalarset);
      if (n !== undefined && n !== d.values.length) throw new SchemaError(`scalarset '${d.scalarset}' is declared with ${n} and with ${d.values.length} values; one name, one size`);
      found.set(d.scalarset, d.values.length);
      return;
    }
    switch (d.kind) {
      case 'record': Object.values(d.fields).forEach(walk); return;
      case 'tuple': d.items.forEach(walk); return;
      case 'oneOf': d.alts.forEach(walk); return;
      case 'map': walk(d.keys); walk(d.of); return;
      case 'array': case 'optional': case 'set': case 'list': walk(d.of); return;
      default: return;
    }
  };
  walk(schema);
  return found;
}

/** The plain value v of domain d with every scalarset value relabelled by g. */
export function permuteValue(d: Domain, v: unknown, g: Perm): unknown {
  if (!mentions(d)) return v;
  switch (d.kind) {
    case 'enum': { const s = d as ScalarsetD; return s.values[g.get(s.scalarset)![s.values.indexOf(v as string)]!]; }
    case 'record': return Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, permuteValue(f, (v as Record<string, unknown>)[k], g)]));
    case 'tuple': return d.items.map((f, i) => permuteValue(f, (v as unknown[])[i], g));
    case 'optional': return v === null ? null : permuteValue(d.of, v, g);
    case 'oneOf': { const alt = d.alts.find((a) => codecOf(a).rank(v) >= 0)!; return permuteValue(alt, v, g); }
    case 'array': case 'set': case 'list': return (v as unknown[]).map((x) => permuteValue(d.of, x, g));
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        out[String(permuteValue(d.keys, d.keys.kind === 'int' ? Number(k) : k, g))] = permuteValue(d.of, x, g);
      }
      return out;
    }
    default: return v;
  }
}

/** A table over a one-slot domain's slot values lo..hi: the slot value of each value's image under g. */
function slotTable(d: Domain, g: Perm, where: string): Int32Array {
  const sc = slotCodecOf(d), size = sc.hi - sc.lo + 1;
  if (size > 1 << 20) throw new SchemaError(`${where}: ${size} values that name scalarsets is too many for symmetry (at most 2^20 in one slot)`);
  const t = new Int32Array(size);
  for (let x = 0; x < size; x++) t[x] = sc.enc(permuteValue(d, sc.dec(x + sc.lo), g), where);
  return t;
}

/** What one group element does to the slots. */
interface Program {
  /** out[k] = in[gather[k]] for every slot... */
  readonly gather: Int32Array;
  /** ...then out[s] = table[out[s] - lo] for each relabelled one-slot value... */
  readonly tabSlot: Int32Array; readonly tabLo: Int32Array; readonly tables: readonly Int32Array[];
  /** ...each set over values that name scalarsets re-built from its members' images... */
  readonly sets: readonly { at: number; words: number; members: Int32Array }[];
  /** ...and each list's elements (slots 1..length after its length slot) relabelled. */
  readonly lists: readonly { at: number; lo: number; table: Int32Array; max: number }[];
  /**
   * The same, slot by slot, for computing an image in slot order (canonicalize stops at the first slot
   * where it is larger than the best so far): kind[k] 0 copies, 1 looks up tables[arg[k]], 2 reads word
   * arg[k] & 0xffff of set arg[k] >> 16 (re-built at its first word), 3 relabels element arg[k] & 0xffff
   * of list arg[k] >> 16 if it is within the list's length.
   */
  readonly kind: Uint8Array;
  readonly arg: Int32Array;
}

function programOf(layout: Layout, g: Perm): Program {
  const gather = new Int32Array(layout.slots);
  const tabSlot: number[] = [], tabLo: number[] = [], tables: Int32Array[] = [];
  const sets: { at: number; words: number; members: Int32Array }[] = [], lists: { at: number; lo: number; table: Int32Array; max: number }[] = [];
  // Walks the schema with each part's source offset and its destination under g.
  const walk = (d: Domain, src: number, dst: number, path: string): void => {
    if (isOneSlot(d)) {
      gather[dst] = src;
      if (mentions(d)) { tabSlot.push(dst); tabLo.push(slotCodecOf(d).lo); tables.push(slotTable(d, g, path)); }
      return;
    }
    if (d.kind === 'set' || d.kind === 'list') {
      const w = widthOf(d);
      for (let k = 0; k < w; k++) gather[dst + k] = src + k;
      if (!mentions(d.of)) return;
      if (d.kind === 'set') {
        const of = codecOf(d.of), members = new Int32Array(d.size);
        for (let r = 0; r < d.size; r++) members[r] = of.rank(permuteValue(d.of, of.value(r), g));
        sets.push({ at: dst, words: setWords(d.size), members });
      } else {
        lists.push({ at: dst, lo: slotCodecOf(d.of).lo, table: slotTable(d.of, g, `${path}[]`), max: d.maxLength });
      }
      return;
    }
    switch (d.kind) {
      case 'array': { const w = widthOf(d.of); for (let i = 0; i < d.length; i++) walk(d.of, src + i * w, dst + i * w, `${path}[${i}]`); return; }
      case 'map': {
        const w = widthOf(d.of), kc = codecOf(d.keys);
        for (let k = 0; k < kc.card; k++) {
          const to = isScalarset(d.keys) ? g.get(d.keys.scalarset)![k]! : k;
          walk(d.of, src + k * w, dst + to * w, `${path}[${String(kc.value(k))}]`);
        }
        return;
      }
      case 'record': {
        let o = 0;
        for (const [k, f] of Object.entries(d.fields)) { walk(f, src + o, dst + o, path ? `${path}.${k}` : k); o += widthOf(f); }
        return;
      }
      default: throw new SchemaError(`symmetry: unexpected domain ${d.kind} at ${path}`);
    }
  };
  walk(layout.schema as RecordD<Record<string, Domain>>, 0, 0, '');
  const kind = new Uint8Array(layout.slots), arg = new Int32Array(layout.slots);
  tabSlot.forEach((k, j) => { kind[k] = 1; arg[k] = j; });
  sets.forEach(({ at, words }, j) => { for (let w = 0; w < words; w++) { kind[at + w] = 2; arg[at + w] = (j << 16) | w; } });
  lists.forEach(({ at, max }, j) => { for (let e = 1; e <= max; e++) { kind[at + e] = 3; arg[at + e] = (j << 16) | e; } });
  return { gather, tabSlot: Int32Array.from(tabSlot), tabLo: Int32Array.from(tabLo), tables, sets, lists, kind, arg };
}

/** Every permutation of 0..n-1, the identity first. */
function permutations(n: number): Int32Array[] {
  const out: Int32Array[] = [];
  const a = Array.from({ length: n }, (_, i) => i);
  const rec = (k: number): void => {
    if (k === n) { out.push(Int32Array.from(a)); return; }
    for (let i = k; i < n; i++) { [a[k], a[i]] = [a[i]!, a[k]!]; rec(k + 1); [a[k], a[i]] = [a[i]!, a[k]!]; }
  };
  rec(0);
  return out;
}

export class Symmetry {
  /** The scalarsets, by name, and their sizes. */
  readonly sets: ReadonlyMap<string, number>;
  /** The group's size: every permutation of every scalarset. */
  readonly order: number;
  /** The non-identity elements (element 0 is the identity and has no program). */
  private readonly perms: Perm[];
  private readonly programs: Program[];
  /** Elements that swap two neighbouring values of one scalarset: they generate the group. */
  readonly generators: readonly number[];
  private readonly n: number;
  private best: Int32Array;
  private tmp: Int32Array;
  private readonly orbitScratch: Int32Array;

  /** How the search audits that the model is symmetric (symmetry-audit.ts). */
  readonly audit: 'quick' | 'full';

  constructor(layout: Layout, sets: Map<string, number>, audit: 'quick' | 'full' = 'quick') {
    this.sets = sets;
    this.audit = audit;
    let order = 1;
    for (const [name, n] of sets) {
      for (let k = 2; k <= n; k++) order *= k;
      if (order > MAX_GROUP) throw new SchemaError(`symmetry: the scalarsets (${[...sets].map(([s, m]) => `${s}: ${m}`).join(', ')}) make a group of more than ${MAX_GROUP} permutations, too many to try for each state (at '${name}'); declare fewer or smaller scalarsets, or run with --no-symmetry`);
    }
    this.order = order;
    // The product of every scalarset's permutations, the identity first.
    let perms: Map<string, Int32Array>[] = [new Map()];
    for (const [name, n] of sets) perms = perms.flatMap((p) => permutations(n).map((q) => new Map([...p, [name, q]])));
    this.perms = perms;
    this.programs = perms.map((p, i) => (i === 0 ? null! : programOf(layout, p)));
    this.generators = perms.flatMap((p, i) => {
      let moved = 0, adjacent = true;
      for (const q of p.values()) q.forEach((to, from) => { if (to !== from) { moved++; if (Math.abs(to - from) !== 1) adjacent = false; } });
      return moved === 2 && adjacent ? [i] : [];
    });
    this.n = layout.slots;
    this.best = new Int32Array(this.n);
    this.tmp = new Int32Array(this.n);
    this.orbitScratch = new Int32Array(this.n);
    const widest = Math.max(0, ...this.programs.slice(1).flatMap((p) => p.sets.map((x) => x.words)));
    this.setWords = new Int32Array(widest);
  }

  /** What element g does, in words: "p1 ↔ p2" and so on. */
  describe(g: number): string {
    const parts: string[] = [];
    for (const [name, q] of this.perms[g]!) {
      const seen = new Set<number>();
      q.forEach((_, i) => {
        if (seen.has(i) || q[i] === i) return;
        const cycle: string[] = [];
        for (let j = i; !seen.has(j); j = q[j]!) { seen.add(j); cycle.push(`${name}${j + 1}`); }
        parts.push(cycle.length === 2 ? `${cycle[0]} ↔ ${cycle[1]}` : `${cycle.join(' → ')} → ${cycle[0]}`);
      });
    }
    return parts.join(', ') || 'the identity';
  }

  /** The image of the state at src[so..] under element g, into dst[0..slots). */
  apply(g: number, src: Int32Array, so: number, dst: Int32Array): void {
    const n = this.n;
    if (g === 0) { for (let k = 0; k < n; k++) dst[k] = src[so + k]!; return; }
    const p = this.programs[g]!, gather = p.gather;
    for (let k = 0; k < n; k++) dst[k] = src[so + gather[k]!]!;
    const ts = p.tabSlot, tl = p.tabLo, tables = p.tables;
    for (let j = 0; j < ts.length; j++) { const s = ts[j]!; dst[s] = tables[j]![dst[s]! - tl[j]!]!; }
    const out = this.setWords;
    for (const { at, words, members } of p.sets) {
      // Relabelled into setWords (no array per set: apply runs for every image the audit evaluates).
      for (let k = 0; k < words; k++) out[k] = 0;
      for (let k = 0; k < words; k++) {
        for (let b = dst[at + k]!; b !== 0; b &= b - 1) { const r = members[k * 31 + 31 - Math.clz32(b & -b)]!; out[(r / 31) | 0]! |= 1 << (r % 31); }
      }
      for (let k = 0; k < words; k++) dst[at + k] = out[k]!;
    }
    for (const { at, lo, table } of p.lists) {
      const len = dst[at]!;
      for (let k = 1; k <= len; k++) dst[at + k] = table[dst[at + k]! - lo]!;
    }
  }

  /**
   * The canonical form (the least image, slot by slot) of the state at src[so..], into dst; returns how
   * many elements map the state to it (its stabilizer's size: the orbit has order / that many states).
   */
  canonicalize(src: Int32Array, so: number, dst: Int32Array): number {
    const n = this.n;
    let best = this.best, tmp = this.tmp, ties = 1, which = 0;
    for (let k = 0; k < n; k++) best[k] = src[so + k]!;
    for (let g = 1; g < this.order; g++) {
      const c = this.imageAgainst(g, src, so, best, tmp);
      if (c === 0) ties++;
      else if (c < 0) { const t = best; best = tmp; tmp = t; ties = 1; which = g; }
    }
    for (let k = 0; k < n; k++) dst[k] = best[k]!;
    this.best = best; this.tmp = tmp; // the two buffers, whichever way they were swapped
    this.lastElement = which;
    return ties;
  }
  /** The element the last canonicalize applied: the representative is its image of the state given. */
  lastElement = 0;

  /** The relabelling element g does to one value of domain d (an action's argument, a property family's value). */
  valueImage(d: Domain, v: unknown, g: number): unknown { return permuteValue(d, v, this.perms[g]!); }
  /** Element g's image of value index i of scalarset `name`. */
  indexImage(name: string, i: number, g: number): number { return this.perms[g]!.get(name)![i]!; }

  /**
   * The group's multiplication and inverse tables (built on first use): mul[a * order + b] is a∘b (b, then a),
   * inv[a] the inverse of a. Liveness under symmetry composes the elements along the cycles it checks.
   */
  algebra(): { mul: Uint16Array; inv: Uint16Array } {
    if (this.tables !== null) return this.tables;
    if (this.order > MAX_ALGEBRA) throw new SchemaError(`symmetry: ${this.order} permutations are too many for liveness under symmetry (at most ${MAX_ALGEBRA}); run with --no-symmetry`);
    const key = (p: Perm): string => [...p.values()].map((q) => q.join('.')).join('|');
    const index = new Map(this.perms.map((p, i) => [key(p), i]));
    const o = this.order, mul = new Uint16Array(o * o), inv = new Uint16Array(o);
    for (let a = 0; a < o; a++) for (let b = 0; b < o; b++) {
      const pa = this.perms[a]!, pb = this.perms[b]!;
      const ab = new Map([...pb].map(([name, q]) => [name, q.map((x) => pa.get(name)![x]!)]));
      const i = index.get(key(ab))!;
      mul[a * o + b] = i;
      if (i === 0) inv[a] = b;
    }
    this.tables = { mul, inv };
    return this.tables;
  }
  private tables: { mul: Uint16Array; inv: Uint16Array } | null = null;

  /**
   * Computes the image of the state under g into out, slot by slot, against best: returns 1 as soon as it
   * is larger (out is then partial), else -1 if smaller or 0 if equal (out whole).
   */
  private imageAgainst(g: number, src: Int32Array, so: number, best: Int32Array, out: Int32Array): number {
    const p = this.programs[g]!, gather = p.gather, kind = p.kind, arg = p.arg, n = this.n;
    let order = 0;
    for (let k = 0; k < n; k++) {
      let v = src[so + gather[k]!]!;
      switch (kind[k]) {
        case 0: break;
        case 1: { const j = arg[k]!; v = p.tables[j]![v - p.tabLo[j]!]!; break; }
        case 2: {
          const j = arg[k]! >> 16, w = arg[k]! & 0xffff, set = p.sets[j]!;
          if (w === 0) this.permuteSet(set, src, so, gather, k);
          v = this.setWords[w]!;
          break;
        }
        default: { const j = arg[k]! >> 16, e = arg[k]! & 0xffff, l = p.lists[j]!; if (e <= out[l.at]!) v = l.table[v - l.lo]!; }
      }
      out[k] = v;
      if (order === 0 && v !== best[k]) { if (v > best[k]!) return 1; order = -1; }
    }
    return order;
  }

  /** A set's words after relabelling its members: into setWords (the set's first slot in the image is k). */
  private permuteSet(set: Program['sets'][number], src: Int32Array, so: number, gather: Int32Array, k: number): void {
    const words = set.words, out = this.setWords, members = set.members;
    for (let w = 0; w < words; w++) out[w] = 0;
    for (let w = 0; w < words; w++) {
      for (let b = src[so + gather[k + w]!]!; b !== 0; b &= b - 1) {
        const r = members[w * 31 + 31 - Math.clz32(b & -b)]!;
        out[(r / 31) | 0]! |= 1 << (r % 31);
      }
    }
  }
  private setWords = new Int32Array(0);

  /**
   * Why the initial states are not symmetric (every permutation of an initial state must be one too, or
   * the orbits would stand for states the model never starts in), or null.
   */
  asymmetricInits(inits: Int32Array, count: number): string | null {
    const n = this.n, key = (a: Int32Array, o: number): string => a.subarray(o, o + n).join(',');
    const all = new Set<string>();
    for (let i = 0; i < count; i++) all.add(key(inits, i * n));
    const img = new Int32Array(n);
    for (let i = 0; i < count; i++) for (let g = 1; g < this.order; g++) {
      this.apply(g, inits, i * n, img);
      if (!all.has(key(img, 0))) return `the initial states are not symmetric in the scalarsets: initial state ${i + 1} with its values relabelled (${this.describe(g)}) is not an initial state. With symmetry every relabelling of an initial state must be one (start from a state that names no scalarset value, or list every relabelling); run with --no-symmetry to search as it is`;
    }
    return null;
  }

  /** How many states the orbit of the state at src[so..] has. */
  orbitSize(src: Int32Array, so: number): number {
    return this.order / this.canonicalize(src, so, this.orbitScratch);
  }
}

/** The symmetry of a layout, or null when its schema declares no scalarset. */
export function symmetryOf(layout: Layout, audit: 'quick' | 'full' = 'quick'): Symmetry | null {
  const sets = scalarsetsOf(layout.schema);
  return sets.size === 0 ? null : new Symmetry(layout, sets, audit);
}
