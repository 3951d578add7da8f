// --workers N gives the same result as one worker: counts, depth, coverage, goals,
// the first violation and its trace, the model error and its trace.
import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { fixture, interruptedRun, MC, mc, mcWithEnv, ROOT } from './helpers.js';
import { builtinModels } from '../src/models/index.js';

/** The parts of an mc.result/1 document that must not depend on the number of workers. */
function essence(j: any) {
  const { seconds: _s, distinctPerSecond: _d, generatedPerSecond: _g, peakMemoryBytes: _p, bytesPerState: _b, workers: _w, livenessSeconds: _l, livenessGraphBytes: _lg, ...stats } = j.stats;
  return { verdict: j.verdict, incompleteReason: j.incompleteReason, stats, violations: j.violations, error: j.error, coverage: j.coverage, instanceCoverage: j.instanceCoverage, goals: j.goals, antecedents: j.antecedents };
}

/**
 * One worker against two workers from the first level, and three workers taking over from the one-thread
 * search once a level has 100 states (by default they take over at 10,000, which most of these runs never reach).
 */
function sameForWorkers(args: string[]): void {
  const one = mc('run', ...args, '--json', '--no-liveness');
  expect(one.json, one.stderr).not.toBeNull();
  for (const [w, from] of [['2', '1'], ['3', '100']] as const) {
    const many = mc('run', ...args, '--json', '--no-liveness', '--workers', w, '--parallel-from', from);
    expect(many.json?.stats?.workers, many.stderr).toBe(Number(w));
    expect(many.code).toBe(one.code);
    expect(essence(many.json)).toEqual(essence(one.json));
  }
}

