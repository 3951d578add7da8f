// Protocol E2 of protocols.md: revocation of client memory mapped into a
// driver (the seL4-devel recipe by W. M. Leslie). A driver (DRV) maps a page it
// received from client C1 and works on it in a transaction of K steps, each a
// load or store through its TLB or page table; for DMA it pins the page in the
// IOMMU and the device (DEV) writes it until it is done. The client revokes the
// page at any time (CL), and the kernel (KN) unmaps it from the driver (RV1),
// shoots down the driver's TLB (RV2) and frees the page, or parks it as
// RevokedPinned while the IOMMU pin is held (RV3); a freed page is reallocated
// to client C2 (ALLOC). A driver access that faults goes to the driver's
// registered fault handler (FH), which either unwinds to the abandon path or
// maps an empty page and notes that the transaction is partial. See README.md.
import { defineModel, intParam, type ActionDef, type Ctx, type Invariant, type Goal, type LivenessProperty } from '../../explorer/model.js';
import { bool, enumOf, int, type ReadonlyStateView, type StateView } from '../../explorer/schema.js';
import { goldenFile } from '../../explorer/golden.js';
import { implies, invariant, leadsTo, sometimes, terminalStates, WF } from '../../invariants/index.js';

const params = {
  steps: intParam({ min: 1, max: 4, default: 2, help: 'loads/stores K of the driver transaction on the client page' }),
};
type P = Ctx<typeof params>;

export const MUTANT_IDS = {
  freePinned: 'M-E2-free-pinned',
  noShootdown: 'M-E2-no-shootdown',
  noNote: 'M-E2-no-note',
  noHandler: 'M-E2-no-handler',
  pinnedLeak: 'M-E2-pinned-leak',
  refault: 'M-E2-refault',
} as const;

const DRV_PC = ['Init', 'Idle', 'Active', 'Faulted', 'Done', 'Abandoned', 'Crashed'] as const;
const RV_PC = ['Held', 'Unmap', 'Shootdown', 'Free', 'Done'] as const;
const FH_CHOICE = ['Abandon', 'EmptyPage'] as const;
type FhChoice = (typeof FH_CHOICE)[number];

function schema(p: P) {
  return {
    // ---- the page ----
    owner: enumOf(['C1', 'RevokedPinned', 'Free', 'C2']),
    pins: int(0, 1),
    dma_inflight: bool(),
    // ---- the driver's view of its client-mapping window ----
    drv_pte: enumOf(['None', 'ClientPage', 'EmptyPage']),
    drv_tlb: enumOf(['None', 'ClientPage']),
    handler_registered: bool(),
    // ---- DRV: the transaction ----
    txn: enumOf(DRV_PC),
    k: int(0, p.steps),
    note: bool(),
    result: enumOf(['None', 'Complete', 'Partial']),
    // ---- CL + KN: revocation (Held: C1 has not revoked; then RV1, RV2, RV3) ----
    rv: enumOf(RV_PC),
    // ---- ghosts (never read by a guard) ----
    /** Some step of the transaction read or wrote the empty page instead of client data. */
    g_missed: bool(),
    g_leak: bool(),
    g_crash: bool(),
    g_false_complete: bool(),
    g_dma_into_other: bool(),
  };
}
type S = ReturnType<typeof schema>;
type V = StateView<S>;
type R = ReadonlyStateView<S>;

function init(_p: P) {
  return [{
    owner: 'C1' as const, pins: 0, dma_inflight: false,
    drv_pte: 'None' as const, drv_tlb: 'None' as const, handler_registered: false,
    txn: 'Init' as const, k: 0, note: false, result: 'None' as const,
    rv: 'Held' as const,
    g_missed: false, g_leak: false, g_crash: false, g_false_complete: false, g_dma_into_other: false,
  }];
}

