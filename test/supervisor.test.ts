// The supervisor (src/supervisor): a run whose model code never returns still stops, on a real Ctrl-C
// (SIGINT), SIGTERM and --max-seconds, with exit 4 and a message naming what was running and the state it
// was given; mc mutate, mc check and runModel too. Timings are asserted only as generous bounds on "it
// stopped".
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runModel } from 'mc-checker';
import { fixture, MC, mc, ROOT } from './helpers.js';

const NEVER = fixture('never-returns.ts');

interface Outcome { code: number | null; stdout: string; stderr: string; json: any; lines: any[]; afterSignal: number | null }

/** The fixture says on stderr when its model code starts to loop. */
const STUCK = (_lines: string[], stderr: string): boolean => stderr.includes('never returns');

/**
 * Runs the built mc (with --json or --jsonl when asked); sends `signal` once `when` says so (given the
 * stdout lines and the stderr so far, or after that many ms), and again `again` ms later if asked.
 * Resolves when it exits.
 */
function run(args: string[], o: { signal?: NodeJS.Signals; when?: number | ((lines: string[], stderr: string) => boolean); again?: number } = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MC, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
    let stdout = '', stderr = '', sentAt: number | null = null;
    const send = (): void => {
      if (sentAt !== null || !o.signal) return;
      sentAt = performance.now();
      child.kill(o.signal);
      if (o.again !== undefined) setTimeout(() => child.kill(o.signal), o.again);
    };
    const check = (): void => { if (typeof o.when === 'function' && o.when(stdout.split('\n'), stderr)) send(); };
    child.stdout.on('data', (d) => { stdout += d; check(); });
    child.stderr.on('data', (d) => { stderr += d; check(); });
    if (typeof o.when === 'number') setTimeout(send, o.when);
    child.on('close', (code) => {
      const lines = stdout.split('\n').flatMap((l) => { try { return [JSON.parse(l)]; } catch { return []; } });
      let json: any = null;
      try { json = JSON.parse(stdout); } catch { json = lines[lines.length - 1] ?? null; }
      resolve({ code, stdout, stderr, json, lines, afterSignal: sentAt === null ? null : (performance.now() - sentAt) / 1000 });
    });
  });
}

