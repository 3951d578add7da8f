// The examples a user copies (examples/*.ts) run as the README says: each verdict, the counts where a
// peer checker or a hand count fixes them, every declared mutant killed, and `mc check` green on the
// models that declare CI configurations.
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

describe('examples', () => {
  it('lock: the seeded bug is a 5-state counterexample of MutualExclusion', () => {
    const r = mc('run', 'examples/lock.ts', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('MutualExclusion');
    expect(r.json.violation.trace).toHaveLength(5);
  });
  it('lock: --fixed (a bare boolean flag) holds', () => {
    const r = mc('run', 'examples/lock.ts', '--fixed', '--json');
    expect(r.code).toBe(0);
    expect(r.json.params.fixed).toBe(true);
  });
  it('peterson: 20 distinct, 35 generated, depth 7 (as its SPIN and TLC twins in shared/peers), every property holds', () => {
    const r = mc('run', 'examples/peterson.ts', '--json');
    expect(r.code).toBe(0);
    expect([r.json.stats.distinct, r.json.stats.generated, r.json.stats.depth]).toEqual([20, 35, 7]);
    expect(r.json.liveness.map((l: { status: string }) => l.status)).toEqual(['holds', 'holds']);
  });
  it('queue: holds, and the queue (ints 1..items, so never 0) fills up', () => {
    const r = mc('run', 'examples/queue.ts', '--json');
    expect(r.code).toBe(0);
    expect(r.json.goals).toEqual([expect.objectContaining({ name: 'Full', reached: true })]);
  });
  for (const m of ['lock', 'queue', 'peterson', 'tour']) {
    it(`${m}: mc mutate kills every declared mutant by the property it declares`, () => {
      const r = mc('mutate', `examples/${m}.ts`, '--json');
      expect(r.json.mutants.map((x: { id: string; verdict: string }) => [x.id, x.verdict])).toEqual(r.json.mutants.map((x: { id: string }) => [x.id, 'killed']));
      expect(r.code).toBe(0);
    });
  }
  for (const m of ['philosophers', 'tour']) {
    it(`${m}: mc check passes (golden figures, mutants, coverage, goals)`, () => {
      const r = mc('check', `examples/${m}.ts`, '--json');
      expect(r.json.verdict).toBe('ok');
      expect(r.code).toBe(0);
    });
  }
});
