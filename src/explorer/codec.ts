// Values of a domain numbered 0..card-1 (their rank), in a canonical order:
// bools false then true, ints ascending, enums as declared, records and
// tuples lexicographically by field, null before the values of an optional,
// a union's alternatives in order. A compound stored in one slot, a set
// member (a bit) and a list element are their ranks: the encoding of a value
// never depends on how it was built, and a set iterates in rank order.
import { cardinality, describeDomain, type Domain, type RecordD, type Scalar } from './domains.js';
import { shownAs, showValue, ViewError } from './messages.js';

export interface Codec {
  readonly domain: Domain;
  /** The number of values (Infinity past 2^53). */
  readonly card: number;
  /** The rank of a plain value, or -1 when it is not a value of the domain. Views given as values count as their plain values. */
  rank(v: unknown): number;
  /** The plain value of a rank (frozen: records, tuples and sets are read-only). */
  value(r: number): unknown;
}

/** A view (of s or n) where a plain value is expected: its value. */
export function plainOf(v: unknown): unknown {
  return typeof v === 'object' && v !== null && typeof (v as { $plain?: unknown }).$plain === 'function' ? (v as { $plain(): unknown }).$plain() : v;
}

const codecs = new WeakMap<Domain, Codec>();
/** Decoded values are kept per rank for domains up to this size, so reading a compound value allocates once. */
const CACHE_LIMIT = 1 << 16;

export function codecOf(d: Domain): Codec {
  let c = codecs.get(d);
  if (c === undefined) { c = makeCodec(d); codecs.set(d, c); }
  return c;
}

function cached(d: Domain, card: number, rank: (v: unknown) => number, build: (r: number) => object): Codec {
  const make = (r: number): unknown => readOnlyValue(build(r));
  if (card > CACHE_LIMIT) return { domain: d, card, rank, value: make };
  const memo: unknown[] = new Array(card);
  // The rank of a value this codec decoded, or of a frozen array or object it was given before (an action's
  // argument, ranked in a guard in every state): reading a decoded value's parts goes through its proxy, at
  // about 70 ns a read, and a lookup by identity costs less than ranking a tuple's items again.
  const known = new WeakMap<object, number>();
  return {
    domain: d, card,
    rank: (v) => {
      if (typeof v !== 'object' || v === null) return rank(v);
      const k = known.get(v);
      if (k !== undefined) return k;
      const r = rank(v);
      if (r >= 0 && isFixed(v)) known.set(v, r);
      return r;
    },
    value: (r) => { let v = memo[r]; if (v === undefined) { v = make(r); memo[r] = v; known.set(v as object, r); } return v; },
  };
}

/**
 * A decoded compound value: frozen, behind a proxy whose traps throw on any write. Freezing alone would let
 * sloppy-mode code (a CommonJS model) write `n.got[0] = 1` and lose it without a word.
 */
const READ_ONLY: ProxyHandler<object> = {
  set(_t, k) { throw new ViewError('fixed', typeof k === 'string' && /^\d+$/.test(k) ? `[${k}]` : String(k), 'a value read from a state is read-only: build a new one and store it whole, as n.got = [1, x]'); },
  defineProperty(_t, k) { return READ_ONLY.set!(_t, k, undefined, undefined); },
  deleteProperty(_t, k) { return READ_ONLY.set!(_t, k, undefined, undefined); },
};
const readOnlyValue = (v: object): object => new Proxy(Object.freeze(v), READ_ONLY);

/**
 * Whether a value given to a rank keeps that rank for good: frozen, of primitives only, and not a view (a view
 * is frozen too, but re-pointed from state to state). A part that is an object might be a view: not kept.
 */
function isFixed(v: object): boolean {
  if (!Object.isFrozen(v) || typeof (v as { $plain?: unknown }).$plain === 'function') return false;
  for (const k in v) { const x = (v as Record<string, unknown>)[k]; if (typeof x === 'object' && x !== null) return false; }
  return true;
}

