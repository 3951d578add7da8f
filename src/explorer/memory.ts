// Memory: the default budget of a run, and how many worker threads fit in a budget.
import { totalmem } from 'node:os';
import { bucketsFor } from './level-protocol.js';

const MiB = 2 ** 20;

/** The share of the machine's memory (or of the cgroup's limit, if lower) a run may take by default. */
export const DEFAULT_BUDGET_SHARE = 0.75;

/**
 * The memory budget of a run that sets none: three quarters of the machine's physical memory, or of the
 * memory limit of the cgroup the process runs in if that is lower, in whole MiB. A run that reaches it
 * stops with verdict incomplete (exit 4) rather than exhaust the machine.
 */
export function defaultMemoryBudget(): number {
  let limit = totalmem();
  // Node 20: the cgroup's limit (libuv reads cgroup v1 and v2); 0, or 2^64 and the like, when there is none.
  const constrained = (process as { constrainedMemory?: () => number | undefined }).constrainedMemory?.();
  if (constrained !== undefined && constrained > 0 && constrained < limit) limit = constrained;
  return Math.floor((limit * DEFAULT_BUDGET_SHARE) / MiB) * MiB;
}

/**
 * What a helper thread of a parallel search takes besides its share of the states: a Node worker with its
 * own JavaScript heap and mc's modules (about 18 MiB measured on ring, Node 20), its compiled copy of the
 * model, and its outboxes (a page or more per bucket it sends to; there are bucketsFor(workers) buckets).
 */
export const HELPER_BYTES = 24 * MiB;
export const helperBytes = (workers: number, modelBytes: number): number => HELPER_BYTES + modelBytes + bucketsFor(workers) * 8 * 1024;

/**
 * How many workers (the searching thread and its helpers) fit in a memory budget: at most `requested`,
 * and helpers that take at most half of what the process has left (`budget - rss`), the other half being
 * for the states. With the note a run gives when it uses fewer than asked.
 */
export function workersWithin(requested: number, budget: number, rss: number, modelBytes: number): { workers: number; note?: string } {
  if (requested <= 1 || !Number.isFinite(budget)) return { workers: requested };
  const room = Math.max(0, budget - rss) / 2;
  let w = requested;
  while (w > 1 && (w - 1) * helperBytes(w, modelBytes) > room) w--;
  if (w === requested) return { workers: w };
  const each = Math.round(helperBytes(w, modelBytes) / MiB);
  return {
    workers: w,
    note: `ran with ${w} worker${w === 1 ? '' : 's'} instead of ${requested}: a helper thread takes about ${each} MiB (its heap, the compiled model, its buffers), and the memory budget of ${Math.round(budget / MiB)} MiB (--max-memory) had room for ${w - 1} (half of the ${Math.round((budget - rss) / MiB)} MiB left; the rest is for the states)`,
  };
}
