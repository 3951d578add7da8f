// The value domains a state schema is built from: small finite sets of values.
//
// Scalars (bool, int, enumOf) and compounds (record, array, tuple, optional,
// oneOf, setOf, list, mapOf) nest freely. The schema compiles them to int32
// slots (schema.ts); a compound stored whole in one slot, a set member or a
// list element is numbered by its rank in the domain (codec.ts).

export type Domain =
  | BoolD | IntD | EnumD<string>
  | ArrayD<Domain> | RecordD<Record<string, Domain>> | TupleD<readonly Domain[]>
  | OptionalD<Domain> | OneOfD<readonly Domain[]>
  | SetD<Domain> | ListD<Domain> | MapD<KeyDomain, Domain>;

export interface BoolD { readonly kind: 'bool' }
export interface IntD { readonly kind: 'int'; readonly min: number; readonly max: number }
export interface EnumD<E extends string> {
  readonly kind: 'enum'; readonly values: readonly E[];
  /** Set by scalarset(): the values are interchangeable identities of this name. */
  readonly scalarset?: string;
}
export interface ArrayD<D extends Domain> { readonly kind: 'array'; readonly length: number; readonly of: D }
export interface RecordD<F extends Record<string, Domain>> { readonly kind: 'record'; readonly fields: F }
/** A fixed-length tuple; its values are JS arrays (`[0, 'd1']`), printed `<<0, d1>>`. */
export interface TupleD<T extends readonly Domain[]> { readonly kind: 'tuple'; readonly items: T }
/** A value of `of`, or null. */
export interface OptionalD<D extends Domain> { readonly kind: 'optional'; readonly of: D }
/** A union: a value belongs to the first alternative that accepts it (alternatives must not overlap). */
export interface OneOfD<T extends readonly Domain[]> { readonly kind: 'oneOf'; readonly alts: T }
/** A set of values of `of` (a bitset over its values: `size` bits). */
export interface SetD<D extends Domain = IntD> { readonly kind: 'set'; readonly of: D; readonly size: number }
/** A bounded FIFO list of values of `of`. */
export interface ListD<D extends Domain> { readonly kind: 'list'; readonly maxLength: number; readonly of: D }
/** A function from a finite key domain (enum values or an int range) to values of `of`. */
export interface MapD<K extends KeyDomain, D extends Domain> { readonly kind: 'map'; readonly keys: K; readonly of: D }
export type KeyDomain = IntD | EnumD<string>;

export type Scalar = BoolD | IntD | EnumD<string>;
export function isScalar(d: Domain): d is Scalar { return d.kind === 'bool' || d.kind === 'int' || d.kind === 'enum'; }

/** A bad schema declaration (reported as a model error, exit 3). */
export class SchemaError extends Error {}
/** A value left its declared domain, or an index left its array. Reported as a model error (exit 3). */
export class DomainError extends Error {
  constructor(message: string, readonly field: string) { super(message); }
}

/** The most members a set may have room for (a bitset of this many bits, in 31-bit slots). */
export const MAX_SET_UNIVERSE = 65536;

const isDomain = (x: unknown): x is Domain => typeof x === 'object' && x !== null && typeof (x as { kind?: unknown }).kind === 'string'
  && ['bool', 'int', 'enum', 'array', 'record', 'tuple', 'optional', 'oneOf', 'set', 'list', 'map'].includes((x as { kind: string }).kind);
export { isDomain };
const needDomain = (who: string, x: unknown): void => {
  if (!isDomain(x)) throw new SchemaError(`${who}: ${x === undefined ? 'a domain is missing' : `${typeof x === 'object' ? JSON.stringify(x) : String(x)} is not a domain (bool(), int(a, b), enumOf([...]), record({...}), ...)`}`);
};

export const bool = (): BoolD => ({ kind: 'bool' });
export const int = (min: number, max: number): IntD => {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max || min < -(2 ** 31) || max > 2 ** 31 - 1) throw new SchemaError(`int(${min}, ${max}) is not a valid range of 32-bit integers`);
  return { kind: 'int', min, max };
};
export const enumOf = <const E extends string>(values: readonly E[]): EnumD<E> => {
  if (!Array.isArray(values) || values.length === 0 || new Set(values).size !== values.length || values.some((v) => typeof v !== 'string')) throw new SchemaError(`enumOf needs distinct strings, got [${Array.isArray(values) ? values.join(', ') : String(values)}]`);
  return { kind: 'enum', values };
};
/** TLA+'s model values: `modelValues('r', 3)` is enumOf(['r1', 'r2', 'r3']), so traces print r1, not 0. */
export const modelValues = <const P extends string>(prefix: P, n: number): EnumD<`${P}${number}`> => {
  if (!Number.isInteger(n) || n < 1) throw new SchemaError(`modelValues('${prefix}', ${n}): the count must be a positive integer`);
  // Interned (a property key is): a built string is not, and === between two equal strings that are not interned
  // compares their characters, where views, codecs and models compare these values in every guard.
  return enumOf(Array.from({ length: n }, (_, i) => Object.keys({ [`${prefix}${i + 1}`]: 0 })[0] as `${P}${number}`));
};
/**
 * Interchangeable identities (Murphi's scalarsets, TLC's symmetry sets): `scalarset('p', 3)` has the values
 * p1, p2, p3, as modelValues does, and declares that permuting them (in every field, map key, set member
 * and action argument at once) maps behaviours to behaviours. The search then stores one state per orbit
 * (see symmetry.ts). Use it as a map's keys (`mapOf(P, ...)`) and as values; never single one out.
 */
