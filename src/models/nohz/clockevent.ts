// The count arithmetic of the LAPIC one-shot (protocols.md B2, "Arithmetic side"), the part capOS proves
// with Kani over capos_lib::clockevent. The Rust source is not public; this is a reconstruction [recon]:
// a request of `ns` nanoseconds becomes `ns × ticks_per_s / 1e9` timer ticks, computed in u128, clamped to
// the window [min_count, max_count], and written to the 32-bit initial-count register. The lapic model
// arms one request of a finite domain (requestsOf) per S3 and checks the result as properties; see
// README.lapic.md. All arithmetic is in BigInt, so u64/u128 values are exact.

export const U32_MAX = (1n << 32n) - 1n;
export const U64_MAX = (1n << 64n) - 1n;
const NS_PER_S = 1_000_000_000n;
/** [choice] The shortest deadline the kernel arms (1 µs): the lower end of the clamp window, in ns. */
export const MIN_DEADLINE_NS = 1000n;

/** The LAPIC timer frequencies the model offers (`--timer`): a 25 MHz crystal and a 1 GHz timer (one count per ns). */
export const TIMERS = { '25MHz': 25_000_000n, '1GHz': 1_000_000_000n } as const;
export type Timer = keyof typeof TIMERS;

/** The arithmetic mutants: upper clamp dropped, lower clamp dropped, product computed in u64 (wrapping). */
export type ArithMutant = 'no-max-clamp' | 'no-min-clamp' | 'u64-product' | null;

export interface Window { readonly tps: bigint; readonly minCount: bigint; readonly maxCount: bigint }

export function windowOf(tps: bigint): Window {
  const raw = (MIN_DEADLINE_NS * tps) / NS_PER_S;
  return { tps, minCount: raw < 1n ? 1n : raw, maxCount: U32_MAX };
}

/** Kani's first claim, per configuration: 1 ≤ min_count ≤ max_count ≤ u32::MAX. */
export const windowWellFormed = (w: Window): boolean => w.minCount >= 1n && w.minCount <= w.maxCount && w.maxCount <= U32_MAX;

/** The deadline a count encodes, rounded up to whole ns (never later than the request it came from). */
export const countToNs = (w: Window, count: bigint): bigint => (count * NS_PER_S + w.tps - 1n) / w.tps;

export interface Armed {
  readonly ns: bigint;
  /** The count the arithmetic computed (u128), before the register write. */
  readonly count: bigint;
  /** The value the 32-bit initial-count register receives (count as u32). */
  readonly reg: bigint;
  readonly clamped: boolean;
}

export function nsToCount(w: Window, ns: bigint, m: ArithMutant): Armed {
  let product = ns * w.tps; // fits u128: ns < 2^64 and tps < 2^64
  if (m === 'u64-product') product &= U64_MAX; // M-LAPIC-u64: the product wraps at 2^64
  const raw = product / NS_PER_S;
  let count = raw, clamped = false;
  if (raw < w.minCount && m !== 'no-min-clamp') { count = w.minCount; clamped = true; } // M-LAPIC-zero: no lower clamp
  else if (raw > w.maxCount && m !== 'no-max-clamp') { count = w.maxCount; clamped = true; } // M-LAPIC-wide: no upper clamp
  return { ns, count, reg: count & U32_MAX, clamped };
}

/** Kani's second claim: the armed count is in [1, u32::MAX]. */
export const countInRange = (a: Armed): boolean => a.count >= 1n && a.count <= U32_MAX;

/**
 * Kani's third claim: an unclamped request round-trips within one count. The deadline the register's count
 * encodes is never after the request and less than one count (1e9/tps ns) before it.
 */
export function roundTrips(w: Window, a: Armed): boolean {
  if (a.clamped) return true;
  const back = countToNs(w, a.reg);
  return back <= a.ns && (a.ns - back) * w.tps < NS_PER_S;
}

/**
 * The request domain [choice]: a typical deadline first, then the edges of every branch: 0, 1 ns, just below
 * and at the shortest deadline, the longest unclamped request, one count beyond it, the first request whose
 * ns × tps passes 2^64 (plus 1 ms), and u64::MAX.
 */
export function requestsOf(w: Window): bigint[] {
  const top = countToNs(w, w.maxCount);
  const wrap = (1n << 64n) / w.tps + 1_000_000n;
  const all = [1_000_000n, 0n, 1n, MIN_DEADLINE_NS - 1n, MIN_DEADLINE_NS, top, top + countToNs(w, 1n), wrap, U64_MAX];
  return [...new Set(all)];
}
