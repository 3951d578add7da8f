// The command line through the built binary: every exit code of design.md section 5,
// counterexamples, --trace-out and replay, determinism of --json output.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, interruptedRun, mc, ROOT } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-test-'));

describe('exit codes', () => {
  it('0: complete, every property holds', () => {
    const r = mc('run', fixture('mutex-bug.ts'), '--fixed', 'true', '--json');
    expect(r.code).toBe(0);
    expect(r.json.schema).toBe('mc.result/1');
    expect(r.json.verdict).toBe('ok');
    expect(r.json.complete).toBe(true);
  });
  it('1: a violated invariant, with a shortest counterexample', () => {
    const r = mc('run', fixture('mutex-bug.ts'));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VIOLATION of invariant MutualExclusion');
    // idle,idle -> Test(0) -> Test(1) -> Set(0) -> Set(1): 5 states, the shortest possible.
    expect(r.stdout).toContain('Counterexample (5 states, a shortest one)');
    expect(r.stdout).toMatch(/2\. Test\(0\)\s+\[P0\]\n\s+pc\[0\]: idle → saw/);
  });
  it('1: an unexpected deadlock names the Deadlock property', () => {
    const r = mc('run', fixture('deadlock.ts'), '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('Deadlock');
    expect(r.json.violation.trace).toHaveLength(3);
  });
  it('2: unknown model, unknown flag, out-of-range param, bad budget value', () => {
    for (const args of [['run', 'no-such-model'], ['run', fixture('mutex-bug.ts'), '--bogus'], ['run', 'test/oracles/counters.ts', '--n', '99'], ['run', 'test/oracles/counters.ts', '--max-states', '-3'], ['frobnicate']]) {
      const r = mc(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(mc('run', 'no-such-model').stderr).toContain("unknown model 'no-such-model'");
    expect(mc('run', 'test/oracles/counters.ts', '--n', '99').stderr).toContain('99 is outside its range 1..8');
  });
  it('3: an action that throws names the action and shows the trace to it', () => {
    const r = mc('run', fixture('throws.ts'));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('MODEL ERROR: action Step threw: boom at x=1');
    expect(r.stdout).toContain('x: 0 → 1');
    expect(r.stderr + r.stdout).not.toMatch(/\n\s+at /);
  });
  it('3: a value outside its domain names the field', () => {
    const r = mc('run', fixture('out-of-domain.ts'), '--json');
    expect(r.code).toBe(3);
    expect(r.json.error.field).toBe('x');
    expect(r.json.error.message).toContain('x = 3 is outside 0..2');
  });
  it('3: a file that exports no model', () => {
    const r = mc('run', fixture('not-a-model.mjs'));
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('does not export a model');
  });
  it('3: --debug catches an action that writes its input state', () => {
    const r = mc('run', fixture('mutates-input.ts'), '--debug');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('wrote its input state');
  });
  it('4: a budget ends the run as incomplete, never as a pass', () => {
    const r = mc('run', 'test/oracles/counters.ts', '--max-states', '1000', '--json');
    expect(r.code).toBe(4);
    expect(r.json.verdict).toBe('incomplete');
    expect(r.json.incompleteReason).toBe('max-states');
    expect(r.json.complete).toBe(false);
    expect(mc('run', 'test/oracles/counters.ts', '--max-depth', '5').code).toBe(4);
    const m = mc('run', 'test/oracles/counters.ts', '--n', '5', '--k', '25', '--max-memory', '150', '--json');
    expect(m.code).toBe(4);
    expect(m.json.incompleteReason).toBe('max-memory');
  });
  it('4: Ctrl-C stops the run and prints the statistics so far', async () => {
    const { code, json: j } = await interruptedRun(['run', 'test/oracles/counters.ts', '--n', '6', '--k', '30'], 2500);
    expect(code).toBe(4);
    expect(j.verdict).toBe('incomplete');
    expect(j.incompleteReason).toBe('interrupted');
    expect(j.stats.distinct).toBeGreaterThan(0);
  });
  it('5: a mutant that survives fails the mutation gate', () => {
    // With the fix forced on, the declared mutant no longer breaks MutualExclusion: it survives.
    const r = mc('mutate', fixture('mutex-bug.ts'), '--json');
    expect(r.code).toBe(0);
    expect(r.json.mutants[0]).toMatchObject({ id: 'no-lock', fired: 'MutualExclusion', verdict: 'killed', traceLength: 5 });
    const src = readFileSync(fixture('mutex-bug.ts'), 'utf8').replace("params: { fixed: false }", 'params: { fixed: true }').replaceAll('../../src/', `${process.cwd()}/src/`);
    const copy = join(tmp, 'mutex-fixed.ts');
    writeFileSync(copy, src);
    const s = mc('mutate', copy, '--json');
    expect(s.code).toBe(5);
    expect(s.json.mutants[0].verdict).toBe('survived');
  });
});

describe('mutants', () => {
  it('mc mutate --mutant runs that mutant only; an unknown one is a usage error', () => {
    const r = mc('mutate', fixture('check-demo.ts'), '--mutant', 'both-top', '--json');
    expect(r.code).toBe(0);
    expect(r.json.mutants.map((m: { id: string }) => m.id)).toEqual(['both-top']);
    expect(mc('mutate', fixture('check-demo.ts'), '--mutant', 'nope').code).toBe(2);
  });
  it('mc run --mutant reports the property the mutant declares', () => {
    const r = mc('run', fixture('check-demo.ts'), '--mutant', 'both-top', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('NotBothTop');
  });
  it('mc run --continue searches the whole state space past a violation (BEEM bakery.4: 157,003 states)', () => {
    const args = ['run', 'test/oracles/bakery.ts', '--n', '3', '--max', '6', '--mutant', 'ticket-compare-flipped', '--no-liveness', '--json'];
    const first = mc(...args), all = mc(...args, '--continue');
    expect(first.code).toBe(1);
    expect(first.json.stats.distinct).toBeLessThan(157003);
    expect(all.code).toBe(1);
    expect(all.json.verdict).toBe('violation');
    expect(all.json.stats.distinct).toBe(157003);
    // The counterexample is still the first one found, a shortest one.
    expect(all.json.violation).toEqual(first.json.violation);
  });
  it('mc run --continue names every violated property in its verdict', () => {
    const r = mc('run', 'ring', '--mutant', 'M-A1', '--slots', '2', '--continue', '--no-liveness');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Also violated: Pairing (13 states), Deadlock (44 states)');
    expect(r.stdout).toContain('Verdict: VIOLATION of NoDoubleDelivery, Pairing, Deadlock\n');
  });
});

describe('JSON Lines', () => {
  it('--jsonl: an mc.progress/1 line every 2 s, then the mc.result/1 document, one per line', () => {
    // A model far too large to finish, stopped by a 3 s budget: at least one progress line, whatever the machine's speed.
    const r = mc('run', 'test/oracles/counters.ts', '--n', '6', '--k', '30', '--max-seconds', '3', '--no-liveness', '--jsonl');
    expect(r.code, r.stderr).toBe(4);
    const docs = r.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    const progress = docs.slice(0, -1), result = docs.at(-1);
    expect(progress.length).toBeGreaterThanOrEqual(1);
    for (const p of progress) {
      expect(p.schema).toBe('mc.progress/1');
      expect(p.distinct).toBeGreaterThan(0);
      expect(p.distinct).toBeLessThanOrEqual(result.stats.distinct);
    }
    expect(result).toMatchObject({ schema: 'mc.result/1', verdict: 'incomplete', incompleteReason: 'max-seconds' });
  });
  it('--jsonl and --json together are a usage error, reported on one line', () => {
    const r = mc('run', 'ring', '--json', '--jsonl');
    expect(r.code).toBe(2);
    expect(r.stdout.trimEnd().split('\n')).toHaveLength(1);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'mc.error/1', exitCode: 2 });
  });
});

describe('counterexamples', () => {
  it('--trace-out writes a trace that mc replay re-executes', () => {
    const file = join(tmp, 'trace.json');
    expect(mc('run', fixture('mutex-bug.ts'), '--trace-out', file).code).toBe(1);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    expect(t.schema).toBe('mc.trace/1');
    expect(t.steps.map((s: { action: string }) => s.action)).toEqual(['Test(0)', 'Test(1)', 'Set(0)', 'Set(1)']);
    const r = mc('replay', file, '--json');
    expect(r.code).toBe(1);
    expect(r.json).toMatchObject({ ok: true, violated: ['MutualExclusion'], steps: 5 });
  });
  it('mc replay reports the first step that no longer applies', () => {
    const file = join(tmp, 'trace.json');
    mc('run', fixture('mutex-bug.ts'), '--trace-out', file);
    const t = JSON.parse(readFileSync(file, 'utf8'));
    t.steps[2].action = 'Leave(0)'; // P0 is not in cs yet at step 4
    const bad = join(tmp, 'bad-trace.json');
    writeFileSync(bad, JSON.stringify(t));
    const r = mc('replay', bad, '--json');
    expect(r.code).toBe(5);
    expect(r.json).toMatchObject({ ok: false, failedStep: 4 });
    expect(r.json.reason).toContain('Leave(0) is not enabled');
    expect(mc('replay', join(tmp, 'missing.json')).code).toBe(2);
  });
});

describe('determinism', () => {
  const strip = (j: any) => ({ ...j, stats: { ...j.stats, seconds: 0, distinctPerSecond: 0, generatedPerSecond: 0, peakMemoryBytes: 0, bytesPerState: 0 } });
  it('the same command twice gives the same JSON (timings aside) and the same trace', () => {
    const a = mc('run', fixture('mutex-bug.ts'), '--json'), b = mc('run', fixture('mutex-bug.ts'), '--json');
    expect(JSON.stringify(strip(a.json))).toBe(JSON.stringify(strip(b.json)));
    const c = mc('run', 'test/oracles/counters.ts', '--n', '3', '--k', '4', '--json'), d = mc('run', 'test/oracles/counters.ts', '--n', '3', '--k', '4', '--json');
    expect(JSON.stringify(strip(c.json))).toBe(JSON.stringify(strip(d.json)));
  });
  it('random walks are reproducible from their seed', () => {
    const a = mc('run', fixture('mutex-bug.ts'), '--strategy', 'random', '--seed', '7', '--json');
    const b = mc('run', fixture('mutex-bug.ts'), '--strategy', 'random', '--seed', '7', '--json');
    expect(a.code).toBe(1);
    expect(a.json.violation.trace).toEqual(b.json.violation.trace);
  });
});

describe('the mc command', () => {
  it('package.json names an executable bin (run directly, as npx and npm install -g do)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { bin: { mc: string } };
    const r = spawnSync(join(ROOT, pkg.bin.mc), ['--version'], { encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
    expect(r.stdout.trim()).toBe('0.1.0');
  });
});

describe('list and show', () => {
  it('list --json has the schema and every model', () => {
    const r = mc('list', '--json');
    expect(r.code).toBe(0);
    expect(r.json.schema).toBe('mc.list/1');
    expect(Array.isArray(r.json.models)).toBe(true);
  });
  it('show describes a model file', () => {
    const r = mc('show', fixture('mutex-bug.ts'), '--json');
    expect(r.code).toBe(0);
    expect(r.json.invariants.map((i: { name: string }) => i.name)).toEqual(['MutualExclusion']);
    expect(r.json.mutants[0].id).toBe('no-lock');
  });
});
