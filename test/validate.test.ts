// A model is validated when it is compiled: each bad declaration is a model error (exit 3) naming the
// thing, with the nearest names the model does have, from `mc run`, `mc mutate` and `mc check` alike.
// docs/bad-input.md lists these cases; each row names its test here.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, mc, ROOT } from './helpers.js';
import { builtinModels } from '../src/models/index.js';
import { compileModel, resolveParams } from '../src/explorer/model.js';
import { didYouMean, editDistance, nearestNames, validateModel } from '../src/explorer/validate.js';

const dir = mkdtempSync(join(tmpdir(), 'mc-validate-'));
const base = readFileSync(fixture('check-demo.ts'), 'utf8').replaceAll('../../src/', `${ROOT}/src/`);
let n = 0;
/** check-demo.ts with each [from, to] replaced (each `from` must occur), written to a new file. */
function variant(...edits: [string, string][]): string {
  let src = base;
  for (const [from, to] of edits) {
    if (!src.includes(from)) throw new Error(`fixture has no '${from}'`);
    src = src.replace(from, to);
  }
  const path = join(dir, `v${++n}.ts`);
  writeFileSync(path, src);
  return path;
}
const MUTANT = "mutants: [{ id: 'both-top', kills: ['NotBothTop'], why: 'B ignores where A is' }]";
const KILLS = "kills: ['NotBothTop']";
const WHY = "why: 'B ignores where A is' }";
const K3 = "{ name: 'k3', params: { k: 3 } }";
const LIVENESS_IMPORT: [string, string] = ['import { invariant, sometimes } from', 'import { invariant, sometimes, eventually, WF } from'];
const withFairness = (f: string): [string, string] => ["deadlock: () => 'allowed',", `deadlock: () => 'allowed', liveness: () => [eventually('AUp', 'a reaches 1', (s) => s.a >= 1, { fairness: [${f}] })],`];

/** The model error every command gives: exit 3, the message on stderr, no stack trace. */
function expectModelError(path: string, message: RegExp, commands: string[][] = [['run']]): void {
  for (const cmd of commands) {
    const r = mc(cmd[0]!, path, ...cmd.slice(1));
    expect(r.code, `${cmd.join(' ')}: ${r.stderr}`).toBe(3);
    expect(r.stderr, cmd.join(' ')).toMatch(/^mc: model error: model 'check-demo': /);
    expect(r.stderr, cmd.join(' ')).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }
}

describe('mutants', () => {
  it('a duplicate mutant id', () => {
    expectModelError(variant([MUTANT, `${MUTANT.slice(0, -1)}, { id: 'both-top', kills: ['NotBothTop'], why: 'again' }]`]), /mutant id 'both-top' is declared twice/, [['run'], ['check']]);
  });
  it('empty kills', () => {
    expectModelError(variant([KILLS, 'kills: []']), /mutant 'both-top' has empty kills: name the property/, [['run'], ['mutate']]);
  });
  it('kills naming a property that does not exist, with the nearest name', () => {
    expectModelError(variant([KILLS, "kills: ['NotBothTo']"]), /mutant 'both-top' kills 'NotBothTo', which is not a property of the model \(did you mean 'NotBothTop'\?\)$/m, [['run'], ['mutate'], ['check']]);
    // nothing near: the properties are listed
    expectModelError(variant([KILLS, "kills: ['Zzz']"]), /kills 'Zzz', which is not a property of the model \(its properties: 'NotBothTop'\)$/m);
  });
  it('kills naming a sometimes goal, or Deadlock where deadlock is allowed', () => {
    expectModelError(variant([KILLS, "kills: ['ATop']"]), /mutant 'both-top' kills 'ATop', which is a sometimes goal/);
    expectModelError(variant([KILLS, "kills: ['Deadlock']"]), /mutant 'both-top' kills 'Deadlock', but the model allows deadlock/);
  });
  it("kills naming the implicit Deadlock property is accepted where deadlock is checked", () => {
    const path = variant([KILLS, "kills: ['Deadlock']"], ["deadlock: () => 'allowed',", '']);
    const r = mc('run', path, '--mutant', 'both-top', '--json');
    expect(r.code, r.stderr).toBe(1); // the run goes ahead: every terminal state is a deadlock now
    expect(r.json.violation.property).toBe('Deadlock');
  });
  it('a declared mutant id that looks automatic', () => {
    expectModelError(variant(["id: 'both-top'", "id: 'auto:disable:A.Inc'"]), /mutant id 'auto:disable:A\.Inc' starts with 'auto:'/);
  });
  it('mutant params naming an unknown parameter, or a value out of range', () => {
    expectModelError(variant([WHY, "why: 'B ignores where A is', params: { kk: 2 } }"]), /mutant 'both-top' sets parameter 'kk', which the model does not have \(did you mean 'k'\?\)/, [['run'], ['mutate']]);
    expectModelError(variant([WHY, "why: 'B ignores where A is', params: { k: 12 } }"]), /mutant 'both-top': parameter k \(--k\): 12 is outside its range 1\.\.9/, [['mutate']]);
  });
  it('mc run --mutant of a mutant whose params name an unknown parameter names the mutant (not a usage error)', () => {
    expectModelError(variant([WHY, "why: 'B ignores where A is', params: { kk: 2 } }"]), /mutant 'both-top' sets parameter 'kk', which the model does not have/, [['run', '--mutant', 'both-top']]);
  });
  it('automatic mutants keep their empty kills', () => {
    const r = mc('run', fixture('check-demo.ts'), '--mutant', 'auto:disable:B.Inc', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.mutant).toBe('auto:disable:B.Inc');
  });
});