function actions(p: P): ActionDef<V>[] {
  const K = p.steps, m = p.mutant;
  /** The driver leaves the transaction: its window is unmapped and its TLB entry dropped (a local flush). */
  const leave = (n: V): void => { n.drv_pte = 'None'; n.drv_tlb = 'None'; };
  return [
    // ---------------- DRV: driver ----------------
    {
      name: 'DRV.RegisterHandler', actor: 'DRV',
      guard: (s) => s.txn === 'Init',
      effect: (_s, n) => { if (m !== MUTANT_IDS.noHandler) n.handler_registered = true; n.txn = 'Idle'; }, // mutant: no fault handler registered
    },
    {
      name: 'DRV.Begin', actor: 'DRV', over: [false, true],
      // Map the client page into the window (fails once the capability is revoked); optionally IOMMU-map and pin it for DMA.
      guard: (s) => s.txn === 'Idle',
      effect: (s, n, pin: boolean) => {
        if (s.rv !== 'Held') { if (pin) return false; n.txn = 'Abandoned'; return; } // the map call fails: nothing to do
        n.drv_pte = 'ClientPage'; n.txn = 'Active';
        if (pin) { n.pins = 1; n.dma_inflight = true; }
      },
    },
    {
      name: 'DRV.Step', actor: 'DRV',
      // One load or store on the client page: the TLB first, then the page table.
      guard: (s) => s.txn === 'Active' && s.k < K,
      effect: (s, n) => {
        const t = s.drv_tlb === 'ClientPage' ? 'ClientPage' : s.drv_pte;
        if (t === 'ClientPage') {
          if (s.owner !== 'C1') n.g_leak = true;
          n.drv_tlb = 'ClientPage'; n.k = s.k + 1;
        } else if (t === 'EmptyPage') {
          n.g_missed = true; n.k = s.k + 1;
        } else if (!s.handler_registered) {
          n.g_crash = true; n.txn = 'Crashed';
        } else n.txn = 'Faulted';
      },
    },
    {
      name: 'DRV.Finish', actor: 'DRV',
      guard: (s) => s.txn === 'Active' && s.k === K,
      effect: (s, n) => {
        n.result = s.note ? 'Partial' : 'Complete';
        if (!s.note && s.g_missed) n.g_false_complete = true;
        n.txn = 'Done'; leave(n);
      },
    },
    // ---------------- FH: the driver's fault handler ----------------
    {
      name: 'FH.Handle', actor: 'FH', over: FH_CHOICE,
      // A fault in the client-mapping window: unwind to the abandon path, or map an empty page, note it and retry.
      guard: (s) => s.txn === 'Faulted',
      effect: (_s, n, how: FhChoice) => {
        if (how === 'Abandon') { n.txn = 'Abandoned'; leave(n); return; }
        if (m !== MUTANT_IDS.refault) n.drv_pte = 'EmptyPage'; // mutant: the empty page is mapped at the wrong address, so the retry faults again
        if (m !== MUTANT_IDS.noNote) n.note = true; // mutant: no note of the partial transaction
        n.txn = 'Active';
      },
    },
    // ---------------- CL: client / revoker ----------------
    {
      name: 'CL.Revoke', actor: 'CL',
      guard: (s) => s.rv === 'Held',
      effect: (_s, n) => { n.rv = 'Unmap'; },
    },
    // ---------------- KN: kernel revocation path ----------------
    {
      name: 'KN.Unmap', actor: 'KN', // RV1
      guard: (s) => s.rv === 'Unmap',
      effect: (_s, n) => { n.drv_pte = 'None'; n.rv = 'Shootdown'; },
    },
    {
      name: 'KN.Shootdown', actor: 'KN', // RV2
      guard: (s) => s.rv === 'Shootdown',
      effect: (_s, n) => { if (m !== MUTANT_IDS.noShootdown) n.drv_tlb = 'None'; n.rv = 'Free'; }, // mutant: no TLB shootdown
    },
    {
      name: 'KN.Free', actor: 'KN', // RV3
      guard: (s) => s.rv === 'Free',
      effect: (s, n) => {
        n.owner = s.pins === 0 || m === MUTANT_IDS.freePinned ? 'Free' : 'RevokedPinned'; // mutant: freed despite the pin
        n.rv = 'Done';
      },
    },
    // ---------------- DEV: DMA through the IOMMU pin ----------------
    {
      name: 'DEV.Dma', actor: 'DEV',
      guard: (s) => s.dma_inflight,
      effect: (s, n) => { if (s.owner !== 'C1' && s.owner !== 'RevokedPinned') n.g_dma_into_other = true; },
    },
    {
      name: 'DEV.Done', actor: 'DEV',
      // The device finishes: the IOMMU mapping goes and the pin is dropped; a page revoked meanwhile is freed now.
      guard: (s) => s.dma_inflight,
      effect: (s, n) => {
        n.dma_inflight = false; n.pins = 0;
        if (s.owner === 'RevokedPinned' && m !== MUTANT_IDS.pinnedLeak) n.owner = 'Free'; // mutant: the parked page is never freed
      },
    },
    // ---------------- ALLOC: reallocation ----------------
    {
      name: 'ALLOC.Give', actor: 'ALLOC',
      guard: (s) => s.owner === 'Free',
      effect: (_s, n) => { n.owner = 'C2'; },
    },
  ];
}

