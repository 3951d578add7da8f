// Messages that say what happened (issue 27, point 5): what is not a model file, the type of a wrong
// value, NaN as NaN, --debug stack traces of the model's own code, replay naming the field that differs
// and a trace that belongs to another model. docs/bad-input.md lists each case with the test that tries it.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, mc, type McRun } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-messages-'));

/** No stack trace and nothing of Node's or mc's insides in what mc printed. */
function expectClean(r: McRun): void {
  const all = r.stdout + r.stderr;
  expect(all, all).not.toMatch(/\n\s+at /);
  expect(all, all).not.toMatch(/node:internal|imported from|load\.js|dist\/src|ERR_[A-Z_]+|internal error/);
}

/** A usage error: exit 2, the message on stderr after `mc: `, and with --json the mc.error/1 document. */
function expectUsage(args: string[], message: string | RegExp): void {
  const r = mc(...args);
  expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
  expect(r.stderr).toMatch(typeof message === 'string' ? new RegExp(`^mc: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\n$`) : message);
  expectClean(r);
  const j = mc(...args, '--json');
  expect(j.code).toBe(2);
  expect(j.json).toMatchObject({ schema: 'mc.error/1', exitCode: 2 });
}

describe('what is not a model file', () => {
  it('a directory is a usage error, with or without a trailing slash', () => {
    for (const cmd of ['run', 'mutate', 'show', 'check']) {
      expectUsage([cmd, 'test/fixtures'], "'test/fixtures' is a directory, not a model file: give the model file itself (a .ts, .mts, .js or .mjs file that exports default defineModel({...}))");
    }
    expectUsage(['run', 'test/fixtures/'], /^mc: 'test\/fixtures\/' is a directory, not a model file/);
  });
  it('a .json file is a usage error; a trace file says to replay it', () => {
    expectUsage(['run', 'package.json'], "'package.json' is not a model file: it is a .json file; a model is a .ts, .mts, .js or .mjs file that exports default defineModel({...})");
    expectUsage(['run', 'test/fixtures/check-demo.golden.json'], /^mc: 'test\/fixtures\/check-demo.golden.json' is not a model file: it is a .json file;/);
    const trace = join(tmp, 'trace.json');
    expect(mc('run', fixture('mutex-bug.ts'), '--trace-out', trace).code).toBe(1);
    expectUsage(['run', trace], `'${trace}' is not a model file: it is a trace written by --trace-out (replay it with: mc replay ${trace}); a model is a .ts, .mts, .js or .mjs file that exports default defineModel({...})`);
  });
  it('other files (Markdown, no extension) are usage errors, never run as JavaScript', () => {
    const md = join(tmp, 'notes.md'), bare = join(tmp, 'model');
    writeFileSync(md, 'hello\n');
    writeFileSync(bare, "throw new Error('ran')\n");
    expectUsage(['run', md], `'${md}' is not a model file: it is a .md file; a model is a .ts, .mts, .js or .mjs file that exports default defineModel({...})`);
    expectUsage(['run', bare], `'${bare}' is not a model file: it is a file without an extension; a model is a .ts, .mts, .js or .mjs file that exports default defineModel({...})`);
    expectUsage(['run', 'README.md'], /^mc: 'README.md' is not a model file: it is a .md file;/);
  });
  it('a directory named like a model file is still a directory', () => {
    const dir = join(tmp, 'dir.ts');
    mkdirSync(dir, { recursive: true });
    expectUsage(['run', dir], new RegExp(`^mc: '${dir.replace(/[.]/g, '\\.')}' is a directory, not a model file`));
  });
  it('a name that is neither a built-in model nor a file is still an unknown model', () => {
    expectUsage(['run', 'no-such.json'], /^mc: unknown model 'no-such.json'\. Built-in models: ring,/);
  });
});

