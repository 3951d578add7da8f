// Issue 28: the value domains (tuple, optional, oneOf, setOf any finite domain, list of any domain,
// mapOf), `over: Domain` with `in`, `when` with sets of values and map paths, and how the values
// are printed and replayed. CLI tests run the built binary (npm run build first).
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileModel, defineModel, ModelError, resolveParams, type Model } from '../src/explorer/model.js';
import { explore, type SearchOptions } from '../src/explorer/search.js';
import {
  array, bool, cardinality, codecOf, compileLayout, decodeState, DomainError, encodeState, enumOf, int, isScalar, list, mapOf,
  modelValues, oneOf, optional, record, SchemaError, setOf, tuple, type Domain,
} from '../src/explorer/schema.js';
import lossy from './fixtures/lossy-channel.js';
import { fixture, mc } from './helpers.js';
import { expectPackRoundTrip, expectWrittenAsEncoded, storeWhole } from './roundtrip.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-domains-'));
const run = (m: Model, options: Partial<SearchOptions> = {}, params: Record<string, unknown> = {}) => explore(compileModel(m, resolveParams(m, params)), options);
const counts = (r: { stats: { distinct: number; generated: number; depth: number } }) => ({ distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth });

// ---------- acceptance: a lossy channel against a plain-JS BFS ----------

/** Breadth-first search over plain states keyed by their JSON text; levels counted from 1 (the initial states), as mc does. */
function referenceBfs<S>(inits: S[], next: (s: S) => S[]): { distinct: number; generated: number; depth: number; deadlocks: number } {
  const seen = new Set(inits.map((s) => JSON.stringify(s)));
  let level = inits, depth = 1, generated = inits.length, deadlocks = 0;
  for (;;) {
    const found: S[] = [];
    for (const s of level) {
      const succ = next(s);
      if (succ.length === 0) deadlocks++;
      generated += succ.length;
      for (const t of succ) { const k = JSON.stringify(t); if (!seen.has(k)) { seen.add(k); found.push(t); } }
    }
    if (found.length === 0) return { distinct: seen.size, generated, depth, deadlocks };
    level = found; depth++;
  }
}

// The lossy channel of test/fixtures/lossy-channel.ts, written again with plain arrays: msgs are [bit, data],
// got is one of them or null, seen is an ascending array of bits. Keys keep one order, so equal states have equal JSON.
type PlainMsg = [number, string];
interface Lossy { bit: number; q: PlainMsg[]; got: PlainMsg | null; seen: number[] }
function lossyNext(s: Lossy): Lossy[] {
  const out: Lossy[] = [];
  if (s.q.length < 2) for (const d of ['d1', 'd2']) out.push({ ...s, q: [...s.q, [s.bit, d]] });
  s.q.forEach((_, i) => out.push({ ...s, q: s.q.filter((_m, j) => j !== i) })); // one successor per position
  if (s.q.length > 0) {
    const [m, ...rest] = s.q;
    out.push({ ...s, q: rest, got: m!, seen: [...new Set([...s.seen, m![0]])].sort((a, b) => a - b) });
  }
  for (const m of new Set(s.q.map((x) => JSON.stringify(x)))) out.push({ ...s, got: JSON.parse(m) as PlainMsg }); // one per distinct message
  if (s.got !== null && s.got[0] === s.bit) out.push({ ...s, bit: 1 - s.bit, got: null });
  for (const b of s.seen) out.push({ ...s, seen: s.seen.filter((x) => x !== b) });
  return out;
}
const lossyReference = referenceBfs<Lossy>([0, 1].map((bit) => ({ bit, q: [], got: null, seen: [] })), lossyNext);

describe('acceptance: a lossy channel of tuples, an optional tuple and a set', () => {
  it('the reference BFS explores a state space with no deadlock', () => {
    expect(lossyReference.deadlocks).toBe(0);
    // At most 2 bits x 21 queues x 5 gots x 4 sets; the bound must not be what makes the counts agree.
    expect(lossyReference.distinct).toBeGreaterThan(100);
    expect(lossyReference.distinct).toBeLessThan(2 * 21 * 5 * 4);
  });

  it('mc gives the reference\'s distinct, generated and depth (BFS)', async () => {
    const r = await run(lossy);
    expect(r.verdict).toBe('ok');
    expect(counts(r)).toEqual({ distinct: lossyReference.distinct, generated: lossyReference.generated, depth: lossyReference.depth });
  });

  it('and the same distinct and generated with DFS', async () => {
    const r = await run(lossy, { strategy: 'dfs' });
    expect(r.verdict).toBe('ok');
    expect(r.stats.distinct).toBe(lossyReference.distinct);
    expect(r.stats.generated).toBe(lossyReference.generated); // every state is expanded once, whatever the order
  });

  it('and the same figures with two workers (CLI)', () => {
    const r = mc('run', fixture('lossy-channel.ts'), '--workers', '2', '--parallel-from', '1', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.stats.workers).toBe(2);
    expect(r.json.stats).toMatchObject({ distinct: lossyReference.distinct, generated: lossyReference.generated, depth: lossyReference.depth });
  });
});

// ---------- every domain round-trips: random nested schemas (property tests) ----------
// Mirrors test/views.test.ts for the kinds issue 28 added, nested in one another and in the old ones.

/**
 * Every value of a domain in the canonical order codec.ts documents (bools false first, ints ascending, enums
 * as declared, records and tuples lexicographically by field, the first most significant, null first, a union's
 * alternatives in order), written here independently of the codec. Only for domains whose order is documented.
 */
function allValues(d: Domain): unknown[] {
  const product = (parts: unknown[][]): unknown[][] => parts.reduce<unknown[][]>((acc, p) => acc.flatMap((xs) => p.map((x) => [...xs, x])), [[]]);
  switch (d.kind) {
    case 'bool': return [false, true];
    case 'int': return Array.from({ length: d.max - d.min + 1 }, (_, i) => d.min + i);
    case 'enum': return [...d.values];
    case 'tuple': return product(d.items.map(allValues));
    case 'record': {
      const keys = Object.keys(d.fields);
      return product(keys.map((k) => allValues(d.fields[k]!))).map((xs) => Object.fromEntries(keys.map((k, i) => [k, xs[i]])));
    }
    case 'optional': return [null, ...allValues(d.of)];
    case 'oneOf': return d.alts.flatMap(allValues);
    default: throw new Error(`no documented order for ${d.kind}`);
  }
}