describe.concurrent('a run whose model code never returns stops', () => {
  it('on Ctrl-C (a real SIGINT): exit 4, naming the action and the state it was given', async () => {
    const r = await run(['run', NEVER, '--where', 'guard', '--json'], { signal: 'SIGINT', when: STUCK });
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({
      verdict: 'incomplete', incompleteReason: 'interrupted', incompletePhase: 'safety',
      stuck: { running: 'action Step [P]', action: 'Step', state: { x: 5, flag: false } },
    });
    expect(r.stderr).toMatch(/mc: note: action Step \[P\] did not return within \d+\.\d s of the request to stop \(interrupted\): mc stopped the search thread of model never-returns/);
    expect(r.afterSignal).toBeLessThan(15);
  });

  it('on SIGTERM', async () => {
    const r = await run(['run', NEVER, '--where', 'effect', '--json'], { signal: 'SIGTERM', when: STUCK });
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ incompleteReason: 'interrupted', stuck: { action: 'Step', state: { x: 5 } } });
  });

  it('a second Ctrl-C quits at once (exit 130)', async () => {
    const r = await run(['run', NEVER, '--where', 'guard'], { signal: 'SIGINT', when: STUCK, again: 200 });
    expect(r.code).toBe(130);
    expect(r.afterSignal).toBeLessThan(1.3); // before the supervisor's own 1.5 s
  });

  it('on --max-seconds 3, as text: what ran, its state, and the verdict', async () => {
    const r = await run(['run', NEVER, '--where', 'guard', '--max-seconds', '3']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/STOPPED: action Step \[P\] did not return within \d+\.\d s of the request to stop \(max-seconds\)/);
    expect(r.stdout).toContain('{"x":5,"flag":false}');
    expect(r.stdout).toMatch(/Verdict: INCOMPLETE \(max-seconds\): no violation in the \d+ states explored, but the safety search did not finish/);
  });

  it.each([
    ['invariant', { running: 'invariant Bounded', property: 'Bounded', state: { x: 5, flag: false } }],
    ['step', { running: 'step property Moves (on a step from the state shown)', property: 'Moves', state: { x: 5 } }],
    ['goal', { running: 'goal Reaches (sometimes)', property: 'Reaches', state: { x: 5 } }],
    ['liveness', { running: "liveness property Grows's predicate", property: 'Grows', state: { x: 5 } }],
    ['constraint', { running: 'the state constraint', state: { x: 5 } }],
  ])('a looping %s: named, with the state it was given', async (where, stuck) => {
    const r = await run(['run', NEVER, '--where', where, '--max-seconds', '1', '--json']);
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-seconds', stuck });
  });

  it("the model's setup (init never returns)", async () => {
    const r = await run(['run', NEVER, '--where', 'init', '--json'], { signal: 'SIGINT', when: STUCK });
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted', incompletePhase: 'setup', stuck: { running: expect.stringMatching(/^the model's setup/) } });
    expect(r.json.stuck.state).toBeUndefined();
  });

  it('a parallel search (three workers from the first level)', async () => {
    const r = await run(['run', NEVER, '--workers', '3', '--parallel-from', '1', '--no-liveness', '--at', '1', '--json'], { signal: 'SIGINT', when: STUCK });
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ incompleteReason: 'interrupted', stuck: { action: 'Step', state: { x: 1 } } });
  });

  it.each(['dfs', 'random'])('--strategy %s', async (strategy) => {
    const r = await run(['run', NEVER, '--strategy', strategy, '--max-seconds', '1', '--json']);
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ strategy, incompleteReason: 'max-seconds', stuck: { action: 'Step', state: { x: 5 } } });
  });

  it('mc mutate: the mutant whose effect never returns is incomplete, and named (--max-seconds)', async () => {
    const r = await run(['mutate', NEVER, '--where', 'nowhere', '--max-seconds', '1', '--json']);
    expect(r.code).toBe(5); // a mutant not killed fails the gate, as one stopped by a budget always has
    expect(r.json.mutants).toEqual([expect.objectContaining({ id: 'loops', verdict: 'incomplete', message: expect.stringMatching(/^action Step \[P\] did not return .*\(mutant loops\)/) })]);
    expect(r.stderr).toMatch(/mc: action Step \[P\] did not return/);
  });

  it('mc mutate and mc check stop on Ctrl-C (exit 4)', async () => {
    const [m, c] = await Promise.all([
      run(['mutate', NEVER, '--json'], { signal: 'SIGINT', when: STUCK }),
      run(['check', NEVER, '--json'], { signal: 'SIGINT', when: STUCK }),
    ]);
    expect(m.code).toBe(4);
    expect(c.code).toBe(4);
    expect(c.json.models[0].problems[0]).toMatch(/^stopped \(interrupted\): action Step \[P\] did not return/);
  });

  it('runModel: an AbortSignal stops it, and the document says what ran', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 5000); // the model is loaded and stuck by then, even on a busy machine
    const doc = await runModel(`${ROOT}/${NEVER}`, { params: { where: 'guard' }, signal: ac.signal });
    expect(doc).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted', stuck: { action: 'Step', state: { x: 5, flag: false } } });
  });
});

describe('budgets and phases', () => {
  it('--max-seconds applies inside and between levels, whatever their size', () => {
    const r = mc('run', 'ring', '--slots', '4', '--no-liveness', '--max-seconds', '0.3', '--json');
    expect(r.code).toBe(4);
    expect(r.json.incompleteReason).toBe('max-seconds');
    expect(r.json.stats.seconds).toBeLessThan(3); // the whole run takes several seconds
  });

  it('a stop during the liveness pass says the safety search finished', async () => {
    // Ctrl-C once progress says the liveness pass began (the first such line comes as it begins).
    const r = await run(['run', 'ring', '--slots', '4', '--jsonl'], { signal: 'SIGINT', when: (lines) => lines.some((l) => l.includes('"phase":"liveness"')) });
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'interrupted', incompletePhase: 'liveness', stats: { distinct: 2072425 } });
    expect(r.json.properties.filter((p: any) => p.kind === 'invariant').every((p: any) => p.status === 'holds')).toBe(true);
    const text = mc('run', 'ring', '--slots', '2', '--max-seconds', '0.001');
    expect(text.stdout).toMatch(/Verdict: INCOMPLETE \(max-seconds\): no violation in the [\d,]+ states explored, but the safety search did not finish/);
  });
});
