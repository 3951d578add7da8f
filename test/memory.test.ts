// The memory budget: the resident size of the whole process (every worker, the model's setup, the liveness
// pass), by default three quarters of the machine's memory; workers as many as the budget has room for.
// Peaks are asserted only with generous bounds (docs/performance.md has the /usr/bin/time figures).
import { totalmem } from 'node:os';
import { describe, expect, it } from 'vitest';
import { defaultMemoryBudget, DEFAULT_BUDGET_SHARE, helperBytes, workersWithin } from '../src/explorer/memory.js';
import { IDLE, KIND_CONSTRAINT, KIND_DEADLOCK, KIND_GOAL, KIND_INVARIANT, KIND_LIVENESS, probeCode, readWho } from '../src/explorer/control.js';
import { fixture, mc } from './helpers.js';

const MiB = 2 ** 20;

describe('the default budget', () => {
  it('is three quarters of physical memory (or of a lower cgroup limit), in whole MiB', () => {
    const b = defaultMemoryBudget();
    expect(b % MiB).toBe(0);
    expect(b).toBeLessThanOrEqual(totalmem() * DEFAULT_BUDGET_SHARE);
    expect(b).toBeGreaterThan(0);
  });

  it('is stated in --help, for mc run and mc mutate', () => {
    for (const cmd of ['run', 'mutate']) {
      const r = mc(cmd, 'ring', '--help');
      expect(r.stdout.replace(/\s+/g, ' ')).toContain(`three quarters of this machine's memory or of its cgroup's limit: ${defaultMemoryBudget() / MiB} MiB here`);
    }
  });
});

describe('workers within the budget', () => {
  it('as many as asked when their threads take at most half of what is left', () => {
    expect(workersWithin(4, 2000 * MiB, 100 * MiB, 0)).toEqual({ workers: 4 });
    expect(workersWithin(256, Infinity, 100 * MiB, 0)).toEqual({ workers: 256 });
  });

  it('fewer, with a note saying why, when they would take more', () => {
    const r = workersWithin(256, 1000 * MiB, 80 * MiB, 0);
    expect(r.workers).toBeGreaterThan(1);
    expect(r.workers).toBeLessThan(256);
    expect((r.workers - 1) * helperBytes(r.workers, 0)).toBeLessThanOrEqual(460 * MiB);
    expect(r.workers * helperBytes(r.workers + 1, 0)).toBeGreaterThan(460 * MiB);
    expect(r.note).toMatch(new RegExp(`^ran with ${r.workers} workers instead of 256: a helper thread takes about \\d+ MiB .* the memory budget of 1000 MiB \\(--max-memory\\) had room for ${r.workers - 1}`));
  });

  it('a large model leaves room for fewer: each helper compiles it', () => {
    expect(workersWithin(8, 4000 * MiB, 100 * MiB, 600 * MiB).workers).toBe(4);
    expect(workersWithin(8, 1000 * MiB, 100 * MiB, 600 * MiB).workers).toBe(1);
  });

  it('--workers 64 under --max-memory 400: fewer workers, a note, the same results', () => {
    const args = ['run', 'ring', '--slots', '2', '--no-liveness', '--json'];
    const one = mc(...args);
    const many = mc(...args, '--workers', '64', '--parallel-from', '100', '--max-memory', '400');
    expect(many.code).toBe(0);
    expect(many.json.notes.join('\n')).toMatch(/ran with \d+ workers instead of 64: .*\(--max-memory\)/);
    expect(many.json.stats.workers).toBeLessThan(64);
    expect(many.json.stats).toMatchObject({ distinct: one.json.stats.distinct, generated: one.json.stats.generated, depth: one.json.stats.depth });
    expect(many.json.stats.peakMemoryBytes).toBeLessThan(400 * 1.2 * MiB);
  });
});

describe('--max-memory bounds the whole process', () => {
  it("counts the model's setup: a 300,000-slot state under --max-memory 200 stops while it is set up", () => {
    const r = mc('run', fixture('wide-state.ts'), '--n', '300000', '--max-memory', '200', '--json');
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ verdict: 'incomplete', incompleteReason: 'max-memory', incompletePhase: 'setup' });
    expect(r.json.stuck.message).toMatch(/^the process took \d+ MiB, past its memory budget of 200 MiB, while the model's setup .* was running: mc stopped the search thread$/);
    expect(r.json.stats.peakMemoryBytes).toBeLessThan(200 * 1.3 * MiB);
  });

  it('stops a guard that allocates without end, and names it', () => {
    const r = mc('run', fixture('never-returns.ts'), '--where', 'allocate', '--max-memory', '300', '--json');
    expect(r.code).toBe(4);
    expect(r.json).toMatchObject({ incompleteReason: 'max-memory', stuck: { action: 'Step', state: { x: 5 } } });
    expect(r.json.stats.peakMemoryBytes).toBeLessThan(300 * 1.3 * MiB);
  });
});

describe('probes', () => {
  it('a WHO word names an action instance, or a model function and where its state is', () => {
    expect(readWho(IDLE)).toBeNull();
    expect(readWho(7)).toEqual({ kind: 'action', index: 7, onScratch: false });
    for (const [kind, name] of [[KIND_INVARIANT, 'invariant'], [KIND_GOAL, 'goal'], [KIND_LIVENESS, 'liveness'], [KIND_CONSTRAINT, 'constraint'], [KIND_DEADLOCK, 'deadlock']] as const) {
      for (const index of [0, 1, 14, 1000]) for (const onScratch of [false, true]) {
        const code = probeCode(kind, index, onScratch);
        expect(code).toBeLessThan(IDLE);
        expect(readWho(code)).toEqual({ kind: name, index, onScratch });
      }
    }
  });
});
