// `node dist/bench/cpu-probe.js`: what each CPU of this machine gives, alone and with all busy, on
// the kinds of work a search does: a chain of arithmetic, random reads of a table much larger than the
// caches (fingerprint lookups), and the engine's own expansion of bakery.5 states (successors and
// hashing, no table: many instructions in flight, branches and calls). A level-synchronous search
// with several workers waits for the slowest at every level, so a CPU slower than the others caps the
// speed-up whatever the engine does. The arithmetic chain waits on each step's latency, so it would
// hardly notice a CPU whose core the host shares with a busy neighbour (our guess at why one CPU
// here is at times 1.6x slower on the expansion alone); the expansion would. Needs `taskset`
// (util-linux) to pin each run to a CPU.
//
//   npm run build && node dist/bench/cpu-probe.js [--rounds N]
import { spawnSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { Expander } from '../src/explorer/expand.js';
import { fpHi, hashState, FingerprintSet } from '../src/explorer/fingerprint.js';
import { compileModel, resolveParams } from '../src/explorer/model.js';
import bakery from '../test/oracles/bakery.js';

/** Milliseconds of arithmetic, of random reads, and of expanding states. */
interface Timing { alu: number; mem: number; expand: number }

/** Milliseconds to expand the first 10^5 states of bakery.5 (breadth-first) ten times over. */
function expansion(): number {
  const c = compileModel(bakery, resolveParams(bakery, { n: 4, max: 7 }), null);
  const x = new Expander(c, false), W = c.layout.words, acts = c.actions, STATES = 100_000;
  const states = new Int32Array(STATES * W), seen = new FingerprintSet(false);
  let count = 0, sink = 0;
  /** Expands state i; `collect`: keeps its new successors (while there is room). */
  const expand = (i: number, collect: boolean): void => {
    x.loadPacked(states, i * W);
    const cand = x.candidates();
    for (let w = 0; w < cand.length; w++) for (let bits = cand[w]!; bits !== 0; bits &= bits - 1) {
      if (!x.successor(acts[(w << 5) + 31 - Math.clz32(bits & -bits)]!)) continue;
      hashState(x.packed, 0, W);
      sink ^= fpHi;
      if (collect && count < STATES && seen.add(x.packed, 0)) states.set(x.packed.subarray(0, W), W * count++);
    }
  };
  x.scratch.set(c.inits.subarray(0, c.layout.slots));
  x.packScratch("a bakery.5 state"); hashState(x.packed, 0, W); seen.add(x.packed, 0);
  states.set(x.packed.subarray(0, W)); count = 1;
  for (let i = 0; i < count; i++) expand(i, true);
  for (let i = 0; i < count; i++) expand(i, false); // warm-up
  const t = performance.now();
  for (let r = 0; r < 10; r++) for (let i = 0; i < count; i++) expand(i, false);
  const ms = performance.now() - t;
  if (sink === 0.5) console.log(''); // never true: keeps the hashing
  return ms;
}

/** One measurement in this process. */
function measure(): Timing {
  let t = performance.now(), x = 0;
  for (let i = 0; i < 2e8; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
  const alu = performance.now() - t;
  // 64 MiB of int32, read at 2*10^7 scattered places (a multiplicative hash of the step).
  const table = new Int32Array(1 << 24).fill(1), mask = (1 << 24) - 1;
  let sum = 0;
  t = performance.now();
  for (let i = 0; i < 2e7; i++) sum += table[Math.imul(i, 0x9e3779b1) & mask]!;
  const mem = performance.now() - t;
  if (x === 0.5 || sum < 0) console.log(''); // never true: uses both results, so neither loop is optimized away
  return { alu, mem, expand: expansion() };
}

if (process.argv.includes('--child')) {
  // --expansion: that measurement only (npm run bench uses it).
  console.log(JSON.stringify(process.argv.includes('--expansion') ? { expand: expansion() } : measure()));
} else {
  if (spawnSync('taskset', ['-V']).error) { console.error('cpu-probe: needs taskset (package util-linux) to pin runs to CPUs'); process.exit(2); }
  const ri = process.argv.indexOf('--rounds'), rounds = ri >= 0 ? Number(process.argv[ri + 1]) : 3;
  if (!Number.isInteger(rounds) || rounds < 1) { console.error('cpu-probe: --rounds needs a positive integer'); process.exit(2); }
  const cpus = availableParallelism();
  /** Runs the measurement pinned to each CPU in `on`, all at once. */
  const run = (on: number[]): Promise<Timing[]> => Promise.all(on.map((cpu) => new Promise<Timing>((resolve, reject) => {
    const p = spawn('taskset', ['-c', String(cpu), process.execPath, process.argv[1]!, '--child']);
    let out = '';
    p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as Timing) : reject(new Error(`child on CPU ${cpu} exited ${code}`))));
  })));
  const ms = (v: number): string => `${v.toFixed(0).padStart(5)} ms`;
  console.log('round  CPU  alone: arithmetic  random reads  expanding    all busy: arithmetic  random reads  expanding');
  for (let r = 1; r <= rounds; r++) {
    const alone: Timing[] = [];
    for (let cpu = 0; cpu < cpus; cpu++) alone.push((await run([cpu]))[0]!);
    const both = await run(Array.from({ length: cpus }, (_, k) => k));
    for (let cpu = 0; cpu < cpus; cpu++) {
      const a = alone[cpu]!, b = both[cpu]!;
      console.log(`${String(r).padStart(5)}  ${String(cpu).padStart(3)}  ${ms(a.alu).padStart(17)}  ${ms(a.mem).padStart(12)}  ${ms(a.expand).padStart(9)}   ${ms(b.alu).padStart(20)}  ${ms(b.mem).padStart(12)}  ${ms(b.expand).padStart(9)}`);
    }
  }
}
