// `npm run bench:peers`: mc beside SPIN and TLC on the peers' models (../shared/peers), in one run
// on one machine. For each case it runs mc's twin (bench/peers/, one worker), SPIN's pan and, when
// MC_TLA2TOOLS names tla2tools.jar, TLC (-workers 1), turning the tools' order every repetition;
// checks that every tool reached the peers' README counts; and prints each tool's distinct states
// per second of search (medians) and the ratios mc/SPIN and mc/TLC. docs/performance.md says how
// to read it.
//
//   npm run bench:peers                       # the README's four throughput rows, 3 repetitions
//   npm run bench:peers -- --reps 5           # 5 repetitions
//   npm run bench:peers -- --only ring        # cases whose label contains a word
//   npm run bench:peers -- --all              # also the small cases (counts only: their searches are too short to time)
//   npm run bench:peers -- --peers DIR        # the peers' models elsewhere than ../shared/peers
//   MC_TLA2TOOLS=/path/to/tla2tools.jar npm run bench:peers   # with TLC
//
// Search time: mc's stats.seconds; pan's "elapsed time" (compiling pan is not timed); TLC's own
// run time ("Finished in", in ms with -Dtlc2.TLC.asMilliSeconds=true) less that of the one-state
// model counters N=1, K=0 run just before it (TLC's start-up and parsing). A tool that is missing
// is said so and its columns stay empty; a count that differs from the README's exits 1.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Table from 'cli-table3';
import { kebab } from '../src/explorer/model.js';
import { PEER_CASES, type PeerCase } from './peers/cases.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MC = resolve(ROOT, 'dist/src/cli/main.js');

const args = process.argv.slice(2);
function argValue(name: string): string | null {
  const i = args.indexOf(name);
  if (i < 0) return null;
  if (i + 1 >= args.length) { console.error(`bench:peers: ${name} needs a value`); process.exit(2); }
  return args[i + 1]!;
}
for (let i = 0; i < args.length; i++) {
  if (['--reps', '--only', '--peers'].includes(args[i]!)) i++;
  else if (args[i] !== '--all') { console.error(`bench:peers: unknown argument '${args[i]}' (--reps N, --only WORD, --all, --peers DIR)`); process.exit(2); }
}
const repsArg = argValue('--reps');
const reps = repsArg === null ? 3 : Number(repsArg);
if (!Number.isInteger(reps) || reps < 1) { console.error(`bench:peers: --reps needs a positive integer, got '${repsArg}'`); process.exit(2); }
const only = argValue('--only');
const all = args.includes('--all');
const peersDir = resolve(argValue('--peers') ?? resolve(ROOT, '..', 'shared', 'peers'));
const jar = process.env.MC_TLA2TOOLS || null; // set but empty counts as unset

if (!existsSync(peersDir)) { console.error(`bench:peers: no peers' models at ${peersDir} (give --peers DIR)`); process.exit(2); }
if (!existsSync(MC)) { console.error('bench:peers: mc is not built (npm run build)'); process.exit(2); }
if (jar !== null && !existsSync(jar)) { console.error(`bench:peers: MC_TLA2TOOLS names ${jar}, which does not exist`); process.exit(2); }

/** Why a tool cannot run here, or null if it can. */
function missing(cmd: string, versionArgs: string[], hint: string): string | null {
  const r = spawnSync(cmd, versionArgs, { encoding: 'utf8' });
  return r.error ? `${cmd} not found (${hint})` : null;
}
const spinMissing = missing('spin', ['-V'], 'Debian: apt-get install spin') ?? missing('gcc', ['--version'], 'SPIN compiles pan with gcc: apt-get install gcc');
const tlcMissing = jar === null ? 'MC_TLA2TOOLS is not set (the path of tla2tools.jar, which mc cannot ship)' : missing('java', ['-version'], 'TLC needs a Java runtime');
if (spinMissing) console.log(`SPIN: not run: ${spinMissing}.`);
if (tlcMissing) console.log(`TLC: not run: ${tlcMissing}.`);

interface Sample { distinct: number; generated: number; depth: number | null; seconds: number }
type Tool = 'mc' | 'mc-steps' | 'spin' | 'tlc';

const fail = (msg: string): never => { console.error(`bench:peers: ${msg}`); process.exit(1); };
const num = (s: string): number => Number(s.replaceAll(',', ''));

