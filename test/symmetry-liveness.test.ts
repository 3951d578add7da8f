// Liveness under symmetry with fairness of single instances, of actors, and with property families
// (liveness-annotated.ts): the verdicts over orbit representatives must be the verdicts of the search
// without symmetry, and a counterexample is that search's own. sym-token is built so that a check ignoring
// the permutation on each edge gets Breaks wrong (over representatives the holder is always p1).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModel, defineModel, resolveParams, type Model } from '../src/explorer/model.js';
import { explore, type SearchResult } from '../src/explorer/search.js';
import { enumOf, mapOf, scalarset } from '../src/explorer/schema.js';
import { alwaysEventually, forEach, leadsTo, WF } from '../src/invariants/index.js';
import { fixture, mc } from './helpers.js';
import token from './fixtures/sym-token.js';
import mutex from './fixtures/sym-mutex.js';

const run = (m: Model, params: Record<string, unknown>, symmetry: boolean, mutant: string | null = null): Promise<SearchResult> =>
  explore(compileModel(m, resolveParams(m, params), mutant), { symmetry, stopOn: 'never' });

/** What must not depend on symmetry: the verdict, each property's status, and each violation's trace. */
const outcome = (r: SearchResult) => ({
  verdict: r.verdict, liveness: r.liveness,
  violations: r.violations.map((v) => ({ property: v.property, actions: v.trace.map((s) => s.action), loopStart: v.loopStart, stutter: v.stutter })),
});

async function same(m: Model, params: Record<string, unknown>, mutant: string | null = null): Promise<SearchResult> {
  const sym = await run(m, params, true, mutant), all = await run(m, params, false, mutant);
  expect(outcome(sym)).toEqual(outcome(all));
  expect(sym.stats.represented).toBe(all.stats.distinct);
  expect(sym.stats.distinct).toBeLessThan(all.stats.distinct);
  return sym;
}

describe('sym-token: a fair cycle of the model goes round a cycle of representatives under a permutation', () => {
  for (const n of [2, 3, 4]) {
    it(`N=${n}, WF of each Pass(i, j): Breaks fails (the unbroken fair cycle), HoldsOften(p) holds for every p, as without symmetry`, async () => {
      const r = await same(token, { n, fairness: 'each' });
      expect(r.liveness.find((l) => l.name === 'Breaks')!.status).toBe('violated');
      expect(r.liveness.filter((l) => l.name.startsWith('HoldsOften(')).map((l) => l.status)).toEqual(Array(n).fill('holds'));
    });
    for (const fairness of ['whole', 'actor', 'none']) {
      it(`N=${n}, fairness ${fairness}: the same verdicts and counterexamples as without symmetry`, async () => { await same(token, { n, fairness }); });
    }
  }
  it('fairness of p1 alone is not closed under the group: liveness is not checked, and the report says why and what to do', async () => {
    const r = await run(token, { n: 3, fairness: 'first' }, true);
    expect(r.liveness.map((l) => l.status)).toEqual(Array(4).fill('not-checked'));
    expect(r.liveness[0]!.reason).toMatch(/fairness assumption WF\(p1\.\*\) relabelled \(p1 ↔ p2\) is none of its assumptions.*--no-symmetry/);
    expect((await run(token, { n: 3, fairness: 'first' }, false)).liveness[0]!.status).toBe('violated');
  });
});

describe('sym-mutex: the Served family under each kind of fairness', () => {
  for (const served of ['strong-each', 'weak-each', 'strong-all', 'actor']) {
    for (const stubborn of [false, true]) {
      it(`--served ${served}${stubborn ? ' --stubborn' : ''}: the same verdicts and counterexamples as without symmetry`, async () => {
        const r = await same(mutex, { n: 3, served, stubborn, perInstance: true });
        // Only the fairness that treats each process on its own, with no giving up, serves everyone.
        expect(r.verdict).toBe(stubborn && (served === 'strong-each' || served === 'actor') ? 'ok' : 'violation');
      });
    }
  }
  it('the exit-unfair mutant: LockFree fails the same way', async () => {
    const r = await same(mutex, { n: 3, served: 'strong-each' }, 'exit-unfair');
    expect(r.violations.map((v) => v.property)).toContain('LockFree');
  });
});

