// `when`: a precondition on scalar fields given as data. It must mean exactly what
// the same test written in the guard means, and a bad path or value must be a model error.
import { describe, expect, it } from 'vitest';
import { autoMutantIds, compileModel, defineModel, resolveParams, ModelError, type ActionDef } from '../src/explorer/model.js';
import { array, enumOf, int, record } from '../src/explorer/schema.js';
import { explore } from '../src/explorer/search.js';
import { applyAction } from '../src/explorer/trace.js';

const PC = ['idle', 'busy', 'done'] as const;
type Pc = (typeof PC)[number];
type V = { P: { at(i: number): { pc: Pc; n: number } }; total: number };

/** Two processes, each idle -> busy -> (work, up to twice) -> done; the location test in `when` or in the guard. */
function procs(style: 'when' | 'guard', whenOf?: (i: number) => Record<string, unknown>) {
  const step = (name: string, from: Pc, to: Pc, extra?: (s: V, i: number) => boolean): ActionDef<V, number> => ({
    name, actor: (i) => `P${i}`, over: [0, 1],
    ...(style === 'when'
      ? { when: (whenOf ?? ((i: number) => ({ [`P[${i}].pc`]: from }))) as never, ...(extra ? { guard: extra } : {}) }
      : { guard: (s: V, i: number) => s.P.at(i).pc === from && (extra === undefined || extra(s, i)) }),
    effect: (s, n, i) => { n.P.at(i).pc = to; if (from === 'busy' && to === 'busy') { n.P.at(i).n = s.P.at(i).n + 1; n.total = s.total + 1; } },
  });
  return defineModel({
    name: `procs-${style}`, description: 'two processes with a program counter', params: {},
    state: () => ({ P: array(2, record({ pc: enumOf(PC), n: int(0, 2) })), total: int(0, 4) }),
    init: () => [{ P: [{ pc: 'idle', n: 0 }, { pc: 'idle', n: 0 }], total: 0 }],
    actions: () => [
      step('Start', 'idle', 'busy'),
      step('Work', 'busy', 'busy', (s, i) => s.P.at(i).n < 2),
      step('Finish', 'busy', 'done'),
    ],
    deadlock: () => 'allowed',
  });
}

const run = (m: ReturnType<typeof procs>, mutant: string | null = null) => explore(compileModel(m, resolveParams(m, {}), mutant), { liveness: false });

describe('when', () => {
  it('explores exactly what the same test in the guard explores', async () => {
    const [a, b] = await Promise.all([run(procs('when')), run(procs('guard'))]);
    expect(a.verdict).toBe('ok');
    expect(a.stats.distinct).toBe(b.stats.distinct);
    expect(a.stats.generated).toBe(b.stats.generated);
    expect(a.stats.depth).toBe(b.stats.depth);
    expect(a.instanceCoverage).toEqual(b.instanceCoverage);
    // Each process: idle, busy with n = 0..2, done with n = 0..2 (7 local states); 7 * 7 combined.
    expect(a.stats.distinct).toBe(49);
  });

  it('is checked when an action is applied outside the search (trace replay)', () => {
    const c = compileModel(procs('when'), {});
    const finish0 = c.actions.find((x) => x.name === 'Finish(0)')!;
    expect(applyAction(c, finish0, c.inits.slice(0, c.layout.slots))).toBeNull(); // P[0] is idle, not busy
  });

  it('is dropped with the guard by the drop-guard mutant', async () => {
    const c = compileModel(procs('when'), {});
    expect(autoMutantIds(c)).toContain('auto:drop-guard:Finish');
    const [ok, mutant] = await Promise.all([run(procs('when')), run(procs('when'), 'auto:drop-guard:Finish')]);
    const fired = (r: typeof ok) => r.instanceCoverage.find((x) => x.action === 'Finish(0)')!.fired;
    // Without its location test Finish(0) fires from idle and done as well as from busy.
    expect(fired(ok)).toBe(21); // from busy with n = 0..2 (3), times P1's 7 local states
    expect(fired(mutant)).toBe(49);
  });

  it('names a field that is not in the state: a model error offering the nearest fields', () => {
    expect(() => compileModel(procs('when', (i) => ({ [`P[${i}].loc`]: 'busy' })), {})).toThrow(ModelError);
    expect(() => compileModel(procs('when', (i) => ({ [`P[${i}].loc`]: 'busy' })), {})).toThrow(/'P\[0\]\.loc' is not a field of the state \(did you mean 'P\[0\]\.pc'\?\)/);
  });

  it('gives a value outside the field\'s domain: a model error', () => {
    expect(() => compileModel(procs('when', (i) => ({ [`P[${i}].pc`]: 'sleeping' })), {})).toThrow(/when: P\[0\]\.pc := "sleeping" is not one of \{idle, busy, done\}/);
    expect(() => compileModel(procs('when', () => ({ total: 9 })), {})).toThrow(/total := 9 is outside 0\.\.4/);
  });

  it('names a record instead of a scalar: a model error', () => {
    expect(() => compileModel(procs('when', () => ({ P: 1 })), {})).toThrow(/'P' is not a field of the state/);
  });
});
