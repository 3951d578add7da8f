// The dma model's parameters, state schema and initial state (protocols.md D.3),
// the argument lists of its parameterised actions, and the reads and writes
// several actors share.
import { intParam, type Ctx } from '../../explorer/model.js';
import type { ModelKit } from '../../explorer/kit.js';
import { array, bool, enumOf, int, record, setOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';

export const params = {
  devices: intParam({ min: 1, max: 3, default: 2, help: 'devices d0..d(n-1); device d is alone in IOMMU domain D_d' }),
  pages: intParam({ min: 1, max: 3, default: 2, help: 'DMA pool pages' }),
  iovas: intParam({ min: 1, max: 3, default: 2, help: 'IOVAs per domain' }),
  gens: intParam({ min: 0, max: 2, default: 1, help: 'largest ownership generation: a page is recycled (freed) at most this many times, generations 0..gens' }),
  resets: intParam({ min: 0, max: 2, default: 1, help: 'largest queue epoch: each queue is reset at most this many times, epochs 0..resets' }),
  depth: intParam({ min: 1, max: 3, default: 2, help: 'descriptors a queue holds (in flight plus completed, not yet reaped); bounds pins to 0..depth' }),
  publishes: intParam({ min: 0, max: 6, default: 0, help: 'descriptors DRV publishes per device in all (0: unbounded). Liveness is checked only with a budget (see README)' }),
};
export type P = Ctx<typeof params>;

const ST = ['Free', 'Owned', 'Quarantined', 'Dirty'] as const;
const QDEV = ['Running', 'Resetting', 'Quiesced'] as const;
/** MGR's reset program for one queue: None (no reset in progress), Bump (R1 done, R3 next), Enable (R3 done). */
const RPC = ['None', 'Bump', 'Enable'] as const;
const UPC = ['Idle', 'U2', 'U4', 'U5'] as const;

/** Everything derived from the parameters that the actions and properties need. */
export interface Cfg {
  readonly ND: number; readonly NP: number; readonly NI: number;
  /** Largest generation and largest epoch. */
  readonly G: number; readonly E: number;
  readonly Q: number;
  /** Descriptors {iova, page, gen, epoch}: X of them, indices of a per-queue set. */
  readonly X: number;
  readonly xI: readonly number[]; readonly xP: readonly number[]; readonly xG: readonly number[]; readonly xE: readonly number[];
  /** Handles of one device {page, gen, alloc}: H of them (alloc: which allocation of the page issued it). */
  readonly H: number;
  readonly hP: readonly number[]; readonly hG: readonly number[]; readonly hC: readonly number[];
  readonly PMAX: number;
  /** Descriptors DRV publishes per device (--publishes; 0: unbounded). */
  readonly B: number;
  readonly m: string | null;
}

export function cfgOf(p: P): Cfg {
  const ND = p.devices, NP = p.pages, NI = p.iovas, G = p.gens, E = p.resets;
  const xI: number[] = [], xP: number[] = [], xG: number[] = [], xE: number[] = [];
  for (let i = 0; i < NI; i++) for (let pg = 0; pg < NP; pg++) for (let g = 0; g <= G; g++) for (let e = 0; e <= E; e++) { xI.push(i); xP.push(pg); xG.push(g); xE.push(e); }
  const hP: number[] = [], hG: number[] = [], hC: number[] = [];
  for (let pg = 0; pg < NP; pg++) for (let g = 0; g <= G; g++) for (let c = 0; c <= G; c++) { hP.push(pg); hG.push(g); hC.push(c); }
  return { ND, NP, NI, G, E, Q: p.depth, X: xI.length, xI, xP, xG, xE, H: hP.length, hP, hG, hC, PMAX: ND * p.depth + 1, B: p.publishes, m: p.mutant };
}
export const descIndex = (c: Cfg, i: number, pg: number, g: number, e: number): number => ((i * c.NP + pg) * (c.G + 1) + g) * (c.E + 1) + e;
export const handleIndex = (c: Cfg, pg: number, g: number, a: number): number => (pg * (c.G + 1) + g) * (c.G + 1) + a;

export function schema(p: P) {
  const c = cfgOf(p);
  const { ND, NP, NI, G, E, X, H, PMAX } = c;
  return {
    page: array(NP, record({
      st: enumOf(ST),
      owner: int(-1, ND - 1),
      gen: int(0, G),
      // How often the page was freed: the model's recycle bound (equal to gen unless M-D3 stops the bump).
      cycles: int(0, G),
      // Wide enough that a double unpin (a mutant) is a property violation, not a domain error.
      pins: int(-PMAX, PMAX),
      // 0: Zero; d+1: Data(d).
      content: int(0, ND),
    })),
    // Per domain D (= device d) and IOVA i. rec.page/pte/iotlb: 0 = ⊥, p+1 = page p.
    rec: array(ND, array(NI, record({ page: int(0, NP), gen: int(0, G) }))),
    pte: array(ND, array(NI, int(0, NP))),
    iotlb: array(ND, array(NI, int(0, NP))),
    inval: array(ND, array(NI, bool())),
    q: array(ND, record({
      enabled: bool(),
      epoch: int(0, E),
      dev: enumOf(QDEV),
      rpc: enumOf(RPC),
      // The epoch being reset, from R1 to R2 (0 otherwise): R2 releases the pins of that epoch's completions.
      rep: int(0, E),
      inflight: setOf(X),
      done: setOf(X),
    })),
    // Driver-held buffer handles of device d: (page, gen, alloc) — opaque to the driver.
    handles: array(ND, setOf(H)),
    // Publishes left per device (the --publishes budget; constant 0 when unbounded).
    pub_left: array(ND, int(0, p.publishes)),
    // KP's map path: the (D,i) whose PTE install is pending (0: none; 1 + d*NI + i).
    kp_inst: int(0, ND * NI),
    // MGR's unmap in progress: pc and its (d, i, p) registers (zero when idle).
    um_pc: enumOf(UPC),
    um_d: int(0, ND - 1), um_i: int(0, NI - 1), um_p: int(0, NP - 1),
    // ---- ghosts (never read by a guard of a non-ghost action) ----
    g_stray_dma: bool(),
    g_stale_handle_accepted: bool(),
    g_stale_completion_accepted: bool(),
    // Completed descriptors whose pin the reset drain (R2) already released.
    g_released: array(ND, setOf(X)),
    // The page went through Quarantined (KP.Drain) since it was last allocated (for a reachability goal).
    g_drained: array(NP, bool()),
  };
}
export type S = ReturnType<typeof schema>;
/** The successor's writable view, for helpers that write a state. */
export type V = StateView<S>;
/** The read-only view, for helpers that read one (guards, properties). */
export type R = ReadonlyStateView<S>;
/** The typed helpers defineModel hands every model function (`action`, `invariant`, ...). */
export type Kit = ModelKit<S>;

export function init(p: P) {
  const { ND, NP, NI } = cfgOf(p);
  const dn = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
  return [{
    page: dn(NP, () => ({ st: 'Free' as const, owner: -1, gen: 0, cycles: 0, pins: 0, content: 0 })),
    rec: dn(ND, () => dn(NI, () => ({ page: 0, gen: 0 }))),
    pte: dn(ND, () => dn(NI, () => 0)),
    iotlb: dn(ND, () => dn(NI, () => 0)),
    inval: dn(ND, () => dn(NI, () => false)),
    q: dn(ND, () => ({ enabled: true, epoch: 0, dev: 'Running' as const, rpc: 'None' as const, rep: 0, inflight: [] as number[], done: [] as number[] })),
    handles: dn(ND, () => [] as number[]),
    pub_left: dn(ND, () => p.publishes),
    kp_inst: 0,
    um_pc: 'Idle' as const, um_d: 0, um_i: 0, um_p: 0,
    g_stray_dma: false, g_stale_handle_accepted: false, g_stale_completion_accepted: false,
    g_released: dn(ND, () => [] as number[]),
    g_drained: dn(NP, () => false),
  }];
}

// ---------------------------------------------------------------------------
// The arguments of the parameterised actions: (device, IOVA) pairs, with a handle, (device, descriptor),
// (device, page), pages and devices.

export function instanceArgs(c: Cfg) {
  const { ND, NP, NI, X, H } = c;
  const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
  const DIs = range(ND).flatMap((d) => range(NI).map((i) => ({ d, i })));
  return {
    DIs,
    DIHs: DIs.flatMap(({ d, i }) => range(H).map((h) => ({ d, i, h }))),
    DXs: range(ND).flatMap((d) => range(X).map((x) => ({ d, x }))),
    DPs: range(ND).flatMap((d) => range(NP).map((pg) => ({ d, p: pg }))),
    Ps: range(NP),
    Ds: range(ND),
  };
}

// ---------------------------------------------------------------------------
// Shared by several actors (and the goals)

/** Is handle h of device d of its page's current allocation? (The truth the ghosts use: same allocation serial, page not freed since.) */
export function isLive(c: Cfg, s: R, d: number, h: number): boolean {
  const pg = s.page.at(c.hP[h]!);
  return pg.st !== 'Free' && pg.cycles === c.hC[h] && pg.owner === d;
}

/** One pin of page pg released (by a reap or a reset drain). */
export const unpin = (n: V, pg: number): void => { const pp = n.page.at(pg); pp.pins = pp.pins - 1; };
