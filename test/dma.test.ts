// The D models of protocols.md through the built binary: dma (D.1-D.8, the DMA
// authority lifecycle), dma-dcq (D.9, the deferred completion queue budget) and
// dma-shootdown (D.10, the TLB-shootdown generation re-read). Every CI
// configuration checks clean with its liveness properties, every action fires
// and every goal is reached in some configuration, every declared mutant is
// killed by the property it declares, and every property is the declared kill
// of some mutant. dma's devices, pages and IOVAs are scalarsets: its symmetry reduction
// is checked to be exact (the representatives stand for exactly the states a
// search without symmetry finds) and to change no mutant's verdict, property or
// counterexample length. The full capOS bound of dma (13 M states, minutes) is
// documented in src/models/dma/README.md, not run here.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { mc, ROOT, type McRun } from './helpers.js';

/** mc with these arguments, run once per test file (the mutate runs are shared by two tests). */
const runs = new Map<string, McRun>();
const mcOnce = (...args: string[]): McRun => {
  const key = args.join(' ');
  if (!runs.has(key)) runs.set(key, mc(...args));
  return runs.get(key)!;
};

interface Spec {
  /** The CI configurations, each with the flags of its parameters (and --no-symmetry where the model's ci says symmetry: false). */
  configs: Record<string, string[]>;
  /** Mutant id → the property `mc mutate` reports as killing it (at the model's default parameters). */
  mutants: Record<string, string>;
  /** Liveness properties each configuration must check and find holding (absent: none declared there). */
  liveness: Record<string, string[]>;
  /** Parameters of the kill-matrix run (every mutant run exhaustively: kept small). */
  matrix: string[];
  /** Counterexample lengths (states, initial included) pinned for a few mutants. */
  traces?: Record<string, number>;
}

