// The protocol-B models (src/models/nohz): nohz (B1), nohz-tso (B1-L), lapic (B2), lease (B3),
// through the built binary: the CI configurations pass, every declared mutant is killed by the
// property it declares, every property of every CI configuration is killed by a declared mutant that
// names it, M-B7 (fences removed) fails only under TSO with flush steps in its trace, and lapic's
// revert to periodic is two register writes whose order M-B15 swaps.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

const CI: Record<string, string[][]> = {
  nohz: [[], ['--gens', '1', '--activations', '1', '--regrants', '0', '--sched-ops', '1'], ['--gens', '3', '--activations', '3', '--regrants', '2', '--sched-ops', '2']],
  'nohz-tso': [['--memory', 'sc'], ['--memory', 'tso'], ['--memory', 'tso', '--depth', '2']],
  lapic: [[], ['--timer', '1GHz']],
  lease: [[], ['--creates', '3', '--renews', '3']],
};

const MUTANTS: Record<string, Record<string, string[]>> = {
  nohz: {
    'M-B1': ['NoTimerlessStall'], 'M-B2': ['NoTimerlessStall', 'Deadlock'], 'M-B3': ['NoStaleActivation'],
    'M-B4': ['StaledRecordEventuallyCleared'], 'M-B5': ['EventuallyConsistent'],
  },
  'nohz-tso': { 'M-B6': ['NoTimerlessStall'], 'M-B7': ['NoTimerlessStall'], 'M-TSO-wait': ['Deadlock'] },
  lapic: {
    'M-B8': ['HaltedDisarmed', 'periodicFiredInOneshotMode'], 'M-B9': ['OneshotModeBoundedCount', 'periodicFiredInOneshotMode'],
    'M-B10': ['NoTimerlessStall'], 'M-B15': ['FiredOneshotOrigin'], 'M-LAPIC-user': ['NoTimerlessStall'], 'M-LAPIC-stale': ['FiredOneshotOrigin'],
    'M-LAPIC-wide': ['OneshotModeBoundedCount'], 'M-LAPIC-zero': ['NoTimerlessStall'], 'M-LAPIC-u64': ['CountRoundTrip'],
  },
  lease: {
    'M-B11': ['NoCapacityDoubleFree', 'GenerationOncePerTermination'], 'M-B12': ['ChokepointOrder'], 'M-B13': ['NoLiveLeaseThroughRevokedGrant'],
    'M-B14': ['NoResurrection'], 'M-LEASE-gate': ['StaleHandleGate'], 'M-LEASE-selflock': ['NoStrandedGeneration', 'Deadlock'],
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

  it('M-TSO-wait (C waits for T to re-arm instead of the IPI) deadlocks: T done disarmed, C stuck at C5', () => {
    const r = mc('run', 'nohz-tso', '--memory', 'sc', '--mutant', 'M-TSO-wait', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('Deadlock');
    expect(r.json.violation.trace.length).toBe(10);
    expect(r.json.violation.trace.at(-1).state).toMatchObject({ t_pc: 'Done', c_pc: 'C5', timer: 'Off', t_armed: false, ipi: false });
  });

  it('M-B6 (single check) fails even under SC', () => {
    const r = mc('run', 'nohz-tso', '--memory', 'sc', '--mutant', 'M-B6', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('NoTimerlessStall');
    expect(r.json.violation.trace.map((t: { action: string | null }) => t.action)).not.toContain('T.Flush');
  });
});

describe('protocol B models: every property is killed by a declared mutant that names it', () => {
  for (const [model, configs] of Object.entries(CI)) {
    for (const args of configs) {
      it(`mc mutate ${model} --matrix ${args.join(' ')}`, () => {
        const r = mc('mutate', model, '--matrix', '--json', ...args);
        expect(r.code, r.stdout).toBe(0);
        expect(r.json.matrix.possiblyVacuous).toEqual([]);
        for (const p of r.json.matrix.properties) {
          const named = r.json.matrix.rows.filter((row: { kind: string; fired: string[]; expected: string[] }) => row.kind === 'declared' && row.fired.includes(p) && row.expected.includes(p));
          expect(named.length, `${p} has no declared mutant that names it and fires it`).toBeGreaterThan(0);
        }
      });
    }
  }
});

describe('lapic: the revert to periodic and the clamp arithmetic', () => {
  const traceOf = (mutant: string): any => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-lapic-'));
    const file = join(dir, 'trace.json');
    const r = mc('run', 'lapic', '--mutant', mutant, '--trace-out', file);
    expect(r.code).toBe(1);
    return JSON.parse(readFileSync(file, 'utf8'));
  };
  const replay = (trace: unknown): any => {
    const dir = mkdtempSync(join(tmpdir(), 'mc-lapic-'));
    const file = join(dir, 'trace.json');
    writeFileSync(file, JSON.stringify(trace));
    return mc('replay', file, '--json').json;
  };

  it('M-B15 (count before LVT) is killed by FiredOneshotOrigin in 8 states, then NoTimerlessStall in 10', () => {
    const r = mc('run', 'lapic', '--mutant', 'M-B15', '--continue', '--json');
    expect(r.code).toBe(1);
    const steps: string[] = r.json.violation.trace.map((t: { action: string | null }) => t.action);
    expect(r.json.violation.property).toBe('FiredOneshotOrigin');
    expect(steps).toEqual([null, 'SW.Halt', 'SW.SetMode', 'SW.Arm(0)', 'HW.Expire', 'ISR.Enter(User)', 'ISR.RevertMode(User)', 'HW.Expire']);
    // step 7 wrote the count while the LVT is still one-shot; the fire at step 8 is of periodic origin
    expect(r.json.violation.trace[6].state).toMatchObject({ lvt_mode: 'Oneshot', init_count: 'P', cur: 'P', sw_phase: 'FiredOneshot', revert_pc: 'V2' });
    expect(r.json.violation.trace[7].state).toMatchObject({ cur: '0', irq_pending: true, g_fire_origin: 'P' });
    const lengths = Object.fromEntries(r.json.violations.map((v: { property: string; trace: unknown[] }) => [v.property, v.trace.length]));
    expect(lengths).toMatchObject({ FiredOneshotOrigin: 8, NoTimerlessStall: 10 });
  });

  it('in the correct model V1 writes only the LVT and V2 only the count (a trace replays; under M-B15 it does not)', () => {
    const t = traceOf('M-B15');
    const prefix = t.steps.slice(0, 5); // Halt, SetMode, Arm(0), Expire, Enter(User)
    const entered = prefix[4].state;
    expect(entered).toMatchObject({ sw_phase: 'FiredOneshot', isr: 'User', lvt_mode: 'Oneshot', cur: '0' });
    const v1 = { ...entered, lvt_mode: 'Periodic', sw_phase: 'Reverting', revert_pc: 'V2' };
    const v2 = { ...v1, init_count: 'P', cur: 'P', g_origin: 'P', sw_phase: 'Periodic', revert_pc: 'Idle', isr: 'None', a_req: 0 };
    const split = { ...t, mutant: null, property: null, steps: [...prefix, { action: 'ISR.RevertMode(User)', state: v1 }, { action: 'ISR.RevertCount(User)', state: v2 }] };
    const ok = replay(split);
    expect(ok.ok, ok.reason).toBe(true);
    expect(ok.violated).toEqual([]);
    const swapped = replay({ ...split, mutant: 'M-B15' });
    expect(swapped.ok).toBe(false);
    expect(swapped.failedStep).toBe(7); // states are numbered from the initial state (1)
    expect(swapped.reason).toContain('lvt_mode');
  });

  it('the count clause: A ≤ u32::MAX catches a dropped upper clamp, 1 ≤ A cannot fire (a zero count stops the timer: NoTimerlessStall)', () => {
    const r = mc('mutate', 'lapic', '--matrix', '--json');
    const row = (id: string): string[] => r.json.matrix.rows.find((x: { id: string }) => x.id === id).fired;
    const byId = Object.fromEntries(r.json.mutants.map((m: { id: string }) => [m.id, m]));
    expect(byId['M-LAPIC-wide']).toMatchObject({ verdict: 'killed', fired: 'OneshotModeBoundedCount', traceLength: 4 });
    expect(byId['M-LAPIC-zero']).toMatchObject({ verdict: 'killed', fired: 'NoTimerlessStall', traceLength: 4 });
    expect(row('M-LAPIC-zero')).not.toContain('OneshotModeBoundedCount');
    expect(byId['M-LAPIC-u64']).toMatchObject({ verdict: 'killed', fired: 'CountRoundTrip', traceLength: 4 });
    expect(row('M-LAPIC-u64')).toEqual(['CountRoundTrip']);
  });

  it('every request of the domain is armed, clamped requests and u32::MAX among them, at both timers', () => {
    for (const args of CI.lapic!) {
      const r = mc('run', 'lapic', ...args, '--json');
      expect(r.json.verdict).toBe('ok');
      const arm = r.json.instanceCoverage.filter((c: { action: string }) => c.action.startsWith('SW.Arm('));
      expect(arm.length).toBe(9);
      for (const c of arm) expect(c.fired, c.action).toBeGreaterThan(0);
      for (const g of ['RevertHalfway', 'ClampedArmed', 'MaxCountArmed']) expect(r.json.goals.find((x: { name: string }) => x.name === g)?.reached, g).toBe(true);
    }
  });
});

describe('lease: M-B11 (T0 guard dropped)', () => {
  it('is killed in 14 states by two terminators of one lease: CL (CL3 decided from the revoked grant) and RG', () => {
    const r = mc('run', 'lease', '--mutant', 'M-B11', '--json');
    expect(r.code).toBe(1);
    expect(r.json.violation.property).toBe('GenerationOncePerTermination');
    const steps: string[] = r.json.violation.trace.map((t: { action: string | null }) => t.action);
    expect(steps.length).toBe(14);
    expect(steps).toContain('CL.CL3');
    expect(steps.filter((a) => a?.startsWith('Terminate.T0('))).toEqual(['Terminate.T0(CL)', 'Terminate.T0(RG)']);
  });
});
