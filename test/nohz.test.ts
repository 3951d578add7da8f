// The protocol-B models (src/models/nohz): nohz (B1), nohz-tso (B1-L), lapic (B2), lease (B3),
// through the built binary: the CI configurations pass, every declared mutant is killed by the
// property it declares, and M-B7 (fences removed) fails only under TSO, with flush steps in its trace.
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

const CI: Record<string, string[][]> = {
  nohz: [[], ['--gens', '1', '--activations', '1', '--regrants', '0', '--sched-ops', '1'], ['--gens', '3', '--activations', '3', '--regrants', '2', '--sched-ops', '2']],
  'nohz-tso': [['--memory', 'sc'], ['--memory', 'tso'], ['--memory', 'tso', '--depth', '2']],
  lapic: [[]],
  lease: [[], ['--creates', '3', '--renews', '3']],
};

const MUTANTS: Record<string, Record<string, string[]>> = {
  nohz: {
    'M-B1': ['NoTimerlessStall'], 'M-B2': ['NoTimerlessStall'], 'M-B3': ['NoStaleActivation'],
    'M-B4': ['StaledRecordEventuallyCleared'], 'M-B5': ['EventuallyConsistent'],
  },
  'nohz-tso': { 'M-B6': ['NoTimerlessStall'], 'M-B7': ['NoTimerlessStall'] },
  lapic: {
    'M-B8': ['HaltedDisarmed', 'periodicFiredInOneshotMode'], 'M-B9': ['OneshotModeBoundedCount', 'periodicFiredInOneshotMode'],
    'M-B10': ['NoTimerlessStall'], 'M-LAPIC-user': ['NoTimerlessStall'], 'M-LAPIC-stale': ['FiredOneshotOrigin'],
  },
  lease: {
    'M-B11': ['NoCapacityDoubleFree', 'GenerationOncePerTermination'], 'M-B12': ['ChokepointOrder'], 'M-B13': ['NoLiveLeaseThroughRevokedGrant'],
    'M-B14': ['NoResurrection'], 'M-LEASE-gate': ['StaleHandleGate'], 'M-LEASE-selflock': ['NoStrandedGeneration'],
  },
};

describe('protocol B models: CI configurations', () => {
  for (const [model, configs] of Object.entries(CI)) {
    for (const args of configs) {
      it(`mc run ${model} ${args.join(' ')} holds every property`, () => {
        const r = mc('run', model, ...args, '--json');
        expect(r.code, r.stderr).toBe(0);
        expect(r.json.verdict).toBe('ok');
        expect(r.json.complete).toBe(true);
        for (const p of r.json.properties) expect(p.status, p.name).toBe('holds');
      });
    }
  }
});

describe('protocol B models: mutants', () => {
  for (const [model, expected] of Object.entries(MUTANTS)) {
    it(`mc mutate ${model} kills every mutant by its declared property`, () => {
      const r = mc('mutate', model, '--json');
      expect(r.code, r.stdout).toBe(0);
      const byId = Object.fromEntries(r.json.mutants.map((m: { id: string }) => [m.id, m]));
      expect(Object.keys(byId).sort()).toEqual(Object.keys(expected).sort());
      for (const [id, props] of Object.entries(expected)) {
        expect(byId[id].verdict, id).toBe('killed');
        expect(props, `${id} fired ${byId[id].fired}`).toContain(byId[id].fired);
      }
    });
  }

  it('M-B7 (no fences) passes under SC and fails under TSO with store-buffer flushes in the trace', () => {
    const sc = mc('run', 'nohz-tso', '--memory', 'sc', '--mutant', 'M-B7', '--json');
    expect(sc.code).toBe(0);
    expect(sc.json.verdict).toBe('ok');
    const tso = mc('run', 'nohz-tso', '--memory', 'tso', '--mutant', 'M-B7', '--json');
    expect(tso.code).toBe(1);
    expect(tso.json.violation.property).toBe('NoTimerlessStall');
    const steps: string[] = tso.json.violation.trace.map((t: { action: string | null }) => t.action);
    expect(steps).toContain('T.Flush');
    expect(steps).toContain('C.Flush');
    // C reads t_armed while T's store of 0 is still in T's buffer: C.C4 comes before T.Flush.
    expect(steps.indexOf('C.C4')).toBeLessThan(steps.indexOf('T.Flush'));
  });

  it('M-B6 (single check) fails even under SC', () => {
    const r = mc('run', 'nohz-tso', '--memory', 'sc', '--mutant', 'M-B6', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('NoTimerlessStall');
    expect(r.json.violation.trace.map((t: { action: string | null }) => t.action)).not.toContain('T.Flush');
  });
});