function runMc(c: PeerCase, props?: 'steps'): Sample {
  const params = Object.entries({ ...c.mcParams }).flatMap(([k, v]) => [`--${kebab(k)}`, String(v)]);
  if (props) params.push('--props', props);
  const file = resolve(ROOT, 'dist/bench/peers', `${c.model}.js`);
  const r = spawnSync(process.execPath, [MC, 'run', file, ...params, '--workers', '1', '--json', '--no-progress'], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) fail(`mc on ${c.label} exited ${r.status}: ${r.stderr.trim() || r.stdout.slice(0, 500)}`);
  const doc = JSON.parse(r.stdout) as { verdict: string; stats: { distinct: number; generated: number; depth: number; seconds: number } };
  if (doc.verdict !== 'ok') fail(`mc on ${c.label}: verdict ${doc.verdict}`);
  return { distinct: doc.stats.distinct, generated: doc.stats.generated, depth: doc.stats.depth, seconds: doc.stats.seconds };
}

/** Generates and compiles pan for a case in a directory of its own (not timed); returns pan's path. */
function buildPan(c: PeerCase, dir: string): string {
  copyFileSync(join(peersDir, `${c.model}.pml`), join(dir, `${c.model}.pml`));
  // -o1: every statement a state of its own, so the counts equal TLC's (the peers' README).
  const a = spawnSync('spin', ['-a', '-o1', ...c.spinDefines, `${c.model}.pml`], { cwd: dir, encoding: 'utf8' });
  if (a.status !== 0) fail(`spin -a on ${c.label}: ${a.stdout}${a.stderr}`);
  const g = spawnSync('gcc', ['-O2', '-DSAFETY', '-DNOREDUCE', '-o', 'pan', 'pan.c'], { cwd: dir, encoding: 'utf8' });
  if (g.status !== 0) fail(`gcc on ${c.label}'s pan.c: ${g.stderr}`);
  return join(dir, 'pan');
}

function runPan(c: PeerCase, pan: string, dir: string): Sample {
  const r = spawnSync(pan, ['-m1000000'], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  const out = r.stdout;
  const stored = /(\d+) states, stored/.exec(out), trans = /(\d+) transitions \(= stored\+matched\)/.exec(out);
  const secs = /pan: elapsed time ([\d.e+-]+) seconds/.exec(out), errors = /errors: (\d+)/.exec(out);
  if (r.status !== 0 || !stored || !trans || !secs || !errors) fail(`pan on ${c.label} exited ${r.status}:\n${out}${r.stderr}`);
  if (num(errors![1]!) !== 0) fail(`pan on ${c.label} found errors:\n${out}`);
  return { distinct: num(stored![1]!), generated: num(trans![1]!), depth: null, seconds: Number(secs![1]) };
}

/** One TLC run of <model>.tla with a configuration; its own run time in seconds, and its counts. */
function tlcOnce(label: string, model: string, cfg: string, dir: string): Sample {
  copyFileSync(join(peersDir, `${model}.tla`), join(dir, `${model}.tla`));
  copyFileSync(join(peersDir, cfg), join(dir, cfg));
  // -deadlock: the counters and the ring terminate (their .cfg says CHECK_DEADLOCK FALSE too).
  const deadlock = model === 'counters' || model === 'ring' ? ['-deadlock'] : [];
  const meta = mkdtempSync(join(dir, 'states-'));
  const r = spawnSync('java', ['-XX:+UseParallelGC', '-Dtlc2.TLC.asMilliSeconds=true', '-cp', jar!, 'tlc2.TLC',
    '-workers', '1', ...deadlock, '-metadir', meta, '-config', cfg, `${model}.tla`], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 26 });
  rmSync(meta, { recursive: true, force: true });
  const out = r.stdout;
  const counts = /([\d,]+) states generated, ([\d,]+) distinct states found, 0 states left on queue/.exec(out);
  const depth = /The depth of the complete state graph search is (\d+)/.exec(out), ms = /Finished in (\d+)ms/.exec(out);
  if (r.status !== 0 || !counts || !depth || !ms || !out.includes('No error has been found')) fail(`TLC on ${label} exited ${r.status}:\n${out}${r.stderr}`);
  return { distinct: num(counts![2]!), generated: num(counts![1]!), depth: Number(depth![1]), seconds: Number(ms![1]) / 1000 };
}

function runTlc(c: PeerCase, dir: string): Sample {
  const base = tlcOnce('counters N=1, K=0', 'counters', 'counters_N1_K0.cfg', dir);
  const s = tlcOnce(c.label, c.model, c.cfg, dir);
  return { ...s, seconds: s.seconds - base.seconds };
}