const scalarArb: fc.Arbitrary<Domain> = fc.oneof(
  fc.constant(bool()),
  fc.tuple(fc.integer({ min: -3, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([lo, w]) => int(lo, lo + w)),
  fc.integer({ min: 1, max: 4 }).map((k) => enumOf(Array.from({ length: k }, (_, i) => `e${i}`))),
);
const fields = (ds: Domain[]): Record<string, Domain> => Object.fromEntries(ds.map((f, i) => [`f${i}`, f]));
/** A union whose alternatives can be told apart: records tagged by distinct tag values, a bool and an int range. */
const unionOf = (inner: fc.Arbitrary<Domain>): fc.Arbitrary<Domain> =>
  fc.tuple(fc.boolean(), fc.option(fc.integer({ min: -2, max: 2 }).map((lo) => int(lo, lo + 1)), { nil: undefined }), fc.array(fc.array(inner, { maxLength: 2 }), { minLength: 1, maxLength: 3 }))
    .map(([b, i, recs]) => oneOf(...(b ? [bool()] : []), ...(i ? [i] : []), ...recs.map((fs, k) => record({ tag: enumOf([`t${k}`]), ...fields(fs) }))));
/** optional(d), unless d already holds null (optional(optional(...)) is a schema error). */
const orNullable = (d: Domain): Domain => (d.kind === 'optional' ? d : optional(d));

/** Domains whose canonical order is documented, small enough to enumerate: set members and `over` domains. */
const { ord: ordArb } = fc.letrec<{ ord: Domain }>((tie) => ({
  ord: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('ord'), { minLength: 1, maxLength: 3 }).map((ds) => tuple(ds)),
    fc.array(tie('ord'), { minLength: 1, maxLength: 2 }).map((ds) => record(fields(ds))),
    tie('ord').map(orNullable),
    unionOf(tie('ord')),
  ).filter((d) => cardinality(d) <= 64),
}));
const keysArb: fc.Arbitrary<Domain & { kind: 'int' | 'enum' }> = fc.oneof(
  fc.integer({ min: 1, max: 3 }).map((k) => enumOf(Array.from({ length: k }, (_, i) => `k${i}`))),
  fc.tuple(fc.integer({ min: -2, max: 2 }), fc.integer({ min: 0, max: 2 })).map(([lo, w]) => int(lo, lo + w)),
);
/** Any finite domain small enough to be stored whole in one slot (a tuple item, an optional, a list element...). */
const { val: valArb } = fc.letrec<{ val: Domain }>((tie) => ({
  val: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.array(tie('val'), { minLength: 1, maxLength: 3 }).map((ds) => tuple(ds)),
    fc.array(tie('val'), { minLength: 1, maxLength: 2 }).map((ds) => record(fields(ds))),
    tie('val').map(orNullable),
    unionOf(tie('val')),
    ordArb.filter((d) => cardinality(d) <= 12).map((d) => setOf(d)),
    fc.tuple(fc.integer({ min: 1, max: 2 }), tie('val')).map(([m, d]) => list(m, d)),
    fc.tuple(fc.integer({ min: 0, max: 2 }), tie('val')).map(([m, d]) => array(m, d)),
    fc.tuple(keysArb, tie('val')).map(([k, d]) => mapOf(k, d)),
  ).filter((d) => cardinality(d) <= 2 ** 20),
}));
/** A state field: anything above, or laid out in slots (records, arrays and maps of fields, sets and lists). */
const { dom: domArb } = fc.letrec<{ dom: Domain }>((tie) => ({
  dom: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    valArb,
    ordArb.map((d) => setOf(d)),
    fc.integer({ min: 1, max: 40 }).map((n) => setOf(n)), // up to two words of bits
    fc.tuple(fc.integer({ min: 1, max: 3 }), valArb).map(([m, d]) => list(m, d)),
    fc.tuple(fc.integer({ min: 0, max: 3 }), tie('dom')).map(([n, d]) => array(n, d)),
    fc.array(tie('dom'), { minLength: 1, maxLength: 3 }).map((ds) => record(fields(ds))),
    fc.tuple(keysArb, tie('dom')).map(([k, d]) => mapOf(k, d)),
  ),
}));
const schemaArb = fc.array(domArb, { minLength: 1, maxLength: 4 }).map((fs) => Object.fromEntries(fs.map((f, i) => [`x${i}`, f])));

/** The names a map's keys take in its plain value ('k0', or '-1' for int keys). */
const keyNamesOf = (k: Domain): string[] => allValues(k).map(String);
/** The key a map view takes for a name: the enum member, or the integer. */
const keyOf = (k: Domain, name: string): string | number => (k.kind === 'int' ? Number(name) : name);

/** Values of a domain as decodeState gives them: a set's members in canonical order, a map as an object keyed by name. */
function valueArb(d: Domain): fc.Arbitrary<unknown> {
  switch (d.kind) {
    case 'bool': return fc.boolean();
    case 'int': return fc.integer({ min: d.min, max: d.max });
    case 'enum': return fc.constantFrom(...d.values);
    case 'tuple': return fc.tuple(...d.items.map(valueArb));
    case 'record': return fc.record(Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, valueArb(f)])));
    case 'array': return fc.tuple(...Array.from({ length: d.length }, () => valueArb(d.of)));
    case 'optional': return fc.option(valueArb(d.of), { nil: null });
    case 'oneOf': return fc.oneof(...d.alts.map(valueArb));
    case 'set': { const all = allValues(d.of); return fc.subarray(all.map((_, i) => i)).map((ix) => ix.map((i) => all[i])); }
    case 'list': return fc.array(valueArb(d.of), { maxLength: d.maxLength });
    case 'map': return fc.record(Object.fromEntries(keyNamesOf(d.keys).map((k) => [k, valueArb(d.of)])));
  }
}
const caseArb = schemaArb.chain((schema) => fc.tuple(fc.constant(schema), valueArb(record(schema)), valueArb(record(schema)), fc.infiniteStream(fc.nat(99))));