/** A decoded value as plain, unfrozen data (what init states, traces and JSON hold: a proxy cannot cross to another thread). */
export function toPlain(v: unknown): unknown {
  if (typeof v !== 'object' || v === null) return v;
  if (Array.isArray(v)) return v.map(toPlain);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) o[k] = toPlain((v as Record<string, unknown>)[k]);
  return o;
}

/** Mixed radix over parts (the first most significant): the strides and the values of a rank. */
function radix(parts: readonly Codec[]): { strides: number[]; values(r: number): unknown[] } {
  const strides = new Array<number>(parts.length);
  let s = 1;
  for (let i = parts.length - 1; i >= 0; i--) { strides[i] = s; s *= parts[i]!.card; }
  return { strides, values(r) { return parts.map((p, i) => p.value(Math.floor(r / strides[i]!) % p.card)); } };
}

// The rank functions below are loops over the parts with no closure per call: `s.msgs.has({ ... })`
// runs them in guards, once per state and action instance.

function makeCodec(d: Domain): Codec {
  const card = cardinality(d);
  switch (d.kind) {
    case 'bool': return { domain: d, card, rank: (v) => (v === false ? 0 : v === true ? 1 : -1), value: (r) => r === 1 };
    case 'int': {
      const { min, max } = d;
      return { domain: d, card, rank: (v) => (typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v - min : -1), value: (r) => r + min };
    }
    case 'enum': {
      // A few values: a chain of === (generated), a pointer test for the very strings d.values holds; many: a Map.
      const idx = new Map<unknown, number>(d.values.map((v, i) => [v, i]));
      return { domain: d, card, rank: d.values.length <= 16 ? compiledRank(d) : (v) => idx.get(v) ?? -1, value: (r) => d.values[r] };
    }
    case 'record': {
      const keys = Object.keys(d.fields), parts = keys.map((k) => codecOf(d.fields[k]!)), mr = radix(parts), strides = mr.strides, n = keys.length;
      return cached(d, card, (v) => {
        v = plainOf(v);
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return -1;
        let count = 0;
        for (const k in v) { if (!Object.hasOwn(d.fields, k)) return -1; count++; }
        if (count !== n) return -1;
        let r = 0;
        for (let i = 0; i < n; i++) { const x = parts[i]!.rank((v as Record<string, unknown>)[keys[i]!]); if (x < 0) return -1; r += x * strides[i]!; }
        return r;
      }, (r) => { const xs = mr.values(r), o: Record<string, unknown> = {}; keys.forEach((k, i) => { o[k] = xs[i]; }); return o; });
    }
    case 'tuple': case 'array': {
      const parts = d.kind === 'tuple' ? d.items.map(codecOf) : Array.from({ length: d.length }, () => codecOf(d.of));
      const mr = radix(parts), strides = mr.strides, n = parts.length;
      if (d.kind === 'tuple' && card <= Number.MAX_SAFE_INTEGER) return cached(d, card, compiledRank(d), (r) => mr.values(r));
      return cached(d, card, (v) => {
        v = plainOf(v);
        if (!Array.isArray(v) || v.length !== n) return -1;
        let r = 0;
        for (let i = 0; i < n; i++) { const x = parts[i]!.rank(v[i]); if (x < 0) return -1; r += x * strides[i]!; }
        return r;
      }, (r) => mr.values(r));
    }
    case 'map': {
      const kc = codecOf(d.keys), names = Array.from({ length: kc.card }, (_, i) => String(kc.value(i)));
      const part = codecOf(d.of), mr = radix(names.map(() => part)), strides = mr.strides, n = names.length;
      return cached(d, card, (v) => {
        v = plainOf(v);
        if (typeof v !== 'object' || v === null) return -1;
        const arr = Array.isArray(v);
        if (arr) { if ((v as unknown[]).length !== n) return -1; } else {
          let count = 0;
          for (const _ in v) count++;
          if (count !== n) return -1;
        }
        let r = 0;
        for (let i = 0; i < n; i++) {
          if (!arr && !Object.hasOwn(v, names[i]!)) return -1;
          const x = part.rank(arr ? (v as unknown[])[i] : (v as Record<string, unknown>)[names[i]!]);
          if (x < 0) return -1;
          r += x * strides[i]!;
        }
        return r;
      }, (r) => { const xs = mr.values(r), o: Record<string, unknown> = {}; names.forEach((k, i) => { o[k] = xs[i]; }); return o; });
    }
    case 'optional': {
      const of = codecOf(d.of);
      return { domain: d, card, rank: (v) => { if (v === null) return 0; const r = of.rank(v); return r < 0 ? -1 : r + 1; }, value: (r) => (r === 0 ? null : of.value(r - 1)) };
    }
    case 'oneOf': {
      const alts = d.alts.map(codecOf), offsets: number[] = [];
      let o = 0;
      for (const a of alts) { offsets.push(o); o += a.card; }
      // Records told apart by one field (TLA+'s `type`): that field's value picks the alternative.
      const tag = discriminant(d.alts);
      const rank = tag === null
        ? (v: unknown) => { for (let i = 0; i < alts.length; i++) { const r = alts[i]!.rank(v); if (r >= 0) return offsets[i]! + r; } return -1; }
        : (v: unknown) => {
          v = plainOf(v);
          if (typeof v !== 'object' || v === null) return -1;
          const i = tag.alt.get((v as Record<string, unknown>)[tag.field]);
          if (i === undefined) return -1;
          const r = alts[i]!.rank(v);
          return r < 0 ? -1 : offsets[i]! + r;
        };
      return {
        domain: d, card, rank,
        value: (r) => { let i = alts.length - 1; while (offsets[i]! > r) i--; return alts[i]!.value(r - offsets[i]!); },
      };
    }
    case 'set': {
      const of = codecOf(d.of);
      if (of.card > 30) return { domain: d, card, rank: () => -1, value: () => { throw new Error('unreachable: too large a set is never a one-slot value'); } };
      return cached(d, card, (v) => {
        v = plainOf(v);
        if (!Array.isArray(v)) return -1;
        let bits = 0;
        for (const x of v) { const r = of.rank(x); if (r < 0) return -1; bits |= 1 << r; }
        return bits;
      }, (r) => { const out: unknown[] = []; for (let x = 0; x < of.card; x++) if (r & (1 << x)) out.push(of.value(x)); return out; });
    }
    case 'list': {
      const of = codecOf(d.of), c = of.card, starts: number[] = [];
      let t = 0, p = 1;
      for (let k = 0; k <= d.maxLength; k++) { starts.push(t); t += p; p *= c; }
      return cached(d, card, (v) => {
        v = plainOf(v);
        if (!Array.isArray(v) || v.length > d.maxLength) return -1;
        let r = 0;
        for (const x of v) { const e = of.rank(x); if (e < 0) return -1; r = r * c + e; }
        return starts[v.length]! + r;
      }, (r) => {
        let len = d.maxLength;
        while (starts[len]! > r) len--;
        let x = r - starts[len]!;
        const out = new Array<unknown>(len);
        for (let i = len - 1; i >= 0; i--) { out[i] = of.value(x % c); x = Math.floor(x / c); }
        return out;
      });
    }
  }
}

