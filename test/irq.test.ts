// The irq model (protocols.md C) through the built binary: the CI configurations pass with
// every action fired and every goal reached, and every declared mutant is killed by the
// property it declares (M-C2 and M-C8 only by the liveness property NoLostWake).
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

const CI: string[][] = [
  [],
  ['--completions', '2', '--epochs', '1', '--revokes', '0'],
  ['--completions', '3', '--epochs', '2', '--revokes', '1'],
  ['--completions', '3', '--epochs', '3', '--revokes', '2'],
  ['--completions', '4', '--epochs', '4', '--revokes', '3'],
];

const INVARIANTS = [
  'NoCompletedEarly', 'EpochDrainSound', 'StaleHandleRejected',
  'ExactlyOnce.Completion', 'ExactlyOnce.Eoi', 'ExactlyOnce.Conservation', 'ExactlyOnce.SingleOutstanding',
];

/** The property each mutant must be killed by (any one of the list). */
const MUTANTS: Record<string, string[]> = {
  'M-C1': ['ExactlyOnce.Conservation', 'NoLostWake', 'Deadlock'],
  'M-C2': ['NoLostWake'],
  'M-C3': ['ExactlyOnce.Eoi', 'ExactlyOnce.SingleOutstanding'],
  'M-C4': ['EpochDrainSound'],
  'M-C5': ['NoCompletedEarly'],
  'M-C5-latch': ['NoCompletedEarly'],
  'M-C6': ['StaleHandleRejected'],
  'M-C7': ['ExactlyOnce.Completion'],
  'M-C8': ['NoLostWake'],
};

describe('irq: CI configurations', () => {
  for (const args of CI) {
    it(`mc run irq ${args.join(' ')} holds every property`, () => {
      const r = mc('run', 'irq', ...args, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.verdict).toBe('ok');
      expect(r.json.complete).toBe(true);
      const names = r.json.properties.map((p: { name: string }) => p.name);
      for (const n of [...INVARIANTS, 'NoLostWake']) expect(names).toContain(n);
      for (const p of r.json.properties) expect(p.status, p.name).toBe('holds');
    });
  }

  it('every action fires and every reachability goal is reached across the CI configurations (mc check)', () => {
    const r = mc('check', 'irq', '--json');
    const m = r.json.models[0];
    expect(m.neverFired).toEqual([]);
    expect(m.unreachedGoals).toEqual([]);
    for (const c of m.configs) expect(c.verdict, c.name).toBe('ok');
    expect(m.mutants.every((x: { verdict: string }) => x.verdict === 'killed')).toBe(true);
  });
});

describe('irq: mutants', () => {
  it('mc mutate irq kills every mutant by its declared property', () => {
    const r = mc('mutate', 'irq', '--json');
    expect(r.code, r.stdout).toBe(0);
    const byId = Object.fromEntries(r.json.mutants.map((m: { id: string }) => [m.id, m]));
    expect(Object.keys(byId).sort()).toEqual(Object.keys(MUTANTS).sort());
    for (const [id, props] of Object.entries(MUTANTS)) {
      expect(byId[id].verdict, id).toBe('killed');
      expect(props, `${id} fired ${byId[id].fired}`).toContain(byId[id].fired);
    }
  });

  it('M-C1 (dropped no-waiter event) is caught by a safety clause at the drop itself', () => {
    const r = mc('run', 'irq', '--mutant', 'M-C1', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('ExactlyOnce.Conservation');
    const steps: string[] = r.json.violation.trace.map((t: { action: string | null }) => t.action);
    expect(steps).toEqual([null, 'DEV.Produce', 'ISR.Handle']);
  });

  it('every invariant is killed by some mutant (kill matrix)', () => {
    const r = mc('mutate', 'irq', '--matrix', '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.matrix.possiblyVacuous).toEqual([]);
    for (const n of INVARIANTS) expect(r.json.matrix.killers[n]?.length ?? 0, n).toBeGreaterThan(0);
  });

  for (const args of CI) {
    it(`in CI configuration [${args.join(' ')}] every mutant is killed and every property is killed by a declared mutant that names it`, () => {
      const r = mc('mutate', 'irq', '--matrix', '--json', ...args);
      expect(r.code, r.stdout).toBe(0);
      for (const m of r.json.mutants) expect(m.verdict, m.id).toBe('killed');
      expect(r.json.matrix.possiblyVacuous).toEqual([]);
      for (const p of r.json.matrix.properties) {
        const named = r.json.matrix.rows.filter((row: any) => row.kind === 'declared' && row.fired.includes(p) && row.expected.includes(p));
        expect(named.length, `${p} has no declared mutant that names it and fires it`).toBeGreaterThan(0);
      }
    });
  }

  it('the revoke mutants run with one revoke even in w2-no-revoke (where they could not fail)', () => {
    const r = mc('mutate', 'irq', '--completions', '2', '--epochs', '1', '--revokes', '0', '--json');
    const byId = Object.fromEntries(r.json.mutants.map((m: { id: string }) => [m.id, m]));
    for (const id of ['M-C4', 'M-C5', 'M-C5-latch', 'M-C6', 'M-C8']) {
      expect(byId[id].params, id).toMatchObject({ completions: 2, epochs: 2, revokes: 1 });
      expect(byId[id].verdict, id).toBe('killed');
    }
    expect(byId['M-C3']).toMatchObject({ params: { epochs: 1, revokes: 0 }, verdict: 'killed', fired: 'ExactlyOnce.SingleOutstanding', traceLength: 7 });
  });
});
