// Step properties, step(name, description, (s, n, action) => boolean): checked on every step the search
// takes, a false one is a violation whose trace ends with that step, a throwing one a model error naming
// it, and they take part where invariants do (properties, mutants, replay, declarations).
// Their determinism over worker counts is in parallel.test.ts.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, mc } from './helpers.js';
import { compileModel, defineModel, ModelError, resolveParams } from '../src/explorer/model.js';
import { explore } from '../src/explorer/search.js';
import { int } from '../src/explorer/schema.js';
import stepCounter from './fixtures/step-counter.js';

const COUNTER = fixture('step-counter.ts');

describe('a false step property', () => {
  it('is a violation (exit 1) whose trace ends with the offending step, a shortest one in BFS', () => {
    const r = mc('run', COUNTER, '--json');
    expect(r.code, r.stderr).toBe(1);
    expect(r.json.violation).toMatchObject({ property: 'XByOne', kind: 'step', description: 'x grows by at most one per step' });
    const trace = r.json.violation.trace;
    expect(trace.map((s: { action: string | null }) => s.action)).toEqual([null, 'IncX', 'IncY', 'IncY', 'Jump']);
    expect(trace[4].changes).toEqual([{ field: 'x', from: '1', to: '3' }]);
    expect(trace[4].state).toEqual({ x: 3, y: 2, z: 0 });
    expect(r.json.properties).toEqual(expect.arrayContaining([{ name: 'XByOne', kind: 'step', status: 'violated' }]));
  });

  it('says so in text, naming the step that violates it', () => {
    const r = mc('run', COUNTER);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VIOLATION of step property XByOne: x grows by at most one per step');
    expect(r.stdout).toContain('Counterexample (5 states, a shortest one; the last step is the one that violates it):');
    expect(r.stdout).toMatch(/│ XByOne +│ step +│ violated +│/);
  });

  it('is found by DFS and by random walks too, each trace ending with a Jump from x = 1', () => {
    for (const strategy of ['dfs', 'random']) {
      const r = mc('run', COUNTER, '--strategy', strategy, '--json');
      expect(r.code, r.stderr).toBe(1);
      const trace = r.json.violation.trace;
      expect(r.json.violation.property).toBe('XByOne');
      expect(trace[trace.length - 1]).toMatchObject({ action: 'Jump', changes: [{ field: 'x', from: '1', to: '3' }] });
    }
  });

  it('is checked on steps to states already visited (as TLC checks action properties)', () => {
    // Jump(x: 1 → 3) from (1, y, z) reaches (3, y, z), which IncX found first (in the same level or before):
    // with --continue every Jump is such a step, and the violation is still reported.
    const m = defineModel({
      name: 'revisit', description: 'the bad step leads to a state found before', params: {},
      state: () => ({ x: int(0, 3) }),
      init: () => [{ x: 0 }],
      actions: (_p, { action }) => [
        action({ name: 'Inc', actor: 'P', guard: (s) => s.x < 3, effect: (s, n) => { n.x = s.x + 1; } }),
        action({ name: 'Back', actor: 'P', guard: (s) => s.x === 3, effect: (_s, n) => { n.x = 0; } }),
      ],
      steps: (_p, { step }) => [step('NoWrap', 'x never goes back to 0', (s, n) => !(s.x > 0 && n.x === 0))],
      deadlock: () => 'allowed',
    });
    return explore(compileModel(m, {}), {}).then((r) => {
      expect(r.stats.distinct).toBe(4);
      expect(r.violations.map((v) => [v.property, v.trace.map((t) => t.state.x)])).toEqual([['NoWrap', [0, 1, 2, 3, 0]]]);
    });
  });
});

