// TLC's state-constraint semantics (issue 28): an initial state outside the constraint is generated
// (counted) and dropped, as TLC drops it; a successor outside the constraint is generated and dropped
// even where it has left a domain (an int past its range, a list pushed past its bound), so a bound can
// be declared at the constraint's own bound; inside the constraint (or with none) a value past its
// domain stays a model error. Every engine, every worker count.
import { describe, expect, it } from 'vitest';
import { fixture, mc } from './helpers.js';

const INIT = fixture('constraint-init.ts'), BOUND = fixture('constraint-bound.ts');
const figures = (j: any) => [j.stats.distinct, j.stats.generated, j.stats.depth];
const ENGINES: [string, string[]][] = [
  ['BFS', []], ['DFS', ['--strategy', 'dfs']], ['BFS, 2 workers', ['--workers', '2', '--parallel-from', '1']],
  ['BFS, 3 workers', ['--workers', '3', '--parallel-from', '1']], ['BFS --debug', ['--debug']],
];

describe('initial states outside the state constraint', () => {
  for (const [name, args] of ENGINES) {
    it(`are generated and dropped: TLC's 3 distinct / 5 generated / depth 3 for the issue's example (${name})`, () => {
      const r = mc('run', INIT, ...args, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(figures(r.json)).toEqual([3, 5, 3]);
    });
  }

  it('random walks start only from initial states inside it, and end where every successor is outside it, with no deadlock (each walk: its start and 3 steps generated)', () => {
    const r = mc('run', INIT, '--strategy', 'random', '--walks', '10', '--json');
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'random walks are not exhaustive', violations: [] });
    expect(figures(r.json)).toEqual([3, 1 + 10 * 4, 3]);
  });

  it('every initial state outside it is a model error (a run would pass on no state)', () => {
    const r = mc('run', INIT, '--inits', 'outside');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("model 'constraint-init': every initial state (2) is outside the state constraint: there is nothing to explore");
  });

  it('a constraint that throws on an initial state is a model error naming it', () => {
    const r = mc('run', INIT, '--inits', 'throws');
    expect(r.code).toBe(3);
    expect(r.stderr).toContain("model 'constraint-init': initial state 2: the state constraint threw: no view of 4");
  });
});

describe('a successor past its domain', () => {
  // Each of x, y in 0..bound: (bound + 1)^2 states, each with two successors (both generated, some dropped).
  const bound = (b: number) => [(b + 1) ** 2, 1 + 2 * (b + 1) ** 2, 2 * b + 1];

  for (const [name, args] of ENGINES) {
    it(`outside the constraint is generated and dropped: the counts of the domain declared one larger (${name})`, () => {
      const atBound = mc('run', BOUND, ...args, '--json'), wider = mc('run', BOUND, '--top', '4', ...args, '--json');
      expect(atBound.code, atBound.stderr).toBe(0);
      expect(wider.code, wider.stderr).toBe(0);
      expect(figures(atBound.json)).toEqual(bound(3));
      expect(figures(wider.json)).toEqual(bound(3));
      expect(atBound.json.properties.map((p: { status: string }) => p.status)).toEqual(['holds', 'holds', 'holds']);
    });
  }

  it('outside the constraint in random walks: dropped, and a state whose successors are all dropped is no deadlock', () => {
    const r = mc('run', BOUND, '--strategy', 'random', '--walks', '20', '--json');
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'random walks are not exhaustive', violations: [], error: null });
  });

  it('a constraint that throws on it leaves the domain error to report, with what it threw', () => {
    const r = mc('run', BOUND, '--constraint', 'throws', '--json');
    expect(r.code, r.stderr).toBe(3);
    expect(r.json.error.message).toBe('action IncX left a domain: x = 4 is outside 0..3; the state constraint threw on it: x = 4 past its top');
  });

  for (const constraint of ['y-only', 'none']) {
    it(`inside the constraint (--constraint ${constraint}) stays a model error, with the same message, for any number of workers`, () => {
      for (const args of [[], ['--workers', '2', '--parallel-from', '1'], ['--strategy', 'dfs']]) {
        const r = mc('run', BOUND, '--constraint', constraint, ...args, '--json');
        expect(r.code, r.stderr).toBe(3);
        expect(r.json.error).toMatchObject({ message: 'action IncX left a domain: x = 4 is outside 0..3', action: 'IncX', field: 'x' });
        expect(r.json.error.trace.at(-1).state).toEqual({ x: 4, y: 0 });
      }
    });
  }
});

describe('a list pushed one past its bound', () => {
  const LIST = fixture('constraint-list.ts');
  it('outside the constraint is generated and dropped: the counts of the list declared one longer (any engine)', () => {
    // Lists of 0s and 1s up to length 2: 7 states, each with two pushes and (but the empty one) a pop.
    for (const args of [[], ['--strategy', 'dfs'], ['--workers', '2', '--parallel-from', '1']]) {
      const atBound = mc('run', LIST, ...args, '--json'), longer = mc('run', LIST, '--room', '3', ...args, '--json');
      expect(atBound.code, atBound.stderr).toBe(0);
      expect(figures(atBound.json)).toEqual(figures(longer.json));
      expect(atBound.json.stats).toMatchObject({ distinct: 7, generated: 21 });
    }
  });
  it('with no constraint is the model error it was', () => {
    const r = mc('run', LIST, '--constrained', 'false', '--json');
    expect(r.code).toBe(3);
    expect(r.json.error.message).toBe('action Push(0) left a domain: q: push onto a full list (maxLength 2)');
  });
});
