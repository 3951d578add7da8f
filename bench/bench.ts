// `npm run bench`: throughput of the built `mc` binary on a fixed set of models,
// each run in a fresh process (what a user gets), at 1 and 2 workers.
// Prints a table and writes the same figures as JSON (bench/results.json).
//
//   npm run bench                 # the full set
//   npm run bench -- --quick      # skip the big ones (bakery.5, counters 5x25)
//   npm run bench -- --workers 1  # one worker count only
//   npm run bench -- --only bakery # benchmarks whose name contains a word
//   npm run bench -- --repeat 5    # run each 5 times (worker counts back to back, their order turned every other time) and report the median
//   npm run bench -- --no-cpu-probe # skip timing each CPU (about 0.8 s per CPU, before and after)
//
// Every run of a benchmark must succeed and give the same distinct, generated, depth and verdict,
// whatever the worker count; if one does not, the bench says so and exits with status 1.
// With more than one worker it also times each CPU on the same work, before and after the runs, and
// prints the speed-up those CPUs allow at most (see cpuSpeeds).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import Table from 'cli-table3';
import { builtinModels } from '../src/models/index.js';
import { kebab } from '../src/explorer/model.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MC = resolve(ROOT, 'dist/src/cli/main.js');

interface Bench { name: string; model: string; params: string[]; big?: boolean }

const oracle = (f: string): string => resolve(ROOT, 'dist/test/oracles', f);
const BENCHES: Bench[] = [
  { name: 'counters N=4 K=30', model: oracle('counters.js'), params: ['--n', '4', '--k', '30'] },
  { name: 'TwoPhase RM=7', model: oracle('twophase.js'), params: ['--rm', '7'] },
  { name: 'bakery N=3, MAX=6', model: oracle('bakery.js'), params: ['--n', '3', '--max', '6'] },
  { name: 'bakery.5 (N=4, MAX=7)', model: oracle('bakery.js'), params: ['--n', '4', '--max', '7'], big: true },
  { name: 'counters N=5 K=25 (10^7 states)', model: oracle('counters.js'), params: ['--n', '5', '--k', '25'], big: true },
  // The shipped models at their CI configurations.
  ...builtinModels.flatMap((m) => (m.def.ci ?? []).map((c) => ({
    name: `${m.name} ${c.name}`, model: m.name,
    params: Object.entries(c.params).flatMap(([k, v]) => [`--${kebab(k)}`, String(v)]),
  }))),
];

const args = process.argv.slice(2);
/** The value after flag `name`, as a positive integer (null if the flag is absent); exits with status 2 on a bad one. */
function countArg(name: string): number | null {
  const i = args.indexOf(name);
  if (i < 0) return null;
  const v = Number(args[i + 1]);
  if (!Number.isInteger(v) || v < 1) { console.error(`bench: ${name} needs a positive integer, got '${args[i + 1] ?? ''}'`); process.exit(2); }
  return v;
}
const quick = args.includes('--quick');
const workersArg = countArg('--workers');
const workerCounts = workersArg !== null ? [workersArg] : [1, 2];
const repeat = countArg('--repeat') ?? 1;
const oi = args.indexOf('--only');
const only = oi >= 0 ? args[oi + 1]! : null;

/**
 * Milliseconds each CPU takes for cpu-probe's expansion of bakery.5 states (pinned with taskset, one at
 * a time), or null without taskset. A level-synchronous search waits for its slowest worker, and on a
 * virtual machine one CPU can run this code far slower than another for minutes on end.
 */
