// The README as a user reads it: its model code is the examples' code (each ```ts block marked
// <!-- examples/X.ts --> equals that file, which test/types.test.ts type-checks and
// test/examples.test.ts runs), and its tour lines that chain commands do what they say in a shell.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MC, ROOT } from './helpers.js';

const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/<!-- (examples\/[\w.-]+\.ts) -->\n```ts\n([\s\S]*?)```\n/g)].map((m) => ({ file: m[1]!, code: m[2]! }));

describe('README code', () => {
  it('embeds the worked example and the tour of every construct', () => {
    expect(blocks.map((b) => b.file)).toEqual(expect.arrayContaining(['examples/lock.ts', 'examples/tour.ts']));
  });
  for (const b of blocks) {
    it(`its copy of ${b.file} is the file`, () => {
      expect(b.code).toBe(readFileSync(resolve(ROOT, b.file), 'utf8'));
    });
  }
  it('has no ```ts block outside the marked examples', () => {
    expect((readme.match(/```ts\n/g) ?? []).length).toBe(blocks.length);
  });
});

describe('README tour', () => {
  it('the --trace-out line writes the counterexample and replays it', () => {
    const line = readme.split('\n').find((l) => l.includes('--trace-out t.json') && l.includes('mc replay t.json'));
    expect(line).toBeDefined();
    // `mc` as the shell sees it after npm install; the comment is the shell's too.
    const r = spawnSync('sh', ['-c', `mc() { "${process.execPath}" "${MC}" "$@"; }\n${line!.trim()}`], { cwd: mkdtempSync(join(tmpdir(), 'mc-tour-')), encoding: 'utf8' });
    // The property the run reports first is the one the trace records, and the replay ends in its violation.
    const fired = /^Verdict: VIOLATION of (\w+)/m.exec(r.stdout)?.[1];
    expect(fired).toBeDefined();
    expect(r.stdout).toMatch(new RegExp(`^mc replay t\\.json: model ring, \\d+ states, recorded violation of ${fired}$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^Verdict: the trace re-executes and ends in a violation of .*\\b${fired}\\b`, 'm'));
    expect(r.status).toBe(1); // replay's exit code: the trace ends in a violation
  });
});