/** The value with every set in it (at any depth) listing its members in another order, chosen by `pick`. */
function shuffled(d: Domain, v: any, pick: () => number): any {
  switch (d.kind) {
    case 'set': { const xs = v.map((x: unknown) => shuffled(d.of, x, pick)); for (let i = xs.length - 1; i > 0; i--) { const j = pick() % (i + 1); [xs[i], xs[j]] = [xs[j], xs[i]]; } return xs; }
    case 'tuple': return v.map((x: unknown, i: number) => shuffled(d.items[i]!, x, pick));
    case 'array': case 'list': return v.map((x: unknown) => shuffled(d.of, x, pick));
    case 'record': return Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, shuffled(f, v[k], pick)]));
    case 'map': return Object.fromEntries(Object.keys(v).map((k) => [k, shuffled(d.of, v[k], pick)]));
    case 'optional': return v === null ? null : shuffled(d.of, v, pick);
    case 'oneOf': { const alt = d.alts.find((a) => codecOf(a).rank(v) >= 0)!; return shuffled(alt, v, pick); }
    default: return v;
  }
}

/** Values a field holds in one slot, read and written whole (no view). */
const wholeValue = (d: Domain): boolean => isScalar(d) || d.kind === 'tuple' || d.kind === 'optional' || d.kind === 'oneOf';

/** Writes `v` over the view of `d` (holding another value) through its API, choosing how from `pick`. */
function writeThrough(view: any, d: Domain, v: any, pick: () => number): void {
  switch (d.kind) {
    case 'set': {
      if (pick() % 2) view.clear();
      else for (const x of view.toArray()) if (!v.some((y: unknown) => JSON.stringify(y) === JSON.stringify(x))) view.delete(x);
      for (const x of shuffled(d, v, pick)) view.add(x); // adding a member twice leaves the set as it is
      return;
    }
    case 'list': {
      view.clear();
      const how = pick() % 3;
      if (how === 1 && v.length > 0 && v.length < d.maxLength) { view.push(v[v.length - 1]); for (const x of v) view.push(x); view.shift(); return; }
      for (const x of v) view.push(x);
      if (how === 2 && v.length > 0 && v.length < d.maxLength) { view.push(v[0]); view.removeAt(v.length); }
      if (how === 0 && v.length > 0) view.set(0, v[0]);
      return;
    }
    case 'array': case 'map': {
      const names = d.kind === 'map' ? keyNamesOf(d.keys) : v.map((_: unknown, i: number) => String(i));
      names.forEach((name: string, i: number) => {
        const key = d.kind === 'map' ? keyOf(d.keys, name) : i, x = d.kind === 'map' ? v[name] : v[i];
        if (wholeValue(d.of) || pick() % 3 === 0) view.set(key, x); // a value, or a whole compound element stored at once
        else writeThrough(d.kind === 'map' ? view.get(key) : view.at(i), d.of, x, pick);
      });
      return;
    }
    case 'record':
      for (const [k, f] of Object.entries(d.fields)) {
        if (wholeValue(f) || pick() % 3 === 0) view[k] = v[k];
        else writeThrough(view[k], f, v[k], pick);
      }
      return;
    default: throw new Error('values kept whole are written by their container');
  }
}

/** What a read-only view reads, as a plain value (getters, get, at, entries, has, iteration). */
function readThrough(view: any, d: Domain): unknown {
  if (wholeValue(d)) return view;
  switch (d.kind) {
    case 'set': {
      const xs = view.toArray();
      expect([...view]).toEqual(xs);
      expect(view.size).toBe(xs.length);
      for (const x of xs) expect(view.has(x)).toBe(true);
      return xs;
    }
    case 'list': {
      const xs = Array.from({ length: view.length }, (_, i) => view.get(i));
      expect([...view]).toEqual(xs);
      for (const x of xs) expect(view.includes(x)).toBe(true);
      return xs;
    }
    case 'array': return Array.from({ length: d.length }, (_, i) => readThrough(wholeValue(d.of) ? view.get(i) : view.at(i), d.of));
    case 'map': {
      expect(view.keys()).toEqual(allValues(d.keys));
      return Object.fromEntries(view.entries().map(([k, x]: [unknown, unknown]) => [String(k), readThrough(x, d.of)]));
    }
    case 'record': return Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, readThrough(view[k], f)]));
    default: throw new Error('unreachable');
  }
}

describe('every domain round-trips (property tests over random nested schemas)', () => {
  it('the codec numbers the values of a domain in the documented order, and rank inverts value', () => {
    fc.assert(fc.property(ordArb, (d) => {
      const all = allValues(d), c = codecOf(d);
      expect(c.card).toBe(all.length);
      expect(Array.from({ length: c.card }, (_, r) => c.value(r))).toEqual(all);
      all.forEach((v, r) => expect(c.rank(v)).toBe(r));
    }), { numRuns: 300 });
  });

  it('encode -> pack -> unpack -> decode gives the value back', () => {
    fc.assert(fc.property(caseArb, ([schema, a]) => { expectPackRoundTrip(compileLayout(schema), a as Record<string, unknown>); }), { numRuns: 400 });
  });

  it('a set\'s encoding does not depend on the order its members are given in, at any depth', () => {
    fc.assert(fc.property(caseArb, ([schema, a, , picks]) => {
      const L = compileLayout(schema), it = picks[Symbol.iterator](), pick = (): number => it.next().value as number;
      const want = new Int32Array(L.slots), got = new Int32Array(L.slots);
      encodeState(L, a as Record<string, unknown>, want, 0);
      encodeState(L, shuffled(record(schema), a, pick), got, 0);
      expect(Array.from(got)).toEqual(Array.from(want));
    }), { numRuns: 300 });
  });

  it('writing a value through the views (set, add, delete, push, whole stores) gives the slots of encoding it', () => {
    fc.assert(fc.property(caseArb, ([schema, a, b, picks]) => {
      const it = picks[Symbol.iterator](), pick = (): number => it.next().value as number;
      expectWrittenAsEncoded(compileLayout(schema), a as Record<string, unknown>, b as Record<string, unknown>,
        (n) => writeThrough(n, record(schema), b, pick), (s) => readThrough(s, record(schema)));
    }), { numRuns: 400 });
  });

  it('a whole value stored from another view (n.f = s.f, then n.f = n.f) copies it', () => {
    fc.assert(fc.property(caseArb, ([schema, a, b]) => {
      const { n, s } = storeWhole(compileLayout(schema), a as Record<string, unknown>, b as Record<string, unknown>, Object.keys(schema));
      expect(n).toEqual(a);
      expect(s).toEqual(a);
    }), { numRuns: 200 });
  });
});

