// The E1 (mpu) and E2 (revoke) models of protocols.md through the built binary:
// every CI configuration checks clean, every action fires and every goal is
// reached in some configuration, every declared mutant is killed by the
// property it declares, and in every CI configuration every property is
// killed by a declared mutant that names it.
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

const MODELS: Record<string, { configs: Record<string, string[]>; mutants: Record<string, string>; liveness: string[] }> = {
  mpu: {
    configs: {
      'p2-r2': ['--partitions', '2', '--slots', '2'],
      'p2-r2-hw3': ['--partitions', '2', '--slots', '2', '--hw-slots', '3'],
      'p3-r2': ['--partitions', '3', '--slots', '2'],
      'p3-r3': ['--partitions', '3', '--slots', '3'],
    },
    mutants: {
      'M-E1-skip-disabled': 'NoCrossPartitionAccess',
      'M-E1-enable-first': 'NoMixedMap',
      'M-E1-keep-swapped': 'SwapBeforeResume(b)',
      'M-E1-no-mark': 'SwapBeforeResume(a)',
      'M-E1-dregion': 'MapMatchesTable',
      'M-E1-no-barrier': 'NoCrossPartitionAccess',
      'M-E1-bad-table': 'TableValid',
      'M-E1-tick-restarts': 'FrameFollowed',
    },
    liveness: ['FrameFollowed', 'WindowRecurs(P0)', 'WindowRecurs(P1)'],
  },
  revoke: {
    configs: { steps1: ['--steps', '1'], steps2: ['--steps', '2'], steps3: ['--steps', '3'] },
    mutants: {
      'M-E2-free-pinned': 'PinnedNotReallocated',
      'M-E2-no-shootdown': 'ShootdownBeforeFree',
      'M-E2-no-note': 'PartialDetected',
      'M-E2-no-handler': 'DriverSurvivesRevoke',
      'M-E2-pinned-leak': 'Deadlock',
      'M-E2-refault': 'TxnEnds',
    },
    liveness: ['TxnEnds', 'PinnedEventuallyFreed'],
  },
};

for (const [model, spec] of Object.entries(MODELS)) {
  describe(`${model} model`, () => {
    it('every CI configuration is complete with every property holding; every action fires and every goal is reached somewhere', () => {
      const fired = new Map<string, number>();
      const reached = new Map<string, boolean>();
      for (const [name, args] of Object.entries(spec.configs)) {
        const r = mc('run', model, ...args, '--json');
        expect(r.code, `${model} ${name}: ${r.stderr}`).toBe(0);
        expect(r.json.verdict, name).toBe('ok');
        expect(r.json.complete, name).toBe(true);
        for (const l of spec.liveness) expect(r.json.liveness.find((x: any) => x.name === l)?.status, `${name} ${l}`).toBe('holds');
        for (const c of r.json.coverage) fired.set(c.action, (fired.get(c.action) ?? 0) + c.fired);
        for (const g of r.json.goals) reached.set(g.name, (reached.get(g.name) ?? false) || g.reached);
      }
      expect([...fired].filter(([, n]) => n === 0).map(([a]) => a)).toEqual([]);
      expect([...reached].filter(([, ok]) => !ok).map(([g]) => g)).toEqual([]);
    });

    it('mc mutate kills every mutant by its declared property, and every property is killed by some mutant', () => {
      const r = mc('mutate', model, '--matrix', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.verdict).toBe('ok');
      const got = Object.fromEntries(r.json.mutants.map((m: any) => [m.id, { verdict: m.verdict, fired: m.fired }]));
      for (const [id, property] of Object.entries(spec.mutants)) expect(got[id], id).toEqual({ verdict: 'killed', fired: property });
      expect(r.json.mutants).toHaveLength(Object.keys(spec.mutants).length);
      expect(r.json.matrix.possiblyVacuous).toEqual([]);
    });

    for (const [name, args] of Object.entries(spec.configs)) {
      it(`in CI configuration ${name}, every declared mutant is killed and every property is killed by a declared mutant that names it`, () => {
        const r = mc('mutate', model, '--matrix', '--json', ...args);
        expect(r.code, r.stderr).toBe(0);
        for (const m of r.json.mutants) expect(m.verdict, m.id).toBe('killed');
        expect(r.json.matrix.possiblyVacuous).toEqual([]);
        for (const p of r.json.matrix.properties) {
          const named = r.json.matrix.rows.filter((row: any) => row.kind === 'declared' && row.fired.includes(p) && row.expected.includes(p));
          expect(named.length, `${p} has no declared mutant that names it and fires it`).toBeGreaterThan(0);
        }
      });
    }
  });
}

describe('the kill criterion of seed 000', () => {
  it('without the barrier the next partition reads the previous partition\'s cell', () => {
    const r = mc('mutate', 'mpu', '--json');
    const m = r.json.mutants.find((x: any) => x.id === 'M-E1-no-barrier');
    expect(m.fired).toBe('NoCrossPartitionAccess');
    // boot state, Save, 4 posted writes, Barrier (not waiting), MarkSwapped, Resume, P0 reads m1.
    expect(m.traceLength).toBe(10);
  });
});

describe('revoke: the skipped shootdown', () => {
  it('is caught by ShootdownBeforeFree at the free (8 states), and with two or more accesses by NoCrossClientAccess one access later', () => {
    for (const steps of ['1', '2', '3']) {
      const r = mc('run', 'revoke', '--steps', steps, '--mutant', 'M-E2-no-shootdown', '--continue', '--json');
      expect(r.code).toBe(1);
      const len = Object.fromEntries(r.json.violations.map((v: any) => [v.property, v.trace.length]));
      expect(len.ShootdownBeforeFree, steps).toBe(8);
      if (steps === '1') expect(len.NoCrossClientAccess).toBeUndefined();
      else expect(len.NoCrossClientAccess, steps).toBe(9);
    }
  });
});
