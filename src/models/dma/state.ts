// The dma model's parameters, state schema and initial state (protocols.md D.3),
// the domains of its parameterised actions, and the reads and writes several
// actors share. Devices (each alone in its IOMMU domain), pages and IOVAs are
// scalarsets: interchangeable identities, so the search keeps one state per
// orbit of their permutations (README: Symmetry). Generations and epochs are
// ordered ints.
import { intParam, type Ctx } from '../../explorer/model.js';
import type { ModelKit } from '../../explorer/kit.js';
import { bool, enumOf, int, mapOf, oneOf, optional, record, scalarset, setOf, tuple, type PlainOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';

export const params = {
  devices: intParam({ min: 1, max: 3, default: 2, help: 'devices d1..dn (a scalarset); device d is alone in IOMMU domain D_d' }),
  pages: intParam({ min: 1, max: 3, default: 2, help: 'DMA pool pages p1..pn (a scalarset)' }),
  iovas: intParam({ min: 1, max: 3, default: 2, help: 'IOVAs per domain, i1..in (a scalarset)' }),
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

/** The domains of the model, built once per configuration. */
function domainsOf(p: P) {
  const D = scalarset('d', p.devices), Pg = scalarset('p', p.pages), I = scalarset('i', p.iovas);
  const GEN = int(0, p.gens), EP = int(0, p.resets);
  return {
    D, Pg, I, GEN, EP,
    /** A descriptor {iova, page, gen, epoch} (D.3), as a tuple in that order. */
    DESC: tuple([I, Pg, GEN, EP]),
    /** A driver-held handle of one device: (page, gen, alloc), alloc being which allocation of the page issued it. */
    HANDLE: tuple([Pg, GEN, GEN]),
  };
}
type Doms = ReturnType<typeof domainsOf>;
export type Dev = PlainOf<Doms['D']>;
export type Page = PlainOf<Doms['Pg']>;
export type Iova = PlainOf<Doms['I']>;
export type Desc = PlainOf<Doms['DESC']>;
export type Handle = PlainOf<Doms['HANDLE']>;

/** Everything derived from the parameters that the actions and properties need. */
export interface Cfg extends Doms {
  /** Largest generation and largest epoch. */
  readonly G: number; readonly E: number;
  readonly Q: number;
  /** Every device, page and IOVA, in their order (for loops whose result does not depend on the order). */
  readonly Ds: readonly Dev[]; readonly Ps: readonly Page[]; readonly Is: readonly Iova[];
  readonly PMAX: number;
  /** Descriptors DRV publishes per device (--publishes; 0: unbounded). */
  readonly B: number;
  readonly m: string | null;
}

export function cfgOf(p: P): Cfg {
  const doms = domainsOf(p);
  return {
    ...doms, G: p.gens, E: p.resets, Q: p.depth, Ds: doms.D.values, Ps: doms.Pg.values, Is: doms.I.values,
    PMAX: p.devices * p.depth + 1, B: p.publishes, m: p.mutant,
  };
}

export function schema(p: P) {
  const { D, Pg, I, GEN, EP, DESC, HANDLE, PMAX } = cfgOf(p);
  return {
    page: mapOf(Pg, record({
      st: enumOf(ST),
      owner: optional(D), // null: ⊥
      gen: GEN,
      // How often the page was freed: the model's recycle bound (equal to gen unless M-D3 stops the bump).
      cycles: GEN,
      // Wide enough that a double unpin (a mutant) is a property violation, not a domain error.
      pins: int(-PMAX, PMAX),
      // Zero, or Data(d): the device that last wrote it.
      content: oneOf(enumOf(['Zero']), D),
    })),
    // Per domain D (= device d) and IOVA i; null is ⊥.
    rec: mapOf(D, mapOf(I, optional(record({ page: Pg, gen: GEN })))),
    pte: mapOf(D, mapOf(I, optional(Pg))),
    iotlb: mapOf(D, mapOf(I, optional(Pg))),
    inval: mapOf(D, mapOf(I, bool())),
    q: mapOf(D, record({
      enabled: bool(),
      epoch: EP,
      dev: enumOf(QDEV),
      rpc: enumOf(RPC),
      // The epoch being reset, from R1 to R2 (0 otherwise): R2 releases the pins of that epoch's completions.
      rep: EP,
      inflight: setOf(DESC),
      done: setOf(DESC),
    })),
    // Driver-held buffer handles of device d: (page, gen, alloc) — opaque to the driver.
    handles: mapOf(D, setOf(HANDLE)),
    // Publishes left per device (the --publishes budget; constant 0 when unbounded).
    pub_left: mapOf(D, int(0, p.publishes)),
    // KP's map path: the (D,i) whose PTE install is pending (null: none).
    kp_inst: optional(record({ d: D, i: I })),
    // MGR's unmap in progress: pc and its (d, i, p) registers (null when idle).
    um_pc: enumOf(UPC),
    um: optional(record({ d: D, i: I, p: Pg })),
    // ---- ghosts (never read by a guard of a non-ghost action) ----
    g_stray_dma: bool(),
    g_stale_handle_accepted: bool(),
    g_stale_completion_accepted: bool(),
    // Completed descriptors whose pin the reset drain (R2) already released.
    g_released: mapOf(D, setOf(DESC)),
    // The page went through Quarantined (KP.Drain) since it was last allocated (for a reachability goal).
    g_drained: mapOf(Pg, bool()),
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
  const { ND, NP, NI } = { ND: p.devices, NP: p.pages, NI: p.iovas };
  const dn = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);
  return [{
    page: dn(NP, () => ({ st: 'Free' as const, owner: null, gen: 0, cycles: 0, pins: 0, content: 'Zero' as const })),
    rec: dn(ND, () => dn(NI, () => null)),
    pte: dn(ND, () => dn(NI, () => null)),
    iotlb: dn(ND, () => dn(NI, () => null)),
    inval: dn(ND, () => dn(NI, () => false)),
    q: dn(ND, () => ({ enabled: true, epoch: 0, dev: 'Running' as const, rpc: 'None' as const, rep: 0, inflight: [], done: [] })),
    handles: dn(ND, () => []),
    pub_left: dn(ND, () => p.publishes),
    kp_inst: null,
    um_pc: 'Idle' as const, um: null,
    g_stray_dma: false, g_stale_handle_accepted: false, g_stale_completion_accepted: false,
    g_released: dn(ND, () => []),
    g_drained: dn(NP, () => false),
  }];
}

// ---------------------------------------------------------------------------
// The arguments of the parameterised actions: (device, IOVA) pairs, with a handle, (device, descriptor) and
// (device, page), as plain frozen objects in the domains' order (the instances' order, so the search order).
// [choice] Lists rather than `over: tuple([D, I])`: a domain's values reach guards as read-only proxies,
// and a tuple argument is destructured through the iterator protocol; these are read in every guard of every state.

export function instanceArgs(c: Cfg) {
  const { Ds, Ps, Is, G, E } = c;
  const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
  const fz = <T extends readonly unknown[]>(t: T): T => Object.freeze(t);
  const descs: Desc[] = Is.flatMap((i) => Ps.flatMap((p) => range(G + 1).flatMap((g) => range(E + 1).map((e) => fz([i, p, g, e] as const)))));
  const handles: Handle[] = Ps.flatMap((p) => range(G + 1).flatMap((g) => range(G + 1).map((a) => fz([p, g, a] as const))));
  const DIs = Ds.flatMap((d) => Is.map((i) => Object.freeze({ d, i })));
  return {
    DIs,
    DIHs: DIs.flatMap(({ d, i }) => handles.map((h) => Object.freeze({ d, i, h }))),
    DXs: Ds.flatMap((d) => descs.map((x) => Object.freeze({ d, x }))),
    DPs: Ds.flatMap((d) => Ps.map((p) => Object.freeze({ d, p }))),
  };
}

// ---------------------------------------------------------------------------
// Shared by several actors (and the goals)

/** Is handle h of device d of its page's current allocation? (The truth the ghosts use: same allocation serial, page not freed since.) */
export function isLive(s: R, d: Dev, h: Handle): boolean {
  const pg = s.page.get(h[0]);
  return pg.st !== 'Free' && pg.cycles === h[2] && pg.owner === d;
}

/** One pin of page pg released (by a reap or a reset drain). */
export const unpin = (n: V, pg: Page): void => { const pp = n.page.get(pg); pp.pins = pp.pins - 1; };
