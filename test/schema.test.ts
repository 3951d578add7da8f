// State schemas: views, packing (which is also the domain check) and value encoding.
import { describe, expect, it } from 'vitest';
import { array, bool, compileLayout, decodeState, encodeState, enumOf, int, list, record, setOf, DomainError, SchemaError } from '../src/explorer/schema.js';

const L = compileLayout({
  r: int(-3, 5), b: array(3, bool()), p: enumOf(['x', 'y', 'z']),
  recs: array(2, record({ q: int(0, 7), on: bool() })),
  big: int(-(2 ** 31), 2 ** 31 - 1), st: setOf(31), l: list(3, int(0, 9)),
});
const fresh = () => { const root = { b: new Int32Array(L.slots), o: 0 }; return { root, v: L.makeWritableView(root) }; };

describe('views', () => {
  it('fields named like the view internals (r, b, p) work', () => {
    const { root, v } = fresh();
    v.r = -2; v.b.set(1, true); v.p = 'z'; v.recs.at(1).q = 7; v.recs.at(0).on = true;
    expect(decodeState(L, root.b, 0)).toMatchObject({ r: -2, b: [false, true, false], p: 'z', recs: [{ q: 0, on: true }, { q: 7, on: false }] });
  });
  it('every element of an array of records shares one class (monomorphic access)', () => {
    const { v } = fresh();
    expect(Object.getPrototypeOf(v.recs.at(0))).toBe(Object.getPrototypeOf(v.recs.at(1)));
  });
  it('sets and lists keep a canonical encoding', () => {
    const { root, v } = fresh();
    v.st.add(30); v.st.add(2); v.st.delete(2);
    v.l.push(4); v.l.push(5); expect(v.l.shift()).toBe(4);
    expect(decodeState(L, root.b, 0)).toMatchObject({ st: [30], l: [5] });
    const a = fresh(); a.v.l.push(5); a.v.st.add(30);
    expect(Array.from(a.root.b)).toEqual(Array.from(root.b));
  });
  it('bad writes are domain errors naming the field', () => {
    const { root, v } = fresh();
    expect(() => { v.p = 'w'; }).toThrow(DomainError);
    expect(() => { v.recs.at(1).q = 1.5; }).toThrow(/recs\[1\]\.q := 1\.5 is not an integer/);
    expect(() => v.b.get(3)).toThrow(/b\[3\]: index outside 0..2/);
    // A push past the bound lands in the spare slot (the state constraint may then drop the state): it does not pack.
    v.l.push(1); v.l.push(1); v.l.push(1); v.l.push(1);
    expect(L.pack(root.b, 0, new Int32Array(L.words), 0)).toBe(false);
    expect(() => { v.l.push(1); }).toThrow(/push onto a full list/);
  });
  it('rejects bad schemas', () => {
    expect(() => compileLayout({ $x: int(0, 1) })).toThrow(SchemaError);
    expect(() => int(0, 2 ** 32)).toThrow(SchemaError);
    expect(() => setOf(0)).toThrow(SchemaError);
    expect(() => setOf(65537)).toThrow(SchemaError);
  });
});

describe('packing', () => {
  it('round-trips every domain, extremes included', () => {
    const src = new Int32Array(L.slots);
    encodeState(L, { r: -3, b: [true, false, true], p: 'y', recs: [{ q: 7, on: true }, { q: 3, on: false }], big: -(2 ** 31), st: [0, 30], l: [9, 0] }, src, 0);
    const w = new Int32Array(L.words), back = new Int32Array(L.slots);
    expect(L.pack(src, 0, w, 0)).toBe(true);
    L.unpack(w, 0, back, 0);
    expect(Array.from(back)).toEqual(Array.from(src));
    expect(L.words).toBeLessThan(L.slots);
  });
  it('fails on any slot outside its domain', () => {
    const src = new Int32Array(L.slots), w = new Int32Array(L.words);
    src[0] = 6; // r = 6 > 5
    expect(L.pack(src, 0, w, 0)).toBe(false);
    src[0] = -4;
    expect(L.pack(src, 0, w, 0)).toBe(false);
  });
});
