// Symmetry reduction (issue 30): one state per orbit of the scalarsets a model declares. What must hold:
// `represented` is the unreduced distinct count; verdicts, violated properties and counterexample lengths
// are the same with and without symmetry; counterexamples are concrete (mc replay re-executes them); a
// property or an action that singles out a scalarset value is a model error, never a wrong verdict.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel, defineModel, ModelError, resolveParams, type Model } from '../src/explorer/model.js';
import { explore, type SearchOptions } from '../src/explorer/search.js';
import { enumOf, int, list, mapOf, optional, record, scalarset, setOf, tuple } from '../src/explorer/schema.js';
import { Symmetry, scalarsetsOf, symmetryOf } from '../src/explorer/symmetry.js';
import { runModel } from 'mc-checker';
import twophase from './oracles/twophase.js';
import { fixture, mc } from './helpers.js';
import { builtinModels } from '../src/models/index.js';
import { readGolden } from '../src/explorer/golden.js';

const run = (m: Model, params: Record<string, unknown>, o: Partial<SearchOptions> = {}, mutant: string | null = null) =>
  explore(compileModel(m, resolveParams(m, params), mutant), o);

describe('TwoPhase with the RMs a scalarset (TLC: Permutations(RM))', () => {
  // TLC's published counts without symmetry (test/oracles/twophase.ts).
  for (const [rm, published] of [[3, 288], [4, 1568], [5, 8832]] as const) {
    it(`RM=${rm}: represented is the published ${published}, from fewer representatives, and --no-symmetry finds them all`, async () => {
      const sym = await run(twophase, { rm, symmetric: true });
      const all = await run(twophase, { rm, symmetric: true }, { symmetry: false });
      expect(sym.verdict).toBe('ok');
      expect(sym.stats.represented).toBe(published);
      expect(sym.stats.distinct).toBeLessThan(published);
      expect(sym.stats.symmetry).toEqual({ scalarsets: { r: rm }, permutations: [6, 24, 120][rm - 3] });
      expect(all.stats.distinct).toBe(published);
      expect(all.stats.represented).toBeUndefined();
      expect(sym.stats.depth).toBe(all.stats.depth);
    });
  }
  it('the seeded bug: the same property, a counterexample as long, and a concrete one (each step re-executes)', async () => {
    const sym = await run(twophase, { rm: 3, symmetric: true }, {}, 'commit-unprepared');
    const all = await run(twophase, { rm: 3, symmetric: true }, { symmetry: false }, 'commit-unprepared');
    expect(sym.violations[0]!.property).toBe('TCConsistent');
    expect(sym.violations[0]!.property).toBe(all.violations[0]!.property);
    expect(sym.violations[0]!.trace.length).toBe(all.violations[0]!.trace.length);
    const dir = mkdtempSync(join(tmpdir(), 'mc-sym-'));
    const out = mc('run', 'dist/test/oracles/twophase.js', '--symmetric', '--mutant', 'commit-unprepared', '--trace-out', join(dir, 't.json'));
    expect(out.code).toBe(1);
    const replay = mc('replay', join(dir, 't.json'));
    expect(replay.stdout).toMatch(/^Verdict: the trace re-executes and ends in a violation of TCConsistent/m);
    expect(replay.code).toBe(1);
  });
  it('depth-first search keeps one state per orbit too, and represents every state', async () => {
    const r = await run(twophase, { rm: 4, symmetric: true }, { strategy: 'dfs' });
    expect(r.stats.represented).toBe(1568);
  });
  it('the parallel search gives the same figures for any number of workers', async () => {
    const one = await runModel('dist/test/oracles/twophase.js', { params: { rm: 5, symmetric: true }, workers: 1 });
    const two = await runModel('dist/test/oracles/twophase.js', { params: { rm: 5, symmetric: true }, workers: 2, parallelFrom: 20 });
    expect(two.stats.workers).toBe(2);
    for (const k of ['distinct', 'generated', 'depth', 'represented'] as const) expect(two.stats[k]).toBe(one.stats[k]);
    expect(one.stats.represented).toBe(8832);
  });
  it('mc run says so in text and JSON (stats.represented), and not without symmetry', () => {
    const text = mc('run', 'dist/test/oracles/twophase.js', '--symmetric');
    expect(text.stdout).toMatch(/^ {2}states {4}80 distinct \(orbit representatives\)/m);
    expect(text.stdout).toMatch(/^ {2}symmetry {2}288 states represented; scalarsets r: 3 \(6 permutations/m);
    const json = mc('run', 'dist/test/oracles/twophase.js', '--symmetric', '--json');
    expect(json.json.stats.represented).toBe(288);
    expect(json.json.stats.distinct).toBe(80);
    const off = mc('run', 'dist/test/oracles/twophase.js', '--symmetric', '--no-symmetry', '--json');
    expect(off.json.stats.distinct).toBe(288);
    expect(off.json.stats.represented).toBeUndefined();
  });
});

describe('liveness over representatives', () => {
  const mutex = fixture('sym-mutex.ts');
  for (const n of [3, 4]) {
    it(`N=${n}: LockFree holds under fairness of Exit, as without symmetry; represented is the full count`, () => {
      const sym = mc('run', mutex, '--n', String(n), '--json'), all = mc('run', mutex, '--n', String(n), '--no-symmetry', '--json');
      expect(sym.json.verdict).toBe('ok');
      expect(sym.json.liveness).toEqual([{ name: 'LockFree', status: 'holds' }]);
      expect(all.json.liveness).toEqual([{ name: 'LockFree', status: 'holds' }]);
      expect(sym.json.stats.represented).toBe(all.json.stats.distinct);
      expect(sym.json.stats.distinct).toBeLessThan(all.json.stats.distinct);
    });
    it(`N=${n}: without Exit's fairness the lasso is as long as without symmetry, and replays`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'mc-sym-'));
      const sym = mc('run', mutex, '--n', String(n), '--mutant', 'exit-unfair', '--json');
      const all = mc('run', mutex, '--n', String(n), '--mutant', 'exit-unfair', '--no-symmetry', '--json');
      expect(sym.json.violations[0].property).toBe('LockFree');
      expect(sym.json.violations[0].trace.length).toBe(all.json.violations[0].trace.length);
      mc('run', mutex, '--n', String(n), '--mutant', 'exit-unfair', '--trace-out', join(dir, 'l.json'));
      const replay = mc('replay', join(dir, 'l.json'));
      expect(replay.stdout).toMatch(/the cycle closes/);
      expect(replay.stdout).toMatch(/^Verdict: the trace re-executes and ends in a violation of LockFree/m);
    });
  }
  it('fairness of each instance is checked under symmetry too (test/symmetry-liveness.test.ts has the cases)', () => {
    expect(mc('run', mutex, '--per-instance', '--json').json.liveness).toEqual([{ name: 'LockFree', status: 'holds' }]);
    expect(mc('run', mutex, '--per-instance', '--no-symmetry', '--json').json.liveness).toEqual([{ name: 'LockFree', status: 'holds' }]);
  });
});

