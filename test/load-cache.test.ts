// The cache of compiled model files (src/cli/load-cache.ts): a second run loads the model from it, an
// edit to the model or to any file it imports is never served stale, it can be turned off, concurrent
// first runs leave a usable cache, and errors and stack traces read as they do without it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MC, ROOT } from './helpers.js';

const MODEL = `import { defineModel, int } from 'mc-checker';
import { NAME } from './helper.js';
const width: number = 1;
export default defineModel({
  name: \`cached-\${NAME}\`,
  description: 'a model whose name comes from an imported file',
  params: {},
  state: () => ({ x: int(0, width) }),
  init: () => [{ x: 0 }],
  actions: () => [{ name: 'Flip', actor: 'P', guard: () => true, effect: (s, n) => { n.x = width - s.x; } }],
});
`;
const helper = (name: string): string => `export const NAME: string = '${name}';\n`;

let base: string;
/** A project with mc in its node_modules, as load.test.ts makes them: the cache is its node_modules/.cache/mc. */
function project(name: string): string {
  const dir = join(base, name);
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(ROOT, join(dir, 'node_modules', 'mc-checker'), 'dir');
  writeFileSync(join(dir, 'package.json'), '{ "name": "p", "type": "module" }\n');
  writeFileSync(join(dir, 'model.ts'), MODEL);
  writeFileSync(join(dir, 'helper.ts'), helper('A'));
  return dir;
}

/** The environment of a run: the test runner's, without any cache settings of its own. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const { MC_CACHE: _a, MC_CACHE_DIR: _b, ...rest } = process.env;
  return { ...rest, NO_COLOR: '1', ...extra };
}
function run(cwd: string, args: string[], extra: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MC, ...args], { cwd, encoding: 'utf8', env: env(extra) });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const nameOf = (cwd: string, ...more: string[]): string => {
  const r = run(cwd, ['show', './model.ts', '--json', ...more]);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout).name as string;
};

/** The cache's entries (directories) and their files. */
const cacheOf = (dir: string): string => join(dir, 'node_modules', '.cache', 'mc');
const entries = (dir: string): string[] => (existsSync(join(cacheOf(dir), 'entries')) ? readdirSync(join(cacheOf(dir), 'entries')) : []);
/** Rewrites the cached copy of helper.ts in every entry: a run that shows the change read the cache. */
function tamper(dir: string): void {
  for (const e of entries(dir)) {
    for (const f of readdirSync(join(cacheOf(dir), 'entries', e))) {
      const p = join(cacheOf(dir), 'entries', e, f), s = readFileSync(p, 'utf8');
      if (s.includes('NAME')) writeFileSync(p, s.replace(/(["'])A\1/, "'TAMPERED'"));
    }
  }
}

beforeAll(() => { base = mkdtempSync(join(tmpdir(), 'mc-cache-')); });
afterAll(() => { rmSync(base, { recursive: true, force: true }); });

describe('the cache of compiled model files', () => {
  it('serves the second run, and never a model whose imported file changed', () => {
    const dir = project('edit');
    expect(nameOf(dir)).toBe('cached-A');
    expect(entries(dir)).toHaveLength(1);
    tamper(dir);
    expect(nameOf(dir)).toBe('cached-TAMPERED'); // read from the cache
    writeFileSync(join(dir, 'helper.ts'), helper('B')); // an edit to the imported file, not the model file
    expect(nameOf(dir)).toBe('cached-B');
    writeFileSync(join(dir, 'model.ts'), MODEL.replace('cached-', 'edited-'));
    expect(nameOf(dir)).toBe('edited-B');
  });

  it('is not used with --no-cache or MC_CACHE=off, and MC_CACHE_DIR moves it', () => {
    const dir = project('off');
    expect(run(dir, ['show', './model.ts'], { MC_CACHE: 'off' }).code).toBe(0);
    expect(existsSync(cacheOf(dir))).toBe(false);
    expect(nameOf(dir)).toBe('cached-A');
    tamper(dir);
    expect(nameOf(dir)).toBe('cached-TAMPERED');
    expect(nameOf(dir, '--no-cache')).toBe('cached-A');
    expect(JSON.parse(run(dir, ['show', './model.ts', '--json'], { MC_CACHE: 'off' }).stdout).name).toBe('cached-A');
    const elsewhere = join(base, 'elsewhere');
    expect(run(dir, ['show', './model.ts'], { MC_CACHE_DIR: elsewhere }).code).toBe(0);
    expect(readdirSync(join(elsewhere, 'entries'))).toHaveLength(1);
  });

  it('runs started together on an empty cache all load the model, and leave one entry the next run uses', async () => {
    const dir = project('together');
    const runs = await Promise.all(Array.from({ length: 4 }, () => new Promise<{ code: number | null; out: string }>((done) => {
      const p = spawn(process.execPath, [MC, 'run', './model.ts', '--json', '--workers', '2'], { cwd: dir, env: env() });
      let out = '';
      p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
      p.on('close', (code) => done({ code, out }));
    })));
    for (const r of runs) expect([r.code, JSON.parse(r.out).model, JSON.parse(r.out).stats.distinct]).toEqual([0, 'cached-A', 2]);
    expect(entries(dir)).toHaveLength(1); // no temporary directory left behind
    tamper(dir);
    expect(nameOf(dir)).toBe('cached-TAMPERED');
  });

  it('a file that no longer compiles after it was cached: the same message as without the cache', () => {
    const dir = project('broken');
    expect(nameOf(dir)).toBe('cached-A');
    writeFileSync(join(dir, 'helper.ts'), "export const NAME: string = 'A';\nexport const oops = (;\n");
    const cached = run(dir, ['run', './model.ts']), uncached = run(dir, ['run', './model.ts', '--no-cache']);
    expect(cached.code).toBe(3);
    expect(cached.stderr).toMatch(/^mc: model error: model file '\.\/model\.ts' could not be loaded: helper\.ts:2:\d+: SyntaxError/);
    expect(cached).toEqual(uncached);
  });

  it("stack traces of the model's code name the user's lines when it runs from the cache", () => {
    const cacheDir = join(base, 'traces');
    const first = spawnSync(process.execPath, [MC, 'run', 'test/fixtures/throws-deep.ts', '--debug'], { cwd: ROOT, encoding: 'utf8', env: env({ MC_CACHE_DIR: cacheDir }) });
    const second = spawnSync(process.execPath, [MC, 'run', 'test/fixtures/throws-deep.ts', '--debug'], { cwd: ROOT, encoding: 'utf8', env: env({ MC_CACHE_DIR: cacheDir }) });
    expect(readdirSync(join(cacheDir, 'entries'))).toHaveLength(1);
    expect(first.stderr).toMatch(/\n {4}at deepHelper \(\S*test\/fixtures\/throws-deep\.ts:10:\d+\)/);
    expect(second.stderr).toBe(first.stderr);
    expect(second.status).toBe(first.status);
  });
});
