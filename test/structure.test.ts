// The size limits issue 29 set for src/: a file past 450 lines, a class past
// 300 or a function past 150 is a sign the code should be split. Measured
// with the TypeScript parser, so a function is every function-like node
// (declarations, methods, arrows, function expressions), nested ones counted
// in their own right and inside their parent.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');
const LIMITS = { file: 450, klass: 300, fn: 150 };

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface Measure { where: string; kind: 'file' | 'class' | 'function'; lines: number }

function measure(path: string): Measure[] {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const rel = relative(root, path);
  const lineOf = (pos: number) => file.getLineAndCharacterOfPosition(pos).line;
  const span = (n: ts.Node) => lineOf(n.getEnd()) - lineOf(n.getStart(file)) + 1;
  const out: Measure[] = [{ where: rel, kind: 'file', lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }];
  const visit = (n: ts.Node): void => {
    const at = `${rel}:${lineOf(n.getStart(file)) + 1}`;
    if (ts.isClassLike(n)) out.push({ where: at, kind: 'class', lines: span(n) });
    else if (ts.isFunctionLike(n) && 'body' in n && n.body) out.push({ where: at, kind: 'function', lines: span(n) });
    ts.forEachChild(n, visit);
  };
  visit(file);
  return out;
}

describe('the size of src/', () => {
  const all = sourceFiles(join(root, 'src')).flatMap(measure);
  const over = (kind: Measure['kind'], limit: number) =>
    all.filter((m) => m.kind === kind && m.lines > limit).map((m) => `${m.where} (${m.lines} lines)`);

  it('measures something (the walk found files, classes and functions)', () => {
    expect(all.filter((m) => m.kind === 'file').length).toBeGreaterThan(50);
    expect(all.some((m) => m.kind === 'class')).toBe(true);
    expect(all.filter((m) => m.kind === 'function').length).toBeGreaterThan(500);
  });
  it(`has no file over ${LIMITS.file} lines`, () => expect(over('file', LIMITS.file)).toEqual([]));
  it(`has no class over ${LIMITS.klass} lines`, () => expect(over('class', LIMITS.klass)).toEqual([]));
  it(`has no function over ${LIMITS.fn} lines`, () => expect(over('function', LIMITS.fn)).toEqual([]));
});