export const scalarset = <const P extends string>(name: P, n: number): EnumD<`${P}${number}`> & { readonly scalarset: P } => {
  if (!Number.isInteger(n) || n < 1) throw new SchemaError(`scalarset('${name}', ${n}): the count must be a positive integer`);
  return { ...modelValues(name, n), scalarset: name };
};
export const array = <D extends Domain>(length: number, of: D): ArrayD<D> => {
  if (!Number.isInteger(length) || length < 0) throw new SchemaError(`array length ${length} is not a natural number`);
  needDomain(`array(${length}, ...)`, of);
  return { kind: 'array', length, of };
};
export const record = <F extends Record<string, Domain>>(fields: F): RecordD<F> => {
  for (const [k, f] of Object.entries(fields ?? {})) needDomain(`record field '${k}'`, f);
  return { kind: 'record', fields };
};
export const tuple = <const T extends readonly Domain[]>(items: T): TupleD<T> => {
  if (!Array.isArray(items) || items.length === 0) throw new SchemaError('tuple([...]) needs at least one item domain');
  items.forEach((d, i) => needDomain(`tuple item ${i}`, d));
  return { kind: 'tuple', items };
};
export const optional = <D extends Domain>(of: D): OptionalD<D> => {
  needDomain('optional(...)', of);
  if (holdsNull(of)) throw new SchemaError(`optional(${describeDomain(of)}): its domain already holds null, which would then be two values`);
  return { kind: 'optional', of };
};
export const oneOf = <const T extends readonly Domain[]>(...alts: T): OneOfD<T> => {
  if (alts.length === 0) throw new SchemaError('oneOf(...) needs at least one alternative');
  alts.forEach((d, i) => needDomain(`oneOf alternative ${i + 1}`, d));
  for (let i = 0; i < alts.length; i++) for (let j = i + 1; j < alts.length; j++) {
    if (mayOverlap(alts[i]!, alts[j]!)) throw new SchemaError(`oneOf: alternatives ${i + 1} (${describeDomain(alts[i]!)}) and ${j + 1} (${describeDomain(alts[j]!)}) cannot be told apart (a value may belong to both); give records a distinguishing field, such as type: enumOf(['A'])`);
  }
  return { kind: 'oneOf', alts };
};
/** `setOf(n)`: a set of the integers 0..n-1. `setOf(D)`: a set of values of any finite domain D. */
export function setOf(size: number): SetD<IntD>;
export function setOf<D extends Domain>(of: D): SetD<D>;
export function setOf(x: number | Domain): SetD<Domain> {
  if (typeof x === 'number') {
    if (!Number.isInteger(x) || x < 1 || x > MAX_SET_UNIVERSE) throw new SchemaError(`setOf(${x}): size must be 1..${MAX_SET_UNIVERSE}`);
    return { kind: 'set', of: int(0, x - 1), size: x };
  }
  needDomain('setOf(...)', x);
  const size = cardinality(x);
  if (size > MAX_SET_UNIVERSE) throw new SchemaError(`setOf(${describeDomain(x)}): its domain has ${size > 1e15 ? 'too many' : size} values; a set may range over at most ${MAX_SET_UNIVERSE}`);
  return { kind: 'set', of: x, size };
}
export const list = <D extends Domain>(maxLength: number, of: D): ListD<D> => {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new SchemaError(`list(${maxLength}): maxLength must be >= 1`);
  needDomain(`list(${maxLength}, ...)`, of);
  return { kind: 'list', maxLength, of };
};
export const mapOf = <K extends KeyDomain, D extends Domain>(keys: K, of: D): MapD<K, D> => {
  if (!isDomain(keys) || (keys.kind !== 'int' && keys.kind !== 'enum')) throw new SchemaError('mapOf(keys, ...): the keys must be enumOf([...]) or int(a, b)');
  if (cardinality(keys) > 65536) throw new SchemaError(`mapOf(${describeDomain(keys)}, ...): at most 65536 keys`);
  needDomain('mapOf(keys, ...)', of);
  return { kind: 'map', keys, of };
};