describe('symmetry is audited, never assumed', () => {
  const mutex = fixture('sym-mutex.ts');
  it('an invariant that singles out a value is a model error naming it (exit 3), with a trace', () => {
    const r = mc('run', mutex, '--single-out', '--json');
    expect(r.code).toBe(3);
    expect(r.json.error.message).toMatch(/^invariant FirstNeverCritical is not symmetric in the scalarsets: .* run with --no-symmetry/);
    expect(r.json.error.trace.length).toBeGreaterThan(1);
    // Without symmetry it is checked as it is: p1 does become critical.
    expect(mc('run', mutex, '--single-out', '--no-symmetry', '--json').json.violations[0].property).toBe('FirstNeverCritical');
  });
  for (const [how, extra] of [['one thread', []], ['two workers', ['--workers', '2', '--parallel-from', '1', '--no-liveness']], ['depth-first', ['--strategy', 'dfs']]] as const) {
    it(`an action that favours one value is a model error (exit 3), for N = 3 to 5 (${how})`, () => {
      for (const n of ['3', '4', '5']) {
        const r = mc('run', mutex, '--favour', '--n', n, ...extra, '--json');
        expect(r.code, `N=${n}`).toBe(3);
        expect(r.json.error.message).toMatch(/^the actions are not symmetric in the scalarsets/);
      }
    });
  }
  it('--symmetry-audit full finds it too', () => {
    expect(mc('run', mutex, '--favour', '--symmetry-audit', 'full', '--json').json.error.message).toMatch(/^the actions are not symmetric/);
    expect(mc('run', mutex, '--symmetry-audit', 'full', '--json').json.verdict).toBe('ok');
  });
  it('a bad --symmetry-audit is a usage error (exit 2)', () => {
    const r = mc('run', mutex, '--symmetry-audit', 'some');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--symmetry-audit/);
  });
});