// ---------- domain errors name the innermost part at fault ----------

const RM = modelValues('r', 2);
const RMsg = record({ type: enumOf(['Prepared']), rm: RM });
const errorLayout = compileLayout({
  m: RMsg, t: tuple([int(0, 1), RM]), o: optional(tuple([int(0, 1), RM])),
  l: list(2, tuple([int(0, 1), RM])), lr: list(2, RMsg), mp: mapOf(RM, tuple([int(0, 1), RM])), mr: mapOf(RM, RMsg),
  u: oneOf(RMsg, record({ type: enumOf(['Commit', 'Abort']) })),
});
const errorState = { m: { type: 'Prepared', rm: 'r1' }, t: [0, 'r1'], o: null, l: [[1, 'r2']], lr: [], mp: { r1: [0, 'r1'], r2: [1, 'r2'] }, mr: [{ type: 'Prepared', rm: 'r1' }, { type: 'Prepared', rm: 'r2' }], u: { type: 'Commit' } };
/** The DomainError a write through a fresh successor view throws. */
function writeError(write: (n: any) => void): DomainError {
  const root = { b: new Int32Array(errorLayout.slots), o: 0 };
  encodeState(errorLayout, errorState, root.b, 0);
  try { write(errorLayout.makeWritableView(root)); } catch (e) { if (e instanceof DomainError) return e; throw e; }
  throw new Error('the write was accepted');
}
/** The DomainError encoding the error state with `patch` throws (as an initial state is encoded). */
function initError(patch: Record<string, unknown>): DomainError {
  try { encodeState(errorLayout, { ...errorState, ...patch }, new Int32Array(errorLayout.slots), 0); } catch (e) { if (e instanceof DomainError) return e; throw e; }
  throw new Error('the value was accepted');
}
const enumMessage = (path: string) => `${path} := "r9" is not one of {r1, r2}`;

describe('a value outside a compound domain is a domain error naming the innermost part', () => {
  it.each([
    ['a record stored whole', (n: any) => { n.m = { type: 'Prepared', rm: 'r9' }; }, 'm.rm'],
    ['a tuple', (n: any) => { n.t = [0, 'r9']; }, 't[1]'],
    ['an optional tuple', (n: any) => { n.o = [1, 'r9']; }, 'o[1]'],
    ['a tuple pushed onto a list (its index is the new element\'s)', (n: any) => { n.l.push([0, 'r9']); }, 'l[1][1]'],
    ['a record pushed onto a list', (n: any) => { n.lr.push({ type: 'Prepared', rm: 'r9' }); }, 'lr[0].rm'],
    ['a tuple set in a map', (n: any) => { n.mp.set('r2', [0, 'r9']); }, 'mp[r2][1]'],
    ['a record field in a map', (n: any) => { n.mr.get('r1').rm = 'r9'; }, 'mr[r1].rm'],
    ['a record stored whole in a map', (n: any) => { n.mr.set('r2', { type: 'Prepared', rm: 'r9' }); }, 'mr[r2].rm'],
  ])('written through a view: %s', (_what, write, path) => {
    const e = writeError(write);
    expect(e.message).toBe(enumMessage(path));
    expect(e.field).toBe(path);
  });

  it.each([
    [{ m: { type: 'Prepared', rm: 'r9' } }, 'm.rm'],
    [{ o: [0, 'r9'] }, 'o[1]'],
    [{ l: [[0, 'r1'], [0, 'r9']] }, 'l[1][1]'],
    [{ mp: { r1: [0, 'r1'], r2: [0, 'r9'] } }, 'mp[r2][1]'],
    [{ mr: { r1: { type: 'Prepared', rm: 'r1' }, r2: { type: 'Prepared', rm: 'r9' } } }, 'mr[r2].rm'],
  ])('in an initial state: %j', (patch, path) => {
    const e = initError(patch);
    expect(e.message).toBe(enumMessage(path));
    expect(e.field).toBe(path);
  });

  it('a map with a key too many or too few names the key', () => {
    expect(initError({ mp: { r1: [0, 'r1'] } }).message).toBe('mp[r2] is missing');
    expect(initError({ mp: { r1: [0, 'r1'], r2: [0, 'r1'], r3: [0, 'r1'] } }).message).toBe('mp has keys not in enumOf(r1, r2): r3');
    expect(writeError((n) => n.mp.set('r9', [0, 'r1'])).message).toBe('mp["r9"]: "r9" is not a key (keys: r1, r2)');
  });

  it('a value of no alternative of a union names the field and every alternative', () => {
    expect(writeError((n) => { n.u = { type: 'Prepared', rm: 'r9' }; }).message)
      .toBe('u := { type: "Prepared", rm: "r9" } is none of: record{type: enumOf(Prepared), rm: enumOf(r1, r2)} | record{type: enumOf(Commit, Abort)}');
  });

  it('an effect that writes one is a model error naming the path (exit 3 from the CLI)', async () => {
    const m = defineModel({
      name: 'bad-rm', description: 'writes r9', params: {}, state: () => ({ q: list(2, tuple([int(0, 1), RM])) }), init: () => [{ q: [] }],
      actions: () => [{ name: 'Send', actor: 'S', effect: (_s, n) => { n.q.push([0, 'r9' as 'r1']); } }],
    });
    const r = await run(m);
    expect(r.verdict).toBe('error');
    expect(r.error?.message).toContain(enumMessage('q[0][1]'));
  });
});

// ---------- unions and optionals ----------

