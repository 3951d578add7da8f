// Issue 26: every domain packs what it admits, and views cannot be misused at run time.
// CLI tests run the built binary (npm run build first).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Expander } from '../src/explorer/expand.js';
import { compileModel, defineModel, ModelError, resolveParams } from '../src/explorer/model.js';
import { explore } from '../src/explorer/search.js';
import { eventually, invariant, sometimes, terminalStates } from '../src/invariants/index.js';
import { array, bool, compileLayout, decodeState, DomainError, encodeState, enumOf, int, isScalar, list, mapOf, optional, record, scalarset, setOf, tuple, ViewError, type Domain } from '../src/explorer/schema.js';
import listLeast from './fixtures/list-least.js';
import { fixture, mc, mcWithEnv } from './helpers.js';
import { expectPackRoundTrip, expectWrittenAsEncoded, storeWhole } from './roundtrip.js';

describe('lists of ints whose range excludes 0', () => {
  it('an unused slot holds the least value, so encoded and view-written lists pack and unpack', () => {
    const L = compileLayout({ l: list(3, int(1, 3)), m: list(2, int(-5, -2)) });
    const src = new Int32Array(L.slots), w = new Int32Array(L.words), back = new Int32Array(L.slots);
    encodeState(L, { l: [2], m: [] }, src, 0);
    expect(Array.from(src)).toEqual([1, 2, 1, 1, 1, 0, -5, -5, -5]); // length, elements, and the spare slot after them
    expect(L.pack(src, 0, w, 0)).toBe(true);
    L.unpack(w, 0, back, 0);
    expect(decodeState(L, back, 0)).toEqual({ l: [2], m: [] });
    // Written through a view: push, then clear / shift / removeAt leave canonical unused slots.
    const root = { b: new Int32Array(L.slots), o: 0 };
    encodeState(L, { l: [], m: [] }, root.b, 0);
    const n = L.makeWritableView(root);
    n.l.push(3); n.l.push(2); n.l.push(1); n.l.removeAt(1); n.l.shift(); n.m.push(-2); n.m.clear();
    expect(L.pack(root.b, 0, w, 0)).toBe(true);
    const again = new Int32Array(L.slots);
    encodeState(L, { l: [1], m: [] }, again, 0);
    expect(Array.from(root.b)).toEqual(Array.from(again));
  });

  for (const op of ['clear', 'shift', 'removeAt']) {
    it(`list(2, int(1, 3)) with ${op}: 3 distinct / 6 generated, as with int(0, 3), also with --exact and DFS`, () => {
      for (const extra of [[], ['--exact'], ['--strategy', 'dfs']]) {
        for (const lo of ['1', '0']) {
          const r = mc('run', fixture('list-least.ts'), '--lo', lo, '--op', op, ...extra, '--json');
          expect(r.code, `${op} lo=${lo} ${extra.join(' ')}: ${r.stdout}`).toBe(0);
          expect(r.json.stats).toMatchObject({ distinct: 3, generated: 6 });
        }
      }
    });
  }

  it('a state that does not pack is a model error, never ignored', () => {
    const c = compileModel(listLeast, resolveParams(listLeast, {}));
    const x = new Expander(c, false);
    x.scratch.set(c.inits.subarray(0, c.layout.slots));
    expect(() => x.packScratch('initial state 1')).not.toThrow();
    x.scratch[1] = 0; // l[0] = 0, outside int(1, 3)
    expect(() => x.packScratch('initial state 1')).toThrow(ModelError);
    expect(() => x.packScratch('initial state 1')).toThrow(/initial state 1 left a domain: l = 0 is an element outside int\(1, 3\)/);
  });
});

// ---------- every domain packs what it admits: random schemas and values ----------