describe('the group acts on every kind of value', () => {
  // One of each place a scalarset value can sit: a map key, a field, an optional, a tuple, a set, a list.
  const P = scalarset('p', 3);
  const m = defineModel({
    name: 'places', description: 'scalarset values everywhere',
    state: () => ({ owner: mapOf(P, optional(P)), pair: optional(tuple([P, int(0, 1)])), seen: setOf(P), order: list(3, P), rec: optional(record({ who: P, tag: enumOf(['a', 'b']) })) }),
    init: () => [{ owner: [null, null, null], pair: null, seen: [], order: [], rec: null }],
    actions: (_p, { action }) => [
      action({ name: 'Give', actor: 'x', over: tuple([P, P]), guard: (s, [a]) => s.owner.get(a) === null, effect: (_s, n, [a, b]) => { n.owner.set(a, b); } }),
      action({ name: 'See', actor: 'x', over: P, guard: (s, q) => !s.seen.has(q), effect: (s, n, q) => { n.seen.add(q); if (s.order.length < 3) n.order.push(q); n.pair = [q, 1]; n.rec = { who: q, tag: 'b' }; } }),
    ],
  });
  it('represented equals the unreduced count, and the canonical form is one per orbit', async () => {
    const sym = await explore(compileModel(m, {}));
    const all = await explore(compileModel(m, {}), { symmetry: false });
    expect(sym.stats.represented).toBe(all.stats.distinct);
    expect(sym.stats.distinct).toBeLessThan(all.stats.distinct);
  });
  it('applying an element then its inverse gives the state back, and canonicalizing twice changes nothing', () => {
    const c = compileModel(m, {}), s = c.symmetry!;
    expect(s).toBeInstanceOf(Symmetry);
    expect(s.order).toBe(6);
    const st = new Int32Array(c.layout.slots); st.set(c.inits.subarray(0, c.layout.slots));
    const once = new Int32Array(st.length), twice = new Int32Array(st.length);
    s.canonicalize(st, 0, once); s.canonicalize(once, 0, twice);
    expect([...twice]).toEqual([...once]);
  });
  it('initial states that name a value are a model error, unless every relabelling is one too', () => {
    const start = (inits: string[]) => defineModel({ name: 'start', description: '', state: () => ({ a: P }), init: () => inits.map((a) => ({ a })), actions: () => [] });
    expect(() => compileModel(start(['p1']), {})).toThrow(/the initial states are not symmetric in the scalarsets: initial state 1 with its values relabelled \(p1 ↔ p2\) is not an initial state/);
    expect(compileModel(start(['p1', 'p2', 'p3']), {}).symmetry).not.toBeNull();
    expect(compileModel(start(['p1']), {}, null, { symmetry: false }).symmetry).toBeNull();
  });
  it('a model without scalarsets has no symmetry', () => {
    expect(compileModel(twophase, resolveParams(twophase, {})).symmetry).toBeNull();
    expect(symmetryOf(compileModel(twophase, resolveParams(twophase, {})).layout)).toBeNull();
  });
  it('one name, one size: a scalarset declared twice with different sizes is a model error', () => {
    const bad = defineModel({ name: 'bad', description: '', state: () => ({ a: scalarset('p', 2), b: scalarset('p', 3) }), init: () => [{ a: 'p1', b: 'p1' }], actions: () => [] });
    expect(() => compileModel(bad, {})).toThrow(ModelError);
    expect(() => compileModel(bad, {})).toThrow("scalarset 'p' is declared with 2 and with 3 values");
    expect(scalarsetsOf(scalarset('q', 4))).toEqual(new Map([['q', 4]]));
  });
  it('a group too large to try for each state is a model error that says what to do', () => {
    const big = defineModel({ name: 'big', description: '', state: () => ({ a: scalarset('p', 8) }), init: () => [{ a: 'p1' }], actions: () => [] });
    expect(() => compileModel(big, {})).toThrow(/more than 5040 permutations.*--no-symmetry/);
    expect(compileModel(big, {}, null, { symmetry: false }).symmetry).toBeNull();
  });
});

