// Model parameters on the command line: names as TLA+ writes constants (N, RM), bare boolean flags,
// parameters before the model argument, and what mc show and --help say about them.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, mc, ROOT } from './helpers.js';

const CAPS = fixture('capital-params.ts');

describe('parameters whose names start with a capital', () => {
  it('are flags as written: --N, --RM (camelCase still becomes kebab-case)', () => {
    const r = mc('run', CAPS, '--N', '3', '--RM', '2', '--max-round', '5', '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.json.params).toEqual({ N: 3, RM: 2, maxRound: 5, frozen: false });
    // 3 counters to 2 whose sum stays at most 5: all 27 but (2,2,2).
    expect(r.json.stats.distinct).toBe(26);
    expect(mc('run', CAPS, '--N', '3', '--RM', '2').stdout).toContain('mc run capital-params  N=3 RM=2 max-round=20 frozen=false');
  });
  it('a value out of range names the flag', () => {
    const r = mc('run', CAPS, '--RM', '9');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mc: --RM for model 'capital-params': 9 is outside its range 1..5\n");
  });
  it('mc show and --help give the flags', () => {
    const show = mc('show', CAPS, '--json');
    expect(show.json.params.map((p: { flag: string }) => p.flag)).toEqual(['--N', '--RM', '--max-round', '--frozen']);
    expect(mc('show', CAPS).stdout).toMatch(/│ --RM\s+│ 1\.\.5\s+│ 2\s+│ how far each counts/);
    const help = mc('run', CAPS, '--help');
    expect(help.code).toBe(0);
    const text = help.stdout.replace(/\s+/g, ' '); // commander wraps the descriptions
    expect(text).toContain('--N <n> [capital-params] number of counters (1..4; default 2)');
    expect(text).toContain('--RM <n> [capital-params] how far each counts (1..5; default 2)');
    expect(text).toContain('--frozen [true|false] [capital-params] no counter moves (true|false, --frozen alone: true; default false)');
  });
});

describe('a boolean parameter', () => {
  const distinct = (...args: string[]): number => {
    const r = mc('run', ...args, '--json');
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    return r.json.stats.distinct;
  };
  it('alone means true, wherever it stands', () => {
    expect(distinct(CAPS)).toBe(9);
    expect(distinct(CAPS, '--frozen')).toBe(1);
    expect(distinct('--frozen', CAPS)).toBe(1);
    expect(distinct(CAPS, '--frozen', '--max-states', '100')).toBe(1);
    expect(mc('run', fixture('mutex-bug.ts'), '--fixed').code).toBe(0);
    expect(mc('run', fixture('mutex-bug.ts')).code).toBe(1);
  });
  it('still takes a value', () => {
    expect(distinct(CAPS, '--frozen', 'true')).toBe(1);
    expect(distinct(CAPS, '--frozen', 'false')).toBe(9);
    expect(distinct(CAPS, '--frozen=false')).toBe(9);
    expect(distinct('--frozen', 'false', CAPS)).toBe(9);
    expect(mc('run', fixture('mutex-bug.ts'), '--fixed', 'false').code).toBe(1);
  });
  it('a value that is not true or false is a usage error about the value', () => {
    const r = mc('run', CAPS, '--frozen', 'maybe');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe("mc: --frozen for model 'capital-params': 'maybe' is not true or false (the flag alone means true)\n");
  });
  it('mc mutate takes it too', () => {
    const r = mc('mutate', fixture('mutex-bug.ts'), '--fixed', '--json');
    expect(r.code).toBe(0);
    expect(r.json.mutants.map((m: { verdict: string }) => m.verdict)).toEqual(['killed']);
  });
});

describe('the model argument among parameters', () => {
  it('a parameter and its value may come before the model', () => {
    expect(mc('run', '--N', '3', '--RM', '1', CAPS, '--json').json.stats.distinct).toBe(8);
    const ring = mc('run', '--slots', '2', 'ring', '--max-states', '10', '--json');
    expect(ring.code).toBe(4);
    expect(ring.json.params.slots).toBe(2);
  });
});

describe('mc show lists an action under every actor of its instances', () => {
  it('text and JSON', () => {
    const show = mc('show', CAPS, '--json');
    expect(show.json.actions).toEqual([{ name: 'Inc', actor: 'C0|C1', instances: 2 }]);
    expect(mc('show', fixture('mutex-bug.ts')).stdout).toMatch(/│ Test\s+│ P0\|P1 │ 2\s+│/);
  });
});

describe('a parameter mc cannot make a flag of', () => {
  it('one named as an option of mc run is a model error that says so', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-params-'));
    const file = join(dir, 'clash.ts');
    writeFileSync(file, `import { defineModel, intParam, bool } from '${ROOT}/src/index.js';
export default defineModel({ name: 'clash', description: 'a parameter named seed', params: { seed: intParam({ min: 0, max: 9, default: 1, help: 'a seed' }) },
  state: () => ({ b: bool() }), init: () => [{ b: false }], actions: () => [{ name: 'Set', actor: 'A', effect: (_s, n) => { n.b = true; } }], deadlock: () => 'allowed' });
`);
    const r = mc('run', file);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("mc: model error: model 'clash': parameter 'seed' would be the flag --seed, which mc run has already (--seed <n>); rename the parameter\n");
  });
});