type Dom = Domain;
const scalarArb: fc.Arbitrary<Dom> = fc.oneof(
  fc.constant(bool()),
  // Ranges around 0, excluding it, negative, and up to the full 32 bits.
  fc.tuple(fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(-(2 ** 31)), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 })),
    fc.oneof(fc.integer({ min: 0, max: 4 }), fc.integer({ min: 0, max: 2 ** 32 - 1 })))
    .map(([min, span]) => int(min, Math.min(min + span, 2 ** 31 - 1))),
  fc.integer({ min: 1, max: 5 }).map((k) => enumOf(Array.from({ length: k }, (_, i) => `e${i}`))),
);
const { dom: domArb } = fc.letrec<{ dom: Dom }>((tie) => ({
  dom: fc.oneof({ depthSize: 'small', withCrossShrink: true },
    scalarArb,
    fc.integer({ min: 1, max: 31 }).map((n) => setOf(n)),
    fc.tuple(fc.integer({ min: 1, max: 4 }), scalarArb).map(([m, of]) => list(m, of)),
    fc.tuple(fc.integer({ min: 0, max: 3 }), tie('dom')).map(([n, of]) => array(n, of)),
    fc.array(tie('dom'), { minLength: 1, maxLength: 3 }).map((fs) => record(Object.fromEntries(fs.map((f, i) => [`f${i}`, f])))),
  ),
}));
const schemaArb = fc.array(domArb, { minLength: 1, maxLength: 4 }).map((fs) => Object.fromEntries(fs.map((f, i) => [`x${i}`, f])));

/** Values of a domain, as decodeState gives them (a set's members ascending). */
function valueArb(d: Dom): fc.Arbitrary<unknown> {
  switch (d.kind) {
    case 'bool': return fc.boolean();
    case 'int': return fc.integer({ min: d.min, max: d.max });
    case 'enum': return fc.constantFrom(...d.values);
    case 'set': return fc.uniqueArray(fc.integer({ min: 0, max: d.size - 1 })).map((xs) => xs.sort((a, b) => a - b));
    case 'list': return fc.array(valueArb(d.of), { maxLength: d.maxLength });
    case 'array': return fc.tuple(...Array.from({ length: d.length }, () => valueArb(d.of)));
    case 'record': return fc.record(Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, valueArb(f)])));
  }
}
const caseArb = schemaArb.chain((schema) => fc.tuple(fc.constant(schema), valueArb(record(schema)), valueArb(record(schema)), fc.infiniteStream(fc.nat(99))));

/** Writes `v` into the view of domain `d` through its API, choosing how from `pick` (whole-value stores, element writes, push/shift/removeAt...). */
function writeThrough(view: any, d: Dom, v: any, pick: () => number): void {
  switch (d.kind) {
    case 'set':
      if (pick() % 2) { view.clear(); for (const x of v) view.add(x); } else view.bits = v.reduce((m: number, x: number) => m | (1 << x), 0);
      return;
    case 'list': {
      view.clear();
      const how = pick() % 3;
      if (how === 1 && v.length < d.maxLength) { view.push(v[0] ?? leastOf(d.of)); for (const x of v) view.push(x); view.shift(); return; }
      for (const x of v) view.push(x);
      if (how === 2 && v.length < d.maxLength) { view.push(leastOf(d.of)); view.removeAt(v.length); }
      if (how === 0 && v.length > 0) view.set(v.length - 1, v[v.length - 1]);
      return;
    }
    case 'array':
      for (let i = 0; i < d.length; i++) {
        if (isScalar(d.of)) view.set(i, v[i]); else writeThrough(view.at(i), d.of, v[i], pick);
      }
      return;
    case 'record':
      for (const [k, f] of Object.entries(d.fields)) {
        if (isScalar(f) || pick() % 3 === 0) view[k] = v[k]; // a scalar, or a whole compound value stored at once
        else writeThrough(view[k], f, v[k], pick);
      }
      return;
    default: throw new Error('scalars are written by their record');
  }
}
const leastOf = (d: Dom): unknown => (d.kind === 'int' ? d.min : d.kind === 'bool' ? false : d.kind === 'enum' ? d.values[0] : 0);

/** What a read-only view reads, as a plain value (through getters, get, has, toArray). */
function readThrough(view: any, d: Dom): unknown {
  switch (d.kind) {
    case 'set': return Array.from({ length: d.size }, (_, x) => x).filter((x) => view.has(x));
    case 'list': return Array.from({ length: view.length }, (_, i) => view.get(i));
    case 'array': return Array.from({ length: d.length }, (_, i) => (isScalar(d.of) ? view.get(i) : readThrough(view.at(i), d.of)));
    case 'record': return Object.fromEntries(Object.entries(d.fields).map(([k, f]) => [k, isScalar(f) ? view[k] : readThrough(view[k], f)]));
    default: throw new Error('scalars are read by their record');
  }
}