function cpuSpeeds(): number[] | null {
  if (spawnSync('taskset', ['-V']).error) return null;
  const probe = resolve(ROOT, 'dist/bench/cpu-probe.js'), ms: number[] = [];
  for (let cpu = 0; cpu < availableParallelism(); cpu++) {
    const r = spawnSync('taskset', ['-c', String(cpu), process.execPath, probe, '--child', '--expansion'], { encoding: 'utf8' });
    if (r.status !== 0) { console.error(`bench: the CPU probe failed on CPU ${cpu}: ${r.stderr.trim().split('\n').pop()}`); return null; }
    ms.push(Math.round((JSON.parse(r.stdout) as { expand: number }).expand));
  }
  return ms;
}
/** The most w workers can gain over one worker on the fastest CPU, given each CPU's time for the same work. */
function ceiling(ms: number[], w: number): number {
  const fastest = [...ms].sort((a, b) => a - b).slice(0, w);
  return fastest.reduce((sum, t) => sum + fastest[0]! / t, 0);
}

interface Run { distinct: number; generated: number; depth: number; seconds: number; distinctPerSecond: number; generatedPerSecond: number; bytesPerState: number; peakMemoryBytes: number; verdict: string }
/**
 * A benchmark at one worker count: its median run (by time), every run's time (by repetition; null if
 * it failed) and, for more than one worker, the speed-up over one worker: the median (and range) of
 * the ratios within each repetition, whose runs ran back to back (this machine's speed drifts), and
 * the ratio of the best times (the runs the machine slowed least).
 */
interface Row extends Run { bench: string; workers: number; runs: (number | null)[]; speedup: { median: number; min: number; max: number; best: number } | null }
const rows: Row[] = [];
let mismatch = false, failed = false;
const probeCpus = workerCounts.some((w) => w > 1) && !args.includes('--no-cpu-probe');
const cpusBefore = probeCpus ? cpuSpeeds() : null;

