// The TypeScript types of state views: what a model's code sees of a state.
//
// A model gets two views of a step: `s`, the state being expanded, read-only
// (properties, guards and effects read it), and `n`, the successor, which an
// effect writes. The types follow the schema, so an enum value outside its
// enum, a write to `s`, or a write to a field the state does not have is a
// compile error; the engine checks the same at run time for plain JavaScript
// models.
import type { ArrayD, BoolD, Domain, EnumD, IntD, ListD, MapD, OneOfD, OptionalD, RecordD, SetD, TupleD } from './domains.js';

type Scalar = BoolD | IntD | EnumD<string>;
/** Domains whose values sit in one slot and are read and written whole, as plain values. */
type OneSlotValue = TupleD<readonly Domain[]> | OptionalD<Domain> | OneOfD<readonly Domain[]>;

/** The value of a scalar domain: boolean, number, or the enum's members as a union of literals. */
export type ScalarValue<D> = D extends BoolD ? boolean : D extends IntD ? number : D extends EnumD<infer E> ? E : never;

/** An array of scalars as `s` sees it. */
export interface ReadonlyScalarArrayView<T> {
  readonly length: number;
  get(i: number): T;
  /** A fresh JS array (allocates: for properties and printing, not the hot path). */
  toArray(): T[];
}
/** An array of scalars as the successor `n` has it. */
export interface ScalarArrayView<T> extends ReadonlyScalarArrayView<T> {
  set(i: number, v: T): void;
}
/** An array of records (or of arrays, sets, lists, maps): element views by index. */
export interface RecordArrayView<V> {
  readonly length: number;
  /** The view of element i (a cached object: do not keep it across steps). */
  at(i: number): V;
  /** The same as at(i). */
  get(i: number): V;
}
/** An array of records (or of arrays, sets, lists, maps) as the successor `n` has it: set(i, v) stores a whole element. */
export interface WritableRecordArrayView<V, P> extends RecordArrayView<V> {
  set(i: number, v: P): void;
}
/** A set as `s` sees it: members are compared as values (`has({ type: 'Prepared', rm: 'r1' })`). */
export interface ReadonlySetView<T = number> extends Iterable<T> {
  /** How many members the set has room for: the number of values of its domain. */
  readonly universe: number;
  has(x: T): boolean;
  readonly size: number;
  /** The raw bitmask of a set of at most 31 possible members (bit r set when the value of rank r is in the set). */
  readonly bits: number;
  /** The members in canonical order (the domain's order). */
  toArray(): T[];
}
/** A set as the successor `n` has it. */
export interface SetView<T = number> extends ReadonlySetView<T> {
  add(x: T): void;
  delete(x: T): void;
  clear(): void;
  /** The raw bitmask of a set of at most 31 possible members. */
  bits: number;
}
/** A bounded FIFO list as `s` sees it. */
export interface ReadonlyListView<T> extends Iterable<T> {
  readonly length: number;
  readonly maxLength: number;
  get(i: number): T;
  /** Whether the list holds the value (compared as values). */
  includes(v: T): boolean;
  toArray(): T[];
}
/** A bounded FIFO list as the successor `n` has it. */
export interface ListView<T> extends ReadonlyListView<T> {
  set(i: number, v: T): void;
  push(v: T): void;
  /** Removes and returns the first element. */
  shift(): T;
  removeAt(i: number): void;
  clear(): void;
}
/** A map over a finite key domain as `s` sees it: get(k), and its entries in key order. */
export interface ReadonlyMapView<K, V> extends Iterable<[K, V]> {
  readonly size: number;
  get(k: K): V;
  keys(): K[];
  values(): V[];
  entries(): [K, V][];
}
/** A map as the successor `n` has it. */
export interface MapView<K, V, P = V> extends ReadonlyMapView<K, V> {
  set(k: K, v: P): void;
}

/** The key of a map: an enum member or an integer. */
export type KeyOf<K> = K extends EnumD<infer E> ? E : number;

/** What reading an element of an array or map gives: a value, or the view of a record, array, set, list or map. */
type ElementOf<E, ro extends boolean> = E extends Scalar | OneSlotValue ? PlainOf<E> : ro extends true ? ReadonlyViewOf<E> : ViewOf<E>;