describe('every domain packs and unpacks every value it admits (property tests)', () => {
  it('encodeState -> pack -> unpack -> decodeState gives the value back; a slot outside its domain never packs', () => {
    fc.assert(fc.property(caseArb, ([schema, a]) => {
      const L = compileLayout(schema), w = new Int32Array(L.words + 1);
      const slots = expectPackRoundTrip(L, a as Record<string, unknown>);
      for (let k = 0; k < L.slots; k++) {
        const bad = new Int32Array(slots);
        if (L.slotMax[k]! < 2 ** 31 - 1) bad[2 + k] = L.slotMax[k]! + 1;
        else if (L.slotMin[k]! > -(2 ** 31)) bad[2 + k] = L.slotMin[k]! - 1;
        else continue; // a full 32-bit int admits every slot value
        expect(L.pack(bad, 2, w, 1)).toBe(false);
      }
    }), { numRuns: 400 });
  });

  it('a successor written through a view packs like the same value encoded as an initial state, and reads back', () => {
    fc.assert(fc.property(caseArb, ([schema, a, b, picks]) => {
      const it = picks[Symbol.iterator](), pick = (): number => it.next().value as number;
      expectWrittenAsEncoded(compileLayout(schema), a as Record<string, unknown>, b as Record<string, unknown>,
        (n) => writeThrough(n, record(schema), b, pick), (s) => readThrough(s, record(schema)));
    }), { numRuns: 400 });
  });

  it('a whole value stored from another view (n.f = s.f) copies it, even when the two overlap', () => {
    fc.assert(fc.property(caseArb, ([schema, a, b]) => {
      const compound = Object.keys(schema).filter((k) => !isScalar(schema[k]!));
      const { n, s } = storeWhole(compileLayout(schema), a as Record<string, unknown>, b as Record<string, unknown>, compound);
      const want = Object.fromEntries(Object.entries(schema).map(([k, f]) => [k, isScalar(f) ? (b as any)[k] : (a as any)[k]]));
      expect(n).toEqual(want);
      expect(s).toEqual(a);
    }), { numRuns: 200 });
  });
});

// ---------- views cannot be misused at run time ----------