/**
 * The rank function of an enum or a tuple, generated: a tuple's items are ranked inline (ints and bools by
 * arithmetic, enums by a chain of ===), so `s.q.done.has([i, p, g, e])` in a guard makes no call per item.
 * Anything else inside a tuple is ranked by its codec.
 */
function compiledRank(d: Domain): (v: unknown) => number {
  const consts: unknown[] = [];
  const ref = (v: unknown): string => { consts.push(v); return `K_${consts.length - 1}`; };
  /** Code setting x to the rank of e in domain f, or -1. */
  const item = (f: Domain): string => {
    switch (f.kind) {
      case 'bool': return 'x = e === true ? 1 : e === false ? 0 : -1;';
      case 'int': return `x = (e | 0) === e && e >= ${f.min} && e <= ${f.max} ? e - ${f.min} : -1;`;
      case 'enum': if (f.values.length <= 16) return `x = ${f.values.map((v, i) => `e === ${ref(v)} ? ${i} : `).join('')}-1;`;
        return `x = ${ref(codecOf(f))}.rank(e);`; // many values: a Map
      default: return `x = ${ref(codecOf(f))}.rank(e);`;
    }
  };
  let body: string;
  if (d.kind === 'enum') body = `const e = v; let x; ${item(d)} return x;`;
  else if (d.kind === 'tuple') {
    const parts = d.items.map(codecOf), strides = radix(parts).strides;
    // A view given as a value is never an array: only then is plainOf needed.
    body = `if (!Array.isArray(v)) { v = plainOf(v); if (!Array.isArray(v)) return -1; }
if (v.length !== ${d.items.length}) return -1;
let r = 0, x, e;
${d.items.map((f, i) => `e = v[${i}]; ${item(f)} if (x < 0) return -1; r += x * ${strides[i]};`).join('\n')}
return r;`;
  } else throw new Error(`unreachable: compiledRank of ${d.kind}`);
  const decls = consts.length ? `const ${consts.map((_, i) => `K_${i} = K[${i}]`).join(', ')};` : '';
  // eslint-disable-next-line no-new-func
  return new Function('K', 'plainOf', `${decls} return (v) => { ${body} };`)(consts, plainOf) as (v: unknown) => number;
}