describe('oneOf', () => {
  it.each([
    ['two int ranges that meet', () => oneOf(int(0, 3), int(3, 5))],
    ['two enums sharing a member', () => oneOf(enumOf(['a', 'b']), enumOf(['b', 'c']))],
    ['two records with the same fields', () => oneOf(record({ x: int(0, 1) }), record({ x: int(1, 2) }))],
    ['two optionals (both hold null)', () => oneOf(optional(int(0, 1)), optional(enumOf(['a'])))],
    ['a tuple and a list (arrays both)', () => oneOf(tuple([int(0, 1)]), list(2, int(0, 1)))],
    ['an alternative overlapping one inside a nested union', () => oneOf(oneOf(bool(), int(0, 2)), int(2, 4))],
  ])('with alternatives that overlap is a SchemaError: %s', (_what, make) => {
    expect(make).toThrow(SchemaError);
    expect(make).toThrow(/cannot be told apart/);
  });

  it('with alternatives told apart by kind, range or a tag field is accepted, and a value belongs to the one that holds it', () => {
    const U = oneOf(bool(), int(0, 1), enumOf(['a']), record({ type: enumOf(['A']), x: int(0, 1) }), record({ type: enumOf(['B']), x: int(0, 1) }), tuple([RM]));
    expect(cardinality(U)).toBe(2 + 2 + 1 + 2 + 2 + 2);
    const c = codecOf(U);
    expect([false, 1, 'a', { type: 'A', x: 1 }, { type: 'B', x: 0 }, ['r2']].map((v) => c.rank(v))).toEqual([0, 3, 4, 6, 7, 10]);
    expect(c.rank({ type: 'A', x: 1, extra: 0 })).toBe(-1); // a record has exactly its fields
    expect(c.rank(2)).toBe(-1);
  });

  it('optional(optional(...)) is a SchemaError', () => {
    expect(() => optional(optional(int(0, 1)))).toThrow(SchemaError);
  });
});

