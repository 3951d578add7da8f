// runModel: a check is one test in any runner. It imports the built package by its name, as a user's
// project does, and gives the document `mc run --json` prints (timings aside), or throws where mc run
// exits 2 (or 3 with no result).
import { describe, expect, it } from 'vitest';
import { ModelError, runModel, UsageError, type RunResult } from 'mc-checker';
import mutexBug from './fixtures/mutex-bug.js';
import { fixture, mc } from './helpers.js';

// docs/writing-models.md's example of this is examples/lock.test.ts, which the suite runs too.

/** The document without what depends on the machine and the moment. */
const timeless = (doc: RunResult | Record<string, any>): unknown => {
  const d = JSON.parse(JSON.stringify(doc));
  return { ...d, stats: { ...d.stats, seconds: 0, distinctPerSecond: 0, generatedPerSecond: 0, peakMemoryBytes: 0, bytesPerState: 0, livenessSeconds: 0 } };
};

describe('runModel gives what mc run --json prints', () => {
  const cases: { label: string; model: string; options: Parameters<typeof runModel>[1]; args: string[] }[] = [
    { label: 'a built-in model (liveness checked)', model: 'ring', options: { params: { slots: 1 } }, args: ['--slots', '1'] },
    { label: 'a built-in mutant, its declared kill first', model: 'ring', options: { mutant: 'M-A2' }, args: ['--mutant', 'M-A2'] },
    { label: 'a model file with a violation', model: fixture('mutex-bug.ts'), options: {}, args: [] },
    { label: 'a model file, parameters as values', model: fixture('capital-params.ts'), options: { params: { N: 3, RM: 1, frozen: false } }, args: ['--N', '3', '--RM', '1', '--frozen', 'false'] },
    { label: 'an automatic mutant of a model that declares none', model: fixture('deadlock.ts'), options: { mutant: 'auto:disable:Inc' }, args: ['--mutant', 'auto:disable:Inc'] },
    { label: 'a budget', model: 'test/oracles/counters.ts', options: { params: { n: 3, k: 9 }, maxStates: 50 }, args: ['--n', '3', '--k', '9', '--max-states', '50'] },
    { label: 'random walks', model: fixture('mutex-bug.ts'), options: { strategy: 'random', seed: 7, walks: 20 }, args: ['--strategy', 'random', '--seed', '7', '--walks', '20'] },
    { label: 'going on past the violation', model: fixture('mutex-bug.ts'), options: { continue: true, exact: true }, args: ['--continue', '--exact'] },
    { label: 'a model error during the search (verdict error)', model: fixture('throws.ts'), options: {}, args: [] },
    { label: 'two workers', model: 'test/oracles/counters.ts', options: { params: { n: 3, k: 6 }, workers: 2, parallelFrom: 1, liveness: false }, args: ['--n', '3', '--k', '6', '--workers', '2', '--parallel-from', '1', '--no-liveness'] },
  ];
  for (const { label, model, options, args } of cases) {
    it(label, async () => {
      const cli = mc('run', model, ...args, '--json');
      expect(cli.json?.schema, cli.stderr).toBe('mc.result/1');
      const doc = await runModel(model, options);
      expect(timeless(doc)).toEqual(timeless(cli.json));
      // The document is plain data, as printed.
      expect(JSON.parse(JSON.stringify(doc))).toStrictEqual(doc);
    });
  }
  it('the two-worker run used two workers (the comparison above is not between two one-worker runs)', async () => {
    const doc = await runModel('test/oracles/counters.ts', { params: { n: 3, k: 6 }, workers: 2, parallelFrom: 1, liveness: false });
    expect([doc.stats.workers, doc.stats.distinct, doc.notes]).toEqual([2, 343, []]);
  });
});

describe('runModel, the cases mc run has no flag for', () => {
  it('a model object asked for workers runs on one and says why (worker threads load the model from its file)', async () => {
    const doc = await runModel(mutexBug, { workers: 2, parallelFrom: 1, liveness: false });
    expect(doc.stats.workers).toBe(1);
    expect(doc.notes).toEqual(["ran with 1 worker instead of 2: worker threads load the model from its file, and this model object has none (pass runModel the model file's path, or a built-in model's name)"]);
    expect(doc.stats.distinct).toBe(13);
  });
  it('an aborted signal stops the run as Ctrl-C does', async () => {
    // The engine polls the signal between chunks of a large level: 10^7 states, levels of up to 10^5.
    const doc = await runModel('test/oracles/counters.ts', { params: { n: 5, k: 25 }, signal: AbortSignal.abort() });
    expect([doc.verdict, doc.incompleteReason]).toEqual(['incomplete', 'interrupted']);
  });
  it('onProgress is called while a long search runs', async () => {
    let calls = 0;
    // Progress comes every 2 s: 10^7 states take far longer than the 3 s budget that stops the search.
    const doc = await runModel('test/oracles/counters.ts', { params: { n: 5, k: 25 }, maxSeconds: 3, onProgress: () => { calls++; } });
    expect([doc.verdict, doc.incompleteReason]).toEqual(['incomplete', 'max-seconds']);
    expect(calls).toBeGreaterThan(0);
  });
});

describe('runModel throws where mc run exits 2, or 3 with no result', () => {
  const usage: [string, () => Promise<unknown>, string][] = [
    ['an unknown model', () => runModel('no-such-model'), "unknown model 'no-such-model'"],
    ['a missing file', () => runModel('./no-such-file.ts'), "model file './no-such-file.ts' does not exist"],
    ['a parameter out of range', () => runModel('ring', { params: { slots: 99 } }), "--slots for model 'ring': 99 is outside its range 1..8"],
    ['an unknown parameter', () => runModel('ring', { params: { slot: 2 } }), "model 'ring' has no parameter 'slot'"],
    ['an unknown mutant', () => runModel('ring', { mutant: 'M-Z9' }), "model 'ring' has no mutant 'M-Z9'"],
    ['an unknown option', () => runModel('ring', { maxState: 10 } as never), "runModel: unknown option 'maxState'"],
    ['a bad budget', () => runModel('ring', { maxStates: 0 }), 'runModel: maxStates must be a whole number from 1, got 0'],
    ['too many workers', () => runModel('ring', { workers: 1000 }), 'runModel: workers must be a whole number from 1 to 256, got 1000'],
    ['a bad strategy', () => runModel('ring', { strategy: 'bogus' as never }), "runModel: strategy must be 'bfs', 'dfs' or 'random', got bogus"],
  ];
  for (const [label, call, message] of usage) {
    it(`UsageError: ${label}`, async () => {
      const e = await call().then(() => null, (x: unknown) => x);
      expect(e).toBeInstanceOf(UsageError);
      expect((e as Error).message).toContain(message);
    });
  }
  it('ModelError: a file that exports no model', async () => {
    const e = await runModel(fixture('not-a-model.mjs')).then(() => null, (x: unknown) => x);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as Error).message).toMatch(/does not export a model/);
    expect(mc('run', fixture('not-a-model.mjs'), '--json').json).toEqual({ schema: 'mc.error/1', exitCode: 3, error: `model error: ${(e as Error).message}` });
  });
});
