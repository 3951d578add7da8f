// The README's tour lines that chain commands do what they say when pasted into a shell.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MC, ROOT } from './helpers.js';

describe('README tour', () => {
  it('the --trace-out line writes the counterexample and replays it', () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
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
