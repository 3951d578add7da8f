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
//
// state.ts holds the parameters, schema and initial state; kernel.ts (KP),
// driver.ts (DRV), device.ts (DEV) and manager.ts (MGR, with the IOMMU's U3)
// the actions of each actor; properties.ts the properties; mutants.ts the
// mutants. dma-dcq.ts and dma-shootdown.ts beside them are two sub-models.
import { defineModel } from '../../explorer/model.js';
import { goldenFile } from '../../explorer/golden.js';
import { deviceActions } from './device.js';
import { publishAction } from './driver.js';
import { mapActions, reapAction, recycleActions } from './kernel.js';
import { resetActions, unmapActions } from './manager.js';
import { MUTANTS } from './mutants.js';
import { deadlock, goals, invariants, liveness } from './properties.js';
import { cfgOf, init, params, schema, type S } from './state.js';

export default defineModel<typeof params, S>({
  name: 'dma',
  description: 'capOS DMA authority lifecycle: alloc, record-then-PTE map, stale-handle gate, pins, IOTLB invalidation, quarantine, epoch-fenced queue reset, scrub, generation bump (protocols.md D.1-D.8)',
  params,
  state: schema,
  init,
  // The order of the actions is the search order, and so decides which of several shortest traces is found.
  actions: (p, kit) => {
    const c = cfgOf(p);
    return [
      ...mapActions(c, kit), publishAction(c, kit), ...deviceActions(c, kit), reapAction(c, kit),
      ...unmapActions(c, kit), ...resetActions(c, kit), ...recycleActions(c, kit),
    ];
  },
  invariants: (p, kit) => invariants(cfgOf(p), kit),
  sometimes: (p, kit) => goals(cfgOf(p), kit),
  liveness: (p, kit) => liveness(cfgOf(p), kit),
  deadlock: (p, kit) => deadlock(cfgOf(p), kit),
  mutants: MUTANTS,
  // Three configurations run without symmetry, so their figures count every state and the search without symmetry
  // stays gated too; d2-p1-i1 keeps one state per orbit (README: Symmetry).
  ci: [
    { name: 'd1-p2-i2-b2', params: { devices: 1, pages: 2, iovas: 2, publishes: 2 }, symmetry: false },
    { name: 'd2-p1-i2-b2', params: { devices: 2, pages: 1, iovas: 2, publishes: 2 }, symmetry: false },
    { name: 'd2-p1-i1', params: { devices: 2, pages: 1, iovas: 1 } },
    { name: 'd1-p1-i2-r2-g2-b3', params: { devices: 1, pages: 1, iovas: 2, resets: 2, gens: 2, publishes: 3 }, symmetry: false },
  ],
  goldenFile: goldenFile(import.meta.url),
});
