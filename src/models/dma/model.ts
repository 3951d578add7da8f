// Protocol D of protocols.md (D.1-D.8): the DMA authority lifecycle of capOS.
// A DMA pool page reaches a device only through an IOVA of the device's IOMMU
// domain that the kernel recorded in its map ledger and can revoke. Pages move
// through allocation (KP.Alloc hands the driver an opaque handle), mapping
// (ledger record, then PTE install), publication (DRV.Publish: the stale-handle
// gate, then a pin), DMA (through the IOTLB or the PTE), completion and reap
// (the generation and epoch tests), unmap (PTE clear, asynchronous IOTLB
// invalidation, record removal, then drive-pin: Dirty if unpinned, else
// Quarantined), drain, scrub, and free with the ownership-generation bump.
// Queue reset (disable, device drain, epoch bump) and the epoch-fenced enable
// race with all of it. See README.md beside this file for the mapping of every
// action and property to protocols.md and for every [choice].
import { defineModel, intParam, type ActionDef, type Ctx, type Invariant, type Goal, type LivenessProperty } from '../../explorer/model.js';
import { array, bool, enumOf, int, record, setOf, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';
import { implies, invariant, leadsTo, sometimes, terminalStates, WF } from '../../invariants/index.js';

const params = {
  devices: intParam({ min: 1, max: 3, default: 2, help: 'devices d0..d(n-1); device d is alone in IOMMU domain D_d' }),
  pages: intParam({ min: 1, max: 3, default: 2, help: 'DMA pool pages' }),
  iovas: intParam({ min: 1, max: 3, default: 2, help: 'IOVAs per domain' }),
  gens: intParam({ min: 0, max: 2, default: 1, help: 'largest ownership generation: a page is recycled (freed) at most this many times, generations 0..gens' }),
  resets: intParam({ min: 0, max: 2, default: 1, help: 'largest queue epoch: each queue is reset at most this many times, epochs 0..resets' }),
  depth: intParam({ min: 1, max: 3, default: 2, help: 'descriptors a queue holds (in flight plus completed, not yet reaped); bounds pins to 0..depth' }),
  publishes: intParam({ min: 0, max: 6, default: 0, help: 'descriptors DRV publishes per device in all (0: unbounded). Liveness is checked only with a budget (see README)' }),
};
type P = Ctx<typeof params>;

export const M = {
  D1: 'M-D1', D2: 'M-D2', D3: 'M-D3', D4: 'M-D4', D5: 'M-D5', D6: 'M-D6', D7: 'M-D7',
  alias: 'M-D8-no-alias-check',
  noQuarantine: 'M-D9-no-quarantine',
  reapWhileReset: 'M-D10-reap-while-reset',
  unmapDuringMap: 'M-D11-unmap-during-map',
  leakDone: 'M-D12-reset-leaks-done-pins',
  scrubWrongState: 'M-D13-scrub-only-quarantined',
  remapDuringUnmap: 'M-D14-remap-during-unmap',
  noBump: 'M-D15-no-epoch-bump',
} as const;

const ST = ['Free', 'Owned', 'Quarantined', 'Dirty'] as const;
const QDEV = ['Running', 'Resetting', 'Quiesced'] as const;
/** MGR's reset program for one queue: None (no reset in progress), Bump (R1 done, R3 next), Enable (R3 done). */
const RPC = ['None', 'Bump', 'Enable'] as const;
const UPC = ['Idle', 'U2', 'U4', 'U5'] as const;

interface Cfg {
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
  readonly m: string | null;
}

function cfgOf(p: P): Cfg {
  const ND = p.devices, NP = p.pages, NI = p.iovas, G = p.gens, E = p.resets;
  const xI: number[] = [], xP: number[] = [], xG: number[] = [], xE: number[] = [];
  for (let i = 0; i < NI; i++) for (let pg = 0; pg < NP; pg++) for (let g = 0; g <= G; g++) for (let e = 0; e <= E; e++) { xI.push(i); xP.push(pg); xG.push(g); xE.push(e); }
  const hP: number[] = [], hG: number[] = [], hC: number[] = [];
  for (let pg = 0; pg < NP; pg++) for (let g = 0; g <= G; g++) for (let c = 0; c <= G; c++) { hP.push(pg); hG.push(g); hC.push(c); }
  return { ND, NP, NI, G, E, Q: p.depth, X: xI.length, xI, xP, xG, xE, H: hP.length, hP, hG, hC, PMAX: ND * p.depth + 1, m: p.mutant };
}
const descIndex = (c: Cfg, i: number, pg: number, g: number, e: number): number => ((i * c.NP + pg) * (c.G + 1) + g) * (c.E + 1) + e;
const handleIndex = (c: Cfg, pg: number, g: number, a: number): number => (pg * (c.G + 1) + g) * (c.G + 1) + a;

function schema(p: P) {
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
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function init(p: P) {
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
// Actions

interface DI { d: number; i: number }
interface DIH { d: number; i: number; h: number }
interface DX { d: number; x: number }
interface DP { d: number; p: number }

/** Is handle h of device d of its page's current allocation? (The truth the ghosts use: same allocation serial, page not freed since.) */
function isLive(c: Cfg, s: R, d: number, h: number): boolean {
  const pg = s.page.at(c.hP[h]!);
  return pg.st !== 'Free' && pg.cycles === c.hC[h] && pg.owner === d;
}

function actions(p: P): ActionDef<V, any, R>[] {
  const c = cfgOf(p);
  const { ND, NP, NI, G, E, Q, X, H, m } = c;
  const B = p.publishes;
  const range = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
  const DIs: DI[] = range(ND).flatMap((d) => range(NI).map((i) => ({ d, i })));
  const DIHs: DIH[] = DIs.flatMap(({ d, i }) => range(H).map((h) => ({ d, i, h })));
  const DXs: DX[] = range(ND).flatMap((d) => range(X).map((x) => ({ d, x })));
  const DPs: DP[] = range(ND).flatMap((d) => range(NP).map((pg) => ({ d, p: pg })));
  const Ps = range(NP);
  const Ds = range(ND);

  const bits = (v: number): number => { let n = 0; while (v) { v &= v - 1; n++; } return n; };
  const handleLive = (s: R, d: number, h: number): boolean => isLive(c, s, d, h);
  /** Is page pg mapped by any record? */
  const recorded = (s: R, pg: number): boolean => {
    for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (s.rec.at(d).at(i).page === pg + 1) return true;
    return false;
  };
  const unpin = (n: V, pg: number): void => { const pp = n.page.at(pg); pp.pins = pp.pins - 1; };

  const acts: ActionDef<V, any, R>[] = [
    // ---------------- KP: allocation and the two-step map ----------------
    {
      name: 'KP.Alloc', actor: 'KP', over: DPs,
      guard: (s, a: DP) => s.page.at(a.p).st === 'Free',
      effect: (s, n, a: DP) => {
        const pg = n.page.at(a.p);
        pg.st = 'Owned'; pg.owner = a.d;
        n.handles.at(a.d).add(handleIndex(c, a.p, s.page.at(a.p).gen, s.page.at(a.p).cycles));
        n.g_drained.set(a.p, false);
      },
    },
    {
      // Step 1: the ledger record. The handle must be of the current allocation (gen and owner) and the page unmapped everywhere.
      name: 'KP.MapRecord', actor: 'KP', over: DIHs,
      guard: (s, a: DIH) => {
        if (s.kp_inst !== 0 || !s.handles.at(a.d).has(a.h)) return false;
        const pgn = c.hP[a.h]!, pg = s.page.at(pgn);
        return pg.st === 'Owned' && c.hG[a.h] === pg.gen && pg.owner === a.d && s.rec.at(a.d).at(a.i).page === 0
          && s.pte.at(a.d).get(a.i) === 0
          && (m === M.alias || !recorded(s, pgn))
          // [choice] not a page MGR is revoking (U1..U5 of its unmap): between U4 and U5 it is Owned and unrecorded (M-D14 drops this).
          && (s.um_pc === 'Idle' || s.um_p !== pgn || m === M.remapDuringUnmap);
      },
      effect: (s, n, a: DIH) => {
        const pgn = c.hP[a.h]!;
        if (!handleLive(s, a.d, a.h)) n.g_stale_handle_accepted = true;
        if (m === M.D1) n.pte.at(a.d).set(a.i, pgn + 1); // M-D1: the PTE straight from the handle; the record comes second
        else { const r = n.rec.at(a.d).at(a.i); r.page = pgn + 1; r.gen = c.hG[a.h]!; }
        n.kp_inst = 1 + a.d * NI + a.i;
      },
    },
    {
      // Step 2: the PTE install, from the record (re-checking the page's generation).
      name: 'KP.InstallPte', actor: 'KP', over: DIs,
      guard: (s, a: DI) => s.kp_inst === 1 + a.d * NI + a.i,
      effect: (s, n, a: DI) => {
        n.kp_inst = 0;
        if (m === M.D1) { // M-D1: write the record after the PTE
          const pgn = s.pte.at(a.d).get(a.i) - 1;
          const r = n.rec.at(a.d).at(a.i); r.page = pgn + 1; r.gen = s.page.at(pgn).gen;
          return;
        }
        const r = s.rec.at(a.d).at(a.i);
        if (r.page !== 0 && s.page.at(r.page - 1).gen === r.gen && s.pte.at(a.d).get(a.i) === 0) n.pte.at(a.d).set(a.i, r.page);
      },
    },
    // ---------------- DRV: publish with the stale-handle gate ----------------
    {
      name: 'DRV.Publish', actor: 'DRV', over: DIHs,
      guard: (s, a: DIH) => s.q.at(a.d).enabled && s.handles.at(a.d).has(a.h) && (B === 0 || s.pub_left.get(a.d) > 0),
      effect: (s, n, a: DIH) => {
        const pgn = c.hP[a.h]!, g = c.hG[a.h]!, pg = s.page.at(pgn), q = s.q.at(a.d);
        const live = handleLive(s, a.d, a.h);
        if (pg.st !== 'Owned' || g !== pg.gen || pg.owner !== a.d || s.rec.at(a.d).at(a.i).page !== pgn + 1) {
          return false; // rejected, no mutation: a stutter
        }
        const x = descIndex(c, a.i, pgn, g, q.epoch);
        // A queue of `depth` descriptors; one descriptor per (iova, page, gen, epoch) at a time.
        if (bits(q.inflight.bits) + bits(q.done.bits) >= Q || q.inflight.has(x) || q.done.has(x)) return false;
        if (!live) n.g_stale_handle_accepted = true;
        n.page.at(pgn).pins = pg.pins + 1;
        n.q.at(a.d).inflight.add(x);
        if (B > 0) n.pub_left.set(a.d, s.pub_left.get(a.d) - 1);
      },
    },
    // ---------------- DEV[d]: DMA, completion, reset completion ----------------
    {
      name: 'DEV.Dma', actor: (a: DX) => `DEV${a.d}`, over: DXs,
      guard: (s, a: DX) => s.q.at(a.d).inflight.has(a.x),
      effect: (s, n, a: DX) => {
        const i = c.xI[a.x]!;
        const t = s.iotlb.at(a.d).get(i) || s.pte.at(a.d).get(i);
        if (t === 0) return false; // IOMMU fault: no access, nothing changes
        const pg = s.page.at(t - 1);
        const stray = pg.st !== 'Owned' || pg.owner !== a.d || s.rec.at(a.d).at(i).page !== t;
        if (!stray && s.iotlb.at(a.d).get(i) === t && pg.content === a.d + 1) return false; // [choice] a DMA that changes nothing is a stutter
        if (stray) n.g_stray_dma = true;
        n.iotlb.at(a.d).set(i, t);
        n.page.at(t - 1).content = a.d + 1;
      },
    },
    {
      name: 'DEV.Complete', actor: (a: DX) => `DEV${a.d}`, over: DXs,
      guard: (s, a: DX) => s.q.at(a.d).inflight.has(a.x),
      effect: (_s, n, a: DX) => { const q = n.q.at(a.d); q.inflight.delete(a.x); q.done.add(a.x); },
    },
    {
      // R2: the device's reset completes. Pins of everything in flight or completed are released; completed entries stay, stale.
      name: 'DEV.ResetQueue.R2', actor: (d: number) => `DEV${d}`, over: Ds,
      guard: (s, d: number) => s.q.at(d).dev === 'Resetting',
      effect: (s, n, d: number) => {
        const q = s.q.at(d);
        for (let x = 0; x < X; x++) {
          if (q.inflight.has(x)) unpin(n, c.xP[x]!);
          // Completions of older epochs were released by the reset that ended their epoch. M-D12: completions keep their pins.
          if (q.done.has(x) && c.xE[x] === q.rep && m !== M.leakDone) { unpin(n, c.xP[x]!); n.g_released.at(d).add(x); }
        }
        const nq = n.q.at(d);
        nq.inflight.clear();
        nq.rep = 0;
        nq.dev = 'Quiesced';
      },
    },
    // ---------------- KP: reap with the generation and epoch tests ----------------
    {
      name: 'KP.Reap', actor: 'KP', over: DXs,
      // [choice] KP reaps an enabled queue's completions; a queue under reset is drained by R2 instead (M-D10 drops this).
      guard: (s, a: DX) => s.q.at(a.d).done.has(a.x) && (s.q.at(a.d).enabled || m === M.reapWhileReset),
      effect: (s, n, a: DX) => {
        const pgn = c.xP[a.x]!;
        n.q.at(a.d).done.delete(a.x);
        n.g_released.at(a.d).delete(a.x);
        const genOk = c.xG[a.x] === s.page.at(pgn).gen;
        const epochOk = c.xE[a.x] === s.q.at(a.d).epoch || m === M.D7; // M-D7: no epoch test
        if (genOk && epochOk) {
          if (s.g_released.at(a.d).has(a.x)) n.g_stale_completion_accepted = true; // its pin was already released by R2
          unpin(n, pgn);
        } // else rejected: the completion is consumed, no unpin
      },
    },
    // ---------------- MGR: unmap U1-U5 (U3 by the IOMMU) ----------------
    {
      name: 'MGR.Unmap.U1', actor: 'MGR', over: DIs,
      // One unmap at a time; not while KP's install of this (D,i) is pending (M-D11 drops that).
      guard: (s, a: DI) => s.um_pc === 'Idle' && s.rec.at(a.d).at(a.i).page !== 0 && (s.kp_inst !== 1 + a.d * NI + a.i || m === M.unmapDuringMap),
      effect: (s, n, a: DI) => {
        n.pte.at(a.d).set(a.i, 0);
        n.um_pc = 'U2'; n.um_d = a.d; n.um_i = a.i; n.um_p = s.rec.at(a.d).at(a.i).page - 1;
      },
    },
    {
      name: 'MGR.Unmap.U2', actor: 'MGR',
      guard: (s) => s.um_pc === 'U2',
      effect: (s, n) => {
        if (m !== M.D4) n.inval.at(s.um_d).set(s.um_i, true); // M-D4: no invalidation queued, so U3 never runs and U4 does not wait
        n.um_pc = 'U4';
      },
    },
    {
      name: 'IOMMU.Unmap.U3', actor: 'IOMMU', over: DIs,
      guard: (s, a: DI) => s.inval.at(a.d).get(a.i),
      effect: (_s, n, a: DI) => { n.iotlb.at(a.d).set(a.i, 0); n.inval.at(a.d).set(a.i, false); },
    },
    {
      // [choice] U4 waits for the invalidation to complete (¬inval); the kernel cannot read the IOTLB itself.
      name: 'MGR.Unmap.U4', actor: 'MGR',
      guard: (s) => s.um_pc === 'U4' && !s.inval.at(s.um_d).get(s.um_i),
      effect: (s, n) => { const r = n.rec.at(s.um_d).at(s.um_i); r.page = 0; r.gen = 0; n.um_pc = 'U5'; },
    },
    {
      // Drive-pin / quarantine.
      name: 'MGR.Unmap.U5', actor: 'MGR',
      guard: (s) => s.um_pc === 'U5',
      effect: (s, n) => {
        const pg = n.page.at(s.um_p);
        if (s.page.at(s.um_p).pins === 0 || m === M.D2) pg.st = 'Dirty'; // M-D2: Dirty even when pinned
        else if (m !== M.noQuarantine) pg.st = 'Quarantined'; // M-D9: a pinned page stays Owned, unmapped
        n.um_pc = 'Idle'; n.um_d = 0; n.um_i = 0; n.um_p = 0;
      },
    },
    // ---------------- MGR: queue reset R1, R3 and the epoch-fenced enable ----------------
    {
      name: 'MGR.ResetQueue.R1', actor: 'MGR', over: Ds,
      guard: (s, d: number) => { const q = s.q.at(d); return q.rpc === 'None' && q.dev === 'Running' && q.epoch < E; },
      effect: (s, n, d: number) => { const q = n.q.at(d); q.enabled = false; q.dev = 'Resetting'; q.rpc = 'Bump'; q.rep = s.q.at(d).epoch; },
    },
    {
      // R3: the epoch fence. [choice] MGR may bump before or after the device's reset completes (R2).
      name: 'MGR.ResetQueue.R3', actor: 'MGR', over: Ds,
      guard: (s, d: number) => s.q.at(d).rpc === 'Bump' && m !== M.noBump, // M-D15: R3 never runs
      effect: (s, n, d: number) => { const q = n.q.at(d); q.epoch = Math.min(s.q.at(d).epoch + 1, E); q.rpc = s.q.at(d).enabled ? 'None' : 'Enable'; },
    },
    {
      name: 'MGR.EnableQueue', actor: 'MGR', over: Ds,
      // M-D5: enable as soon as the device is quiesced, without waiting for R3 (which may then run while the queue is live).
      guard: (s, d: number) => { const q = s.q.at(d); return q.dev === 'Quiesced' && q.inflight.bits === 0 && (q.rpc === 'Enable' || (m === M.D5 && q.rpc === 'Bump')); },
      effect: (s, n, d: number) => { const q = n.q.at(d); q.enabled = true; q.dev = 'Running'; if (s.q.at(d).rpc === 'Enable') q.rpc = 'None'; },
    },
    // ---------------- KP: drain, scrub, free ----------------
    {
      name: 'KP.Drain', actor: 'KP', over: Ps,
      guard: (s, pg: number) => s.page.at(pg).st === 'Quarantined' && s.page.at(pg).pins === 0,
      effect: (_s, n, pg: number) => { n.page.at(pg).st = 'Dirty'; n.g_drained.set(pg, true); },
    },
    {
      // [choice] scrubbing an already-zero page is a stutter (no step).
      name: 'KP.Scrub', actor: 'KP', over: Ps,
      guard: (s, pg: number) => s.page.at(pg).st === (m === M.scrubWrongState ? 'Quarantined' : 'Dirty') && s.page.at(pg).content !== 0,
      effect: (_s, n, pg: number) => { n.page.at(pg).content = 0; },
    },
    {
      name: 'KP.Free', actor: 'KP', over: Ps,
      guard: (s, pg: number) => {
        const x = s.page.at(pg);
        if (x.st !== 'Dirty' || (x.content !== 0 && m !== M.D6) || x.pins !== 0 || x.cycles >= G) return false; // M-D6: no content=Zero test
        if (recorded(s, pg)) return false;
        for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (s.pte.at(d).get(i) === pg + 1) return false;
        return true;
      },
      effect: (s, n, pg: number) => {
        const x = n.page.at(pg), o = s.page.at(pg);
        x.st = 'Free'; x.owner = -1; x.cycles = o.cycles + 1;
        if (m !== M.D3) x.gen = o.gen + 1; // M-D3: the generation stays
      },
    },
  ];
  return acts;
}

// ---------------------------------------------------------------------------
// Properties

/** Descriptors of queue d that still hold a pin: in flight, or completed and not released by a reset drain. */
function outstanding(c: Cfg, s: R, d: number, f: (x: number) => boolean): boolean {
  const q = s.q.at(d), rel = s.g_released.at(d);
  for (let x = 0; x < c.X; x++) if ((q.inflight.has(x) || (q.done.has(x) && !rel.has(x))) && !f(x)) return false;
  return true;
}

/** Every descriptor in flight on any queue satisfies f. */
function inflightOn(c: Cfg, s: R, f: (x: number) => boolean): boolean {
  for (let d = 0; d < c.ND; d++) { const q = s.q.at(d); for (let x = 0; x < c.X; x++) if (q.inflight.has(x) && !f(x)) return false; }
  return true;
}

function invariants(p: P): Invariant<R>[] {
  const c = cfgOf(p);
  const { ND, NP, NI } = c;
  const allDI = (f: (d: number, i: number) => boolean): boolean => { for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (!f(d, i)) return false; return true; };
  const allP = (f: (pg: number) => boolean): boolean => { for (let pg = 0; pg < NP; pg++) if (!f(pg)) return false; return true; };
  const pinnable = (st: string): boolean => st === 'Owned' || st === 'Quarantined';
  return [
    invariant('RecordBeforePteInstall', 'D.5: pte[D][i]=p ⇒ rec[D][i]≠⊥ ∧ rec[D][i].page=p',
      (s) => allDI((d, i) => { const t = s.pte.at(d).get(i); return t === 0 || s.rec.at(d).at(i).page === t; })),
    invariant('NoStrayDMA', 'D.5: no DMA reached a page not Owned by the device through its recorded IOVA (¬g_stray_dma), and (pte[D][i]=p ∨ iotlb[D][i]=p) ⇒ page[p] Owned by devOf(D)',
      (s) => !s.g_stray_dma && allDI((d, i) => {
        for (const t of [s.pte.at(d).get(i), s.iotlb.at(d).get(i)]) {
          if (t === 0) continue;
          const pg = s.page.at(t - 1);
          if (pg.st !== 'Owned' || pg.owner !== d) return false;
        }
        return true;
      })),
    invariant('DrivePin', 'D.5: pins>0 ⇒ st ∈ {Owned, Quarantined}; and the page is never Dirty or Free while a descriptor in flight (one the device can still DMA with) names it',
      (s) => allP((pg) => s.page.at(pg).pins <= 0 || pinnable(s.page.at(pg).st)) && inflightOn(c, s, (x) => pinnable(s.page.at(c.xP[x]!).st))),
    implies('Quarantine', 'D.5: no record maps p ∧ pins[p]>0 (and no unmap of p between U4 and U5) ⇒ st=Quarantined',
      (s) => { for (let pg = 0; pg < NP; pg++) if (quarantineAntecedent(c, s, pg)) return true; return false; },
      (s) => allP((pg) => !quarantineAntecedent(c, s, pg) || s.page.at(pg).st === 'Quarantined')),
    invariant('ScrubBeforeFree', 'D.5: st=Free ⇒ content=Zero', (s) => allP((pg) => s.page.at(pg).st !== 'Free' || s.page.at(pg).content === 0)),
    invariant('StaleHandleRejected', 'D.5: ¬g_stale_handle_accepted (no handle of a freed allocation passes the gate of Publish or MapRecord)', (s) => !s.g_stale_handle_accepted),
    invariant('StaleCompletionRejected', 'D.5: ¬g_stale_completion_accepted (no completion whose pin a reset released, or whose page was recycled, is accepted by Reap)', (s) => !s.g_stale_completion_accepted),
    invariant('EpochFence', 'D.5: q[d].enabled ⇒ ∀x∈inflight[d]: x.epoch=q[d].epoch', (s) => {
      for (let d = 0; d < ND; d++) {
        const q = s.q.at(d);
        if (!q.enabled) continue;
        for (let x = 0; x < c.X; x++) if (q.inflight.has(x) && c.xE[x] !== q.epoch) return false;
      }
      return true;
    }),
    invariant('NoCrossDomainAlias', 'D.5: ∀p: |{(D,i): rec[D][i].page=p}| ≤ 1', (s) => allP((pg) => {
      let k = 0;
      for (let d = 0; d < ND; d++) for (let i = 0; i < NI; i++) if (s.rec.at(d).at(i).page === pg + 1) k++;
      return k <= 1;
    })),
    invariant('NoReExposeBeforeCompletion', 'D.5: every descriptor still holding a pin (current epoch, not released by a reset drain) names its page\'s current generation',
      (s) => Array.from({ length: ND }, (_, d) => d).every((d) => outstanding(c, s, d, (x) => s.page.at(c.xP[x]!).gen === c.xG[x]))),
  ];
}

function quarantineAntecedent(c: Cfg, s: R, pg: number): boolean {
  if (s.page.at(pg).pins <= 0) return false;
  for (let d = 0; d < c.ND; d++) for (let i = 0; i < c.NI; i++) if (s.rec.at(d).at(i).page === pg + 1) return false;
  return !(s.um_pc === 'U5' && s.um_p === pg);
}

function goals(p: P): Goal<R>[] {
  const c = cfgOf(p);
  const out: Goal<R>[] = [
    // Rejection is a stutter (no mutation), so the goal is the state in which DRV.Publish can present a handle of a
    // freed allocation to an enabled queue; StaleHandleRejected is what guarantees the gate then rejects it.
    sometimes('StaleHandlePresentedAndRejected', 'DRV holds a handle of a freed allocation and can present it to an enabled queue (the gate rejects it: a stutter)', (s) => {
      for (let d = 0; d < c.ND; d++) {
        if (!s.q.at(d).enabled || (p.publishes > 0 && s.pub_left.get(d) === 0)) continue;
        for (let h = 0; h < c.H; h++) if (s.handles.at(d).has(h) && !isLive(c, s, d, h)) return true;
      }
      return false;
    }),
    sometimes('StaleCompletionPresentedAndRejected', 'an enabled queue holds a completion failing the generation or epoch test, so KP.Reap is presented it and rejects it', (s) => {
      for (let d = 0; d < c.ND; d++) {
        const q = s.q.at(d);
        if (!q.enabled) continue;
        for (let x = 0; x < c.X; x++) if (q.done.has(x) && (c.xG[x] !== s.page.at(c.xP[x]!).gen || c.xE[x] !== q.epoch)) return true;
      }
      return false;
    }),
    sometimes('QuarantinedPageFreed', 'a page quarantined at unmap (pinned) was drained, scrubbed and freed', (s) => {
      for (let pg = 0; pg < c.NP; pg++) if (s.page.at(pg).st === 'Free' && s.g_drained.get(pg)) return true;
      return false;
    }),
  ];
  if (c.ND >= 2) {
    out.push(sometimes('PageRecycledToOtherDevice', 'a page freed by one device is allocated to another', (s) => {
      for (let d = 0; d < c.ND; d++) {
        const hs = s.handles.at(d);
        for (let h = 0; h < c.H; h++) {
          if (!hs.has(h)) continue;
          const pg = s.page.at(c.hP[h]!);
          if (pg.st !== 'Free' && pg.owner !== d && pg.owner >= 0 && c.hC[h]! < pg.cycles) return true;
        }
      }
      return false;
    }));
  }
  return out;
}

function liveness(p: P): LivenessProperty<R>[] {
  const { G } = cfgOf(p);
  // Without a publish budget, D.6's WF(KP.Reap) (one fairness group for every Reap instance) is met by another
  // descriptor's publish/complete/reap cycle while the quarantined page's completion is never reaped: the engine has
  // no per-instance fairness (TLA+'s ∀d,c: WF(Reap(d,c))), so liveness is declared only with a finite budget.
  if (p.publishes === 0) return [];
  const fairness = [
    // D.6: WF on DEV.Complete, the MGR.Unmap steps after U1 (starting an unmap is MGR's free choice), U3, KP.Reap,
    // KP.Drain, KP.Scrub and KP.Free.
    WF({ action: 'DEV.Complete' }), WF({ action: 'MGR.Unmap.U2' }), WF({ action: 'IOMMU.Unmap.U3' }),
    WF({ action: 'MGR.Unmap.U4' }), WF({ action: 'MGR.Unmap.U5' }), WF({ action: 'KP.Reap' }), WF({ action: 'KP.Drain' }),
    WF({ action: 'KP.Scrub' }), WF({ action: 'KP.Free' }),
    // [choice] not in D.6's list, but needed: a queue under reset releases its pins only when the device's reset completes.
    WF({ action: 'DEV.ResetQueue.R2' }),
  ];
  // Pages are interchangeable (symmetric initial state and actions), so page 0 stands for every page.
  return [
    leadsTo('QuarantineEventuallyDrained', 'D.6: □(st=Quarantined ⇒ ◇ st=Dirty), for page 0 (pages are symmetric)',
      (s) => s.page.at(0).st === 'Quarantined', (s) => s.page.at(0).st === 'Dirty', { fairness }),
    leadsTo('EventuallyScrubbedAndFreed', 'D.6: □(st=Dirty ⇒ ◇ st=Free) up to the gen bound, for page 0 (pages are symmetric)',
      (s) => s.page.at(0).st === 'Dirty' && s.page.at(0).cycles < G, (s) => s.page.at(0).st === 'Free', { fairness }),
  ];
}

export default defineModel<typeof params, S>({
  name: 'dma',
  description: 'capOS DMA authority lifecycle: alloc, record-then-PTE map, stale-handle gate, pins, IOTLB invalidation, quarantine, epoch-fenced queue reset, scrub, generation bump (protocols.md D.1-D.8)',
  params,
  validate: (p) => {
    const c = cfgOf({ ...p, mutant: null } as P);
    if (c.X > 31) return `--iovas × --pages × (--gens+1) × (--resets+1) = ${c.X} descriptors; at most 31`;
    if (c.H > 31) return `--pages × (--gens+1)² = ${c.H} handles per device; at most 31`;
    return undefined;
  },
  state: schema,
  init,
  actions,
  invariants,
  sometimes: goals,
  liveness,
  deadlock: () => terminalStates<R>('no unmap, install or reset in progress and nothing in flight', (s) => {
    if (s.um_pc !== 'Idle' || s.kp_inst !== 0) return false;
    for (let d = 0; d < s.q.length; d++) { const q = s.q.at(d); if (q.inflight.bits !== 0 || q.rpc !== 'None') return false; }
    return true;
  }),
  mutants: [
    { id: M.D1, kills: ['RecordBeforePteInstall'], why: 'D.8: the PTE is installed straight from the handle and the ledger record written afterwards' },
    { id: M.D2, kills: ['DrivePin', 'Quarantine'], why: 'D.8: U5 marks the page Dirty even when pins>0' },
    { id: M.D3, kills: ['StaleHandleRejected'], why: 'D.8: KP.Free does not bump gen, so an old handle passes the gate for the new allocation' },
    { id: M.D4, kills: ['NoStrayDMA'], why: 'D.8: no IOTLB invalidation (U3) before U4/U5: the device reaches the revoked page through a stale IOTLB entry' },
    { id: M.D5, kills: ['EpochFence', 'StaleCompletionRejected'], why: 'D.8: EnableQueue does not wait for the epoch bump R3' },
    { id: M.D6, kills: ['ScrubBeforeFree'], why: 'D.8: KP.Free without the content=Zero guard' },
    { id: M.D7, kills: ['DrivePin', 'StaleCompletionRejected'], why: 'D.8: KP.Reap omits the epoch test: an old-epoch completion whose pin the reset released unpins again' },
    { id: M.alias, kills: ['NoCrossDomainAlias'], why: 'KP.MapRecord omits "no record maps p": the page gets a second IOVA' },
    { id: M.noQuarantine, kills: ['Quarantine'], why: 'U5 leaves a pinned page Owned (no quarantine)' },
    { id: M.reapWhileReset, kills: ['StaleCompletionRejected', 'DrivePin'], why: 'KP.Reap also reaps a queue under reset: between R2 (pins released) and R3 (epoch bump) a completion passes the epoch test and unpins twice' },
    { id: M.unmapDuringMap, kills: ['RecordBeforePteInstall', 'NoStrayDMA'], why: 'MGR.Unmap.U1 does not wait for a pending PTE install of the same IOVA: the install lands after U1 and survives the record' },
    { id: M.remapDuringUnmap, kills: ['NoStrayDMA'], why: 'KP.MapRecord accepts a page whose unmap is between U4 (record gone) and U5: the new mapping survives U5 marking the page Dirty' },
    { id: M.noBump, kills: ['Deadlock'], params: { devices: 1, pages: 1, iovas: 1 }, why: 'MGR never performs R3: EnableQueue (correctly) waits for the epoch bump, so a reset queue stays disabled for good: a stuck state the deadlock policy does not expect' },
    { id: M.leakDone, kills: ['QuarantineEventuallyDrained'], params: { devices: 1, pages: 1, iovas: 1, publishes: 1 }, why: 'R2 releases the pins of in-flight descriptors only; completed, unreaped ones keep theirs, and the epoch test then rejects them forever' },
    { id: M.scrubWrongState, kills: ['EventuallyScrubbedAndFreed'], params: { devices: 1, pages: 1, iovas: 1, publishes: 1 }, why: 'KP.Scrub tests the wrong state (Quarantined instead of Dirty): a written Dirty page is never scrubbed, so never freed' },
  ],
  ci: [
    { name: 'd1-p2-i2-b2', params: { devices: 1, pages: 2, iovas: 2, publishes: 2 } },
    { name: 'd2-p1-i2-b2', params: { devices: 2, pages: 1, iovas: 2, publishes: 2 } },
    { name: 'd2-p1-i1', params: { devices: 2, pages: 1, iovas: 1 } },
    { name: 'd1-p1-i2-r2-g2-b3', params: { devices: 1, pages: 1, iovas: 2, resets: 2, gens: 2, publishes: 3 } },
  ],
  goldenFile: goldenFile(import.meta.url),
});