describe('optional', () => {
  const L = compileLayout({ got: optional(tuple([int(0, 1), RM])), who: optional(RM), rec: optional(record({ rm: RM })), q: list(2, optional(RM)), s: setOf(optional(RM)), m: mapOf(RM, optional(int(0, 3))) });
  const plain = { got: null, who: null, rec: null, q: [null], s: [], m: { r1: null, r2: 3 } };
  const fresh = () => { const root = { b: new Int32Array(L.slots), o: 0 }; encodeState(L, plain, root.b, 0); return { s: L.makeView(root), n: L.makeWritableView(root), root }; };

  it('reads null as null, in a field, a list, a set and a map', () => {
    const { s, n } = fresh();
    expect([s.got, s.who, s.rec, s.q.get(0), s.m.get('r1'), s.m.get('r2')]).toEqual([null, null, null, null, null, 3]);
    expect(s.q.includes(null)).toBe(true);
    n.s.add('r2'); n.s.add(null);
    expect(n.s.toArray()).toEqual([null, 'r2']); // null comes first in an optional's order
    expect(n.s.has(null)).toBe(true);
    n.s.delete(null);
    expect(n.s.has(null)).toBe(false);
  });

  it('takes null or a value, and a value read back is frozen', () => {
    const { s, n, root } = fresh();
    n.got = [1, 'r2']; n.who = 'r1'; n.rec = { rm: 'r2' }; n.m.set('r1', 0); n.q.push('r2');
    expect(decodeState(L, root.b, 0)).toEqual({ got: [1, 'r2'], who: 'r1', rec: { rm: 'r2' }, q: [null, 'r2'], s: [], m: { r1: 0, r2: 3 } });
    expect(Object.isFrozen(s.got)).toBe(true);
    expect(Object.isFrozen(s.rec)).toBe(true);
    expect(() => { (s.got as unknown[]).push(1); }).toThrow(/cannot be written \(a value read from a state is read-only/);
    n.got = null; n.rec = null;
    expect([s.got, s.rec]).toEqual([null, null]);
  });

  it('undefined is not null: written or given in an initial state it is a domain error saying to write null', () => {
    const { n } = fresh();
    expect(() => { n.got = undefined; }).toThrow(DomainError);
    expect(() => { n.got = undefined; }).toThrow('got := undefined: an optional value is null or a value (write null, not undefined)');
    expect(() => n.q.push(undefined)).toThrow('q[1] := undefined: an optional value is null or a value (write null, not undefined)');
    expect(() => n.m.set('r1', undefined)).toThrow('m[r1] := undefined: an optional value is null or a value (write null, not undefined)');
    const missing: Record<string, unknown> = { ...plain };
    delete missing.who;
    expect(() => encodeState(L, missing, new Int32Array(L.slots), 0)).toThrow('who is missing');
    expect(() => encodeState(L, { ...plain, who: undefined }, new Int32Array(L.slots), 0)).toThrow('who := undefined: an optional value is null or a value (write null, not undefined)');
  });
});

// ---------- over a domain, with in ----------

describe('over: Domain with in', () => {
  // \E m \in msgs: x' = 1, from msgs = {0, 1, 2}: every witness is a successor, though all lead to the same state.
  const take = (style: 'in' | 'guard') => defineModel({
    name: `take-${style}`, description: 'one successor per witness', params: {},
    state: () => ({ msgs: setOf(int(0, 3)), x: int(0, 1) }),
    init: () => [{ msgs: [0, 1, 2], x: 0 }],
    actions: (_p, { action }) => [style === 'in'
      ? action({ name: 'Take', actor: 'A', over: int(0, 3), in: (s) => s.msgs, effect: (_s, n) => { n.x = 1; } })
      : action({ name: 'Take', actor: 'A', over: [0, 1, 2, 3], guard: (s, m) => s.msgs.has(m), effect: (_s, n) => { n.x = 1; } })],
    deadlock: () => 'allowed',
  });

  it('counts one generated successor per witness, as TLC does (2 distinct / 7 generated / depth 2)', async () => {
    // The initial state, Take(0..2) from it, and Take(0..2) again from x = 1 (self-loops): 1 + 3 + 3.
    const [a, b] = await Promise.all([run(take('in')), run(take('guard'))]);
    expect(counts(a)).toEqual({ distinct: 2, generated: 7, depth: 2 });
    expect(counts(b)).toEqual(counts(a));
    expect(a.instanceCoverage).toEqual(b.instanceCoverage);
    expect(a.instanceCoverage.map((c) => [c.action, c.fired])).toEqual([['Take(0)', 2], ['Take(1)', 2], ['Take(2)', 2], ['Take(3)', 0]]);
  });

  it('takes a list, an array or any iterable of values as well as a set (compared by value)', async () => {
    const D = tuple([int(0, 1), RM]);
    const variant = (pick: (s: any) => unknown) => defineModel({
      name: 'pick', description: 'in over several containers', params: {},
      state: () => ({ set: setOf(D), q: list(3, D), got: optional(D) }),
      init: () => [{ set: [[1, 'r2'], [0, 'r1']], q: [[0, 'r1'], [1, 'r2'], [0, 'r1']], got: null }],
      actions: () => [{ name: 'Pick', actor: 'A', over: D, in: pick as never, effect: (_s: any, n: any, m: unknown) => { n.got = m; } }],
      deadlock: () => 'allowed',
    });
    // A set view (tested by rank), a list view, an array read from a view, and an iterable with neither has nor includes.
    const rs = await Promise.all([(s: any) => s.set, (s: any) => s.q, (s: any) => s.q.toArray(), function* (s: any) { yield* s.set; }].map((f) => run(variant(f))));
    // got: null, <<0, r1>> or <<1, r2>>; from each of the three, Pick(<<0, r1>>) and Pick(<<1, r2>>): 1 + 3 * 2.
    rs.forEach((r, i) => expect(counts(r), `variant ${i}`).toEqual({ distinct: 3, generated: 7, depth: 2 }));
  });

  it('the lossy channel written with in gives what it gives written with an over-array of every value and a membership guard', async () => {
    // Each action with `in` becomes one over every value of its domain (enumerated here, not by mc), guarded by
    // membership tested on plain values.
    const has = (box: Iterable<unknown>, v: unknown) => [...box].some((x) => JSON.stringify(x) === JSON.stringify(v));
    const handWritten = defineModel({
      ...lossy.def, name: 'lossy-guard',
      actions: (p, k) => lossy.def.actions(p, k).map((a) => (a.in === undefined ? a : {
        ...a, in: undefined, over: allValues(a.over as Domain),
        guard: (s: any, v: unknown) => has(a.in!(s) as Iterable<unknown>, v) && (a.guard === undefined || a.guard(s, v)),
      })),
    });
    const [a, b] = await Promise.all([run(lossy), run(handWritten)]);
    expect(counts(b)).toEqual(counts(a));
    expect(b.instanceCoverage).toEqual(a.instanceCoverage);
    expect(a.instanceCoverage.filter((c) => c.action.startsWith('Snoop')).map((c) => c.action)).toEqual(['Snoop(0,d1)', 'Snoop(0,d2)', 'Snoop(1,d1)', 'Snoop(1,d2)']);
  });

  it('over an optional or a union gives one instance per value, in the domain\'s order', () => {
    const m = defineModel({
      name: 'names', description: 'instances', params: {}, state: () => ({ who: optional(RM) }), init: () => [{ who: null }],
      actions: (_p, { action }) => [action({ name: 'Set', actor: 'A', over: optional(RM), effect: (_s, n, v) => { n.who = v; } })],
      deadlock: () => 'allowed',
    });
    expect(compileModel(m, {}).actions.map((a) => a.name)).toEqual(['Set(null)', 'Set(r1)', 'Set(r2)']);
  });
});

// ---------- when: a set of values, map paths ----------

describe('when with an array of values and map paths', () => {
  const Ctl = enumOf(['idle', 'busy', 'waiting', 'done']);
  // Each RM: idle -Start-> busy -Step-> waiting -Step-> done; Step's location test in `when` or in the guard.
  const ctl = (style: 'when' | 'guard', stepWhen?: (r: string) => Record<string, unknown>) => defineModel({
    name: `ctl-${style}`, description: 'two RMs', params: {},
    state: () => ({ ctl: mapOf(RM, Ctl) }),
    init: () => [{ ctl: { r1: 'idle', r2: 'idle' } }],
    actions: (_p, { action }) => [
      action({ name: 'Start', actor: (r) => r, over: RM, when: (r) => ({ [`ctl[${r}]`]: 'idle' }), effect: (_s, n, r) => { n.ctl.set(r, 'busy'); } }),
      action({
        name: 'Step', actor: (r) => r, over: RM,
        when: style === 'when' ? (stepWhen ?? ((r) => ({ [`ctl[${r}]`]: ['busy', 'waiting'] }))) : undefined,
        guard: style === 'guard' ? (s, r) => ['busy', 'waiting'].includes(s.ctl.get(r)) : undefined,
        effect: (s, n, r) => { n.ctl.set(r, s.ctl.get(r) === 'busy' ? 'waiting' : 'done'); },
      }),
    ],
    deadlock: () => 'allowed',
  });

  it('enables the action where the field holds any of the values: what the guard explores', async () => {
    const [a, b] = await Promise.all([run(ctl('when')), run(ctl('guard'))]);
    // 4 local states each, 16 in all; each state has one successor per RM not done (2 * 12 in all), plus the
    // initial state; done/done is 3 + 3 steps from idle/idle.
    expect(counts(a)).toEqual({ distinct: 16, generated: 25, depth: 7 });
    expect(counts(b)).toEqual(counts(a));
    expect(a.instanceCoverage).toEqual(b.instanceCoverage);
  });

  it('a path that is not a field is a model error suggesting the fields near it', () => {
    for (const path of ['ctl[r3]', 'ctrl[r1]', 'Ctl[r1]']) {
      expect(() => compileModel(ctl('when', () => ({ [path]: 'busy' })), {})).toThrow(ModelError);
      expect(() => compileModel(ctl('when', () => ({ [path]: 'busy' })), {})).toThrow(`action Step(r1): when: '${path}' is not a field of the state (did you mean 'ctl[r1]' or 'ctl[r2]'?)`);
    }
    expect(() => compileModel(ctl('when', () => ({ ctl: 'busy' })), {})).toThrow(/'ctl' is not a field of the state \(did you mean 'ctl\[r1\]' or 'ctl\[r2\]'\?\)/);
  });

  it('a value outside the field\'s domain, in the array or alone, is a model error naming it', () => {
    expect(() => compileModel(ctl('when', (r) => ({ [`ctl[${r}]`]: ['busy', 'sleeping'] })), {})).toThrow('when: ctl[r1] := "sleeping" is not one of {idle, busy, waiting, done}');
    expect(() => compileModel(ctl('when', (r) => ({ [`ctl[${r}]`]: [] })), {})).toThrow("when: 'ctl[r1]': an empty list of values can never hold");
  });

  it('tests an int-keyed map entry and an optional tuple, one value or several', async () => {
    const m = (w: Record<string, unknown>) => defineModel({
      name: 'w', description: 'when on values', params: {},
      state: () => ({ k: mapOf(int(-1, 0), int(0, 2)), got: optional(tuple([int(0, 1), RM])) }),
      init: () => [{ k: [0, 0], got: null }],
      actions: (_p, { action }) => [
        action({ name: 'Inc', actor: 'A', over: int(-1, 0), guard: (s, i) => s.k.get(i) < 2, effect: (s, n, i) => { n.k.set(i, s.k.get(i) + 1); } }),
        action({ name: 'Got', actor: 'A', when: () => w, effect: (_s, n) => { n.got = [1, 'r2']; } }),
      ],
      deadlock: () => 'allowed',
    });
    // k ranges over 3 x 3 values with got null; Got sets got to <<1, r2>> where its when holds, and Inc goes on from there.
    const states = async (w: Record<string, unknown>) => (await run(m(w))).stats.distinct;
    expect(await states({ 'k[-1]': 2 })).toBe(9 + 3);
    expect(await states({ 'k[-1]': [1, 2], 'k[0]': 0 })).toBe(9 + 6); // from k = (1, 0) and (2, 0): k[-1] in 1..2, any k[0]
    expect(await states({ got: null, 'k[0]': 2 })).toBe(9 + 3);
    expect(await states({ got: [1, 'r2'] })).toBe(9); // never holds: got is null until Got fires
    expect(await states({ got: [[1, 'r2'], null] })).toBe(9 + 9);
  });
});

// ---------- traces, JSON and replay name the values ----------

describe('traces, JSON and replay print the new values by name', () => {
  it('the human trace prints sets of model values, tuples and null', () => {
    const r = mc('run', fixture('votes.ts'));
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/voted = \{\} {3}last = null {3}ballot\[r1\] = null {3}ballot\[r2\] = null/);
    expect(r.stdout).toContain('2. Vote(r1,0,r1)  [r1]');
    expect(r.stdout).toContain('voted: {r1} → {r1, r2}');
    expect(r.stdout).toContain('ballot[r2]: null → <<0, r1>>');
    expect(r.stdout).toContain('last: r1 → r2');
  });

  it('the JSON trace prints them by name in its changes, and as plain values in its states', () => {
    const r = mc('run', fixture('lossy-channel.ts'), '--strict', '--json');
    expect(r.code).toBe(1);
    const trace = r.json.violation.trace;
    const changes = trace.map((t: any) => Object.fromEntries(t.changes.map((c: any) => [c.field, [c.from, c.to]])));
    expect(changes[0]).toEqual({ bit: ['', '0'], q: ['', '[]'], got: ['', 'null'], seen: ['', '{}'] });
    expect(changes[2]).toEqual({ q: ['[<<0, d1>>]', '[]'], got: ['null', '<<0, d1>>'], seen: ['{}', '{0}'] });
    expect(changes.at(-1).seen).toEqual(['{0}', '{0, 1}']);
    expect(trace.at(-1).state).toEqual({ bit: 1, q: [], got: [1, 'd1'], seen: [0, 1] });
    const votes = mc('run', fixture('votes.ts'), '--json');
    expect(votes.json.violation.trace.at(-1).state).toEqual({ voted: ['r1', 'r2'], last: 'r2', ballot: { r1: [0, 'r1'], r2: [0, 'r1'] }, phase: { r1: 'voted', r2: 'voted' } });
  });

  for (const [file, args, property] of [['votes.ts', [], 'NotAllVoted'], ['lossy-channel.ts', ['--strict'], 'NotBothBits']] as const) {
    it(`mc replay of a --trace-out file of ${file} reproduces the violation, and notices a value changed in it`, () => {
      const out = join(tmp, `${file}.trace.json`);
      expect(mc('run', fixture(file), ...args, '--trace-out', out).code).toBe(1);
      const replay = mc('replay', out, '--json');
      expect(replay.code).toBe(1);
      expect(replay.json).toMatchObject({ ok: true, violated: [property], recordedProperty: property });
      // The recorded values are compared: a tuple changed in the last state no longer replays.
      const t = JSON.parse(readFileSync(out, 'utf8'));
      const last = t.steps.at(-1).state;
      if (file === 'votes.ts') last.ballot.r2 = [1, 'r2']; else last.got = [0, 'd2'];
      const bad = join(tmp, `${file}.changed.json`);
      writeFileSync(bad, JSON.stringify(t));
      const r = mc('replay', bad);
      expect(r.code).toBe(5);
      expect(r.stdout).toMatch(file === 'votes.ts' ? /field ballot\[r2\] differs: the model gives <<0, r1>>, the trace recorded <<1, r2>>/ : /field got differs: the model gives <<1, d1>>, the trace recorded <<0, d2>>/);
    });
  }
});

