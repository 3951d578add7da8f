// Model files in a user's own project: mc installed in its node_modules, whatever its package.json says
// ("type" missing, "commonjs" or "module"), .ts, .mts, .js and .mjs, run by the built binary from the project.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MC, ROOT } from './helpers.js';

// The worked example of the README, with TypeScript-only syntax in the TypeScript variants (so they
// must be compiled) and import.meta.url (which only an ES module has).
const model = (ts: boolean): string => `import { defineModel, boolParam, array, bool, enumOf, invariant, terminalStates, goldenFile } from 'mc-checker';
${ts ? 'type Pc = \'idle\' | \'saw\' | \'cs\' | \'done\';\nconst PCS: Pc[] = [\'idle\', \'saw\', \'cs\', \'done\'];' : 'const PCS = [\'idle\', \'saw\', \'cs\', \'done\'];'}
const P = ${ts ? '(i: number): string' : '(i)'} => \`P\${i}\`;

export default defineModel({
  name: 'mutex-bug',
  description: 'a broken lock: test and set are separate steps',
  params: { fixed: boolParam({ default: false, help: 'make test-and-set atomic' }) },
  state: () => ({ lock: bool(), pc: array(2, enumOf(PCS)) }),
  init: () => [{ lock: false, pc: ['idle', 'idle'] }],
  actions: (p) => [
    { name: 'Test', actor: P, over: [0, 1], guard: (s, i) => s.pc.get(i) === 'idle' && !s.lock,
      effect: (s, n, i) => { n.pc.set(i, p.fixed ? 'cs' : 'saw'); if (p.fixed) n.lock = true; } },
    { name: 'Set', actor: P, over: [0, 1], guard: (s, i) => s.pc.get(i) === 'saw', effect: (_s, n, i) => { n.lock = true; n.pc.set(i, 'cs'); } },
    { name: 'Leave', actor: P, over: [0, 1], guard: (s, i) => s.pc.get(i) === 'cs', effect: (_s, n, i) => { n.lock = false; n.pc.set(i, 'done'); } },
  ],
  invariants: () => [invariant('MutualExclusion', 'at most one process in cs', (s) => !(s.pc.get(0) === 'cs' && s.pc.get(1) === 'cs'))],
  deadlock: () => terminalStates('both done', (s) => s.pc.get(0) === 'done' && s.pc.get(1) === 'done'),
  goldenFile: goldenFile(import.meta.url, 'mutex.golden.json'),
});
`;

const TYPES = [['no "type"', undefined], ['"type": "commonjs"', 'commonjs'], ['"type": "module"', 'module']] as const;
const EXTS = ['ts', 'mts', 'js', 'mjs'] as const;

let base: string;
const project = (type: string | undefined): string => join(base, type ?? 'untyped');

