// The ring model (protocols.md A) through the built binary: the small CI
// configurations pass completely (invariants, deadlock policy, liveness, every
// action fires, every goal reached) and every mutant of A.9 is killed by a
// property it declares.
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

interface CiConfig { name: string; params: Record<string, string | number> }

const show = mc('show', 'ring', '--json').json as { ci: CiConfig[]; mutants: { id: string; kills: string[]; params: Record<string, unknown> }[] };
// slots 2, honest or with an adversary budget of 1 (slots 3/4 and adversary 2 run in `mc check`).
const small = show.ci.filter((c) => c.params.slots === 2 && Number(c.params.adversary ?? 0) <= 1);

const flags = (params: Record<string, string | number>): string[] =>
  Object.entries(params).flatMap(([k, v]) => [`--${k.replace(/[A-Z]/g, (x) => `-${x.toLowerCase()}`)}`, String(v)]);

describe('ring: CI configurations at slots 2', () => {
  it('declares the configurations the issue asks for', () => {
    const ps = show.ci.map((c) => c.params);
    for (const slots of [2, 3, 4]) expect(ps.some((p) => p.slots === slots && !p.adversary)).toBe(true);
    for (const adversary of [1, 2]) expect(ps.some((p) => p.slots === 2 && p.adversary === adversary)).toBe(true);
    expect(small.map((c) => c.name)).toEqual(expect.arrayContaining(['slots2', 'slots2-adv1']));
  });

  for (const cfg of small) {
    it(`${cfg.name}: verdict ok, every action fires, every goal reached`, () => {
      const r = mc('run', 'ring', ...flags(cfg.params), '--json');
      expect(r.code, r.stderr).toBe(0);
      expect(r.json.schema).toBe('mc.result/1');
      expect(r.json.verdict).toBe('ok');
      expect(r.json.complete).toBe(true);
      for (const p of r.json.properties) expect(p.status, p.name).toBe('holds');
      expect(r.json.coverage.filter((c: { neverFired: boolean }) => c.neverFired).map((c: { action: string }) => c.action)).toEqual([]);
      expect(r.json.goals.filter((g: { reached: boolean }) => !g.reached).map((g: { name: string }) => g.name)).toEqual([]);
      const names = r.json.properties.map((p: { name: string }) => p.name);
      if (Number(cfg.params.adversary ?? 0) > 0) {
        expect(names).toEqual(expect.arrayContaining(['FailClosed(a)', 'FailClosed(b)', 'FailClosed(c)', 'FailClosed(d)', 'FailClosed(e)', 'FailClosed(f)', 'FailClosed(g)', 'RingRecovers']));
        expect(r.json.goals.map((g: { name: string }) => g.name)).toEqual(expect.arrayContaining(['RingErrorReported', 'RecoveryNopCompleted']));
      } else {
        expect(names).toEqual(expect.arrayContaining(['TailHeadBound', 'NoLostCQE', 'NoDoubleDelivery', 'NoStaleCQERead', 'Pairing', 'Deadlock', 'EventuallyCompleted']));
        expect(names.some((n: string) => n.startsWith('FailClosed'))).toBe(false);
      }
    });
  }

  it('refuses an adversary where no corrupt index is representable (modulus 2)', () => {
    const r = mc('run', 'ring', '--slots', '1', '--adversary', '1');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--adversary needs --slots >= 2');
  });
});

describe('ring: mutants M-A1 .. M-A8 (protocols.md A.9)', () => {
  const r = mc('mutate', 'ring', '--json');
  const byId = new Map<string, { id: string; expected: string[]; fired: string | null; traceLength: number | null; verdict: string }>(
    (r.json?.mutants ?? []).map((m: { id: string }) => [m.id, m]),
  );

  it('mutate passes the gate', () => {
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.schema).toBe('mc.mutate/1');
    expect(r.json.verdict).toBe('ok');
    expect([...byId.keys()]).toEqual(['M-A1', 'M-A2', 'M-A3', 'M-A4', 'M-A5', 'M-A6', 'M-A7', 'M-A8']);
  });

  const expectedKill: Record<string, string> = {
    'M-A1': 'NoDoubleDelivery', 'M-A2': 'NoStaleCQERead', 'M-A3': 'TailHeadBound', 'M-A4': 'NoDoubleDelivery',
    'M-A5': 'TailHeadBound', 'M-A6': 'FailClosed(b)', 'M-A7': 'FailClosed(e)', 'M-A8': 'NoLostCQE',
  };
  for (const [id, property] of Object.entries(expectedKill)) {
    it(`${id} is killed by ${property}`, () => {
      const m = byId.get(id)!;
      expect(m.verdict).toBe('killed');
      expect(m.expected).toContain(m.fired);
      expect(m.fired).toBe(property);
      expect(m.traceLength).toBeGreaterThan(1);
    });
  }

  it('the adversary mutants are checked with the adversary on, the others without', () => {
    for (const m of show.mutants) expect(m.params.adversary, m.id).toBe(['M-A3', 'M-A4', 'M-A5', 'M-A6', 'M-A7'].includes(m.id) ? 1 : 0);
  });
});