describe('mc replay says what differs', () => {
  const recorded = join(tmp, 'mutex.json');
  /** The mutex-bug counterexample (Test(0), Test(1), Set(0), Set(1)) as written by --trace-out, edited, in a new file. */
  let k = 0;
  function edited(edit: (t: any) => void, from = recorded): string {
    const t = JSON.parse(readFileSync(from, 'utf8'));
    edit(t);
    const file = join(tmp, `edited-${++k}.json`);
    writeFileSync(file, JSON.stringify(t));
    return file;
  }
  function replayFails(file: string, step: number, reason: string): void {
    const r = mc('replay', file);
    expect(r.code, r.stdout + r.stderr).toBe(5);
    expect(r.stdout).toContain(`${String(step).padStart(4)}. FAILED: ${reason}\n`);
    expectClean(r);
    const j = mc('replay', file, '--json');
    expect(j.code).toBe(5);
    expect(j.json).toMatchObject({ schema: 'mc.replay/1', ok: false, failedStep: step, reason });
  }
  it('a step whose state differs names the first field that differs, with both values', () => {
    expect(mc('run', fixture('mutex-bug.ts'), '--trace-out', recorded).code).toBe(1);
    replayFails(edited((t) => { t.steps[1].state.pc[1] = 'cs'; }), 3, 'Test(1) gives a different state than recorded: field pc[1] differs: the model gives saw, the trace recorded cs');
    replayFails(edited((t) => { t.steps[2].state.pc = ['done', 'done']; t.steps[2].state.lock = false; }), 4,
      'Set(0) gives a different state than recorded: field lock differs: the model gives true, the trace recorded false (and 2 more fields)');
  });
  it('a recorded state that does not fit the model says why', () => {
    replayFails(edited((t) => { t.steps[0].state.pc[1] = 'waiting'; }), 2, 'the recorded state does not fit the model: pc[1] := "waiting" is not one of {idle, saw, cs, done}');
  });
  it('an initial state that is not the model\'s names the field', () => {
    replayFails(edited((t) => { t.init.lock = true; }), 1, "the recorded initial state is not an initial state of the model: field lock differs: the trace has true, the model's initial state has false");
  });
  it('an action the model does not have comes with the nearest names', () => {
    replayFails(edited((t) => { t.steps[1].action = 'Tset(1)'; }), 3, "the model has no action named 'Tset(1)' (did you mean 'Test(1)', 'Set(1)' or 'Test(0)'?)");
  });
  it('a lasso that does not loop back names the field', () => {
    const lasso = join(tmp, 'lasso.json');
    expect(mc('run', 'dist/test/oracles/ewd840.js', '--mutant', 'stay-black', '--trace-out', lasso).code).toBe(1);
    expect(JSON.parse(readFileSync(lasso, 'utf8')).loopStart).toBe(1);
    replayFails(edited((t) => { t.loopStart = 3; }, lasso), 7, 'the last state does not loop back to step 3: field tpos differs: the last state has 0, step 3 has 1 (and 1 more field)');
    replayFails(edited((t) => { t.loopStart = 99; }, lasso), 7, "the trace's loopStart, 99, is not one of its steps (1..7)");
  });
});

