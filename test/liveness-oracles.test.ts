// Liveness oracles (TLA+ Examples): each property holds under its fairness, a one-line protocol
// mutation breaks it with a lasso that `mc replay` re-executes, and dropping the fairness breaks it too.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mc } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'mc-live-'));
const cases = [
  { model: 'alternatingbit', properties: ['SentLeadsToRcvd(d1)', 'SentLeadsToRcvd(d2)'], mutant: 'no-retransmit' },
  { model: 'ewd840', properties: ['Liveness'], mutant: 'stay-black' },
  { model: 'tokenring', properties: ['Stabilization'], mutant: 'short-counter' },
];

describe.each(cases)('$model', ({ model, properties, mutant }) => {
  const file = `dist/test/oracles/${model}.js`;
  it('the liveness properties are checked and hold', () => {
    const r = mc('run', file, '--json');
    expect(r.code).toBe(0);
    expect(r.json.liveness).toEqual(properties.map((name) => ({ name, status: 'holds' })));
  });
  it(`the mutation ${mutant} fails with a lasso that replays`, () => {
    const trace = join(tmp, `${model}-${mutant}.json`);
    const r = mc('run', file, '--mutant', mutant, '--json', '--trace-out', trace);
    expect(r.code).toBe(1);
    const v = r.json.violation;
    expect(properties).toContain(v.property);
    expect(v.kind).toBe('liveness');
    expect(v.loopStart).toBeGreaterThanOrEqual(1);
    // The last state of a lasso is the state where the cycle starts (unless it stutters there).
    if (!v.stutter) expect(v.trace[v.trace.length - 1].state).toEqual(v.trace[v.loopStart - 1].state);
    const replay = mc('replay', trace, '--json');
    expect(replay.code).toBe(1);
    expect(replay.json.ok).toBe(true);
    expect(replay.json.violated).toContain(v.property);
  });
  it('without its fairness the property fails', () => {
    const r = mc('run', file, '--mutant', 'unfair', '--json');
    expect(r.code).toBe(1);
    expect(properties).toContain(r.json.violation.property);
  });
  it('mc mutate kills every declared mutant by its property', () => {
    const r = mc('mutate', file, '--json');
    expect(r.code, r.stdout).toBe(0);
    expect(r.json.mutants.every((m: { verdict: string }) => m.verdict === 'killed')).toBe(true);
  });
});
