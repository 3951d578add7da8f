// BEEM bakery.5 (N=4, MAX=7) written by hand over plain int32 slots: the successor function shared
// by the hand-written reference searches (bakery-baseline.ts, shared-table.ts).
// Slots: choosing[N], number[N], then per process (loc, j, max); loc: 0 NCS, 1 choose, 2 forloop, 3 wait, 4 CS.
export const N = 4, MAX = 7;
export const S = 2 * N + 3 * N;
/** bakery.5's published state count. */
export const PUBLISHED = 7866401;

/** Writes each successor of the state at cur[o..o+S) into succ and calls emit(process) for it. */
export function successors(cur: Int32Array, o: number, succ: Int32Array, emit: (process: number) => void): void {
  const copy = (): void => { for (let k = 0; k < S; k++) succ[k] = cur[o + k]!; };
  for (let i = 0; i < N; i++) {
    const p = 2 * N + 3 * i, loc = cur[o + p]!, j = cur[o + p + 1]!, mx = cur[o + p + 2]!;
    if (loc === 0) { copy(); succ[p] = 1; succ[i] = 1; succ[p + 1] = 0; succ[p + 2] = 0; emit(i); }
    if (loc === 1 && j < N && cur[o + N + j]! > mx) { copy(); succ[p + 2] = cur[o + N + j]!; succ[p + 1] = j + 1; emit(i); }
    if (loc === 1 && j < N && cur[o + N + j]! <= mx) { copy(); succ[p + 1] = j + 1; emit(i); }
    if (loc === 1 && j === N && mx < MAX) { copy(); succ[p] = 2; succ[N + i] = mx + 1; succ[p + 1] = 0; succ[i] = 0; emit(i); }
    if (loc === 2 && j < N && cur[o + j] === 0) { copy(); succ[p] = 3; emit(i); }
    if (loc === 3) {
      const nj = cur[o + N + j]!, ni = cur[o + N + i]!;
      if (nj === 0 || nj > ni || (nj === ni && i <= j)) { copy(); succ[p] = 2; succ[p + 1] = j + 1; emit(i); }
    }
    if (loc === 2 && j === N) { copy(); succ[p] = 4; emit(i); }
    if (loc === 4) { copy(); succ[p] = 0; succ[N + i] = 0; emit(i); }
  }
}