describe('property families', () => {
  const Q = scalarset('q', 3);
  const model = (family: boolean) => defineModel({
    name: 'fam', description: 'three flags, each set and cleared', params: {},
    state: () => ({ flag: mapOf(Q, enumOf(['off', 'on'])) }),
    init: () => [{ flag: ['off', 'off', 'off'] as const }],
    actions: (_p, { action }) => [
      action({ name: 'Set', actor: (q) => q, over: Q, guard: (s, q) => s.flag.get(q) === 'off', effect: (_s, n, q) => { n.flag.set(q, 'on'); } }),
      action({ name: 'Clear', actor: (q) => q, over: Q, guard: (s, q) => s.flag.get(q) === 'on', effect: (_s, n, q) => { n.flag.set(q, 'off'); } }),
    ],
    liveness: () => family
      ? forEach(Q, (q) => alwaysEventually('Cleared', 'q is off infinitely often', (s) => s.flag.get(q) === 'off', { fairness: [WF({ action: 'Clear', each: true })] }))
      : [alwaysEventually('Cleared(q1)', 'q1 alone', (s) => s.flag.get('q1') === 'off', { fairness: [WF({ action: 'Clear', each: true })] })],
  });
  it('forEach names one member per value, and the family checks under symmetry as without', async () => {
    const r = await same(model(true), {});
    expect(r.liveness).toEqual(['q1', 'q2', 'q3'].map((q) => ({ name: `Cleared(${q})`, status: 'holds' })));
  });
  it('one member alone singles a value out: the audit stops with a model error that says to use forEach', async () => {
    const r = await run(model(false), {}, true);
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/^liveness property Cleared\(q1\) is not symmetric in the scalarsets: .*forEach/);
  });
  it('a goal that singles a value out is a model error before it is reached (reached goals are no longer audited)', async () => {
    const m = defineModel({
      name: 'goal', description: 'three flags, and a goal about q1', params: {},
      state: () => ({ flag: mapOf(Q, enumOf(['off', 'on'])) }),
      init: () => [{ flag: ['off', 'off', 'off'] as const }],
      actions: (_p, { action }) => [action({ name: 'Set', actor: (q) => q, over: Q, guard: (s, q) => s.flag.get(q) === 'off', effect: (_s, n, q) => { n.flag.set(q, 'on'); } })],
      sometimes: (_p, { sometimes }) => [sometimes('FirstAlone', 'q1 alone is on', (s) => s.flag.get('q1') === 'on' && s.flag.get('q2') === 'off' && s.flag.get('q3') === 'off')],
      deadlock: () => 'allowed',
    });
    const r = await run(m, {}, true);
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/^goal FirstAlone is not symmetric in the scalarsets/);
    expect((await run(m, {}, false)).goals[0]!.reached).toBe(true);
  });
  it('a family member whose sibling disagrees is a model error too', async () => {
    const m = defineModel({
      name: 'fam2', description: 'one flag per value, and a family that reads the wrong one', params: {},
      state: () => ({ flag: mapOf(Q, enumOf(['off', 'on'])) }),
      init: () => [{ flag: ['off', 'off', 'off'] as const }],
      actions: (_p, { action }) => [action({ name: 'Set', actor: (q) => q, over: Q, guard: (s, q) => s.flag.get(q) === 'off', effect: (_s, n, q) => { n.flag.set(q, 'on'); } })],
      liveness: () => forEach(Q, (q) => leadsTo('On', 'q is set, reading q1 for q2', (s) => s.flag.get(q === 'q2' ? 'q1' : q) === 'off', (s) => s.flag.get(q) === 'on', { fairness: [WF({ action: 'Set', each: true })] })),
    });
    const r = await run(m, {}, true);
    expect(r.verdict).toBe('error');
    expect(r.error!.message).toMatch(/^liveness property On\(q\d\) \(its trigger\) is not symmetric in the scalarsets: .*\(there liveness property On\(q\d\) \(its trigger\) stands for it\)/);
  });
});

describe('on the command line', () => {
  it('a mutant may name a family in kills: any member kills it, with and without symmetry', () => {
    for (const extra of [[], ['--no-symmetry']]) {
      const r = mc('mutate', fixture('sym-token.ts'), '--json', ...extra);
      expect(r.code).toBe(0);
      expect(r.json.mutants[0]).toMatchObject({ id: 'unfair', verdict: 'killed', fired: 'HoldsOften(p1)' });
    }
  });
  it('the counterexample is the search without symmetry\'s, says so, and replays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-symlive-'));
    const sym = mc('run', fixture('sym-token.ts'), '--n', '3', '--trace-out', join(dir, 't.json'), '--json');
    const all = mc('run', fixture('sym-token.ts'), '--n', '3', '--no-symmetry', '--json');
    expect(sym.code).toBe(1);
    expect(sym.json.violations[0].trace).toEqual(all.json.violations[0].trace);
    expect(sym.json.notes.join('\n')).toMatch(/counterexample of Breaks is from the same search without symmetry \(7 states\)/);
    expect(mc('replay', join(dir, 't.json')).stdout).toMatch(/^Verdict: the trace re-executes and ends in a violation of Breaks/m);
  });
});