describe('view objects', () => {
  const L = compileLayout({ c: int(0, 3), pc: array(2, enumOf(['a', 'b'])), recs: array(2, record({ q: int(1, 2), on: bool() })), st: setOf(3), l: list(2, int(1, 3)), m: array(2, array(2, bool())) });
  const fresh = () => {
    const root = { b: new Int32Array(L.slots), o: 0 };
    encodeState(L, { c: 1, pc: ['a', 'b'], recs: [{ q: 1, on: false }, { q: 2, on: true }], st: [2], l: [3], m: [[true, false], [false, true]] }, root.b, 0);
    return { root, s: L.makeView(root), n: L.makeWritableView(root) };
  };
  const subViews = (v: any): [string, any][] => [['', v], ['pc', v.pc], ['recs', v.recs], ['recs[1]', v.recs.at(1)], ['st', v.st], ['l', v.l], ['m', v.m], ['m[0]', v.m.at(0)]];
  const thrown = (f: () => void): unknown => { try { f(); } catch (e) { return e; } return null; };

  it('every view is frozen, and a write of a name it does not have throws a ViewError naming the field', () => {
    const { root, s, n } = fresh();
    const before = Array.from(root.b);
    for (const v of [s, n]) {
      for (const [path, sub] of subViews(v)) {
        expect(Object.isFrozen(sub), path).toBe(true);
        const e = thrown(() => { sub.cuont = 1; });
        expect(e, path).toBeInstanceOf(ViewError);
        expect((e as ViewError).field).toBe(path ? `${path}.cuont` : 'cuont');
        expect((e as ViewError).kind).toBe('unknown');
        expect(thrown(() => { sub[0] = 1; }), path).toBeInstanceOf(ViewError);
        expect(sub.cuont, path).toBeUndefined(); // reads of unknown names are not trapped (see the note in schema.ts)
      }
    }
    expect(Array.from(root.b)).toEqual(before);
    expect((thrown(() => { n.pc[1] = 'a'; }) as ViewError).field).toBe('pc[1]');
    // The $-bookkeeping is set only while a view is built: later writes fail (a TypeError here, in strict code).
    expect(thrown(() => { n.$r = { b: new Int32Array(L.slots), o: 0 }; })).toBeInstanceOf(TypeError);
    expect(thrown(() => { n.$other = 1; })).toBeInstanceOf(TypeError);
    expect(n.$other).toBeUndefined();
    n.c = 3;
    expect(root.b[0]).toBe(3);
  });

  it('every write through the view of s throws, and leaves the state as it was', () => {
    const { root, s } = fresh();
    const before = Array.from(root.b);
    const writes: [string, () => void][] = [
      ['c', () => { s.c = 2; }], ['pc[0]', () => s.pc.set(0, 'b')], ['recs[1].q', () => { s.recs.at(1).q = 1; }],
      ['st', () => s.st.add(0)], ['st', () => s.st.delete(2)], ['st', () => s.st.clear()], ['st', () => { s.st.bits = 1; }],
      ['l', () => s.l.push(1)], ['l', () => s.l.shift()], ['l', () => s.l.removeAt(0)], ['l', () => s.l.clear()], ['l[0]', () => s.l.set(0, 1)],
      ['m[1][0]', () => s.m.at(1).set(0, true)], ['pc', () => { s.pc = ['b', 'b']; }], ['recs', () => { s.recs = s.recs; }],
    ];
    for (const [field, w] of writes) {
      const e = thrown(w);
      expect(e, field).toBeInstanceOf(ViewError);
      expect((e as ViewError).kind, field).toBe('input');
      expect((e as ViewError).field).toBe(field);
    }
    expect(Array.from(root.b)).toEqual(before);
    // What only reads still works.
    expect([s.c, s.pc.get(1), s.recs.at(1).on, s.st.has(2), s.st.size, s.l.get(0), s.l.length, s.m.at(1).get(1)]).toEqual([1, 'b', true, true, 1, 3, 1, true]);
  });

  it('lengths and sizes cannot be written', () => {
    const { n } = fresh();
    for (const [field, w] of [['pc.length', () => { n.pc.length = 0; }], ['recs.length', () => { n.recs.length = 0; }], ['l.length', () => { n.l.length = 0; }], ['l.maxLength', () => { n.l.maxLength = 5; }], ['st.size', () => { n.st.size = 0; }], ['st.universe', () => { n.st.universe = 5; }]] as const) {
      const e = thrown(w);
      expect(e, field).toBeInstanceOf(ViewError);
      expect((e as ViewError).kind).toBe('fixed');
      expect((e as ViewError).field).toBe(field);
    }
    expect([n.pc.length, n.l.length, n.l.maxLength, n.st.size, n.st.universe]).toEqual([2, 1, 2, 1, 3]);
  });

  it('a whole value stored into a compound field is checked first: a bad one is a DomainError and changes nothing', () => {
    const { root, n } = fresh();
    const before = Array.from(root.b);
    for (const [v, field] of [[[{ q: 1, on: true }, { q: 3, on: true }], 'recs[1].q'], [[{ q: 1, on: true }], 'recs'], [[{ q: 1 }, { q: 1, on: true }], 'recs[0].on'], [[{ q: 1, on: true, x: 0 }, { q: 1, on: true }], 'recs[0].x'], ['ab', 'recs']] as const) {
      const e = thrown(() => { n.recs = v; });
      expect(e, JSON.stringify(v)).toBeInstanceOf(DomainError);
      expect((e as DomainError).field).toBe(field);
    }
    expect(thrown(() => { n.l = [1, 2, 3]; })).toBeInstanceOf(DomainError);
    expect(thrown(() => { n.st = [3]; })).toBeInstanceOf(DomainError);
    expect(Array.from(root.b)).toEqual(before);
    n.recs = [{ q: 2, on: true }, { q: 1, on: false }]; n.m = [[false, false], [true, true]]; n.l = []; n.st = [0, 1];
    expect(decodeState(L, root.b, 0)).toMatchObject({ recs: [{ q: 2, on: true }, { q: 1, on: false }], m: [[false, false], [true, true]], l: [], st: [0, 1] });
  });
});

