// A hand-written BFS of BEEM bakery.5 (N=4, MAX=7) over plain int32 slots, with the engine's
// hash and fingerprint set but no views, no model API and no checks: the reference point the
// README compares `mc run` against (what this machine allows for this model in JavaScript).
//
//   npm run build && node dist/bench/bakery-baseline.js
import { FingerprintSet, hashState } from '../src/explorer/fingerprint.js';

const N = 4, MAX = 7;
// Slots: choosing[N], number[N], then per process (loc, j, max); loc: 0 NCS, 1 choose, 2 forloop, 3 wait, 4 CS.
const S = 2 * N + 3 * N;
const set = new FingerprintSet(false);
let cur = new Int32Array(S * 1024), next = new Int32Array(S * 1024), curCount = 1, nextCount = 0;
const succ = new Int32Array(S);
let distinct = 1, generated = 1;
hashState(cur, 0, S); set.add(cur, 0);
const t0 = performance.now();

function emit(): void {
  generated++;
  hashState(succ, 0, S);
  if (!set.add(succ, 0)) return;
  distinct++;
  if ((nextCount + 1) * S > next.length) { const b = new Int32Array(next.length * 2); b.set(next); next = b; }
  next.set(succ, nextCount * S);
  nextCount++;
}

while (curCount > 0) {
  nextCount = 0;
  for (let x = 0; x < curCount; x++) {
    const o = x * S;
    const copy = (): void => { for (let k = 0; k < S; k++) succ[k] = cur[o + k]!; };
    for (let i = 0; i < N; i++) {
      const p = 2 * N + 3 * i, loc = cur[o + p]!, j = cur[o + p + 1]!, mx = cur[o + p + 2]!;
      if (loc === 0) { copy(); succ[p] = 1; succ[i] = 1; succ[p + 1] = 0; succ[p + 2] = 0; emit(); }
      if (loc === 1 && j < N && cur[o + N + j]! > mx) { copy(); succ[p + 2] = cur[o + N + j]!; succ[p + 1] = j + 1; emit(); }
      if (loc === 1 && j < N && cur[o + N + j]! <= mx) { copy(); succ[p + 1] = j + 1; emit(); }
      if (loc === 1 && j === N && mx < MAX) { copy(); succ[p] = 2; succ[N + i] = mx + 1; succ[p + 1] = 0; succ[i] = 0; emit(); }
      if (loc === 2 && j < N && cur[o + j] === 0) { copy(); succ[p] = 3; emit(); }
      if (loc === 3) {
        const nj = cur[o + N + j]!, ni = cur[o + N + i]!;
        if (nj === 0 || nj > ni || (nj === ni && i <= j)) { copy(); succ[p] = 2; succ[p + 1] = j + 1; emit(); }
      }
      if (loc === 2 && j === N) { copy(); succ[p] = 4; emit(); }
      if (loc === 4) { copy(); succ[p] = 0; succ[N + i] = 0; emit(); }
    }
  }
  const t = cur; cur = next; next = t; curCount = nextCount;
}
const seconds = (performance.now() - t0) / 1000;
console.log(`bakery.5 by hand: ${distinct} distinct, ${generated} generated in ${seconds.toFixed(2)} s (${(distinct / seconds / 1e6).toFixed(2)} M distinct/s)`);
if (distinct !== 7866401) { console.error('wrong count: the published figure is 7,866,401'); process.exit(1); }