describe('step properties that hold', () => {
  it('every one holds on the correct model, and the verdict says so', () => {
    const r = mc('run', COUNTER, '--bug', 'false');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Verdict: OK: every invariant holds in all 125 reachable states, and every step property on every step between them');
    const j = mc('run', COUNTER, '--bug', 'false', '--json').json;
    expect(j.properties.filter((p: { kind: string }) => p.kind === 'step')).toEqual([
      { name: 'XByOne', kind: 'step', status: 'holds' }, { name: 'Monotone', kind: 'step', status: 'holds' }, { name: 'Calm', kind: 'step', status: 'holds' },
    ]);
  });

  it('are told the action instance: its name, declared name, actor and argument', async () => {
    const seen = new Set<string>();
    const m = defineModel({
      name: 'told', description: 'records what step properties are told', params: {},
      state: () => ({ x: int(0, 2) }),
      init: () => [{ x: 0 }],
      actions: (_p, { action }) => [action({ name: 'Add', actor: (d) => `P${d}`, over: [1, 2], guard: (s, d) => s.x + d <= 2, effect: (s, n, d) => { n.x = s.x + d; } })],
      steps: (_p, { step }) => [step('Told', 'records', (s, n, a) => { seen.add(`${a.name} ${a.base} ${a.actor} ${String(a.arg)}`); return Object.isFrozen(a) && n.x === s.x + (a.arg as number); })],
      deadlock: () => 'allowed',
    });
    const r = await explore(compileModel(m, {}), {});
    expect(r.verdict).toBe('ok');
    expect([...seen].sort()).toEqual(['Add(1) Add P1 1', 'Add(2) Add P2 2']);
  });

  it('shipped-style: the tour model (every construct) holds, and mc show lists its step property', () => {
    const r = mc('run', 'examples/tour.ts', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.properties).toEqual(expect.arrayContaining([{ name: 'QueueLeavesByTake', kind: 'step', status: 'holds' }]));
    expect(mc('show', 'examples/tour.ts').stdout).toMatch(/QueueLeavesByTake +│ step +│/);
  });
});

describe('a step property that misbehaves is a model error (exit 3) naming it', () => {
  it('one that throws: the trace ends with the step it threw on', () => {
    const r = mc('run', COUNTER, '--fail', 'throws', '--json');
    expect(r.code).toBe(3);
    expect(r.json.error.message).toBe('step property Calm threw: calm lost at 2,0,2');
    const trace = r.json.error.trace;
    expect(trace[trace.length - 1]).toMatchObject({ action: 'IncZ', state: { x: 2, y: 0, z: 2 } });
    expect(mc('run', COUNTER, '--fail', 'throws', '--strategy', 'dfs').stdout).toContain('MODEL ERROR: step property Calm threw: calm lost at');
  });

  it('one that writes the successor n (read-only to it)', () => {
    const r = mc('run', COUNTER, '--fail', 'writes');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("MODEL ERROR: step property Calm wrote field 'x' of the state it reads (properties, policies and constraints only read the state)");
  });
});

describe('step properties where invariants take part', () => {
  it('mc mutate: a mutant killed by a step property, and the kill matrix has a column for each', () => {
    const r = mc('mutate', COUNTER, '--bug', 'false', '--matrix', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.mutants).toEqual([expect.objectContaining({ id: 'jump', expected: ['XByOne'], fired: 'XByOne', traceLength: 5, verdict: 'killed' })]);
    expect(r.json.matrix.properties).toEqual(['Bounded', 'XByOne', 'Monotone', 'Calm']);
    expect(r.json.matrix.killers.XByOne).toEqual(['jump']);
  });

  it('mc replay: a replayed trace reports the step property its last step violates', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mc-steps-')), 'trace.json');
    expect(mc('run', COUNTER, '--trace-out', file).code).toBe(1);
    expect(JSON.parse(readFileSync(file, 'utf8')).property).toBe('XByOne');
    const r = mc('replay', file, '--json');
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: true, violated: ['XByOne'], recordedProperty: 'XByOne' });
    expect(mc('replay', file).stdout).toContain('Verdict: the trace re-executes and ends in a violation of XByOne');
  });

  it('mc show and mc list --json list them', () => {
    const r = mc('show', COUNTER, '--json');
    expect(r.json.steps).toEqual([
      { name: 'XByOne', description: 'x grows by at most one per step' },
      { name: 'Monotone', description: 'no counter ever decreases' },
      { name: 'Calm', description: 'holds (or misbehaves, with --fail)' },
    ]);
  });

  it('a name an invariant has too is declared twice', () => {
    const m = defineModel({
      ...stepCounter.def, name: 'twice',
      invariants: (_p, { invariant }) => [invariant('XByOne', 'an invariant of the same name', () => true)],
    } as never);
    expect(() => compileModel(m, resolveParams(m, {}))).toThrow(new ModelError("model 'twice': property 'XByOne' is declared twice"));
  });

  it("a mutant's kills naming a step property nearly: the nearest names", () => {
    const m = defineModel({ ...stepCounter.def, name: 'near', mutants: [{ id: 'jump', kills: ['XbyOne'], why: 'a typo' }] } as never);
    expect(() => compileModel(m, resolveParams(m, {}))).toThrow("model 'near': mutant 'jump' kills 'XbyOne', which is not a property of the model (did you mean 'XByOne'?)");
  });

  it('a step property that is not one (no check) is a model error', () => {
    const m = defineModel({ ...stepCounter.def, name: 'bad', steps: () => [{ name: 'X', description: 'no check' }] } as never);
    expect(() => compileModel(m, resolveParams(m, {}))).toThrow("model 'bad': every step property needs a name and a check");
  });
});