const MODELS: Record<string, Spec> = {
  dma: {
    configs: {
      // Three configurations run without symmetry (their golden figures count every state); liveness is declared at every bound.
      'd1-p2-i2-b2': ['--devices', '1', '--pages', '2', '--iovas', '2', '--publishes', '2', '--no-symmetry'],
      'd2-p1-i2-b2': ['--devices', '2', '--pages', '1', '--iovas', '2', '--publishes', '2', '--no-symmetry'],
      'd2-p1-i1': ['--devices', '2', '--pages', '1', '--iovas', '1'],
      'd1-p1-i2-r2-g2-b3': ['--devices', '1', '--pages', '1', '--iovas', '2', '--resets', '2', '--gens', '2', '--publishes', '3', '--no-symmetry'],
    },
    liveness: {
      'd1-p2-i2-b2': ['QuarantineEventuallyDrained(p1)', 'QuarantineEventuallyDrained(p2)', 'EventuallyScrubbedAndFreed(p1)', 'EventuallyScrubbedAndFreed(p2)'],
      'd2-p1-i2-b2': ['QuarantineEventuallyDrained(p1)', 'EventuallyScrubbedAndFreed(p1)'],
      'd2-p1-i1': ['QuarantineEventuallyDrained(p1)', 'EventuallyScrubbedAndFreed(p1)'],
      'd1-p1-i2-r2-g2-b3': ['QuarantineEventuallyDrained(p1)', 'EventuallyScrubbedAndFreed(p1)'],
    },
    mutants: {
      'M-D1': 'RecordBeforePteInstall',
      'M-D2': 'DrivePin',
      'M-D3': 'StaleHandleRejected',
      'M-D4': 'NoStrayDMA',
      'M-D5': 'EpochFence',
      'M-D6': 'ScrubBeforeFree',
      'M-D7': 'StaleCompletionRejected',
      'M-D8-no-alias-check': 'NoCrossDomainAlias',
      'M-D9-no-quarantine': 'Quarantine',
      'M-D10-reap-while-reset': 'StaleCompletionRejected',
      'M-D11-unmap-during-map': 'RecordBeforePteInstall',
      'M-D14-remap-during-unmap': 'NoStrayDMA',
      'M-D16-reject-still-unpins': 'NoReExposeBeforeCompletion',
      'M-D15-no-epoch-bump': 'Deadlock',
      'M-D12-reset-leaks-done-pins': 'QuarantineEventuallyDrained(p1)',
      'M-D13-scrub-only-quarantined': 'EventuallyScrubbedAndFreed(p1)',
    },
    // Without symmetry: there every liveness mutant's lasso is its own search's (with symmetry it would cost a second
    // search without symmetry per mutant, search.ts).
    matrix: ['--devices', '1', '--pages', '1', '--iovas', '2', '--publishes', '2', '--no-symmetry'],
    // Every mutant's counterexample length (states), as the README's mutant table gives it; the same with and without
    // symmetry (see the symmetry tests below).
    traces: {
      'M-D1': 3, 'M-D2': 10,
      // Alloc, MapRecord, InstallPte, U1-U5, Free (gen stays 0), Alloc again, MapRecord with the old handle.
      'M-D3': 12,
      // Alloc, MapRecord, InstallPte, Publish, Dma (fills the IOTLB), U1, U2 (no invalidation), U4, Dma through the stale entry.
      'M-D4': 10,
      // Publish, Complete, U1-U3, reset (R2 releases the pin), Enable, Publish (epoch 1), Reap rejects the epoch-0
      // completion but unpins, U4, U5 (Dirty), Free: the epoch-1 descriptor names the old generation.
      'M-D16-reject-still-unpins': 18,
      'M-D5': 8, 'M-D6': 14, 'M-D7': 10, 'M-D8-no-alias-check': 5, 'M-D9-no-quarantine': 10, 'M-D10-reap-while-reset': 8,
      'M-D11-unmap-during-map': 8, 'M-D14-remap-during-unmap': 11, 'M-D15-no-epoch-bump': 20, 'M-D12-reset-leaks-done-pins': 16,
      'M-D13-scrub-only-quarantined': 17,
    },
  },
  'dma-dcq': {
    configs: {
      'cap2-p2-i2': ['--cap', '2', '--publishers', '2', '--items', '2'],
      'cap1-p3-i2': ['--cap', '1', '--publishers', '3', '--items', '2'],
      'cap2-p3-i3': ['--cap', '2', '--publishers', '3', '--items', '3'],
    },
    liveness: { 'cap2-p2-i2': ['EveryCompletionConsumed'], 'cap1-p3-i2': ['EveryCompletionConsumed'], 'cap2-p3-i3': ['EveryCompletionConsumed'] },
    mutants: {
      'M-DL1-publish-before-reserve': 'NoDroppedCompletion',
      'M-DL1-reserve-without-lock': 'ReservationBudget',
      'M-DL1-load-queued-first': 'ReservationBudget',
      'M-DL1-reserve-ignores-queued': 'ReservationBudget',
      'M-DL1-release-before-count': 'CountersCoverBudget',
      'M-DL1-store-before-count': 'CountersNeverNegative',
      'M-DL1-uncount-before-pop': 'CountersCoverBudget',
      'M-DL1-claim-by-store': 'NoLeakedReservation',
      'M-DL1-push-keeps-reservation': 'EveryCompletionConsumed',
      'M-DL1-busy-keeps-lock': 'Deadlock',
    },
    matrix: [],
    traces: {
      // Two reservers load 0 + 0 without the lock; P0 claims, publishes, completes, is taken, and claims again; P1 claims on its stale loads.
      'M-DL1-reserve-without-lock': 17,
      // P0 loads queued = 0; the IRQ counts, stores and releases P0's earlier completion; P0 loads reserved = 1 and claims.
      'M-DL1-load-queued-first': 22,
      // Reserve, publish, complete, take: the release comes first and leaves reserved + queued = 0 under one slot in use.
      'M-DL1-release-before-count': 9,
      // The completion is stored uncounted; the consumer pops it and its decrement wraps queued to -1.
      'M-DL1-store-before-count': 11,
      // The consumer's decrement comes before its pop: reserved + queued = 0 with a completion stored.
      'M-DL1-uncount-before-pop': 12,
      // P1 loads reserved = 1; P0's completion is released; P1 stores 1 + 1, losing that release.
      'M-DL1-claim-by-store': 16,
      // A reserver finds no room and returns holding the lock: every publisher waits for it.
      'M-DL1-busy-keeps-lock': 18,
    },
  },
  'dma-shootdown': {
    configs: {
      'c3-u2': ['--cpus', '3', '--unmappers', '2', '--switches', '1'],
      'c2-u2-s2': ['--cpus', '2', '--unmappers', '2', '--switches', '2'],
      'c4-u1': ['--cpus', '4', '--unmappers', '1', '--switches', '1'],
      'c4-u2-s0': ['--cpus', '4', '--unmappers', '2', '--switches', '0'],
    },
    liveness: { 'c3-u2': ['ShootdownCompletes'], 'c2-u2-s2': ['ShootdownCompletes'], 'c4-u1': ['ShootdownCompletes'], 'c4-u2-s0': ['ShootdownCompletes'] },
    mutants: {
      'M-DL2-ack-before-flush': 'NoTranslationOfFreedPage',
      'M-DL2-stale-ack-compare': 'NoTranslationOfFreedPage',
      'M-DL2-wait-on-self': 'Deadlock',
      'M-DL2-mask-before-clear': 'NoTranslationOfFreedPage',
      'M-DL2-cr3-before-mask': 'NoTranslationOfFreedPage',
      'M-DL2-unmask-before-switch': 'NoTranslationOfFreedPage',
      'M-DL2-no-ack-when-out': 'ShootdownCompletes',
    },
    matrix: [],
    traces: {
      // Mask loaded first (CPU0 only); CPU1 enters and caches page 0; U1, U2; no IPI target; U5 frees under CPU1's entry.
      'M-DL2-mask-before-clear': 9,
      // CPU1 loads CR3 before setting its bit and caches page 0; the unmapper's mask load misses it; U5 frees.
      'M-DL2-cr3-before-mask': 8,
      // CPU2 caches page 0 and clears its bit before its CR3 switch; the mask load misses it; U5 frees.
      'M-DL2-unmask-before-switch': 8,
      // CPU2 is sent the IPI and then leaves; its handler, the CPU out, returns without acknowledging: the lasso.
      'M-DL2-no-ack-when-out': 10,
    },
  },
};