describe('what only reads a state gets a read-only view', () => {
  // One model, one reader at a time writing the state it is given.
  const model = (who: string) => defineModel({
    name: 'readers', description: 'a reader writes its state', params: {},
    state: () => ({ x: int(0, 2) }),
    init: () => [{ x: 0 }],
    actions: () => [{ name: 'Inc', actor: 'P', guard: (s) => s.x < 2, effect: (s, n) => { n.x = s.x + 1; } }],
    invariants: () => [invariant('Inv', 'x in range', (s: any) => (who === 'invariant' ? (s.x = 1) : s.x) <= 2)],
    sometimes: () => [sometimes('Top', 'x reaches 2', (s: any) => (who === 'goal' ? (s.x = 2) : s.x) === 2)],
    liveness: () => [eventually('Ends', 'x reaches 2', (s: any) => (who === 'liveness' ? (s.x = 2) : s.x) === 2)],
    deadlock: () => terminalStates('x = 2', (s: any) => (who === 'deadlock' ? (s.x = 2) : s.x) === 2),
    // (Past the initial state: the constraint reads the initial states when the model is compiled; see below.)
    constraint: () => (s: any) => (who === 'constraint' && s.x > 0 ? (s.x = 0) : who === 'constraint-init' ? (s.x = 1) : s.x) <= 2,
  });
  for (const [who, what] of [['invariant', 'invariant Inv'], ['goal', 'goal Top'], ['liveness', 'liveness property Ends'], ['deadlock', 'the deadlock policy'], ['constraint', 'the state constraint']]) {
    it(`${what}: a model error naming it and the field`, async () => {
      const m = model(who!);
      const r = await explore(compileModel(m, resolveParams(m, {})), { workers: 1, progressEveryMs: 1e9 });
      expect(r.error?.message).toBe(`${what} wrote field 'x' of the state it reads (properties, policies and constraints only read the state)`);
    });
  }
  it('the state constraint writing an initial state: a model error when the model is compiled, naming the initial state', () => {
    const m = model('constraint-init');
    expect(() => compileModel(m, resolveParams(m, {}))).toThrow(expect.objectContaining({
      message: "model 'readers': initial state 1: the state constraint wrote field 'x' of the state it reads (properties, policies and constraints only read the state)",
      details: expect.objectContaining({ field: 'x' }),
    }));
  });
  it('none of them writing: the run ends normally', async () => {
    const m = model('none');
    const r = await explore(compileModel(m, resolveParams(m, {})), { workers: 1, progressEveryMs: 1e9 });
    expect(r.error).toBeUndefined();
    expect(r.stats.distinct).toBe(3);
  });
});

