// Issue 26: every domain packs what it admits, and views cannot be misused at run time.
// CLI tests run the built binary (npm run build first).
import { describe, expect, it } from 'vitest';
import { Expander } from '../src/explorer/expand.js';
import { compileModel, ModelError, resolveParams } from '../src/explorer/model.js';
import { array, bool, compileLayout, decodeState, DomainError, encodeState, enumOf, int, list, record, setOf, ViewError } from '../src/explorer/schema.js';
import listLeast from './fixtures/list-least.js';
import { fixture, mc } from './helpers.js';

describe('lists of ints whose range excludes 0', () => {
  it('an unused slot holds the least value, so encoded and view-written lists pack and unpack', () => {
    const L = compileLayout({ l: list(3, int(1, 3)), m: list(2, int(-5, -2)) });
    const src = new Int32Array(L.slots), w = new Int32Array(L.words), back = new Int32Array(L.slots);
    encodeState(L, { l: [2], m: [] }, src, 0);
    expect(Array.from(src)).toEqual([1, 2, 1, 1, 0, -5, -5]);
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
    expect(() => x.packScratch('initial state 1')).toThrow(/initial state 1 left a domain: l = 0 is element outside its domain/);
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
  for (const file of ['view-misuse.js', 'view-misuse.cjs']) {
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
  it('the CommonJS fixture really runs in sloppy mode, where a write to a frozen object is silently ignored', async () => {
    const { createRequire } = await import('node:module');
    const m = createRequire(import.meta.url)('./fixtures/view-misuse.cjs');
    expect(m.def.description).toBe('view misuse (sloppy mode)');
    expect(m.def.name).toBe('view-misuse');
  });
  it('the correct model, and whole values stored into compound fields, run to the end', () => {
    for (const file of ['view-misuse.js', 'view-misuse.cjs']) for (const mistake of ['none', 'record-ok']) {
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
    const r = mc('run', fixture('view-misuse.cjs'), '--mistake', 'unknown', '--workers', '2', '--parallel-from', '1', '--json');
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