// ---------- found while writing these tests: bugs in src/, now fixed ----------

describe('found while writing these tests, and fixed in src/', () => {
  it('a set member outside the set\'s domain is named by its innermost part, added through a view or given in an initial state', () => {
    // views.ts SetViewImpl.rank says only "element ... is not a value of the set's domain"; values.ts encodeValue
    // (case 'set') strips "it := " from explainNotIn's message, which leaves "it.rm := ..." for a record member.
    const L = compileLayout({ s: setOf(RMsg) });
    const root = { b: new Int32Array(L.slots), o: 0 };
    encodeState(L, { s: [] }, root.b, 0);
    const n = L.makeWritableView(root);
    const added = (() => { try { n.s.add({ type: 'Prepared', rm: 'r9' }); } catch (e) { return (e as Error).message; } return 'accepted'; })();
    const given = (() => { try { encodeState(L, { s: [{ type: 'Prepared', rm: 'r9' }] }, new Int32Array(L.slots), 0); } catch (e) { return (e as Error).message; } return 'accepted'; })();
    for (const message of [added, given]) {
      expect(message).toMatch(/^s: /);
      expect(message).toContain('rm := "r9" is not one of {r1, r2}');
      expect(message).not.toMatch(/\bit\./);
    }
  });

  it('optional(D) where D already holds null (a union with an optional alternative) is a SchemaError, as optional(optional(...)) is', () => {
    // domains.ts optional() rejects only of.kind === 'optional': this domain is accepted with cardinality 5 for
    // its 4 values (null twice), `over` gives two instances named Set(null), and generated counts them both.
    expect(() => optional(oneOf(optional(int(0, 1)), enumOf(['a'])))).toThrow(SchemaError);
  });

  it('every instance of an action over a domain of compound values has its own name, so replay re-executes the right one', () => {
    // model.ts formatArg flattens a value to its leaves joined by commas: the string 'A' and the record
    // { tag: 'A' } are both Set(A), and <<[0], [1, 0]>> and <<[0, 1], [0]>> are both Set(0,1,0).
    const cases: [Domain, unknown][] = [[oneOf(enumOf(['A']), record({ tag: enumOf(['A']) })), 'A'], [tuple([list(2, int(0, 1)), list(2, int(0, 1))]), [[], []]]];
    for (const [D, x] of cases) {
      const m = defineModel({
        name: 'names', description: 'instances', params: {}, state: () => ({ x: D }), init: () => [{ x }],
        actions: () => [{ name: 'Set', actor: 'A', over: D, effect: (_s: any, n: any, v: unknown) => { n.x = v; } }], deadlock: () => 'allowed',
      });
      const names = compileModel(m, {}).actions.map((a) => a.name);
      expect(names.filter((y, i) => names.indexOf(y) !== i)).toEqual([]);
    }
    // The trace of a violation reached by Set(<the record>) names the step Set(A), and replay applies the first Set(A).
    const out = join(tmp, 'same-name.trace.json');
    expect(mc('run', fixture('same-name.ts'), '--trace-out', out).code).toBe(1);
    const replay = mc('replay', out);
    expect(replay.stdout).toContain('the trace re-executes and ends in a violation of NotRecord');
    expect(replay.code).toBe(1);
  });

  it('in: an argument outside the domain of the set in() returns is not in it (the instance is disabled, not a model error)', async () => {
    // model.ts inGuard calls the set view's has(), which throws a DomainError for a value outside the set's domain
    // (views.ts SetViewImpl.rank); a list view's includes() answers false, as a TLA+ \in does.
    const m = (over: Domain | number[]) => defineModel({
      name: 'wider', description: 'over wider than the set', params: {},
      state: () => ({ msgs: setOf(int(0, 3)), x: int(0, 1) }), init: () => [{ msgs: [0, 1, 2], x: 0 }],
      actions: () => [{ name: 'Take', actor: 'A', over, in: (s: any) => s.msgs, effect: (_s: any, n: any) => { n.x = 1; } }], deadlock: () => 'allowed',
    });
    for (const over of [int(0, 5), [0, 1, 2, 3, 4, 5]]) {
      const r = await run(m(over));
      expect(r.error?.message).toBeUndefined();
      expect(counts(r)).toEqual({ distinct: 2, generated: 7, depth: 2 });
    }
  });

  it('in: a plain array (or JS Set) of compound values is compared by value, not by identity', async () => {
    // model.ts inGuard uses an object's own includes()/has() when it has one: a plain array's includes and a JS
    // Set's has compare tuples by identity, so no instance is ever enabled. (Arrays read from views happen to work:
    // decoded values are cached per rank, the same objects `over` enumerates.)
    const D = tuple([int(0, 1), RM]);
    const m = (pick: (s: any) => unknown) => defineModel({
      name: 'plain', description: 'in over plain values', params: {},
      state: () => ({ q: list(3, D), got: optional(D) }), init: () => [{ q: [[0, 'r1'], [1, 'r2']], got: null }],
      actions: () => [{ name: 'Pick', actor: 'A', over: D, in: pick as never, effect: (_s: any, n: any, v: unknown) => { n.got = v; } }], deadlock: () => 'allowed',
    });
    for (const pick of [() => [[0, 'r1'], [1, 'r2']], (s: any) => s.q.toArray().map((x: unknown[]) => [...x]), (s: any) => new Set(s.q.toArray().map((x: unknown[]) => [...x]))]) {
      expect(counts(await run(m(pick)))).toEqual({ distinct: 3, generated: 7, depth: 2 });
    }
  });

  it('a write into a compound value read from the successor is an error in sloppy JavaScript too, not silently lost', () => {
    // A tuple, optional or union is read as a frozen plain value (codec.ts): in strict code n.got[0] = 1 throws a
    // TypeError, in sloppy code (a CommonJS model) it does nothing, and the run passes with the write lost.
    expect(mc('show', fixture('value-write-sloppy.js')).stdout).toContain('(sloppy mode)');
    const r = mc('run', fixture('value-write-sloppy.js'), '--json');
    expect(r.json?.verdict).not.toBe('ok');
    expect(r.code).toBe(3);
  });
});