/** A field every alternative is a record with, holding enum values no two alternatives share: which alternative each value picks. */
function discriminant(alts: readonly Domain[]): { field: string; alt: Map<unknown, number> } | null {
  if (!alts.every((a) => a.kind === 'record')) return null;
  const recs = alts as readonly RecordD<Record<string, Domain>>[];
  for (const field of Object.keys(recs[0]!.fields)) {
    const alt = new Map<unknown, number>();
    const ok = recs.every((r, i) => {
      const f = r.fields[field];
      if (f === undefined || f.kind !== 'enum') return false;
      for (const v of f.values) { if (alt.has(v)) return false; alt.set(v, i); }
      return true;
    });
    if (ok) return { field, alt };
  }
  return null;
}

/** Why `v` is not a value of `d`, naming the innermost part at fault: 'm.rm := "r9" is not one of {r1, r2}'. */
export function explainNotIn(d: Domain, v: unknown, path: string): { message: string; field: string } {
  v = plainOf(v);
  const at = (message: string, field = path): { message: string; field: string } => ({ message, field });
  const isObj = typeof v === 'object' && v !== null && !Array.isArray(v);
  switch (d.kind) {
    case 'bool': return at(`${path} := ${shownAs(v, 'a boolean')} is not a boolean`);
    case 'int': return at(typeof v !== 'number' || !Number.isInteger(v) ? `${path} := ${shownAs(v, 'a number')} is not an integer` : `${path} := ${v} is outside ${d.min}..${d.max}`);
    case 'enum': return at(`${path} := ${shownAs(v, 'a string')} is not one of {${d.values.join(', ')}}`);
    case 'record': case 'map': {
      const names = d.kind === 'record' ? Object.keys(d.fields) : Array.from({ length: codecOf(d.keys).card }, (_, i) => String(codecOf(d.keys).value(i)));
      if (d.kind === 'map' && Array.isArray(v)) {
        if (v.length !== names.length) return at(`${path} := ${showValue(v)} has ${v.length} entries, not one per key (${names.length})`);
        for (let i = 0; i < names.length; i++) if (codecOf(d.of).rank(v[i]) < 0) return explainNotIn(d.of, v[i], `${path}[${names[i]}]`);
      }
      if (!isObj) return at(`${path || 'state'} := ${shownAs(v, 'an object')} is not a ${d.kind === 'record' ? 'record' : 'map'}`);
      const extra = Object.keys(v as object).filter((k) => !names.includes(k));
      const sub = (k: string): string => (d.kind === 'record' ? (path ? `${path}.${k}` : k) : `${path}[${k}]`);
      if (extra.length) return at(`${path || 'state'} has ${d.kind === 'record' ? 'fields' : 'keys'} not in the schema: ${extra.join(', ')}`, sub(extra[0]!));
      for (const k of names) {
        if (!Object.hasOwn(v as object, k)) return at(`${sub(k)} is missing`, sub(k));
        const f = d.kind === 'record' ? d.fields[k]! : d.of;
        if (codecOf(f).rank((v as Record<string, unknown>)[k]) < 0) return explainNotIn(f, (v as Record<string, unknown>)[k], sub(k));
      }
      break;
    }
    case 'tuple': case 'array': {
      const n = d.kind === 'tuple' ? d.items.length : d.length;
      if (!Array.isArray(v) || v.length !== n) return at(`${path} := ${shownAs(v, 'an array')} is not ${d.kind === 'tuple' ? `a tuple of ${n}` : `an array of length ${n}`}`);
      for (let i = 0; i < n; i++) {
        const f = d.kind === 'tuple' ? d.items[i]! : d.of;
        if (codecOf(f).rank(v[i]) < 0) return explainNotIn(f, v[i], `${path}[${i}]`);
      }
      break;
    }
    case 'optional':
      if (v === undefined) return at(`${path} := undefined: an optional value is null or a value (write null, not undefined)`);
      return explainNotIn(d.of, v, path);
    case 'oneOf':
      return at(`${path} := ${showValue(v)} is none of: ${d.alts.map(describeDomain).join(' | ')}`);
    case 'set': {
      if (!Array.isArray(v)) return at(`${path} := ${shownAs(v, 'an array')} is not an array of set members`);
      const of = codecOf(d.of);
      for (const x of v) if (of.rank(x) < 0) return at(`${path}: element ${showValue(x)} is not a value of ${describeDomain(d.of)}`);
      break;
    }
    case 'list': {
      if (!Array.isArray(v) || v.length > d.maxLength) return at(`${path} := ${shownAs(v, 'an array')} is not a list of at most ${d.maxLength}`);
      for (let i = 0; i < v.length; i++) if (codecOf(d.of).rank(v[i]) < 0) return explainNotIn(d.of, v[i], `${path}[${i}]`);
      break;
    }
  }
  return at(`${path} := ${showValue(v)} is not a value of ${describeDomain(d)}`);
}