describe('results do not depend on the number of workers', () => {
  it('a complete run (counters 4^5)', () => sameForWorkers(['test/oracles/counters.ts', '--n', '5', '--k', '3']));
  // Two workers take chunks of the cap, 4,096 positions, while 32,768 or more positions of a level are
  // left: 14 levels here have that many (up to 39,280 states); counters 4^5 above never does.
  it('levels large enough for the largest chunks (counters 16^5)', () => sameForWorkers(['test/oracles/counters.ts', '--n', '5', '--k', '15']));
  it('a violation and its shortest trace', () => sameForWorkers([fixture('mutex-bug.ts')]));
  it('a complete run whose states are hashed by xxhash-wasm (330 words)', () => sameForWorkers([fixture('wide-state.ts'), '--k', '8']));
  it('an unexpected deadlock', () => sameForWorkers([fixture('deadlock.ts')]));
  it('a model error', () => sameForWorkers([fixture('throws.ts')]));
  it('a violation in the last level of a depth budget (checked though not expanded)', () => {
    sameForWorkers([fixture('mutex-bug.ts'), '--max-depth', '5']);
    expect(mc('run', fixture('mutex-bug.ts'), '--max-depth', '5', '--workers', '2', '--parallel-from', '1', '--json').json?.verdict).toBe('violation');
  });
  it('an invariant that throws (found when the workers load the state to expand it)', () => sameForWorkers([fixture('invariant-throws.ts')]));
  it('an action that throws in several chunks of a wide level (the first in discovery order wins)', () => sameForWorkers([fixture('wide-throws.ts'), '--fail', 'action']));
  it('an invariant that throws in several chunks of a wide level', () => sameForWorkers([fixture('wide-throws.ts'), '--fail', 'invariant']));
  it('a goal that throws in several chunks of a wide level', () => {
    sameForWorkers([fixture('wide-throws.ts'), '--fail', 'goal']);
    expect(mc('run', fixture('wide-throws.ts'), '--fail', 'goal', '--workers', '2', '--parallel-from', '1', '--json').json?.error?.message).toBe('goal Full threw: goal trouble at 0111111000');
  });
  it('an invariant that throws on a state found before an action fails in the same level (the invariant fails first)', () => {
    sameForWorkers([fixture('wide-throws.ts'), '--fail', 'both']);
    expect(mc('run', fixture('wide-throws.ts'), '--fail', 'both', '--workers', '2', '--parallel-from', '1', '--json').json?.error?.message).toBe('invariant Fragile threw: fragile at 1111110000');
  });
  it('an invariant already violated is still evaluated, and its throw is the error (a run that goes on past the violation)', () => {
    sameForWorkers([fixture('wide-throws.ts'), '--fail', 'later', '--mutant', 'keep-going']);
    expect(mc('run', fixture('wide-throws.ts'), '--fail', 'later', '--mutant', 'keep-going', '--workers', '2', '--parallel-from', '1', '--json').json?.error?.message).toBe('invariant Fragile threw: fragile at 0111111000');
  });
  it('a violation in a level whose expansion would fail (the run stops at the violation)', () => {
    sameForWorkers([fixture('wide-throws.ts'), '--fail', 'violated']);
    expect(mc('run', fixture('wide-throws.ts'), '--fail', 'violated', '--workers', '2', '--parallel-from', '1', '--json').json?.verdict).toBe('violation');
  });
  it('an action that leaves its domain', () => sameForWorkers([fixture('out-of-domain.ts')]));
  it('a step property violated, on steps in several levels and chunks (--continue)', () => {
    sameForWorkers([fixture('step-counter.ts')]);
    sameForWorkers([fixture('step-counter.ts'), '--k', '12', '--continue']);
  });
  it('a step property that throws (the first step in discovery order fails)', () => sameForWorkers([fixture('step-counter.ts'), '--fail', 'throws', '--k', '12']));
  it('an initial state outside the state constraint (dropped, counted as generated)', () => sameForWorkers([fixture('constraint-init.ts')]));
  it('successors past their domain and outside the constraint (dropped), and inside it (a model error)', () => {
    sameForWorkers([fixture('constraint-bound.ts'), '--bound', '12']);
    sameForWorkers([fixture('constraint-bound.ts'), '--bound', '12', '--constraint', 'y-only']);
  });
  it('an implication violated early while the run goes on (its antecedent is still counted)', () => sameForWorkers([fixture('implication-violated.ts'), '--mutant', 'keep-going']));
  it('a budget (levels are the unit of --max-states)', () => sameForWorkers(['test/oracles/counters.ts', '--max-states', '5000']));
  it('a mutant with many violating states', () => sameForWorkers([fixture('check-demo.ts'), '--mutant', 'both-top', '--k', '6']));
  it('a run that goes on past its violation (--continue, BEEM bakery.4)', () => sameForWorkers(['test/oracles/bakery.ts', '--n', '3', '--max', '6', '--mutant', 'ticket-compare-flipped', '--continue']));
  for (const f of ['tcommit', 'peterson', 'twophase', 'tokenring', 'ewd840', 'alternatingbit', 'bakery', 'anderson']) {
    it(`oracle ${f}`, () => sameForWorkers([`test/oracles/${f}.ts`]));
  }
  // Every shipped model in each CI configuration, bounded to its first 30,000 states so the suite stays fast
  // (a budgeted run stops at a level boundary, so it too must be identical).
  for (const m of builtinModels) {
    for (const cfg of m.def.ci ?? []) {
      const params = Object.entries(cfg.params).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, String(v)]);
      it(`model ${m.name} (${cfg.name})`, () => sameForWorkers([m.name, ...params, '--max-states', '30000']));
    }
  }
});

// The main thread expands its share of each level too; it must still notice Ctrl-C and the time budget
// mid-level, stop every worker, check the frontier and report the statistics so far.
describe('stopping a parallel run', () => {
  it('Ctrl-C', async () => {
    const { code, json: j } = await interruptedRun(['run', 'test/oracles/counters.ts', '--n', '6', '--k', '30', '--no-liveness', '--workers', '2', '--parallel-from', '1'], 2500);
    expect(code).toBe(4);
    expect(j).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted' });
    expect(j.stats.workers).toBe(2);
    expect(j.stats.distinct).toBeGreaterThan(0);
  });
  it('a helper that dies (here: the model will not load in it) ends the run with its error', () => {
    // Repeated: the main thread once awaited a barrier with nothing left to keep Node alive, and about
    // one run in ten exited silently with status 0.
    for (let i = 0; i < 6; i++) {
      const r = mc('run', fixture('helper-cannot-load.ts'), '--n', '5', '--k', '6', '--workers', '2', '--parallel-from', '1', '--no-liveness');
      expect(r.code, r.stdout + r.stderr).toBe(3);
      expect(r.stderr).toContain('this model cannot load in a worker thread');
    }
  });
  it('--max-seconds', () => {
    const t0 = performance.now();
    const r = mc('run', 'test/oracles/counters.ts', '--n', '6', '--k', '30', '--json', '--no-liveness', '--workers', '2', '--parallel-from', '1', '--max-seconds', '1');
    expect(r.code, r.stderr).toBe(4);
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-seconds' });
    expect(performance.now() - t0).toBeLessThan(8000);
  });
});