/** How many values a domain has (Infinity past 2^53). */
export function cardinality(d: Domain): number {
  const cap = (x: number): number => (x > 2 ** 53 ? Infinity : x);
  switch (d.kind) {
    case 'bool': return 2;
    case 'int': return d.max - d.min + 1;
    case 'enum': return d.values.length;
    case 'record': return cap(Object.values(d.fields).reduce((a, f) => a * cardinality(f), 1));
    case 'tuple': return cap(d.items.reduce((a, f) => a * cardinality(f), 1));
    case 'array': return cap(cardinality(d.of) ** d.length);
    case 'map': return cap(cardinality(d.of) ** cardinality(d.keys));
    case 'optional': return cap(1 + cardinality(d.of));
    case 'oneOf': return cap(d.alts.reduce((a, f) => a + cardinality(f), 0));
    case 'set': return cap(2 ** d.size);
    case 'list': { const c = cardinality(d.of); let t = 0, p = 1; for (let k = 0; k <= d.maxLength; k++) { t += p; p *= c; } return cap(t); }
  }
}

/** A domain as a message names it: int(0, 3), enumOf(a, b), tuple(int(0, 1), bool). */
export function describeDomain(d: Domain): string {
  switch (d.kind) {
    case 'bool': return 'bool';
    case 'int': return `int(${d.min}, ${d.max})`;
    case 'enum': if (d.scalarset !== undefined) return `scalarset('${d.scalarset}', ${d.values.length})`;
      return `enumOf(${d.values.length <= 6 ? d.values.join(', ') : `${d.values.slice(0, 5).join(', ')}, ...`})`;
    case 'record': return `record{${Object.entries(d.fields).map(([k, f]) => `${k}: ${describeDomain(f)}`).join(', ')}}`;
    case 'tuple': return `tuple(${d.items.map(describeDomain).join(', ')})`;
    case 'array': return `array(${d.length}, ${describeDomain(d.of)})`;
    case 'map': return `mapOf(${describeDomain(d.keys)}, ${describeDomain(d.of)})`;
    case 'optional': return `optional(${describeDomain(d.of)})`;
    case 'oneOf': return `oneOf(${d.alts.map(describeDomain).join(', ')})`;
    case 'set': return `setOf(${describeDomain(d.of)})`;
    case 'list': return `list(${d.maxLength}, ${describeDomain(d.of)})`;
  }
}

/** Whether null is a value of the domain (an optional, or a union with one). */
const holdsNull = (d: Domain): boolean => plainKinds(d).includes('null');

/** The JavaScript kinds a domain's plain values take. */
function plainKinds(d: Domain): string[] {
  switch (d.kind) {
    case 'bool': return ['boolean'];
    case 'int': return ['number'];
    case 'enum': return ['string'];
    case 'record': case 'map': return ['object'];
    case 'tuple': case 'array': case 'set': case 'list': return ['array'];
    case 'optional': return ['null', ...plainKinds(d.of)];
    case 'oneOf': return d.alts.flatMap(plainKinds);
  }
}

/** Whether some plain value may belong to both domains (conservative: true unless they are told apart for sure). */
export function mayOverlap(a: Domain, b: Domain): boolean {
  if (a.kind === 'oneOf') return a.alts.some((x) => mayOverlap(x, b));
  if (b.kind === 'oneOf') return b.alts.some((x) => mayOverlap(a, x));
  if (a.kind === 'optional' || b.kind === 'optional') {
    if (a.kind === 'optional' && b.kind === 'optional') return true; // both hold null
    return a.kind === 'optional' ? mayOverlap(a.of, b) : mayOverlap(a, (b as OptionalD<Domain>).of);
  }
  const ka = plainKinds(a), kb = plainKinds(b);
  if (!ka.some((k) => kb.includes(k))) return false;
  if (a.kind === 'int' && b.kind === 'int') return a.min <= b.max && b.min <= a.max;
  if (a.kind === 'enum' && b.kind === 'enum') return a.values.some((v) => b.values.includes(v));
  if (a.kind === 'record' && b.kind === 'record') {
    const fa = Object.keys(a.fields), fb = Object.keys(b.fields);
    if (fa.length !== fb.length || fa.some((k) => !(k in b.fields))) return false; // a record has exactly its fields
    return fa.every((k) => mayOverlap(a.fields[k]!, b.fields[k]!));
  }
  if (a.kind === 'tuple' && b.kind === 'tuple') return a.items.length === b.items.length && a.items.every((x, i) => mayOverlap(x, b.items[i]!));
  return true;
}