for (const b of BENCHES) {
  if (quick && b.big) continue;
  if (only && !b.name.includes(only)) continue;
  if (b.model.endsWith('.js') && !existsSync(b.model)) { console.error(`skip ${b.name}: ${b.model} not built`); continue; }
  const runs = new Map<number, (Run | null)[]>(workerCounts.map((w) => [w, []]));
  // Worker counts run back to back within each repetition, so a drift in the machine's speed falls on all
  // alike; their order turns every other repetition (1, 2, then 2, 1), so a steady drift does not always
  // fall on the same worker count's side of a ratio.
  for (let rep = 0; rep < repeat; rep++) {
    for (const w of rep % 2 === 0 ? workerCounts : [...workerCounts].reverse()) {
      const r = spawnSync(process.execPath, ['--max-old-space-size=1024', MC, 'run', b.model, ...b.params, '--json', '--no-liveness', '--no-progress', ...(w > 1 ? ['--workers', String(w)] : [])], { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
      let doc: any;
      try { doc = JSON.parse(r.stdout); } catch { console.error(`${b.name} (${w} workers) failed: ${r.stderr.trim().split('\n').pop()}`); runs.get(w)!.push(null); failed = true; continue; }
      if (!doc.stats) { console.error(`${b.name} (${w} workers): ${doc.error ?? 'no stats'}`); runs.get(w)!.push(null); failed = true; continue; }
      const s = doc.stats;
      runs.get(w)!.push({ distinct: s.distinct, generated: s.generated, depth: s.depth, seconds: s.seconds, distinctPerSecond: s.distinctPerSecond, generatedPerSecond: s.generatedPerSecond, bytesPerState: s.bytesPerState, peakMemoryBytes: s.peakMemoryBytes, verdict: doc.verdict });
      console.error(`${b.name} workers=${w}: ${s.distinct} distinct in ${s.seconds.toFixed(2)} s`);
    }
  }
  const all = [...runs.values()].flat().filter((x): x is Run => x !== null);
  const differ = all.filter((x) => x.distinct !== all[0]!.distinct || x.generated !== all[0]!.generated || x.depth !== all[0]!.depth || x.verdict !== all[0]!.verdict);
  if (differ.length > 0) { mismatch = true; console.error(`${b.name}: runs differ (distinct/generated/depth/verdict): ${all.map((x) => `${x.distinct}/${x.generated}/${x.depth}/${x.verdict}`).join(', ')}`); }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[(xs.length - 1) >> 1]!;
  for (const [w, rs] of runs) {
    const ok = rs.filter((x): x is Run => x !== null);
    if (ok.length === 0) continue;
    const mid = median(ok.map((x) => x.seconds));
    const ratios = w === 1 ? [] : rs.flatMap((x, rep) => { const one = runs.get(1)?.[rep]; return x && one ? [one.seconds / x.seconds] : []; });
    // Also the ratio of the best times: the run least slowed by the machine, for each worker count.
    const ones = (runs.get(1) ?? []).filter((x): x is Run => x !== null);
    const best = ones.length ? Math.min(...ones.map((x) => x.seconds)) / Math.min(...ok.map((x) => x.seconds)) : NaN;
    const speedup = ratios.length ? { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios), best } : null;
    rows.push({ bench: b.name, workers: w, ...ok.find((x) => x.seconds === mid)!, runs: rs.map((x) => x?.seconds ?? null), speedup });
  }
}

const M = (x: number): string => `${(x / 1e6).toFixed(2)} M`;
const t = new Table({ head: ['benchmark', 'workers', 'distinct', 'generated', 'depth', repeat > 1 ? `time (median of ${repeat}, range)` : 'time', 'distinct/s', 'generated/s', 'bytes/state', 'peak RSS', repeat > 1 ? 'speed-up over 1 worker (median, range; best times)' : 'speed-up over 1 worker'], style: { head: [], border: [] } });
for (const r of rows) {
  const sp = r.speedup, times = r.runs.filter((x): x is number => x !== null);
  const speed = sp === null ? '' : repeat > 1 ? `${sp.median.toFixed(2)}x (${sp.min.toFixed(2)}-${sp.max.toFixed(2)}; ${sp.best.toFixed(2)}x)` : `${sp.median.toFixed(2)}x`;
  const time = times.length > 1 ? `${r.seconds.toFixed(2)} s (${Math.min(...times).toFixed(2)}-${Math.max(...times).toFixed(2)})` : `${r.seconds.toFixed(2)} s`;
  t.push([r.bench, r.workers, r.distinct.toLocaleString('en-US'), r.generated.toLocaleString('en-US'), r.depth, time, M(r.distinctPerSecond), M(r.generatedPerSecond), r.bytesPerState.toFixed(1), `${(r.peakMemoryBytes / 2 ** 20).toFixed(0)} MiB`, speed]);
}
console.log(t.toString());
const cpusAfter = probeCpus ? cpuSpeeds() : null;
const cpus = cpusBefore && cpusAfter ? { before: cpusBefore, after: cpusAfter, ceiling: Object.fromEntries(workerCounts.filter((w) => w > 1 && w <= cpusBefore.length).map((w) => [w, { before: ceiling(cpusBefore, w), after: ceiling(cpusAfter, w) }])) } : null;
if (cpus) {
  console.log(`Each CPU's time for the same expansion work (cpu-probe, pinned, alone): ${cpus.before.map((ms, k) => `CPU ${k} ${ms} ms`).join(', ')} before the runs; ${cpus.after.map((ms) => `${ms} ms`).join(', ')} after.`);
  for (const [w, c] of Object.entries(cpus.ceiling)) console.log(`With CPUs this unequal, ${w} workers can be at most ${c.before.toFixed(2)}x (before) / ${c.after.toFixed(2)}x (after) faster than 1 worker on the fastest CPU.`);
}
const out = resolve(ROOT, 'bench/results.json');
writeFileSync(out, `${JSON.stringify({ schema: 'mc.bench/1', node: process.version, date: new Date().toISOString(), repeat, cpus, rows }, null, 2)}\n`);
console.log(`JSON: ${out}`);
if (mismatch || failed) { console.error(`bench: ${mismatch ? 'some runs gave different results' : 'some runs failed'} (see above)`); process.exit(1); }
