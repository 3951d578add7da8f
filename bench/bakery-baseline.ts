// A hand-written BFS of BEEM bakery.5 (N=4, MAX=7) over plain int32 slots, with the engine's
// hash and fingerprint set but no views, no model API and no checks: the reference point the
// README compares `mc run` against (what this machine allows for this model in JavaScript).
//
//   npm run build && node dist/bench/bakery-baseline.js
import { FingerprintSet, hashState } from '../src/explorer/fingerprint.js';
import { PUBLISHED, S, successors } from './bakery-hand.js';

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
  for (let x = 0; x < curCount; x++) successors(cur, x * S, succ, emit);
  const t = cur; cur = next; next = t; curCount = nextCount;
}
const seconds = (performance.now() - t0) / 1000;
console.log(`bakery.5 by hand: ${distinct} distinct, ${generated} generated in ${seconds.toFixed(2)} s (${(distinct / seconds / 1e6).toFixed(2)} M distinct/s)`);
if (distinct !== PUBLISHED) { console.error(`wrong count: the published figure is ${PUBLISHED}`); process.exit(1); }