function check(c: PeerCase, tool: string, s: Sample): void {
  const want = { distinct: c.distinct, generated: c.generated, depth: c.depth };
  const got = { distinct: s.distinct, generated: s.generated, depth: s.depth ?? c.depth }; // pan searches depth-first: its depth is not BFS levels
  if (got.distinct !== want.distinct || got.generated !== want.generated || got.depth !== want.depth)
    fail(`${tool} on ${c.label} reached ${JSON.stringify(got)}, the peers' README says ${JSON.stringify(want)}`);
}

const median = (xs: number[]): number => {
  const v = [...xs].sort((a, b) => a - b), h = v.length >> 1;
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
};

const fmtRate = (x: number | null): string => x === null || !Number.isFinite(x) ? '–' : x >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : `${Math.round(x / 1e3)} k`;

const cases = PEER_CASES.filter((c) => (all || c.big) && (only === null || c.label.includes(only)));
if (cases.length === 0) { console.error(`bench:peers: no case matches '${only}'`); process.exit(2); }
const load0 = loadavg();
console.log(`${new Date().toISOString()}, load average ${load0.map((l) => l.toFixed(2)).join(' ')}; ${reps} repetitions, the tools' order turned every repetition`);

interface Result { c: PeerCase; rates: Partial<Record<Tool, number[]>> }
const results: Result[] = [];
const work = mkdtempSync(join(tmpdir(), 'mc-peers-'));
try {
  for (const c of cases) {
    const dir = mkdtempSync(join(work, `${c.model}-`));
    const pan = spinMissing ? null : buildPan(c, dir);
    const tools: Tool[] = ['mc', ...(c.model === 'ring' ? ['mc-steps' as const] : []), ...(pan ? ['spin' as const] : []), ...(tlcMissing ? [] : ['tlc' as const])];
    const rates: Partial<Record<Tool, number[]>> = {};
    for (let rep = 0; rep < reps; rep++) {
      for (const t of rep % 2 === 0 ? tools : [...tools].reverse()) {
        const s = t === 'mc' ? runMc(c) : t === 'mc-steps' ? runMc(c, 'steps') : t === 'spin' ? runPan(c, pan!, dir) : runTlc(c, dir);
        check(c, t, s);
        // A search shorter than the tool's clock tick has no rate.
        (rates[t] ??= []).push(s.seconds > 0 ? s.distinct / s.seconds : Number.NaN);
      }
    }
    results.push({ c, rates });
    // Each run's rate, in the order run, so the spread is in sight beside the medians.
    const each = tools.map((t) => `${t} ${rates[t]!.map(fmtRate).join(' / ')}`).join('; ');
    console.log(`${c.label}: ${tools.join(', ')} reached ${c.distinct.toLocaleString('en-US')} distinct, ${c.generated.toLocaleString('en-US')} generated; distinct/s: ${each}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const rate = (r: Result, t: Tool): number | null => { const v = r.rates[t]; return v && v.every(Number.isFinite) ? median(v) : null; };
const ratio = (a: number | null, b: number | null): string => a === null || b === null ? '–' : `${(a / b).toFixed(2)}x`;
const table = new Table({ style: { head: [], border: [] }, head: ['model', 'distinct', 'properties (mc)', 'mc/s', 'SPIN/s', 'TLC/s', 'mc/SPIN', 'mc/TLC'] });
for (const r of results) {
  const spin = rate(r, 'spin'), tlc = rate(r, 'tlc');
  const row = (props: string, mc: number | null, vsTlc: boolean) =>
    [r.c.label, r.c.distinct.toLocaleString('en-US'), props, fmtRate(mc), fmtRate(spin), fmtRate(tlc), ratio(mc, spin), vsTlc ? ratio(mc, tlc) : '–'];
  if (r.c.model === 'ring') {
    // TLC checks the invariants in every state; SPIN asserts in the two transitions that can break them.
    table.push(row('invariants, every state', rate(r, 'mc'), true));
    table.push(row("SPIN's asserts as steps", rate(r, 'mc-steps'), false));
  } else {
    table.push(row(r.c.model === 'counters' ? 'none (TypeOK: domains)' : 'invariants, every state', rate(r, 'mc'), true));
  }
}
console.log('distinct states per second of search, medians; mc with one worker, SPIN with -DNOREDUCE, TLC with -workers 1');
console.log(table.toString());
console.log(`load average at the end ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
