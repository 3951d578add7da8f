// Published-count oracles: models whose distinct / generated / depth figures other checkers have
// published (TLC for the TLA+ Examples repository's manifests, DiVinE for the BEEM database).
// A count off by one means the port or the engine is wrong. Each oracle also carries a one-line
// seeded bug (a mutant) that its safety property must catch.
import { describe, expect, it } from 'vitest';
import { compileModel, resolveParams, type Model } from '../src/explorer/model.js';
import { explore } from '../src/explorer/search.js';
import alternatingbit from './oracles/alternatingbit.js';
import anderson from './oracles/anderson.js';
import bakery from './oracles/bakery.js';
import counters from './oracles/counters.js';
import ewd840 from './oracles/ewd840.js';
import peterson from './oracles/peterson.js';
import tcommit from './oracles/tcommit.js';
import tokenring from './oracles/tokenring.js';
import twophase from './oracles/twophase.js';

const run = (model: Model, params: Record<string, unknown> = {}, mutant: string | null = null, stopOn: 'first' | 'never' = 'first') =>
  explore(compileModel(model, resolveParams(model, params), mutant), { stopOn });

interface Oracle {
  readonly label: string;
  readonly model: Model;
  readonly params?: Record<string, unknown>;
  readonly distinct: number;
  /** Given only where the source publishes them. */
  readonly generated?: number;
  readonly depth?: number;
  /** The liveness properties the model declares; the engine checks them and each must hold. */
  readonly liveness?: readonly string[];
  /**
   * A published model with a seeded bug (BEEM's ERROR=1): the mutant that is it, and the properties it
   * violates. Its count is the whole reachable space, so the search goes on past the violations.
   */
  readonly mutant?: string;
  readonly violated?: readonly string[];
}

const ORACLES: Oracle[] = [
  { label: 'TCommit RM=3', model: tcommit, distinct: 34, generated: 94, depth: 7 },
  { label: 'Peterson', model: peterson, distinct: 42, generated: 77, depth: 11 },
  { label: 'TwoPhase RM=3', model: twophase, params: { rm: 3 }, distinct: 288, generated: 1146, depth: 11 },
  { label: 'TwoPhase RM=5', model: twophase, params: { rm: 5 }, distinct: 8832 },
  { label: 'TwoPhase RM=6', model: twophase, params: { rm: 6 }, distinct: 50816 },
  { label: 'TokenRing N=M=6', model: tokenring, params: { n: 6, m: 6 }, distinct: 46656, generated: 248832, depth: 1, liveness: ['Stabilization'] },
  // TLC's manifest also lists 2,001 generated / depth 10 for this configuration; with the spec as
  // published (EWD840.tla, N = 3) we get 1,817 / 9, and only the distinct count is the oracle's.
  { label: 'EWD840 N=3', model: ewd840, params: { n: 3 }, distinct: 302, liveness: ['Liveness'] },
  { label: 'AlternatingBit', model: alternatingbit, distinct: 240, generated: 1392, depth: 10, liveness: ['SentLeadsToRcvd(d1)', 'SentLeadsToRcvd(d2)'] },
  { label: 'bakery.1 N=2 MAX=9', model: bakery, params: { n: 2, max: 9 }, distinct: 1506 },
  { label: 'bakery.3 N=3 MAX=4', model: bakery, params: { n: 3, max: 4 }, distinct: 32919 },
  { label: 'bakery.4 N=3 MAX=6 ERROR=1', model: bakery, params: { n: 3, max: 6 }, mutant: 'ticket-compare-flipped', violated: ['MutualExclusion'], distinct: 157003 },
  { label: 'anderson.2 N=3', model: anderson, params: { n: 3 }, distinct: 1459 },
  // (K+1)^N = 6^3 = 216 states. Generated: the 1 initial state plus one successor per enabled Inc(i);
  // Inc(i) is enabled wherever c[i] < K, which over all 216 states happens N * K * (K+1)^(N-1)
  // = 3 * 5 * 36 = 540 times, so 541. Depth: the state (K,...,K) is N*K = 15 steps from the
  // initial state, which is level 1, so 16. (Same formulas give the published N=4, K=30 figures:
  // 4 * 30 * 31^3 + 1 = 3,574,921 generated, depth 121.)
  { label: 'counters N=3 K=5', model: counters, params: { n: 3, k: 5 }, distinct: 216, generated: 541, depth: 16 },
];

