// `node dist/bench/cpu-probe.js`: what each CPU of this machine gives, alone and with all busy, on
// the two kinds of work a search does: arithmetic (successors, hashing) and random reads of a table
// much larger than the caches (fingerprint lookups). A level-synchronous search with several workers
// waits for the slowest at every level, so a CPU slower than the others caps the speed-up whatever
// the engine does. Needs `taskset` (util-linux) to pin each run to a CPU.
//
//   npm run build && node dist/bench/cpu-probe.js [--rounds N]
import { spawnSync, spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Milliseconds of arithmetic, then of random reads. */
interface Timing { alu: number; mem: number }

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
  return { alu, mem };
}

if (process.argv.includes('--child')) {
  console.log(JSON.stringify(measure()));
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
  console.log('round  CPU  alone: arithmetic  random reads    all busy: arithmetic  random reads');
  for (let r = 1; r <= rounds; r++) {
    const alone: Timing[] = [];
    for (let cpu = 0; cpu < cpus; cpu++) alone.push((await run([cpu]))[0]!);
    const both = await run(Array.from({ length: cpus }, (_, k) => k));
    for (let cpu = 0; cpu < cpus; cpu++) {
      console.log(`${String(r).padStart(5)}  ${String(cpu).padStart(3)}  ${ms(alone[cpu]!.alu).padStart(17)}  ${ms(alone[cpu]!.mem).padStart(12)}   ${ms(both[cpu]!.alu).padStart(20)}  ${ms(both[cpu]!.mem).padStart(12)}`);
    }
  }
}