for (const [model, spec] of Object.entries(MODELS)) {
  describe(`${model} model`, () => {
    it('every CI configuration is complete with every property holding; every action fires and every goal is reached somewhere', () => {
      const fired = new Map<string, number>();
      const reached = new Map<string, boolean>();
      for (const [name, args] of Object.entries(spec.configs)) {
        const r = mc('run', model, ...args, '--json');
        expect(r.code, `${model} ${name}: ${r.stderr}`).toBe(0);
        expect(r.json.verdict, name).toBe('ok');
        expect(r.json.complete, name).toBe(true);
        const live = spec.liveness[name] ?? [];
        expect(r.json.liveness.map((l: any) => l.name).sort(), name).toEqual([...live].sort());
        for (const l of live) expect(r.json.liveness.find((x: any) => x.name === l)?.status, `${name} ${l}`).toBe('holds');
        for (const c of r.json.coverage) fired.set(c.action, (fired.get(c.action) ?? 0) + c.fired);
        for (const g of r.json.goals) reached.set(g.name, (reached.get(g.name) ?? false) || g.reached);
      }
      expect([...fired].filter(([, n]) => n === 0).map(([a]) => a)).toEqual([]);
      expect([...reached].filter(([, ok]) => !ok).map(([g]) => g)).toEqual([]);
    });

    it('mc mutate kills every mutant by its declared property', () => {
      const r = mcOnce('mutate', model, '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.verdict).toBe('ok');
      const got = Object.fromEntries(r.json.mutants.map((m: any) => [m.id, { verdict: m.verdict, fired: m.fired }]));
      for (const [id, property] of Object.entries(spec.mutants)) expect(got[id], id).toEqual({ verdict: 'killed', fired: property });
      expect(r.json.mutants).toHaveLength(Object.keys(spec.mutants).length);
      for (const [id, n] of Object.entries(spec.traces ?? {})) expect(r.json.mutants.find((m: any) => m.id === id).traceLength, id).toBe(n);
    });

    it('every property is killed by some mutant, and is the declared kill of one (kill matrix)', () => {
      const r = mc('mutate', model, ...spec.matrix, '--matrix', '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.matrix.possiblyVacuous).toEqual([]);
      // Not only some mutant: for every property, a declared mutant whose declared kill it is.
      const declaredKills = new Set(r.json.mutants.filter((m: any) => m.verdict === 'killed').map((m: any) => m.fired));
      expect(r.json.matrix.properties.filter((p: string) => !declaredKills.has(p))).toEqual([]);
    });
  });
}

describe('dma defaults are capOS\'s bound', () => {
  it('2 devices, 2 pages, 2 IOVAs, generations 0..1 (and epochs 0..1)', () => {
    const r = mc('show', 'dma', '--json');
    const d = Object.fromEntries(r.json.params.map((p: any) => [p.name, p.default]));
    expect(d).toMatchObject({ devices: 2, pages: 2, iovas: 2, gens: 1, resets: 1 });
  });
});

describe('dma symmetry: devices, pages and IOVAs are scalarsets', () => {
  const golden = JSON.parse(readFileSync(`${ROOT}/src/models/dma/golden.json`, 'utf8'));
  const stats = (...args: string[]) => {
    const r = mc('run', 'dma', ...args, '--no-liveness', '--json');
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
    expect(r.json.verdict, args.join(' ')).toBe('ok');
    return r.json.stats;
  };
  /** Runs a configuration with and without symmetry: the representatives stand for exactly the states found without it. */
  const exact = (args: string[]): { reduced: any; full: any } => {
    const reduced = stats(...args), full = stats(...args, '--no-symmetry');
    expect(full.represented, 'no represented count without symmetry').toBeUndefined();
    expect(reduced.represented, args.join(' ')).toBe(full.distinct);
    expect(reduced.depth, args.join(' ')).toBe(full.depth);
    expect(reduced.distinct, args.join(' ')).toBeLessThan(full.distinct);
    return { reduced, full };
  };
  const flags = (name: string) => MODELS.dma!.configs[name]!.filter((a) => a !== '--no-symmetry');

  it('the symmetric CI configuration d2-p1-i1: its golden figures are representatives, standing for the states without symmetry', () => {
    const { reduced, full } = exact(flags('d2-p1-i1'));
    expect(golden['d2-p1-i1']).toEqual({ distinct: reduced.distinct, generated: reduced.generated, depth: reduced.depth, represented: full.distinct });
  });

  it('the CI configurations with one page (liveness for p1 is then symmetric): symmetry finds the golden states', () => {
    for (const name of ['d2-p1-i2-b2', 'd1-p1-i2-r2-g2-b3']) {
      const { full } = exact(flags(name));
      expect(golden[name].represented, `${name} runs without symmetry in CI`).toBeUndefined();
      expect(full.distinct, name).toBe(golden[name].distinct);
    }
  });

  it('d1-p2-i2-b2 with symmetry: the liveness families, under fairness of each instance, hold over the representatives as without', () => {
    const args = flags('d1-p2-i2-b2').filter((f) => f !== '--no-symmetry');
    const r = mc('run', 'dma', ...args, '--json'), all = mc('run', 'dma', ...args, '--no-symmetry', '--json');
    expect(r.code).toBe(0);
    expect(r.json.stats.represented).toBe(all.json.stats.distinct);
    expect(r.json.stats.distinct).toBeLessThan(all.json.stats.distinct);
    expect(r.json.liveness).toEqual(all.json.liveness);
    expect(r.json.liveness.map((l: any) => l.status)).toEqual(['holds', 'holds', 'holds', 'holds']);
  });

  it('all three scalarsets at once (2 devices, 2 pages, 2 IOVAs: 8 permutations), and 3 devices with 2 pages (12 permutations, 3-cycles of devices among them)', () => {
    const small = ['--gens', '0', '--resets', '0', '--depth', '1'];
    const a = exact(['--devices', '2', '--pages', '2', '--iovas', '2', ...small]);
    expect(a.reduced.symmetry).toEqual({ scalarsets: { p: 2, d: 2, i: 2 }, permutations: 8 });
    const b = exact(['--devices', '3', '--pages', '2', '--iovas', '1', ...small]);
    expect(b.reduced.symmetry.permutations).toBe(12);
  });

  it('every declared mutant: the same verdict, property and counterexample length with and without symmetry', () => {
    const withSym = mcOnce('mutate', 'dma', '--json'), without = mc('mutate', 'dma', '--no-symmetry', '--json');
    expect(withSym.code, withSym.stderr).toBe(0);
    expect(without.code, without.stderr).toBe(0);
    const outcome = (m: any) => ({ verdict: m.verdict, fired: m.fired, traceLength: m.traceLength });
    const ids = Object.keys(MODELS.dma!.mutants);
    expect(withSym.json.mutants.map((m: any) => m.id)).toEqual(ids);
    expect(without.json.mutants.map(outcome)).toEqual(withSym.json.mutants.map(outcome));
    // Where the mutant's parameters make a scalarset of 2 or more, symmetry keeps fewer states.
    const states = (r: McRun, id: string) => r.json.mutants.find((m: any) => m.id === id).distinct;
    expect(states(withSym, 'M-D6')).toBeLessThan(states(without, 'M-D6'));
  });
});