describe('every shipped model that declares symmetry', () => {
  // Configurations small enough to search without symmetry in a test (the golden file keeps the rest).
  const SMALL = 300_000;
  const symmetric = builtinModels.filter((m) => (m.def.ci ?? []).some((cfg) => cfg.symmetry !== false && compileModel(m, resolveParams(m, cfg.params as Record<string, unknown>)).symmetry !== null));
  it('is found (the list is not empty once a shipped model declares a scalarset)', () => {
    expect(symmetric.map((m) => m.name)).toEqual(builtinModels.filter((m) => compileModel(m, resolveParams(m, {})).symmetry !== null).map((m) => m.name));
  });
  for (const m of symmetric) {
    const golden = readGolden(m.def.goldenFile);
    for (const cfg of (m.def.ci ?? []).filter((x) => x.symmetry !== false)) {
      const g = golden[cfg.name];
      if (g?.represented === undefined || g.represented > SMALL) continue;
      it(`${m.name} ${cfg.name}: represented is the distinct count without symmetry, and the verdict is the same`, async () => {
        const params = cfg.params as Record<string, unknown>;
        const sym = await run(m, params, { stopOn: 'never' }), all = await run(m, params, { symmetry: false, stopOn: 'never' });
        expect(sym.stats.represented).toBe(all.stats.distinct);
        expect(sym.verdict).toBe(all.verdict);
      });
    }
    for (const mu of m.def.mutants ?? []) {
      it(`${m.name} mutant ${mu.id}: the same verdict, property and counterexample length with and without symmetry`, async () => {
        const sym = await run(m, mu.params ?? {}, {}, mu.id), all = await run(m, mu.params ?? {}, { symmetry: false }, mu.id);
        expect(sym.verdict).toBe(all.verdict);
        expect(sym.violations.map((v) => v.property)).toEqual(all.violations.map((v) => v.property));
        expect(sym.violations.map((v) => v.trace.length)).toEqual(all.violations.map((v) => v.trace.length));
      });
    }
  }
});

describe('mc show', () => {
  it('names the scalarsets and the number of permutations (text and mc.show/1), and null without', () => {
    expect(mc('show', fixture('sym-mutex.ts')).stdout).toMatch(/^Symmetry: scalarsets p: 3 \(6 permutations\); runs keep one state per orbit/m);
    expect(mc('show', fixture('sym-mutex.ts'), '--json').json.symmetry).toEqual({ scalarsets: { p: 3 }, permutations: 6 });
    expect(mc('show', 'dist/test/oracles/twophase.js', '--json').json.symmetry).toBeNull();
  });
});
