// How a locality-aware partition would split bakery.5 between two workers: for candidate owner
// functions, the share of successors that cross to the other worker, and how evenly each level's new
// states are split (the level-synchronous search waits for the larger share). A probe for a design
// not built: `mc` once partitioned by fingerprint (about half the successors crossed); it now sends every successor to a bucket that any worker may insert.
//
//   npm run build && node dist/bench/partition-probe.js
import { FingerprintSet, fpLo, hashState } from '../src/explorer/fingerprint.js';
import { N, PUBLISHED, S, successors } from './bakery-hand.js';

/** Candidate owners (2 workers): the slots hashed. Slots: choosing[N], number[N], then per process (loc, j, max). */
const proc = (i: number): number[] => [i, N + i, 2 * N + 3 * i, 2 * N + 3 * i + 1, 2 * N + 3 * i + 2];
const CANDIDATES: { name: string; slots: number[] }[] = [
  { name: 'whole state (what mc does)', slots: Array.from({ length: S }, (_, k) => k) },
  { name: 'process 0', slots: proc(0) },
  { name: 'processes 0, 1', slots: [...proc(0), ...proc(1)] },
  { name: 'tickets number[0..3]', slots: Array.from({ length: N }, (_, k) => N + k) },
  { name: 'locations of processes 0, 1', slots: [2 * N, 2 * N + 3] },
];
const tmp = new Int32Array(S);
const owner = (b: Int32Array, o: number, slots: number[]): number => {
  for (let k = 0; k < slots.length; k++) tmp[k] = b[o + slots[k]!]!;
  hashState(tmp, 0, slots.length);
  return fpLo >>> 31;
};

const set = new FingerprintSet(false);
let cur = new Int32Array(S * 1024), next = new Int32Array(S * 1024), curCount = 1, nextCount = 0;
const succ = new Int32Array(S);
hashState(cur, 0, S); set.add(cur, 0);
const cross = new Float64Array(CANDIDATES.length);
let generated = 0, distinct = 1, x = 0;
const levelShare = CANDIDATES.map(() => [0, 0]);
const sumMax = new Float64Array(CANDIDATES.length);
function emit(): void {
  generated++;
  CANDIDATES.forEach((c, k) => { if (owner(cur, x * S, c.slots) !== owner(succ, 0, c.slots)) cross[k]!++; });
  hashState(succ, 0, S);
  if (!set.add(succ, 0)) return;
  distinct++;
  CANDIDATES.forEach((c, k) => { levelShare[k]![owner(succ, 0, c.slots)]!++; });
  if ((nextCount + 1) * S > next.length) { const b = new Int32Array(next.length * 2); b.set(next); next = b; }
  next.set(succ, nextCount * S);
  nextCount++;
}
while (curCount > 0) {
  nextCount = 0;
  levelShare.forEach((s) => { s[0] = 0; s[1] = 0; });
  for (x = 0; x < curCount; x++) successors(cur, x * S, succ, emit);
  levelShare.forEach((s, k) => { sumMax[k]! += Math.max(s[0]!, s[1]!); });
  const t = cur; cur = next; next = t; curCount = nextCount;
}
if (distinct !== PUBLISHED) { console.error(`wrong count: ${distinct}, published ${PUBLISHED}`); process.exit(1); }
console.log(`bakery.5: ${distinct} distinct, ${generated} generated`);
CANDIDATES.forEach((c, k) => {
  // Each level waits for the larger share: (distinct / 2) / sum of larger shares is the balance's ceiling on efficiency.
  console.log(`${c.name.padEnd(30)} successors crossing: ${(100 * cross[k]! / generated).toFixed(1).padStart(5)} %   balance: ${(100 * (distinct - 1) / 2 / sumMax[k]!).toFixed(1)} %`);
});
