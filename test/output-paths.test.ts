// Output files (issue 27, point 3): --trace-out, --junit and --markdown paths are checked before the search
// (a usage error, exit 2, with nothing run), and a write that still fails at the end (here /dev/full, which
// takes the open and refuses the write) prints the report all the same and says what was not written.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, mc, type McRun } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-outputs-'));
const aFile = join(tmp, 'a-file.txt');
writeFileSync(aFile, 'not a directory\n');

function expectClean(r: McRun): void {
  const all = r.stdout + r.stderr;
  expect(all, all).not.toMatch(/\n\s+at /);
  expect(all, all).not.toMatch(/internal error|node:internal|ENOENT|dist\/src/);
}

/** A usage error before anything ran: exit 2, the one message, nothing on stdout (with --json, only mc.error/1). */
function expectRefused(args: string[], message: string): void {
  const r = mc(...args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  expect(r.stderr).toBe(`mc: ${message}\n`);
  expect(r.stdout).toBe('');
  expectClean(r);
  const j = mc(...args, '--json');
  expect(j.code).toBe(2);
  expect(j.json).toEqual({ schema: 'mc.error/1', exitCode: 2, error: message });
}

describe('output paths are checked before the search', () => {
  const mutex = fixture('mutex-bug.ts');
  it('--trace-out into a directory that does not exist', () => {
    const t = join(tmp, 'no-such-dir', 'deeper', 't.json');
    expectRefused(['run', mutex, '--trace-out', t], `--trace-out '${t}' cannot be written: the directory '${join(tmp, 'no-such-dir', 'deeper')}' does not exist`);
    expectRefused(['run', mutex, '--trace-out', 'no-such-dir/t.json'], "--trace-out 'no-such-dir/t.json' cannot be written: the directory 'no-such-dir' does not exist");
  });
  it('--trace-out naming a directory, a file under a file, or nothing', () => {
    expectRefused(['run', mutex, '--trace-out', tmp], `--trace-out '${tmp}' cannot be written: it is a directory (give the name of a file to write)`);
    expectRefused(['run', mutex, '--trace-out', join(aFile, 't.json')], `--trace-out '${join(aFile, 't.json')}' cannot be written: '${aFile}' is a file, not a directory`);
    expectRefused(['run', mutex, '--trace-out', join(aFile, 'x', 't.json')], `--trace-out '${join(aFile, 'x', 't.json')}' cannot be written: '${aFile}' is a file, not a directory`);
    expectRefused(['run', mutex, '--trace-out', ''], '--trace-out needs the name of a file to write');
  });
  it('is checked even when the run would find no counterexample, and creates nothing', () => {
    expectRefused(['run', mutex, '--fixed', '--trace-out', join(tmp, 'nope', 't.json')], `--trace-out '${join(tmp, 'nope', 't.json')}' cannot be written: the directory '${join(tmp, 'nope')}' does not exist`);
    const fine = join(tmp, 'never-written.json');
    const r = mc('run', mutex, '--fixed', '--trace-out', fine);
    expect(r.code).toBe(0);
    expect(existsSync(fine)).toBe(false);
  });
  it('mc check --junit and --markdown, before any model runs', () => {
    const demo = fixture('check-demo.ts');
    expectRefused(['check', demo, '--junit', join(tmp, 'none', 'j.xml')], `--junit '${join(tmp, 'none', 'j.xml')}' cannot be written: the directory '${join(tmp, 'none')}' does not exist`);
    expectRefused(['check', demo, '--markdown', tmp], `--markdown '${tmp}' cannot be written: it is a directory (give the name of a file to write)`);
    expectRefused(['check', demo, '--junit', join(tmp, 'ok.xml'), '--markdown', join(aFile, 's.md')], `--markdown '${join(aFile, 's.md')}' cannot be written: '${aFile}' is a file, not a directory`);
    expect(existsSync(join(tmp, 'ok.xml'))).toBe(false);
  });
});

describe.skipIf(!existsSync('/dev/full'))('a write that fails at the end (/dev/full: no space left)', () => {
  it('mc run --trace-out: the counterexample is printed, the failure stated, the exit code is the violation\'s', () => {
    const r = mc('run', fixture('mutex-bug.ts'), '--trace-out', '/dev/full');
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('VIOLATION of invariant MutualExclusion');
    expect(r.stdout).toContain('Counterexample (5 states, a shortest one)');
    expect(r.stderr).toBe("mc: --trace-out '/dev/full' could not be written: no space left on device (ENOSPC); the counterexample is in the report printed above\n");
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at |internal error/);
    const j = mc('run', fixture('mutex-bug.ts'), '--trace-out', '/dev/full', '--json');
    expect(j.code).toBe(1);
    expect(j.json).toMatchObject({ schema: 'mc.result/1', verdict: 'violation' });
    expect(j.json.violation.trace).toHaveLength(5);
  });
  it('mc run --trace-out of a model error: the trace is printed, exit 3', () => {
    const r = mc('run', fixture('throws.ts'), '--trace-out', '/dev/full');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('MODEL ERROR: action Step threw: boom at x=1');
    expect(r.stderr).toBe("mc: --trace-out '/dev/full' could not be written: no space left on device (ENOSPC); the trace to the model error is in the report printed above\n");
  });
  it('mc check --junit / --markdown: the table is printed, each failure stated; a passing gate exits 2, a failing one keeps 5', () => {
    const ok = join(tmp, 'written.md');
    const r = mc('check', fixture('check-demo.ts'), '--junit', '/dev/full', '--markdown', ok);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain('Verdict: PASS');
    expect(r.stderr).toBe("mc: --junit '/dev/full' could not be written: no space left on device (ENOSPC); the results are in the report printed above\n");
    expect(readFileSync(ok, 'utf8')).toContain('check-demo');
    const j = mc('check', fixture('check-demo.ts'), '--markdown', '/dev/full', '--json');
    expect(j.code).toBe(2);
    expect(j.json).toMatchObject({ schema: 'mc.check/1', verdict: 'ok' });
    expect(j.stderr).toContain("mc: --markdown '/dev/full' could not be written: no space left on device (ENOSPC)");
    // A gate that fails keeps its own exit code (5): the write failure is stated beside it.
    const gate = mc('check', fixture('mutex-bug.ts'), '--junit', '/dev/full');
    expect(gate.code).toBe(5);
    expect(gate.stderr).toContain("mc: --junit '/dev/full' could not be written");
  });
});