function invariants(_p: P): Invariant<R>[] {
  return [
    invariant('NoCrossClientAccess', 'neither the driver nor its device touches the page once it is not C1\'s (¬g_leak ∧ ¬g_dma_into_other)', (s) => !s.g_leak && !s.g_dma_into_other),
    invariant('DriverSurvivesRevoke', 'the driver never takes an unhandled fault (¬g_crash)', (s) => !s.g_crash),
    invariant('PartialDetected', 'a transaction that touched the empty page does not end Complete (¬g_false_complete)', (s) => !s.g_false_complete),
    implies('PinnedNotReallocated', 'pins>0 ⇒ page.owner ∈ {C1, RevokedPinned}', (s) => s.pins > 0, (s) => s.owner === 'C1' || s.owner === 'RevokedPinned'),
    implies('ShootdownBeforeFree', 'page.owner ∈ {Free, C2} ⇒ drv_tlb=⊥ ∧ drv_pte≠ClientPage', (s) => s.owner === 'Free' || s.owner === 'C2', (s) => s.drv_tlb === 'None' && s.drv_pte !== 'ClientPage'),
  ];
}

function goals(_p: P): Goal<R>[] {
  return [
    sometimes('CompletedDespiteRevoke', 'the transaction ended Complete although the page was revoked under it (every access before the shootdown)', (s) => s.txn === 'Done' && s.result === 'Complete' && s.rv === 'Done'),
    sometimes('EndedPartial', 'the fault handler mapped the empty page and the transaction ended Partial', (s) => s.txn === 'Done' && s.result === 'Partial'),
    sometimes('AbandonedMidway', 'the fault handler unwound a transaction that had already made accesses (needs --steps >= 2)', (s) => s.txn === 'Abandoned' && s.k > 0),
    sometimes('RevokedWhilePinned', 'the page was revoked while the IOMMU pin was held', (s) => s.owner === 'RevokedPinned'),
  ];
}

function liveness(_p: P): LivenessProperty<R>[] {
  return [
    leadsTo('TxnEnds', 'every Active (or faulted) transaction eventually reaches Done or Abandoned (under WF(DRV), WF(FH))',
      (s) => s.txn === 'Active' || s.txn === 'Faulted', (s) => s.txn === 'Done' || s.txn === 'Abandoned' || s.txn === 'Crashed',
      { fairness: [WF({ actor: 'DRV' }), WF({ actor: 'FH' })] }),
    leadsTo('PinnedEventuallyFreed', 'a RevokedPinned page is eventually Free (or already reallocated) once the device finishes (under WF(DEV.Done))',
      (s) => s.owner === 'RevokedPinned', (s) => s.owner === 'Free' || s.owner === 'C2',
      { fairness: [WF({ action: 'DEV.Done' })] }),
  ];
}

export default defineModel<typeof params, S>({
  name: 'revoke',
  description: 'revocation of client memory mapped into a driver: fault handler, abandon or empty page + note, TLB shootdown, IOMMU pin, reallocation (protocols.md E2)',
  params,
  state: schema,
  init,
  actions,
  invariants,
  sometimes: goals,
  liveness,
  deadlock: () => terminalStates<R>('the transaction is over (or the driver crashed), the revocation ran to its end, the device is done and the page went to C2',
    (s) => (s.txn === 'Done' || s.txn === 'Abandoned' || s.txn === 'Crashed') && s.rv === 'Done' && !s.dma_inflight && s.owner === 'C2'),
  stuttering: 'anywhere',
  mutants: [
    { id: MUTANT_IDS.freePinned, kills: ['NoCrossClientAccess', 'PinnedNotReallocated'], params: {},
      why: 'RV3 frees the page despite pins>0: it is reallocated to C2 while the device still writes it through the IOMMU (g_dma_into_other); PinnedNotReallocated fires first, at the free' },
    { id: MUTANT_IDS.noShootdown, kills: ['NoCrossClientAccess', 'ShootdownBeforeFree'], params: {},
      why: 'RV2 skipped (no TLB shootdown): the driver keeps reaching the page through its stale TLB entry after it is freed and given to C2 (g_leak); ShootdownBeforeFree fires first, at the free' },
    { id: MUTANT_IDS.noNote, kills: ['PartialDetected'], params: {},
      why: 'FH maps the empty page but does not set note: the transaction read zeros and still ends Complete (g_false_complete)' },
    { id: MUTANT_IDS.noHandler, kills: ['DriverSurvivesRevoke'], params: {},
      why: 'the driver registers no fault handler: its first access after the unmap and shootdown is an unhandled fault (g_crash)' },
    { id: MUTANT_IDS.pinnedLeak, kills: ['PinnedEventuallyFreed', 'Deadlock'], params: {},
      why: 'DEV.Done drops the pin but leaves a RevokedPinned page parked: it is never freed (a leak only liveness sees, and a stuck state once everything else has run: Deadlock)' },
    { id: MUTANT_IDS.refault, kills: ['TxnEnds'], params: {},
      why: 'FH maps the empty page at the wrong address: the retried access faults again, forever, and the transaction never ends' },
  ],
  ci: [
    { name: 'steps1', params: { steps: 1 } },
    { name: 'steps2', params: { steps: 2 } },
    { name: 'steps3', params: { steps: 3 } },
  ],
  goldenFile: goldenFile(import.meta.url),
});