describe('published state counts', () => {
  for (const o of ORACLES) {
    it(`${o.label}: ${o.distinct} distinct${o.generated !== undefined ? ` / ${o.generated} generated / depth ${o.depth}` : ''}`, async () => {
      const r = await run(o.model, o.params, o.mutant ?? null, o.violated === undefined ? 'first' : 'never');
      expect(r.error).toBeUndefined();
      expect(r.violations.map((v) => v.property)).toEqual(o.violated ?? []);
      expect(r.verdict).toBe(o.violated === undefined ? 'ok' : 'violation');
      expect(r.stats.distinct).toBe(o.distinct);
      if (o.generated !== undefined) expect(r.stats.generated).toBe(o.generated);
      if (o.depth !== undefined) expect(r.stats.depth).toBe(o.depth);
      expect(r.liveness).toEqual((o.liveness ?? []).map((name) => ({ name, status: 'holds' })));
    });
  }

  it('TokenRing does not stabilise with too few counter values (M = N - 2)', async () => {
    const r = await run(tokenring, { n: 6, m: 4 });
    expect(r.verdict).toBe('violation');
    expect(r.violations[0]!.property).toBe('Stabilization');
    expect(r.violations[0]!.kind).toBe('liveness');
  });
});

interface Seeded { readonly label: string; readonly model: Model; readonly params?: Record<string, unknown>; readonly mutant: string; readonly property: string }

const SEEDED: Seeded[] = [
  { label: 'TCommit: DecideAbort after a commit', model: tcommit, mutant: 'abort-after-commit', property: 'TCConsistent' },
  { label: 'Peterson: a2 gives the turn to itself', model: peterson, mutant: 'turn-to-self', property: 'MutualExclusion' },
  // Dropping the turn test from the await is not a safety bug (each process raises c before testing
  // the other's), it makes both processes wait for each other forever: a deadlock.
  { label: 'Peterson: await without the turn test', model: peterson, mutant: 'await-no-turn', property: 'Deadlock' },
  { label: 'TwoPhase: TMCommit without all Prepared', model: twophase, mutant: 'commit-unprepared', property: 'TCConsistent' },
  { label: 'TokenRing: a uniform ring', model: tokenring, mutant: 'uniform-ring', property: 'SomePrivilege' },
  { label: 'EWD840: SendMsg does not taint the sender', model: ewd840, mutant: 'send-no-taint', property: 'TerminationDetection' },
  { label: 'AlternatingBit: a reordering channel', model: alternatingbit, mutant: 'lifo-receive', property: 'Delivered' },
  { label: 'bakery: no wait for choosing', model: bakery, params: { n: 2, max: 9 }, mutant: 'no-choosing-wait', property: 'MutualExclusion' },
  { label: 'bakery: ticket comparison flipped', model: bakery, params: { n: 2, max: 6 }, mutant: 'ticket-compare-flipped', property: 'MutualExclusion' },
  { label: 'anderson: clears the wrong slot', model: anderson, mutant: 'clear-wrong-slot', property: 'MutualExclusion' },
];

describe('seeded bugs are caught', () => {
  for (const m of SEEDED) {
    it(`${m.label} violates ${m.property}`, async () => {
      const r = await run(m.model, m.params, m.mutant);
      expect(r.verdict).toBe('violation');
      expect(r.violations[0]!.property).toBe(m.property);
      // The mutant declares the property that must kill it.
      expect(m.model.def.mutants?.find((x) => x.id === m.mutant)?.kills).toContain(m.property);
    });
  }
});