describe('views in plain JavaScript: each misuse is a model error (exit 3) naming the action and the field', () => {
  // [mistake, field, message]; the same in strict (ES module) and sloppy (CommonJS) code.
  const cases: [string, string, string][] = [
    ['input', 'count', "action Inc wrote its input state s (field 'count'): write the successor n"],
    ['guard', 'count', "action Inc wrote its input state s (field 'count'): write the successor n"],
    ['nested', 'rec.a', "action Inc wrote its input state s (field 'rec.a'): write the successor n"],
    ['array-input', 'pc[0]', "action Inc wrote its input state s (field 'pc[0]'): write the successor n"],
    ['set-input', 'st', "action Inc wrote its input state s (field 'st'): write the successor n"],
    ['list-input', 'q', "action Inc wrote its input state s (field 'q'): write the successor n"],
    ['record-input', 'rec', "action Inc wrote its input state s (field 'rec'): write the successor n"],
    ['unknown', 'cuont', "action Inc wrote field 'cuont', which the state does not have"],
    ['index', 'pc[1]', "action Inc wrote 'pc[1]', which is not a field (an array view is written with set(i, v))"],
    ['length', 'q.length', "action Inc wrote 'q.length', which cannot be written (a list view is written with push, shift, removeAt or clear)"],
    ['record-missing', 'rec.b', 'action Inc: rec.b is missing'],
    ['record-extra', 'rec.c', 'action Inc: rec has fields not in the schema: c'],
    ['record-domain', 'rec.a', 'action Inc: rec.a := 7 is outside 0..2'],
    ['invariant', 'count', "invariant AtMost3 wrote field 'count' of the state it reads (properties, policies and constraints only read the state)"],
  ];
  for (const file of ['view-misuse.js', 'view-misuse-sloppy.js']) {
    it(`${file}: every mistake, without --debug`, () => {
      for (const [mistake, field, message] of cases) {
        const r = mc('run', fixture(file), '--mistake', mistake, '--json');
        expect(r.code, `${file} --mistake ${mistake}: ${r.stdout}${r.stderr}`).toBe(3);
        expect(r.json.verdict).toBe('error');
        expect(r.json.error.message).toBe(message);
        expect(r.json.error.field).toBe(field);
      }
    });
  }
  it('the sloppy fixture really runs in sloppy mode, where a write to a frozen object is silently ignored', () => {
    expect(mc('show', fixture('view-misuse-sloppy.js')).stdout).toContain('view misuse (sloppy mode)');
    expect(mc('show', fixture('view-misuse.js')).stdout).toContain('view misuse (strict mode)');
  });
  it('the correct model, and whole values stored into compound fields, run to the end', () => {
    for (const file of ['view-misuse.js', 'view-misuse-sloppy.js']) for (const mistake of ['none', 'record-ok']) {
      const r = mc('run', fixture(file), '--mistake', mistake, '--json');
      expect(r.code, `${file} ${mistake}: ${r.stdout}`).toBe(0);
      expect(r.json.stats).toMatchObject({ distinct: 4, generated: 4 });
    }
  });
  it('a TypeScript model that writes s is a model error without --debug too', () => {
    const r = mc('run', fixture('mutates-input.ts'), '--json');
    expect(r.code).toBe(3);
    expect(r.json.error.message).toBe("action Bad wrote its input state s (field 'x'): write the successor n");
  });
  it('the same with two workers', () => {
    const r = mc('run', fixture('view-misuse-sloppy.js'), '--mistake', 'unknown', '--workers', '2', '--parallel-from', '1', '--json');
    expect(r.code).toBe(3);
    expect(r.json.error.message).toBe("action Inc wrote field 'cuont', which the state does not have");
  });
  it('a drop-guard mutant does not discard a misused view as a successor it could not produce', () => {
    // A drop-guard mutant's effect runs where its guard is false, so a successor it cannot produce (it throws,
    // it leaves a domain) is discarded; a misused view is a broken model wherever it happens.
    const r = mc('mutate', fixture('view-misuse.js'), '--mistake', 'unknown', '--auto', '--json');
    const dropGuard = r.json.auto.find((m: { id: string }) => m.id === 'auto:drop-guard:Inc');
    expect(dropGuard).toMatchObject({ verdict: 'error', discarded: 0, message: "action Inc wrote field 'cuont', which the state does not have" });
  });
});

describe("TLA+'s WriteThroughCache, written with whole-record assignments (n.memInt = { p, d })", () => {
  it('gives the published 5,196 distinct states, BFS and DFS', () => {
    for (const strategy of ['bfs', 'dfs']) {
      const r = mc('run', fixture('write-through-cache.js'), '--strategy', strategy, '--json');
      expect(r.code, r.stdout).toBe(0);
      expect(r.json.stats.distinct).toBe(5196);
    }
  });
});

describe('bool slots take only true and false', () => {
  for (const [k, message] of [
    ['f', "action Field: b := \"yes\" (a string) is not a boolean"],
    ['a', 'action Arr: a[0] := 1 (a number) is not a boolean'],
    ['l', 'action List: l[0] := "no" (a string) is not a boolean'],
  ] as const) {
    it(`a truthy non-boolean is a model error, not true (${message})`, () => {
      const r = mcWithEnv({ K: k }, 'run', 'test/fixtures/bool-values.mjs');
      expect(r.code).toBe(3);
      expect(r.stdout).toContain(`MODEL ERROR: ${message}`);
    });
  }
  it('true and false are stored', () => {
    const r = mcWithEnv({ K: 'none' }, 'run', 'test/fixtures/bool-values.mjs', '--json');
    expect(r.code).toBe(0);
  });
});