/**
 * The writable view of a domain (the successor `n`). Scalar, record, tuple, optional and union fields
 * are assignable; arrays, sets, lists and maps are written through their views.
 */
export type ViewOf<D> =
  0 extends 1 & D ? any // an untyped model (any) stays untyped, and its types stay shallow
  : Domain extends D ? unknown // the Domain union itself (a schema not yet inferred): not expanded, which would never end
  : D extends Scalar | OneSlotValue ? PlainOf<D>
  : D extends ArrayD<infer E> ? (E extends Scalar | OneSlotValue ? ScalarArrayView<PlainOf<E>> : WritableRecordArrayView<ViewOf<E>, PlainOf<E>>)
  : D extends MapD<infer K, infer E> ? MapView<KeyOf<K>, ElementOf<E, false>, PlainOf<E>>
  : D extends RecordD<infer F> ? RecordView<F>
  : D extends SetD<infer E> ? SetView<PlainOf<E>>
  : D extends ListD<infer E> ? ListView<PlainOf<E>>
  : never;
// Scalars, records and one-slot values are assignable (a record stored whole, `n.rec = { a: 1, b: true }` or
// `n.rec = s.rec`, is checked and copied); arrays, sets, lists and maps are written through their views.
type Assignable = Scalar | OneSlotValue | RecordD<Record<string, Domain>>;
type RecordView<F> = { -readonly [K in keyof F as F[K] extends Assignable ? K : never]: ViewOf<F[K]> } & { readonly [K in keyof F as F[K] extends Assignable ? never : K]: ViewOf<F[K]> };

/** The read-only view of a domain (the state `s`, and what properties receive). */
export type ReadonlyViewOf<D> =
  0 extends 1 & D ? any // an untyped model (any) stays untyped, and its types stay shallow
  : Domain extends D ? unknown // the Domain union itself (a schema not yet inferred): not expanded, which would never end
  : D extends Scalar | OneSlotValue ? PlainOf<D>
  : D extends ArrayD<infer E> ? (E extends Scalar | OneSlotValue ? ReadonlyScalarArrayView<PlainOf<E>> : RecordArrayView<ReadonlyViewOf<E>>)
  : D extends MapD<infer K, infer E> ? ReadonlyMapView<KeyOf<K>, ElementOf<E, true>>
  : D extends RecordD<infer F> ? { readonly [K in keyof F]: ReadonlyViewOf<F[K]> }
  : D extends SetD<infer E> ? ReadonlySetView<PlainOf<E>>
  : D extends ListD<infer E> ? ReadonlyListView<PlainOf<E>>
  : never;

/** The successor's view of a state schema (what an effect writes: `n`). */
export type StateView<S extends Record<string, Domain>> = RecordView<S>;
/** The read-only view of a state schema: `s` in guards and effects, and the state every property receives. */
export type ReadonlyStateView<S extends Record<string, Domain>> = { readonly [K in keyof S]: ReadonlyViewOf<S[K]> };

/** The plain-JS value of a domain, as init states are written, compound values are read, and traces are printed. */
export type PlainOf<D> =
  0 extends 1 & D ? any // an untyped model (any) stays untyped, and its types stay shallow
  : Domain extends D ? unknown // the Domain union itself (a schema not yet inferred): not expanded, which would never end
  : D extends Scalar ? ScalarValue<D>
  : D extends TupleD<infer T> ? { readonly [I in keyof T]: PlainOf<T[I]> }
  : D extends OptionalD<infer E> ? PlainOf<E> | null
  : D extends OneOfD<infer T> ? PlainOf<T[number]>
  : D extends ArrayD<infer E> ? readonly PlainOf<E>[]
  // A map: an object keyed by its keys' names (as values are read and printed), or an array in key order (as init may write it).
  : D extends MapD<infer K, infer E> ? (K extends EnumD<infer N> ? { readonly [P in N]: PlainOf<E> } : { readonly [k: number]: PlainOf<E> }) | readonly PlainOf<E>[]
  : D extends RecordD<infer F> ? { readonly [K in keyof F]: PlainOf<F[K]> }
  : D extends SetD<infer E> ? readonly PlainOf<E>[]
  : D extends ListD<infer E> ? readonly PlainOf<E>[]
  : never;
export type PlainState<S extends Record<string, Domain>> = { readonly [K in keyof S]: PlainOf<S[K]> };
