// A per-thread FIFO store buffer (x86-TSO), for any model that needs weak memory.
//
// Written for nohz-tso (protocols.md B1-L, section 1 "Weak memory"); nothing in
// it is specific to one model.
//
// The shared variables are ordinary scalar fields (bool or int >= 0) of the
// model's state: under `memory: 'sc'` a store writes the field at once, a load
// reads it, fences are no-ops and there are no flush steps. Under
// `memory: 'tso'` each thread owns a bounded FIFO `sb_<thread>` (a list field
// added to the state by `fields()`):
//   - `store(n, t, x, v)` appends (x, v) to t's buffer (guard the storing step
//     with `canStore(s, t)`: a full buffer must flush first);
//   - `flushActions()` gives one action per thread, '<thread>.Flush', which
//     commits the oldest entry to memory (an interleaved step of that thread);
//   - `load(s, t, x)` returns t's newest buffered value of x if there is one
//     (store forwarding), else the value in memory;
//   - `fenceEnabled(s, t)` (mfence / a locked RMW) holds only when t's buffer
//     is empty; use it as the guard of the fence step.
// An entry is the enum label 'x=v' (so traces print sb_T: [] → [t_armed=0]),
// and two states with the same pending stores coincide.
import type { ActionDef } from '../explorer/model.js';
import { enumOf, list, type EnumD, type ListD } from '../explorer/schema.js';

export type MemoryModel = 'sc' | 'tso';

export interface StoreBufferOptions<T extends string, X extends string> {
  /** The threads that own a buffer (also the actor names of the flush steps). */
  readonly threads: readonly T[];
  /** The shared variables (state field names) and the largest value each takes (1 for a bool). */
  readonly vars: Readonly<Record<X, number>>;
  /** Entries per buffer (>= 1); protocols.md section 1 uses 1. */
  readonly depth: number;
  readonly memory: MemoryModel;
  /** Field name prefix of the buffers (default 'sb_'). */
  readonly prefix?: string;
}

/** A view of the model state, as far as the helper needs it (shared variables and buffers by name). */
type AnyView = any; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface StoreBuffer<T extends string, X extends string> {
  readonly memory: MemoryModel;
  readonly depth: number;
  /** State fields to spread into the schema: one list per thread under tso, none under sc. */
  fields(): Record<string, ListD<EnumD<string>>>;
  /** Initial values of those fields (empty buffers), to spread into init(). */
  init(): Record<string, number[]>;
  /** Value of x as thread t sees it: its own newest buffered store, else memory. */
  load(s: AnyView, t: T, x: X): number;
  /** t stores v into x: into t's buffer under tso (must not be full), straight to memory under sc. Write into n. */
  store(n: AnyView, t: T, x: X, v: number | boolean): void;
  /** Whether t may store now (its buffer has room; always under sc). */
  canStore(s: AnyView, t: T): boolean;
  /** Whether t's buffer is empty (always under sc). */
  isEmpty(s: AnyView, t: T): boolean;
  /** Guard of a fence(SeqCst) step of t: enabled only when t's buffer is empty. */
  fenceEnabled(s: AnyView, t: T): boolean;
  /** Every buffer empty (for quiescence predicates). */
  allEmpty(s: AnyView): boolean;
  /** The pending stores of t, oldest first (for properties and messages). */
  pending(s: AnyView, t: T): { readonly x: X; readonly v: number }[];
  /** Under tso: one action per thread, '<thread>.Flush', committing its oldest store. Under sc: none. */
  flushActions(): ActionDef<AnyView, undefined>[];
}

export function storeBuffer<const T extends string, const X extends string>(o: StoreBufferOptions<T, X>): StoreBuffer<T, X> {
  const prefix = o.prefix ?? 'sb_';
  const names = Object.keys(o.vars) as X[];
  if (names.length === 0) throw new Error('storeBuffer: no shared variables');
  if (!Number.isInteger(o.depth) || o.depth < 1) throw new Error(`storeBuffer: depth ${o.depth} must be an integer >= 1`);
  const labels: string[] = [];
  const entry = new Map<string, { x: X; v: number }>();
  const labelOf = new Map<X, string[]>();
  for (const x of names) {
    const max = o.vars[x];
    if (!Number.isInteger(max) || max < 1) throw new Error(`storeBuffer: '${x}' must have an integer maximum value >= 1`);
    const ls: string[] = [];
    for (let v = 0; v <= max; v++) { const l = `${x}=${v}`; labels.push(l); ls.push(l); entry.set(l, { x, v }); }
    labelOf.set(x, ls);
  }
  const label = (x: X, v: number): string => {
    const ls = labelOf.get(x);
    if (!ls) throw new Error(`storeBuffer: '${x}' is not a shared variable (${names.join(', ')})`);
    const l = ls[v];
    if (l === undefined) throw new Error(`storeBuffer: ${x} := ${v} is outside 0..${o.vars[x]}`);
    return l;
  };
  const field = (t: T): string => `${prefix}${t}`;
  const tso = o.memory === 'tso';
  const num = (v: number | boolean): number => (typeof v === 'boolean' ? (v ? 1 : 0) : v);
  const readMem = (s: AnyView, x: X): number => num(s[x] as number | boolean);
  const writeMem = (n: AnyView, x: X, v: number): void => { n[x] = typeof n[x] === 'boolean' ? v !== 0 : v; };

  return {
    memory: o.memory,
    depth: o.depth,
    fields: () => (tso ? Object.fromEntries(o.threads.map((t) => [field(t), list(o.depth, enumOf(labels))])) : {}),
    init: () => (tso ? Object.fromEntries(o.threads.map((t) => [field(t), []])) : {}),
    load(s, t, x) {
      label(x, 0); // checks x
      if (tso) {
        const b = s[field(t)];
        for (let k = b.length - 1; k >= 0; k--) {
          const e = entry.get(b.get(k) as string)!;
          if (e.x === x) return e.v;
        }
      }
      return readMem(s, x);
    },
    store(n, t, x, v) {
      const val = num(v);
      const l = label(x, val);
      if (tso) n[field(t)].push(l);
      else writeMem(n, x, val);
    },
    canStore: (s, t) => !tso || s[field(t)].length < o.depth,
    isEmpty: (s, t) => !tso || s[field(t)].length === 0,
    fenceEnabled: (s, t) => !tso || s[field(t)].length === 0,
    allEmpty: (s) => !tso || o.threads.every((t) => s[field(t)].length === 0),
    pending(s, t) {
      if (!tso) return [];
      const b = s[field(t)];
      const out: { x: X; v: number }[] = [];
      for (let k = 0; k < b.length; k++) out.push(entry.get(b.get(k) as string)!);
      return out;
    },
    flushActions: () => (tso ? o.threads.map((t) => ({
      name: `${t}.Flush`,
      actor: t,
      guard: (s: AnyView) => s[field(t)].length > 0,
      effect: (_s: AnyView, n: AnyView) => {
        const e = entry.get(n[field(t)].shift() as string)!;
        writeMem(n, e.x, e.v);
      },
    })) : []),
  };
}