function run(cwd: string, ...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [MC, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'mc-load-'));
  for (const [, type] of TYPES) {
    const dir = project(type);
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    // As `npm install /path/to/clone` leaves it: a link to the package, whose dist/ the build made.
    symlinkSync(ROOT, join(dir, 'node_modules', 'mc-checker'), 'dir');
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'user-project', version: '1.0.0', ...(type ? { type } : {}) }, null, 2)}\n`);
    for (const ext of EXTS) writeFileSync(join(dir, `model.${ext}`), model(ext.endsWith('ts')));
  }
});
afterAll(() => { rmSync(base, { recursive: true, force: true }); });

describe('mc run on a model file in a project of its own', () => {
  for (const [label, type] of TYPES) {
    for (const ext of EXTS) {
      it(`${label}: model.${ext}`, () => {
        const ok = run(project(type), 'run', `./model.${ext}`, '--fixed', 'true', '--json');
        expect(ok.stderr).toBe('');
        expect(ok.code).toBe(0);
        const doc = JSON.parse(ok.stdout);
        expect([doc.model, doc.verdict, doc.stats.distinct, doc.stats.generated, doc.stats.depth]).toEqual(['mutex-bug', 'ok', 8, 9, 5]);
        const bug = run(project(type), 'run', `./model.${ext}`);
        expect(bug.code).toBe(1);
        expect(bug.stdout).toContain('13 distinct, 17 generated, depth 5');
        expect(bug.stdout).toContain('Verdict: VIOLATION of MutualExclusion');
      });
    }
  }

  it('parallel workers load a TypeScript model of a CommonJS project too', () => {
    const r = run(project('commonjs'), 'run', './model.ts', '--workers', '2', '--parallel-from', '1', '--no-liveness', '--json');
    expect(r.code).toBe(1);
    const doc = JSON.parse(r.stdout);
    expect([doc.stats.distinct, doc.stats.workers, doc.notes]).toEqual([13, 2, []]);
  });

  it("require('mc-checker') works from CommonJS (no top-level await in the public entry)", () => {
    const r = spawnSync(process.execPath, ['-e', "const mc = require('mc-checker'); console.log(typeof mc.defineModel, typeof mc.runModel, typeof mc.explore)"], { cwd: project('commonjs'), encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('function function function');
  });
});

describe('a model file that does not load names its own file and line', () => {
  // Each case: file name, contents, and the place and message mc must report.
  const cases: [string, string, RegExp][] = [
    ['syntax.ts', "import { defineModel } from 'mc-checker';\n\nconst x: number = ;\nexport default defineModel(x);\n", /syntax\.ts:3:19: SyntaxError: Unexpected ";"/],
    ['syntax.js', "import { defineModel } from 'mc-checker';\n\nconst x = ;\nexport default defineModel(x);\n", /syntax\.js:3:11: SyntaxError: Unexpected token ';'/],
    ['throws.ts', "import { defineModel } from 'mc-checker';\n\nconst n: number = 1;\nif (n === 1) throw new RangeError('no model today');\nexport default defineModel({} as never);\n", /throws\.ts:4:20: RangeError: no model today/],
    ['throws.mjs', "import { defineModel, int } from 'mc-checker';\n\nconst d = int(5, 1);\nexport default defineModel({ d });\n", /throws\.mjs:3:11: int\(5, 1\) is not a valid range/],
    ['no-export.ts', "import { defineModel, definModel } from 'mc-checker';\n\nexport default defineModel(definModel);\n", /no-export\.ts:1: SyntaxError: The requested module 'mc-checker' does not provide an export named 'definModel'/],
    ['no-file.js', "import { defineModel } from 'mc-checker';\nimport { spec } from './spec.js';\n\nexport default defineModel(spec);\n", /no-file\.js:2: Cannot find module 'spec\.js' imported from no-file\.js/],
    ['no-package.ts', "import { defineModel } from 'mc-checker';\n\nimport lodash from 'lodash-not-installed';\nexport default defineModel(lodash);\n", /no-package\.ts:3: Cannot find package 'lodash-not-installed' imported from no-package\.ts/],
    ['imports-bad.mjs', "import { defineModel } from 'mc-checker';\nimport { spec } from './bad-helper.mjs';\nexport default defineModel(spec);\n", /bad-helper\.mjs:2:25: SyntaxError: Unexpected token '\)'/],
  ];
  beforeAll(() => {
    for (const [file, text] of cases) writeFileSync(join(project('commonjs'), file), text);
    writeFileSync(join(project('commonjs'), 'bad-helper.mjs'), 'export const ok = 1;\nexport const spec = f(1));\n');
  });
  for (const [file, , expected] of cases) {
    it(file, () => {
      const r = run(project('commonjs'), 'run', `./${file}`);
      expect(r.code).toBe(3);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^mc: model error: model file './${file.replace('.', '\\.')}' could not be loaded: `));
      expect(r.stderr).toMatch(expected);
      // mc's own code is not the place, and there is no stack trace.
      expect(r.stderr).not.toMatch(/dist\/src|node_modules|node:internal|\n\s+at /);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
    });
  }
});
