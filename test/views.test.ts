// Issue 26: every domain packs what it admits, and views cannot be misused at run time.
// CLI tests run the built binary (npm run build first).
import { describe, expect, it } from 'vitest';
import { Expander } from '../src/explorer/expand.js';
import { compileModel, ModelError, resolveParams } from '../src/explorer/model.js';
import { compileLayout, decodeState, encodeState, int, list } from '../src/explorer/schema.js';
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
    const n = L.makeView(root);
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