describe('mc replay of a trace recorded for another model', () => {
  const recorded = join(tmp, 'mutex-for-relabel.json');
  const relabel = (edit: (t: any) => void): string => {
    const t = JSON.parse(readFileSync(recorded, 'utf8'));
    edit(t);
    const file = join(tmp, `relabelled-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(t));
    return file;
  };
  it('parameters the model does not have: the trace does not belong to it', () => {
    expect(mc('run', fixture('mutex-bug.ts'), '--trace-out', recorded).code).toBe(1);
    const f = relabel((t) => { t.model = 'check-demo'; t.modelPath = fixture('check-demo.ts'); });
    expectUsage(['replay', f], `trace '${f}' does not belong to model 'check-demo': it was recorded with parameter 'fixed', which 'check-demo' does not have (its parameters: k); a trace replays against the model that wrote it`);
  });
  it('a built-in model\'s trace relabelled as another built-in model', () => {
    const ring = join(tmp, 'ring.json');
    expect(mc('run', 'ring', '--mutant', 'M-A2', '--trace-out', ring).code).toBe(1);
    const t = JSON.parse(readFileSync(ring, 'utf8'));
    t.model = 'mpu';
    const f = join(tmp, 'ring-as-mpu.json');
    writeFileSync(f, JSON.stringify(t));
    expectUsage(['replay', f], `trace '${f}' does not belong to model 'mpu': it was recorded with parameters 'cqSlots', 'ids', 'adversary', 'config', which 'mpu' does not have (its parameters: partitions, slots, hwSlots); a trace replays against the model that wrote it`);
  });
  it('fields the model does not have, or a mutant it does not declare', () => {
    const f = relabel((t) => { t.model = 'check-demo'; t.modelPath = fixture('check-demo.ts'); t.params = {}; });
    expectUsage(['replay', f], `trace '${f}' does not belong to model 'check-demo': its states have fields lock, pc, which the model's do not, and lack the model's fields a, b; a trace replays against the model that wrote it`);
    const g = relabel((t) => { t.mutant = 'both-top'; });
    expectUsage(['replay', g], `trace '${g}' does not belong to model 'mutex-bug': it was recorded with mutant 'both-top', which 'mutex-bug' does not declare`);
    const h = relabel((t) => { t.mutant = 'auto:disable:Frob'; });
    expectUsage(['replay', h], `trace '${h}' does not belong to model 'mutex-bug': automatic mutant 'auto:disable:Frob': model 'mutex-bug' has no action 'Frob'`);
  });
  it('a parameter value the model no longer allows, or a model file that is gone', () => {
    const f = relabel((t) => { t.model = 'check-demo'; t.modelPath = fixture('check-demo.ts'); t.params = { k: 12 }; });
    expectUsage(['replay', f], `trace '${f}' does not fit model 'check-demo' as it is now: --k for model 'check-demo': 12 is outside its range 1..9`);
    const g = relabel((t) => { t.modelPath = join(tmp, 'gone.ts'); });
    expectUsage(['replay', g], `trace '${g}' was recorded for model "${join(tmp, 'gone.ts')}": model file '${join(tmp, 'gone.ts')}' does not exist`);
  });
});

describe('mc replay of what is not a trace', () => {
  it('a directory, a missing file, a file that is not JSON, JSON that is not a trace', () => {
    expectUsage(['replay', 'test/fixtures'], "cannot read trace file 'test/fixtures': it is a directory (EISDIR)");
    expectUsage(['replay', 'no-such-trace.json'], "cannot read trace file 'no-such-trace.json': no such file or directory (ENOENT)");
    expectUsage(['replay', 'README.md'], /^mc: trace file 'README.md' is not JSON: Unexpected token/);
    expectUsage(['replay', 'package.json'], `'package.json' is not an mc trace (expected "schema": "mc.trace/1" as written by --trace-out)`);
  });
});

describe("--debug shows the stack trace of the model's own code", () => {
  const deep = fixture('throws-deep.ts');
  const frame = (fn: string, line: number): RegExp => new RegExp(`\\n    at ${fn} \\(\\S*test/fixtures/throws-deep\\.ts:${line}:\\d+\\)\\n`);
  it('an action that throws from a helper: without --debug the message alone, with it the helper and the effect frames', () => {
    const plain = mc('run', deep);
    expect(plain.code).toBe(3);
    expect(plain.stdout).toContain('MODEL ERROR: action Step threw: deep failure at x=1');
    expect(plain.stderr).toBe('');
    expectClean(plain);
    const r = mc('run', deep, '--debug');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('MODEL ERROR: action Step threw: deep failure at x=1');
    expect(r.stderr).toMatch(/^mc: --debug: the model's code threw \(action Step threw: deep failure at x=1\):\nError: deep failure at x=1\n/);
    expect(r.stderr).toMatch(frame('deepHelper', 10));
    expect(r.stderr).toMatch(frame('Object.effect', 30));
  });
  it('an error with a cause: both stacks', () => {
    const r = mc('run', deep, '--where', 'cause', '--debug');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mc: --debug: the model's code threw \(action Step threw: the step could not be taken\):\nError: the step could not be taken\n    at withCause /);
    expect(r.stderr).toMatch(/\ncaused by: Error: deep failure at x=1\n    at deepHelper \(\S*throws-deep\.ts:10:\d+\)\n    at withCause \(\S*throws-deep\.ts:14:\d+\)\n/);
  });
  it('a thrown string has no stack trace, and --debug says so', () => {
    const r = mc('run', deep, '--where', 'string', '--debug');
    expect(r.code).toBe(3);
    expect(r.stderr).toBe("mc: --debug: the model's code threw (action Step threw: a plain string):\na plain string (thrown without a stack trace: not an Error)\n");
  });
  it('an invariant that throws, and the same from worker threads', () => {
    for (const workers of [[], ['--workers', '2', '--parallel-from', '1']]) {
      const r = mc('run', deep, '--where', 'invariant', '--debug', ...workers);
      expect(r.code).toBe(3);
      expect(r.stderr).toMatch(/^mc: --debug: the model's code threw \(invariant Fine threw: deep failure at x=1\):\n/);
      expect(r.stderr).toMatch(frame('deepHelper', 10));
      expect(r.stderr).toMatch(frame('Object.check', 33));
      const a = mc('run', deep, '--debug', ...workers);
      expect(a.stderr).toMatch(frame('Object.effect', 30));
    }
    // The worker path is the one taken: its frames are parallel.js's.
    expect(mc('run', deep, '--where', 'invariant', '--debug', '--workers', '2', '--parallel-from', '1').stderr).toMatch(/parallel\.js/);
  });
  it('with --json the document is unchanged (no stack in it) and the stack is on stderr', () => {
    const r = mc('run', deep, '--debug', '--json');
    expect(r.code).toBe(3);
    expect(Object.keys(r.json.error).sort()).toEqual(['action', 'message', 'trace']);
    expect(r.stderr).toMatch(frame('deepHelper', 10));
  });
  it('init() that throws (an error before the search): the model\'s frames, not where mc wrapped the error', () => {
    const plain = mc('run', deep, '--where', 'init');
    expect(plain.code).toBe(3);
    expect(plain.stderr).toBe("mc: model error: model 'throws-deep': init() threw: deep failure at x=1\n");
    const r = mc('run', deep, '--where', 'init', '--debug');
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/^mc: model error: model 'throws-deep': init\(\) threw: deep failure at x=1\nmc: --debug: the model's code threw:\nError: deep failure at x=1\n/);
    expect(r.stderr).toMatch(frame('deepHelper', 10));
    expect(r.stderr).toMatch(frame('Object.init', 22));
    expect(r.stderr).not.toContain("Error: model 'throws-deep'");
  });
  it('mc mutate --debug: the stack of a mutant whose run is a model error; not in its JSON', () => {
    const plain = mc('mutate', deep);
    expect(plain.code).toBe(5);
    expect(plain.stdout).toContain('crash: invariant Fine threw: deep failure at x=1');
    expect(plain.stderr).toBe('');
    const r = mc('mutate', deep, '--debug');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^mc: --debug: mutant crash: the model's code threw \(invariant Fine threw: deep failure at x=1\):\nError: deep failure at x=1\n/);
    expect(r.stderr).toMatch(frame('Object.check', 33));
    const j = mc('mutate', deep, '--debug', '--json');
    expect(j.json.mutants[0]).toMatchObject({ id: 'crash', verdict: 'error', message: 'invariant Fine threw: deep failure at x=1' });
    expect(j.json.mutants[0].stack).toBeUndefined();
  });
  it('mc replay --debug of a step that throws', () => {
    const t = join(tmp, 'deep.json');
    expect(mc('run', deep, '--trace-out', t).code).toBe(3);
    const trace = JSON.parse(readFileSync(t, 'utf8'));
    trace.steps.push({ action: 'Step', state: { x: 2 } }); // Step throws at x = 1
    writeFileSync(t, JSON.stringify(trace));
    const plain = mc('replay', t);
    expect(plain.code).toBe(5);
    expect(plain.stdout).toContain('3. FAILED: action Step threw: deep failure at x=1\n');
    expect(plain.stderr).toBe('');
    const r = mc('replay', t, '--debug');
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/^mc: --debug: the model's code threw \(action Step threw: deep failure at x=1\):\n/);
    expect(r.stderr).toMatch(frame('deepHelper', 10));
  });
});

describe('a wrong value says what it was', () => {
  const values = fixture('wrong-values.ts');
  /** The model error of `--bad` as mc run reports it (text and --json), with no stack trace. */
  function duringSearch(bad: string, message: string, field: string): void {
    const r = mc('run', values, '--bad', bad);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stdout).toContain(`MODEL ERROR: ${message}\n`);
    expectClean(r);
    const j = mc('run', values, '--bad', bad, '--json');
    expect(j.json.error).toMatchObject({ message, field });
  }
  function inInit(bad: string, message: string): void {
    const r = mc('run', values, '--bad', bad);
    expect(r.code, r.stdout + r.stderr).toBe(3);
    expect(r.stderr).toBe(`mc: model error: model 'wrong-values': initial state 1: ${message}\n`);
    expectClean(r);
  }
  it('written by an action: its kind when it is not the field\'s, NaN and Infinity as themselves', () => {
    duringSearch('string', 'action Step: x := "2" (a string) is not an integer', 'x');
    duringSearch('nan', 'action Step: x := NaN is not an integer', 'x');
    duringSearch('float', 'action Step: x := 1.5 is not an integer', 'x');
    duringSearch('infinity', 'action Step: x := -Infinity is not an integer', 'x');
    duringSearch('undefined', 'action Step: x := undefined is not an integer', 'x');
    duringSearch('huge', 'action Step: x := 1099511627776 is outside 0..3', 'x');
    duringSearch('object', 'action Step: x := { v: 2 } (an object) is not an integer', 'x');
    duringSearch('enum-number', 'action Step: pc := 1 (a number) is not one of {idle, busy}', 'pc');
  });
  it('through an array, a list or a set view, or stored whole', () => {
    duringSearch('array-string', 'action Step: xs[1] := "2" (a string) is not an integer', 'xs[1]');
    duringSearch('list-nan', 'action Step: q[0] := NaN is not an integer', 'q[0]');
    duringSearch('index-string', 'action Step: xs["1"]: the index "1" (a string) is not an integer (indices: 0..1)', 'xs');
    duringSearch('set-string', 'action Step: st: element "1" (a string) outside 0..2', 'st');
    duringSearch('whole-nan', 'action Step: xs[1] := NaN is not an integer', 'xs[1]');
  });
  it('given by init: NaN is NaN (it was "null is outside 0..3"), a string is a string', () => {
    inInit('init-nan', 'x := NaN is not an integer');
    inInit('init-string', 'x := "2" (a string) is not an integer');
    inInit('init-bool-number', 'b := 1 (a number) is not a boolean');
    inInit('init-enum-number', 'pc := 0 (a number) is not one of {idle, busy}');
    inInit('init-array-nan', 'xs[1] := NaN is not an integer');
    inInit('init-list-nan', 'q[0] := NaN is not an integer');
    inInit('init-set-nan', 'st: element NaN outside 0..2');
    inInit('init-range', 'x := 7 is outside 0..3');
  });
  it('what an action threw: a TypeError by its name, a value that is not an Error with its kind', () => {
    const threw = (where: string): string => {
      const r = mc('run', fixture('throws-deep.ts'), '--where', where, '--json');
      expect(r.code).toBe(3);
      expect(r.stderr).toBe('');
      return r.json.error.message;
    };
    expect(threw('type-error')).toBe("action Step threw: TypeError: Cannot read properties of undefined (reading 'here')");
    expect(threw('string')).toBe('action Step threw: a plain string');
    expect(threw('number')).toBe('action Step threw: 42 (a number, thrown instead of an Error)');
    expect(threw('object')).toBe('action Step threw: { code: "E_STEP", retry: false } (an object, thrown instead of an Error)');
    expect(threw('effect')).toBe('action Step threw: deep failure at x=1');
  });
});

describe('counts in the report', () => {
  it('a trace of one state is "1 state"', () => {
    const r = mc('run', fixture('wrong-values.ts'), '--bad', 'nan');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('Trace to the failing step (1 state):');
  });
});
