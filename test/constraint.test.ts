// TLC's state-constraint semantics (issue 28): an initial state outside the constraint is generated
// (counted) and dropped, as TLC drops it. Every engine, every worker count.
import { describe, expect, it } from 'vitest';
import { fixture, mc } from './helpers.js';

const INIT = fixture('constraint-init.ts');
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
