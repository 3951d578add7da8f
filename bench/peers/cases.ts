// The peers' parameter sets and the counts SPIN and TLC reach on them, with how each tool is told
// the parameters. The counts are copied from ../shared/peers/README.md, its table (lines 10-16 as of
// 2026-12-07); test/peers.test.ts checks mc's twins against the small ones and bench/peers.ts
// checks every tool against all of them. generated counts the initial state as TLC does, which
// equals pan's "transitions (= stored+matched)"; depth counts BFS levels, the initial state as 1.

export type PeerModel = 'counters' | 'bakery' | 'ring' | 'peterson';

export interface PeerCase {
  /** As the bench prints it. */
  readonly label: string;
  readonly model: PeerModel;
  /** mc's flags for the twin bench/peers/<model>.ts. */
  readonly mcParams: Readonly<Record<string, number>>;
  /** spin -a's -D flags for <model>.pml. */
  readonly spinDefines: readonly string[];
  /** TLC's configuration file beside <model>.tla. */
  readonly cfg: string;
  readonly distinct: number;
  readonly generated: number;
  readonly depth: number;
  /** A throughput row (the README's comparison); the others are seconds or less and check counts. */
  readonly big: boolean;
}

export const PEER_CASES: readonly PeerCase[] = [
  { label: 'counters N=4, K=30', model: 'counters', mcParams: { n: 4, k: 30 }, spinDefines: ['-DN=4', '-DK=30'], cfg: 'counters_N4_K30.cfg', distinct: 923_521, generated: 3_574_921, depth: 121, big: true },
  { label: 'counters N=5, K=20', model: 'counters', mcParams: { n: 5, k: 20 }, spinDefines: ['-DN=5', '-DK=20'], cfg: 'counters_N5_K20.cfg', distinct: 4_084_101, generated: 19_448_101, depth: 101, big: true },
  { label: 'bakery N=4, MaxNum=4', model: 'bakery', mcParams: { n: 4, maxNum: 4 }, spinDefines: ['-DN=4', '-DMAXNUM=4'], cfg: 'bakery_N4_M4.cfg', distinct: 1_566_931, generated: 5_283_597, depth: 147, big: true },
  { label: 'bakery N=3, MaxNum=3', model: 'bakery', mcParams: { n: 3, maxNum: 3 }, spinDefines: ['-DN=3', '-DMAXNUM=3'], cfg: 'bakery.cfg', distinct: 16_861, generated: 43_575, depth: 73, big: false },
  { label: 'ring S=16, M=100', model: 'ring', mcParams: { s: 16, m: 100 }, spinDefines: ['-DS=16', '-DM=100'], cfg: 'ring_S16_M100.cfg', distinct: 273_695, generated: 546_125, depth: 601, big: true },
  { label: 'ring S=2, M=4', model: 'ring', mcParams: { s: 2, m: 4 }, spinDefines: ['-DS=2', '-DM=4'], cfg: 'ring_S2.cfg', distinct: 146, generated: 273, depth: 25, big: false },
  { label: 'ring S=3, M=5', model: 'ring', mcParams: { s: 3, m: 5 }, spinDefines: ['-DS=3', '-DM=5'], cfg: 'ring_S3.cfg', distinct: 346, generated: 649, depth: 31, big: false },
  { label: 'ring S=4, M=6', model: 'ring', mcParams: { s: 4, m: 6 }, spinDefines: ['-DS=4', '-DM=6'], cfg: 'ring_S4.cfg', distinct: 667, generated: 1_257, depth: 37, big: false },
  { label: 'peterson', model: 'peterson', mcParams: {}, spinDefines: [], cfg: 'peterson.cfg', distinct: 20, generated: 35, depth: 7, big: false },
];
