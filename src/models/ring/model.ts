// Protocol A of protocols.md: the io_uring-style SPSC capability ring of capOS.
// A submission queue (SQ) and a completion queue (CQ) in one shared page,
// written by the userspace runtime (UP produces SQEs, UC consumes CQEs) and by
// the kernel (K dispatches SQEs and posts CQEs; A posts the CQEs of asynchronous
// CALLs under the same cq_lock). The kernel keeps private copies of the indices
// it owns, reserves a CQ slot before it consumes an SQE (back-pressure), and an
// optional adversary X scribbles on any shared field. See README.md beside this
// file for the mapping of every action and property to protocols.md A.5-A.9.
//
// state.ts holds the parameters, schema and initial state; user.ts, kernel.ts,
// completer.ts and adversary.ts the actions of each actor (post.ts the CQE post
// K and A share, kernel-checks.ts the tests of K's pass that UP.Enter shares);
// properties.ts the properties; mutants.ts the mutants.
import { defineModel } from '../../explorer/model.js';
import { goldenFile } from '../../explorer/golden.js';
import { scribbleAction } from './adversary.js';
import { completerActions } from './completer.js';
import { corruptionActions, kernelPassActions, kernelPostActions } from './kernel.js';
import { MUTANTS } from './mutants.js';
import { deadlock, goals, invariants, liveness } from './properties.js';
import { cfgOf, init, params, schema, type S } from './state.js';
import { consumerActions, enterAction, producerActions } from './user.js';

export default defineModel<typeof params, S>({
  name: 'ring',
  description: 'capOS io_uring-style SPSC capability ring: SQ/CQ with kernel-private indices, CQ reservation, async completion under cq_lock, optional scribbling adversary (protocols.md A)',
  params,
  // With indices modulo 2·N (protocols.md A.3), N = 1 gives modulus 2, where no index value is "more than N ahead":
  // the adversary's corruptions could not even be represented, let alone detected.
  validate: (p) => {
    if (p.adversary > 0 && (p.slots < 2 || p.cqSlots < 2)) return '--adversary needs --slots >= 2 and --cq-slots >= 2 (with indices modulo 2·1 = 2 no corrupt index is representable)';
    return undefined;
  },
  state: schema,
  init,
  // The order of the actions is the search order, and so decides which of several shortest traces is found.
  actions: (p, kit) => {
    const c = cfgOf(p);
    return [
      ...producerActions(c, kit), ...consumerActions(c, kit),
      ...kernelPassActions(c, kit), ...kernelPostActions(c, kit),
      ...completerActions(c, kit),
      ...(c.proc ? [enterAction(c, kit)] : []),
      ...(c.adv ? [...corruptionActions(c, kit), scribbleAction(c, kit)] : []),
    ];
  },
  invariants: (p, kit) => invariants(cfgOf(p), kit),
  sometimes: (p, kit) => goals(cfgOf(p), kit),
  liveness: (p, kit) => liveness(cfgOf(p), kit),
  deadlock: (p, kit) => deadlock(cfgOf(p), kit),
  mutants: MUTANTS,
  // Golden figures are recorded by the lead from trusted runs (mc check ring --update-golden).
  goldenFile: goldenFile(import.meta.url),
  ci: [
    { name: 'slots2', params: { slots: 2 } },
    { name: 'slots3', params: { slots: 3 } },
    { name: 'slots4', params: { slots: 4 } },
    { name: 'slots2-proc', params: { slots: 2, config: 'proc' } },
    { name: 'slots2-adv1', params: { slots: 2, adversary: 1 } },
    { name: 'slots2-adv2', params: { slots: 2, adversary: 2, ids: 2 } },
    // CQ_N != SQ_N (A.3: CQ_N is 2 or 4): a CQ larger than the SQ.
    { name: 'slots2-cq4', params: { slots: 2, cqSlots: 4 } },
    // The adversary at 3 slots, budgeted (README, Results): CQ_N = 2 (A.3's other CQ value, and smaller than the SQ,
    // so the two moduli differ under the adversary too) and 3 requests instead of the default 4.
    { name: 'slots3-cq2-adv1', params: { slots: 3, cqSlots: 2, adversary: 1, ids: 3 } },
  ],
});
