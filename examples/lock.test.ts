import { describe, expect, it } from 'vitest';
import { runModel } from 'mc-checker';
import lock from './lock.js';

describe('lock', () => {
  it('holds with an atomic test-and-set', async () => {
    const r = await runModel(lock, { params: { fixed: true } });
    expect(r.verdict).toBe('ok');
  });
  it('breaks mutual exclusion without it', async () => {
    const r = await runModel(lock);
    expect(r.violation?.property).toBe('MutualExclusion');
  });
});