describe('the worker count', () => {
  it('more workers than CPUs: the same result, and a note that they slow the search', () => {
    // Confined to one CPU where taskset exists, so the test needs only two workers on any machine.
    const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;
    const cpus = pinned ? 1 : availableParallelism(), workers = String(cpus + 1);
    const args = [MC, 'run', 'test/oracles/bakery.ts', '--n', '3', '--max', '4', '--workers', workers, '--parallel-from', '100', '--json'];
    const r = pinned ? spawnSync('taskset', ['-c', '0', process.execPath, ...args], { cwd: ROOT, encoding: 'utf8' }) : spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.stats.distinct).toBe(32919);
    expect(doc.notes).toEqual([expect.stringContaining('workers beyond the CPU count')]);
    expect(r.stderr).toContain(`mc: note: ${workers} workers on ${cpus} CPU${cpus === 1 ? '' : 's'}: workers beyond the CPU count share CPUs and slow the search`);
    const fits = mc('run', 'test/oracles/bakery.ts', '--n', '3', '--max', '4', '--workers', '2', '--parallel-from', '100');
    expect(fits.stderr.includes('workers beyond the CPU count')).toBe(availableParallelism() < 2);
  });
  it("'auto' means one worker per CPU", () => {
    const r = mc('run', 'test/oracles/bakery.ts', '--n', '3', '--max', '4', '--workers', 'auto', '--parallel-from', '100', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.stats.workers).toBe(Math.min(availableParallelism(), 256));
    expect(r.json.stats.distinct).toBe(32919);
  });
  it('a count above 256 is a usage error', () => {
    const r = mc('run', 'test/oracles/bakery.ts', '--n', '3', '--max', '4', '--workers', '257');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--workers must be 'auto' or a whole number from 1 to 256, got '257'");
    expect(mc('run', 'test/oracles/bakery.ts', '--workers', 'many').stderr).toContain("--workers must be 'auto' or a whole number from 1 to 256, got 'many'");
  });
});

describe('the hand-over from one thread to the workers', () => {
  it('a run whose levels stay small never starts the workers, and says so', () => {
    const r = mc('run', 'test/oracles/counters.ts', '--n', '5', '--k', '3', '--workers', '2', '--no-liveness');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('searched on one thread: no level reached 10000 states');
    const from1 = mc('run', 'test/oracles/counters.ts', '--n', '5', '--k', '3', '--workers', '2', '--parallel-from', '1', '--no-liveness');
    expect(from1.code).toBe(0);
    expect(from1.stderr).not.toContain('searched on one thread');
  });
});

describe('bucket tables that outgrow the address space they reserved', () => {
  it('move to new buffers, which every worker then reads (MC_TABLE_RESERVE_CELLS makes the reservations small)', () => {
    // 69,851 states over 64 buckets is about 1,100 a bucket: past the 716 a 1,024-cell table holds, so with
    // 1,024 cells reserved every bucket's table moves at least once (and then doubles in place, and moves again).
    const run = (...extra: string[]) => {
      const r = mcWithEnv({ MC_TABLE_RESERVE_CELLS: '1024' }, 'run', 'test/oracles/bakery.ts', '--n', '3', '--max', '6', '--json', '--no-liveness', ...extra);
      expect(r.code, r.stderr).toBe(0);
      return r.json;
    };
    const one = run();
    expect(one.stats.distinct).toBe(69851);
    for (const extra of [['--workers', '2', '--parallel-from', '1'], ['--workers', '3', '--parallel-from', '100']]) {
      const many = run(...extra);
      expect(many.stats.workers).toBe(Number(extra[1]));
      expect(essence(many)).toEqual(essence(one));
    }
  });
});
