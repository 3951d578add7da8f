// The README and docs/writing-models.md as a user reads them: their model code is the examples' code
// (each ```ts block marked <!-- examples/X.ts --> equals that file, which test/types.test.ts
// type-checks and test/examples.test.ts runs), every relative link leads to a file, the README stays
// short, and its tour lines that chain commands do what they say in a shell.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MC, ROOT } from './helpers.js';

const read = (file: string) => readFileSync(resolve(ROOT, file), 'utf8');
const readme = read('README.md');
const docs: { file: string; embeds: string[]; links: string[] }[] = [
  { file: 'README.md', embeds: ['examples/lock.ts'], links: ['examples/tour.ts', 'docs/writing-models.md'] },
  { file: 'docs/writing-models.md', embeds: ['examples/tour.ts', 'examples/lock.test.ts'], links: ['../examples/lock.ts'] },
];

// The anchors GitHub gives a file's headings (those outside fenced code): lower case, punctuation
// dropped, spaces as hyphens.
const anchors = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '').split('\n').filter((l) => /^#{1,6} /.test(l))
  .map((l) => l.replace(/^#+ /, '').trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replaceAll(' ', '-'));

for (const d of docs) {
  const text = read(d.file);
  const blocks = [...text.matchAll(/<!-- (examples\/[\w.-]+\.ts) -->\n```ts\n([\s\S]*?)```\n/g)].map((m) => ({ file: m[1]!, code: m[2]! }));
  // Inline links [text](target), without the http(s) and mailto ones; a #fragment is dropped.
  const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));

  describe(`${d.file}: code`, () => {
    it(`embeds ${d.embeds.join(' and ')}`, () => {
      expect(blocks.map((b) => b.file)).toEqual(expect.arrayContaining(d.embeds));
    });
    for (const b of blocks) {
      it(`its copy of ${b.file} is the file`, () => {
        expect(b.code).toBe(read(b.file));
      });
    }
    it('has no ```ts block outside the marked examples', () => {
      expect((text.match(/```ts\n/g) ?? []).length).toBe(blocks.length);
    });
  });

  describe(`${d.file}: links`, () => {
    it(`links to ${d.links.join(' and ')}`, () => {
      expect(links).toEqual(expect.arrayContaining(d.links));
    });
    it('every relative link points to an existing file', () => {
      const paths = links.map((t) => t.split('#')[0]!).filter((p) => p !== '');
      expect(paths.length).toBeGreaterThan(0);
      expect(paths.filter((p) => !existsSync(resolve(ROOT, dirname(d.file), p)))).toEqual([]);
    });
    it('every #fragment of a link to a markdown file names one of its headings', () => {
      const bad = links.filter((t) => t.includes('#')).filter((t) => {
        const [path, fragment] = t.split('#') as [string, string];
        const target = path === '' ? d.file : join(dirname(d.file), path);
        return !target.endsWith('.md') || !anchors(read(target)).includes(fragment);
      });
      expect(bad).toEqual([]);
    });
  });
}

describe('README length', () => {
  it('is at most 400 lines', () => {
    expect(readme.split('\n').length - (readme.endsWith('\n') ? 1 : 0)).toBeLessThanOrEqual(400);
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
