// `mc check` and `mc mutate --auto/--matrix` through the built binary, on a copy of a fixture model.
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { fixture, mc, ROOT } from './helpers.js';

let dir: string, model: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mc-check-'));
  model = join(dir, 'check-demo.ts');
  writeFileSync(model, readFileSync(fixture('check-demo.ts'), 'utf8').replaceAll('../../src/', `${ROOT}/src/`));
  copyFileSync(fixture('check-demo.golden.json'), join(dir, 'check-demo.golden.json'));
});

/** A minimal XML reader: enough to prove the JUnit output is well-formed and to walk it. */
interface XmlNode { name: string; attrs: Record<string, string>; children: XmlNode[]; text: string }
function parseXml(src: string): XmlNode {
  let i = src.startsWith('<?xml') ? src.indexOf('?>') + 2 : 0;
  const ws = () => { while (/\s/.test(src[i] ?? '')) i++; };
  const node = (): XmlNode => {
    ws();
    if (src[i] !== '<') throw new Error(`expected < at ${i}`);
    const m = /^<([A-Za-z_][\w.-]*)/.exec(src.slice(i));
    if (!m) throw new Error(`bad tag at ${i}`);
    i += m[0].length;
    const n: XmlNode = { name: m[1]!, attrs: {}, children: [], text: '' };
    for (;;) {
      ws();
      if (src.startsWith('/>', i)) { i += 2; return n; }
      if (src[i] === '>') { i++; break; }
      const a = /^([\w:-]+)="([^"<]*)"/.exec(src.slice(i));
      if (!a) throw new Error(`bad attribute at ${i}`);
      n.attrs[a[1]!] = a[2]!; i += a[0].length;
    }
    for (;;) {
      const close = `</${n.name}>`;
      if (src.startsWith(close, i)) { i += close.length; return n; }
      if (src.startsWith('</', i)) throw new Error(`mismatched close tag at ${i}`);
      if (src[i] === '<') { n.children.push(node()); continue; }
      const j = src.indexOf('<', i);
      if (j < 0) throw new Error('unterminated element');
      n.text += src.slice(i, j); i = j;
    }
  };
  const root = node();
  ws();
  if (i !== src.length) throw new Error('trailing content');
  return root;
}

describe('mc check', () => {
  it('passes on the recorded golden figures, and writes JUnit XML and Markdown', () => {
    const junit = join(dir, 'junit.xml'), md = join(dir, 'summary.md');
    const r = mc('check', model, '--junit', junit, '--markdown', md);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain('Verdict: PASS');
    const x = parseXml(readFileSync(junit, 'utf8'));
    expect(x.name).toBe('testsuites');
    const cases = x.children.flatMap((s) => s.children);
    expect(cases.map((c) => `${c.attrs.classname}/${c.attrs.name}`)).toEqual(['check-demo.config/k2', 'check-demo.config/k3', 'check-demo.mutant/both-top', 'check-demo.model/coverage-goals-mutants']);
    expect(cases.every((c) => c.children.length === 0)).toBe(true);
    // The Mermaid diagram has one lifeline per actor and one message per step of the kill trace.
    const text = readFileSync(md, 'utf8');
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(text)![1]!;
    // (participants are aliases A1, A2, ... labelled with the actor: test/mermaid.test.ts parses them)
    expect(diagram).toContain('participant A1 as A');
    expect(diagram).toContain('participant A2 as B');
    const trace = mc('run', model, '--mutant', 'both-top', '--json').json.violation.trace as { step: number; action: string | null; actor: string }[];
    const id = { A: 'A1', B: 'A2' } as Record<string, string>;
    for (const s of trace.slice(1)) expect(diagram).toContain(`${id[s.actor]}->>${id[s.actor]}: ${s.step}. ${s.action}`);
  });
  it('fails with exit 5 and both figures when the model drifts', () => {
    writeFileSync(model, readFileSync(model, 'utf8').replace("init: () => [{ a: 0, b: 0 }]", "init: () => [{ a: 0, b: 0 }, { a: 1, b: 0 }]"));
    const r = mc('check', model, '--json');
    expect(r.code).toBe(5);
    const k2 = r.json.models[0].configs.find((c: { name: string }) => c.name === 'k2');
    expect(k2.ok).toBe(false);
    expect(k2.problems[0]).toMatch(/golden figures drifted: distinct\/generated\/depth were 8\/11\/4, now \d+\/\d+\/\d+/);
    // --update-golden records the new figures; the next check passes.
    expect(mc('check', model, '--update-golden').code).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'check-demo.golden.json'), 'utf8')).k2.distinct).toBe(k2.figures.distinct);
    expect(mc('check', model).code).toBe(0);
  });
  it('--update-golden names the golden file it rewrote, and one it cannot write is the check\'s failure (exit 5), not an internal error', () => {
    writeFileSync(model, readFileSync(model, 'utf8').replace("init: () => [{ a: 0, b: 0 }]", "init: () => [{ a: 0, b: 0 }, { a: 1, b: 0 }]"));
    expect(mc('check', model, '--update-golden').stdout).toMatch(/golden\s*│ updated\s*│ check-demo\.golden\.json rewritten with the figures above/);
    writeFileSync(model, readFileSync(model, 'utf8').replace("{ a: 1, b: 0 }]", "{ a: 2, b: 0 }]").replace(/goldenFile\([^)]*\)/, "'/nonexistent-dir/check-demo.golden.json'"));
    const r = mc('check', model, '--update-golden', '--json');
    expect(r.code).toBe(5);
    expect(r.json.models[0].problems).toContainEqual(expect.stringMatching(/^cannot record golden figures in \/nonexistent-dir\/check-demo\.golden\.json: ENOENT/));
  });
  it('names a surviving mutant', () => {
    writeFileSync(model, readFileSync(model, 'utf8').replace("p.mutant === 'both-top' ||", "p.mutant === 'nothing' ||"));
    const r = mc('check', model);
    expect(r.code).toBe(5);
    expect(r.stdout).toMatch(/mutant both-top\s*│ SURVIVED/);
  });
  it('fails when an action never fires in any configuration', () => {
    writeFileSync(model, readFileSync(model, 'utf8').replace("guard: (s) => s.b < p.k &&", "guard: (s) => s.b < 0 &&"));
    const r = mc('check', model, '--json');
    expect(r.code).toBe(5);
    expect(r.json.models[0].neverFired).toEqual(['B.Inc']);
  });
});

describe('mc mutate --auto --matrix', () => {
  it('prints the matrix, the killers of each property, and flags a property no mutant kills', () => {
    // Add an invariant that can never fail: only the vacuity report can notice it.
    writeFileSync(model, readFileSync(model, 'utf8').replace("invariants: (p) => [", "invariants: (p) => [invariant('Trivial', 'a is at least 0', (s) => s.a >= 0), "));
    const r = mc('mutate', model, '--auto', '--matrix');
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('Kill matrix for check-demo');
    expect(r.stdout).toMatch(/auto:drop-guard:B\.Inc\s*│/);
    expect(r.stdout).toContain('Possibly vacuous (no mutant, declared or automatic, makes it fail): Trivial');
    const j = mc('mutate', model, '--auto', '--matrix', '--json').json;
    expect(j.matrix.killers.NotBothTop).toContain('both-top');
    expect(j.matrix.possiblyVacuous).toEqual(['Trivial']);
  });
});