describe('CI configurations', () => {
  it('an unknown parameter names the configuration and the nearest parameter', () => {
    expectModelError(variant([K3, "{ name: 'k3', params: { K: 3 } }"]), /CI configuration 'k3' sets parameter 'K', which the model does not have \(did you mean 'k'\?\)/, [['run'], ['check']]);
  });
  it('a value out of range names the configuration', () => {
    expectModelError(variant([K3, "{ name: 'k3', params: { k: 0 } }"]), /CI configuration 'k3': parameter k \(--k\): 0 is outside its range 1\.\.9/, [['check']]);
  });
  it('a configuration the model rejects names the configuration', () => {
    const path = variant(["params: { k: intParam({ min: 1, max: 9, default: 3, help: 'bound' }) },", "params: { k: intParam({ min: 1, max: 9, default: 2, help: 'bound' }) }, validate: (p) => (p.k === 3 ? 'k must not be 3' : undefined),"]);
    const r = mc('check', path);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("CI configuration 'k3': model 'check-demo': k must not be 3");
  });
  it('a duplicate configuration name', () => {
    expectModelError(variant([K3, "{ name: 'k2', params: { k: 3 } }"]), /CI configuration 'k2' is declared twice/, [['check']]);
  });
});

describe('fairness and when', () => {
  it('fairness of an action that does not exist, with the nearest action', () => {
    expectModelError(variant(LIVENESS_IMPORT, withFairness("WF({ action: 'A.Icn' })")), /liveness property AUp declares weak fairness of action 'A\.Icn', which the model does not have \(did you mean 'A\.Inc'\?\)/, [['run'], ['mutate']]);
  });
  it('fairness of an actor that does not exist, with the nearest actor', () => {
    expectModelError(variant(LIVENESS_IMPORT, withFairness("WF({ actor: 'a' })")), /weak fairness of actor 'a', which no action of the model has \(did you mean 'A'\?\)/);
  });
  it('fairness of nothing', () => {
    expectModelError(variant(LIVENESS_IMPORT, withFairness("{ kind: 'strong' }")), /liveness property AUp declares strong fairness of nothing/);
  });
  it('a when path that is not a field, with the nearest fields', () => {
    expectModelError(variant(["{ name: 'A.Inc', actor: 'A', guard:", "{ name: 'A.Inc', actor: 'A', when: () => ({ aa: 0 }), guard:"]), /action A\.Inc: when: 'aa' is not a field of the state \(did you mean 'a'\?\)/, [['run'], ['mutate']]);
  });
});

describe('a model with no actions', () => {
  it('runs, with a note saying only its initial states are checked', () => {
    const r = mc('run', fixture('no-actions.ts'));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("mc: note: model 'no-actions' has no actions: only its initial states are checked");
    expect(mc('run', fixture('no-actions.ts'), '--json').json.notes).toContain("model 'no-actions' has no actions: only its initial states are checked");
  });
  it('a model with actions gets no such note', () => {
    expect(mc('run', fixture('check-demo.ts')).stderr).not.toContain('has no actions');
  });
});

describe('every shipped model validates', () => {
  for (const m of builtinModels) {
    it(m.name, () => {
      expect(() => validateModel(m)).not.toThrow();
      for (const cfg of m.def.ci ?? []) expect(() => compileModel(m, resolveParams(m, cfg.params as Record<string, unknown>))).not.toThrow();
      for (const mu of m.def.mutants ?? []) expect(() => compileModel(m, resolveParams(m, { ...(mu.params ?? {}) }), mu.id)).not.toThrow();
    });
  }
});

describe('nearest names', () => {
  it('edit distance counts insertions, deletions, substitutions and adjacent transpositions', () => {
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('Smal', 'Small')).toBe(1);
    expect(editDistance('lco', 'loc')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });
  it('offers extensions first, then case-only differences, then close spellings, at most three', () => {
    expect(nearestNames('pc', ['total', 'pc[0]', 'pc[1]', 'pc[2]', 'pc[3]'])).toEqual(['pc[0]', 'pc[1]', 'pc[2]']);
    expect(nearestNames('notbothtop', ['NotBothTop', 'NotBothTo'])).toEqual(['NotBothTop', 'NotBothTo']);
    expect(nearestNames('pc[5]', ['pc[0]', 'pc[1]', 'lock'])).toEqual(['pc[0]', 'pc[1]']);
    expect(nearestNames('Smal', ['Small', 'Large'])).toEqual(['Small']);
    expect(nearestNames('x', ['abc', 'def'])).toEqual([]);
  });
  it('says what exists when nothing is near, if the list is short', () => {
    expect(didYouMean('Smal', ['Small'], 'properties')).toBe(" (did you mean 'Small'?)");
    expect(didYouMean('q', ['a', 'b'], 'properties')).toBe(" (its properties: 'a', 'b')");
    expect(didYouMean('q', [], 'actions')).toBe(' (the model has no actions)');
    expect(didYouMean('q', Array.from({ length: 20 }, (_, i) => `long${i}`), 'fields')).toBe('');
  });
});
