// mc's twins of the peers' models (bench/peers/, twins of ../shared/peers/) must reach exactly the
// states SPIN and TLC reach: the distinct, generated and depth figures of that README's table, as
// bench/peers/cases.ts copies them. The cases of a second or less run here; bench/peers.ts
// (npm run bench:peers) runs the others and checks them too.
import { describe, expect, it } from 'vitest';
import { runModel } from '../src/run.js';
import type { Model } from '../src/explorer/model.js';
import { PEER_CASES, type PeerModel } from '../bench/peers/cases.js';
import bakery from '../bench/peers/bakery.js';
import counters from '../bench/peers/counters.js';
import peterson from '../bench/peers/peterson.js';
import ring from '../bench/peers/ring.js';

const TWINS: Record<PeerModel, Model> = { bakery, counters, peterson, ring } as Record<PeerModel, Model>;

describe('peer twins reach the counts SPIN and TLC reach', () => {
  // counters N=4, K=30 (923,521 states, about a second) is the smallest counters row the README has.
  const small = PEER_CASES.filter((c) => !c.big || c.label === 'counters N=4, K=30');
  it('covers every peer model', () => {
    expect(new Set(small.map((c) => c.model))).toEqual(new Set(Object.keys(TWINS)));
  });
  for (const c of small) {
    // The ring checks ring.tla's invariants in every state, or ring.pml's asserts as step properties.
    for (const props of c.model === 'ring' ? ['every', 'steps'] : [undefined]) {
      it(`${c.label}${props ? ` (--props ${props})` : ''}`, async () => {
        const r = await runModel(TWINS[c.model], { params: { ...c.mcParams, ...(props ? { props } : {}) } });
        expect(r.verdict).toBe('ok');
        expect({ distinct: r.stats.distinct, generated: r.stats.generated, depth: r.stats.depth })
          .toEqual({ distinct: c.distinct, generated: c.generated, depth: c.depth });
      });
    }
  }
});