/** A plain value of `d` as traces print it: sets {r1, r2}, tuples <<0, d1>>, records [rm |-> r1], lists [a, b], null. */
export function formatValue(d: Domain, v: unknown): string {
  if (v === null) return 'null';
  switch (d.kind) {
    case 'bool': case 'int': case 'enum': return String(v);
    case 'record': return `[${Object.entries(d.fields).map(([k, f]) => `${k} |-> ${formatValue(f, (v as Record<string, unknown>)[k])}`).join(', ')}]`;
    case 'map': return `[${Object.entries(v as object).map(([k, x]) => `${k} |-> ${formatValue(d.of, x)}`).join(', ')}]`;
    case 'tuple': return `<<${(v as unknown[]).map((x, i) => formatValue(d.items[i]!, x)).join(', ')}>>`;
    case 'array': return `<<${(v as unknown[]).map((x) => formatValue(d.of, x)).join(', ')}>>`;
    case 'optional': return formatValue(d.of, v);
    case 'oneOf': { const c = codecOf(d); for (const a of d.alts) if (codecOf(a).rank(v) >= 0) return formatValue(a, v); return c.rank(v) < 0 ? showValue(v) : String(v); }
    case 'set': return `{${(v as unknown[]).map((x) => formatValue(d.of, x)).join(', ')}}`;
    case 'list': return `[${(v as unknown[]).map((x) => formatValue(d.of, x)).join(', ')}]`;
  }
}

/** The scalar slot encoding: bools 0/1, ints as themselves, enums by index. */
export function scalarBounds(d: Scalar): [number, number] {
  return d.kind === 'bool' ? [0, 1] : d.kind === 'int' ? [d.min, d.max] : [0, d.values.length - 1];
}
