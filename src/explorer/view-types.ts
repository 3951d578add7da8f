// The TypeScript types of state views: what a model's code sees of a state.
//
// A model gets two views of a step: `s`, the state being expanded, read-only
// (properties, guards and effects read it), and `n`, the successor, which an
// effect writes. The types follow the schema, so an enum value outside its
// enum, a write to `s`, or a write to a field the state does not have is a
// compile error; the engine checks the same at run time for plain JavaScript
// models.
import type { ArrayD, BoolD, Domain, EnumD, IntD, ListD, RecordD, SetD } from './schema.js';

type Scalar = BoolD | IntD | EnumD<string>;

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
/** An array of records (or of arrays, sets, lists): element views by index. */
export interface RecordArrayView<V> {
  readonly length: number;
  /** The view of element i (a cached object: do not keep it across steps). */
  at(i: number): V;
}
/** A set of small integers 0..universe-1 as `s` sees it. */
export interface ReadonlySetView {
  readonly universe: number;
  has(x: number): boolean;
  readonly size: number;
  /** The raw bitmask (bit x set when x is in the set). */
  readonly bits: number;
  toArray(): number[];
}
/** A set as the successor `n` has it. */
export interface SetView extends ReadonlySetView {
  add(x: number): void;
  delete(x: number): void;
  clear(): void;
  /** The raw bitmask (bit x set when x is in the set). */
  bits: number;
}
/** A bounded FIFO list as `s` sees it. */
export interface ReadonlyListView<T> {
  readonly length: number;
  readonly maxLength: number;
  get(i: number): T;
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

/**
 * The writable view of a domain (the successor `n`). Scalar and record fields are assignable;
 * arrays, sets and lists are written through their views.
 */
export type ViewOf<D> =
  D extends Scalar ? ScalarValue<D>
  : D extends ArrayD<infer E> ? (E extends Scalar ? ScalarArrayView<ScalarValue<E>> : RecordArrayView<ViewOf<E>>)
  : D extends RecordD<infer F> ? RecordView<F>
  : D extends SetD ? SetView
  : D extends ListD<infer E> ? ListView<ScalarValue<E>>
  : never;
// Scalars and records are assignable (a record stored whole, `n.rec = { a: 1, b: true }` or `n.rec = s.rec`,
// is checked and copied); arrays, sets and lists are written through their views.
type Assignable = Scalar | RecordD<Record<string, Domain>>;
type RecordView<F> = { -readonly [K in keyof F as F[K] extends Assignable ? K : never]: ViewOf<F[K]> } & { readonly [K in keyof F as F[K] extends Assignable ? never : K]: ViewOf<F[K]> };

/** The read-only view of a domain (the state `s`, and what properties receive). */
export type ReadonlyViewOf<D> =
  D extends Scalar ? ScalarValue<D>
  : D extends ArrayD<infer E> ? (E extends Scalar ? ReadonlyScalarArrayView<ScalarValue<E>> : RecordArrayView<ReadonlyViewOf<E>>)
  : D extends RecordD<infer F> ? { readonly [K in keyof F]: ReadonlyViewOf<F[K]> }
  : D extends SetD ? ReadonlySetView
  : D extends ListD<infer E> ? ReadonlyListView<ScalarValue<E>>
  : never;

/** The successor's view of a state schema (what an effect writes: `n`). */
export type StateView<S extends Record<string, Domain>> = RecordView<S>;
/** The read-only view of a state schema: `s` in guards and effects, and the state every property receives. */
export type ReadonlyStateView<S extends Record<string, Domain>> = { readonly [K in keyof S]: ReadonlyViewOf<S[K]> };

/** The plain-JS value of a domain, as init states are written and traces are printed. */
export type PlainOf<D> =
  D extends Scalar ? ScalarValue<D>
  : D extends ArrayD<infer E> ? readonly PlainOf<E>[]
  : D extends RecordD<infer F> ? { readonly [K in keyof F]: PlainOf<F[K]> }
  : D extends SetD ? readonly number[]
  : D extends ListD<infer E> ? readonly ScalarValue<E>[]
  : never;
export type PlainState<S extends Record<string, Domain>> = { readonly [K in keyof S]: PlainOf<S[K]> };
