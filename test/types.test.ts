// The package's types as a user meets them: the examples type-check under tsc --strict with Node's
// and bundlers' resolution, every mistake in test/types/misuse.ts is a compile error, and a model in a
// fresh project (mc linked into node_modules, no Node types installed) type-checks from the README alone.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const TSC = resolve(ROOT, 'node_modules/typescript/bin/tsc');
const tsc = (cwd: string, ...args: string[]) => {
  const r = spawnSync(process.execPath, [TSC, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('types', () => {
  it('the examples type-check with moduleResolution nodenext', () => {
    const r = tsc(ROOT, '-p', 'examples');
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('the examples type-check with moduleResolution bundler', () => {
    const r = tsc(ROOT, '-p', 'examples', '--module', 'esnext', '--moduleResolution', 'bundler');
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('every mistake in test/types/misuse.ts is a compile error (an unused @ts-expect-error fails)', () => {
    const r = tsc(ROOT, '-p', 'test/types');
    expect(r.out).toBe('');
    expect(r.code).toBe(0);
  });

  it('without its @ts-expect-error lines, misuse.ts has an error on the line after each of them', () => {
    // Guards the guard: each directive is really what keeps its line from failing the check.
    const src = readFileSync(resolve(ROOT, 'test/types/misuse.ts'), 'utf8');
    const marked = src.split('\n').flatMap((l, i) => (l.trim().startsWith('// @ts-expect-error') ? [i + 2] : []));
    const unmarked = resolve(ROOT, 'test/types/unmarked.tmp.ts');
    writeFileSync(unmarked, src.replaceAll('// @ts-expect-error', '// was expected:'));
    try {
      const r = tsc(ROOT, '--strict', '--noEmit', '--module', 'nodenext', '--target', 'es2022', 'test/types/unmarked.tmp.ts');
      const errorLines = new Set([...r.out.matchAll(/^test\/types\/unmarked\.tmp\.ts\((\d+),/gm)].map((m) => Number(m[1])));
      expect(marked.length).toBeGreaterThan(10);
      expect(marked.filter((l) => !errorLines.has(l)), r.out).toEqual([]);
    } finally {
      rmSync(unmarked, { force: true });
    }
  });

  describe('in a fresh project', () => {
    const dirs: string[] = [];
    afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
    for (const type of [null, 'commonjs', 'module'] as const) {
      it(`a model as the README writes it type-checks with tsc --strict --module nodenext (package.json type: ${type ?? 'absent'})`, () => {
        const dir = mkdtempSync(join(tmpdir(), 'mc-user-'));
        dirs.push(dir);
        writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', ...(type ? { type } : {}) }));
        mkdirSync(join(dir, 'node_modules'));
        symlinkSync(ROOT, join(dir, 'node_modules', 'mc-checker'), 'dir');
        copyFileSync(resolve(ROOT, 'examples/lock.ts'), join(dir, 'model.ts'));
        const r = tsc(dir, '--strict', '--noEmit', '--module', 'nodenext', '--target', 'es2022', 'model.ts');
        expect(r.out).toBe('');
        expect(r.code).toBe(0);
      });
    }
  });
});