describe('packing takes the bits of a domain\'s size', () => {
  it('a set over k possible members takes k bits (31 to a slot), a one-slot value ceil(log2 card) bits', () => {
    // PaxosCommit's phase-1b messages: 108 possible members, 4 slots of 31, 31, 31 and 15 bits: 4 words.
    const Msg = tuple([int(0, 5), int(0, 2), enumOf(['a', 'b', 'c', 'd', 'e', 'f'])]);
    expect(cardinality(Msg)).toBe(108);
    const L = compileLayout({ msgs: setOf(Msg) });
    expect([L.slots, L.words]).toEqual([4, 4]);
    expect(Array.from(L.slotMax)).toEqual([2 ** 31 - 1, 2 ** 31 - 1, 2 ** 31 - 1, 2 ** 15 - 1]);
    // Ten optional tuples of 1 + 2 * 2 = 5 values (3 bits each) pack into one 32-bit word.
    const T = compileLayout({ xs: array(10, optional(tuple([bool(), bool()]))) });
    expect([T.slots, T.words]).toEqual([10, 1]);
    // A list's spare slot takes no bits: list(3, int(0, 7)) is 2 + 3 * 3 bits.
    const Q = compileLayout({ q: list(3, int(0, 7)), r: int(0, 2 ** 20 - 1) });
    expect([Q.slots, Q.words]).toEqual([6, 1]);
  });
});