describe('maps find their keys, and ranks their values, the fast way and the slow way alike', () => {
  const P = scalarset('p', 3), X = tuple([P, int(0, 2)]);
  const L = compileLayout({ page: mapOf(P, record({ n: int(0, 3) })), own: mapOf(P, optional(P)), at: mapOf(int(1, 3), bool()), xs: setOf(X), rs: setOf(record({ n: int(0, 3) })) });
  const fresh = () => {
    const root = { b: new Int32Array(L.slots), o: 0 };
    encodeState(L, { page: { p1: { n: 0 }, p2: { n: 1 }, p3: { n: 2 } }, own: { p1: null, p2: 'p3', p3: 'p1' }, at: { 1: false, 2: true, 3: false }, xs: [], rs: [] }, root.b, 0);
    return { s: L.makeView(root), n: L.makeWritableView(root) };
  };

  it('a key is found by value: the schema\'s own string, one built at run time, or an int; anything else is an error naming the keys', () => {
    const { s, n } = fresh();
    const built = ['p', 'p', 'p'].map((x, i) => `${x}${i + 1}`); // equal strings, not the schema's objects
    expect(built.map((k) => s.page.get(k).n)).toEqual([0, 1, 2]);
    expect(P.values.map((k) => s.own.get(k))).toEqual([null, 'p3', 'p1']);
    n.own.set(built[0]!, built[1]!); n.at.set(3, true);
    expect([s.own.get('p1'), s.at.get(1), s.at.get(2), s.at.get(3)]).toEqual(['p2', false, true, true]);
    expect(() => s.page.get('p4')).toThrow(/page\["p4"\]: .* is not a key \(keys: p1, p2, p3\)/);
    expect(() => s.at.get(1.5)).toThrow(/is not a key/);
    expect(() => s.at.get('1')).toThrow(/is not a key/);
    expect(() => s.own.set('p1', 'p2')).toThrow(ViewError);
  });

  it('a frozen tuple keeps its rank; a view given as a member is ranked by what it holds now, not when first seen', () => {
    const { s, n } = fresh();
    const x = Object.freeze(['p2', 1] as const);
    n.xs.add(x);
    expect([s.xs.has(x), s.xs.has(['p2', 1]), s.xs.has(Object.freeze(['p2', 2])), s.xs.has(['p2', 2])]).toEqual([true, true, false, false]);
    // A view is frozen too, and re-pointed or written under it: its rank must follow its contents.
    n.rs.add({ n: 1 });
    const v = s.page.get('p2');
    expect(s.rs.has(v)).toBe(true);
    n.page.get('p2').n = 3;
    expect(s.rs.has(v)).toBe(false);
    // The same through a frozen array holding a view (a tuple of a record): not kept either.
    const T = compileLayout({ r: record({ n: int(0, 3) }), ts: setOf(tuple([record({ n: int(0, 3) }), int(0, 1)])) });
    const root = { b: new Int32Array(T.slots), o: 0 };
    encodeState(T, { r: { n: 0 }, ts: [[{ n: 0 }, 1]] }, root.b, 0);
    const ts = T.makeView(root), tn = T.makeWritableView(root), pair = Object.freeze([ts.r, 1]);
    expect(ts.ts.has(pair)).toBe(true);
    tn.r.n = 2;
    expect(ts.ts.has(pair)).toBe(false);
    // A decoded member read back from the set is ranked as the member it is.
    for (const m of s.xs) expect(s.xs.has(m)).toBe(true);
  });

  it('iterating a set walks the members it has now, in rank order; deleting while iterating walks what it had', () => {
    const { s, n } = fresh();
    n.xs.add(['p3', 0]); n.xs.add(['p1', 2]); n.xs.add(['p2', 1]);
    expect([...s.xs]).toEqual([['p1', 2], ['p2', 1], ['p3', 0]]);
    const seen: unknown[] = [];
    for (const x of n.xs) { seen.push(x); n.xs.delete(x as readonly ['p1', number]); }
    expect([seen.length, s.xs.size, [...s.xs]]).toEqual([3, 0, []]);
    n.xs.add(['p2', 1]);
    expect([...s.xs]).toEqual([['p2', 1]]);
    // toArray is the caller's own array, not the one iteration shares.
    const a = s.xs.toArray();
    a.push('x');
    expect([...s.xs]).toEqual([['p2', 1]]);
  });
});
