// Messages that say what happened (issue 27, point 5): what is not a model file, the type of a wrong
// value, NaN as NaN, --debug stack traces of the model's own code, replay naming the field that differs
// and a trace that belongs to another model. docs/bad-input.md lists each case with the test that tries it.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
