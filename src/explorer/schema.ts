// State schemas compiled to a flat layout of int32 slots, and packed to words.
//
// The domains are in domains.ts, the rank encoding of values in codec.ts,
// plain values <-> slots in values.ts, and the views a model's code reads and
// writes a state through in views.ts; this file lays a schema out in slots,
// packs a state (what the engine hashes and stores) and names its fields.
import { codecOf, formatValue } from './codec.js';
import { describeDomain, record, DomainError, SchemaError, type Domain, type RecordD } from './domains.js';
import { buildViewFactory, type ViewRoot } from './views.js';
import { decodeValue, encodeValue, isOneSlot, keyNames, slotCodecOf, widthOf } from './values.js';

export * from './domains.js';
export { showValue, kindOf, thrownMessage } from './messages.js';
export { ViewError, type ViewRoot } from './views.js';
export { encodeValue, decodeValue, widthOf } from './values.js';
export { formatValue, codecOf, type Codec } from './codec.js';
// The view types (ViewOf, StateView, ReadonlyStateView, PlainState, ...) are in view-types.ts.
export type * from './view-types.js';

// ---------- layout ----------

/**
 * One leaf of the layout, at a fixed slot range: a value in one slot (a scalar, tuple, optional or union),
 * a set (its bitset) or a list (its length, elements and spare slot). Records, arrays and maps are not
 * leaves: their fields, elements and entries are.
 */
export interface Leaf {
  readonly path: string;
  readonly domain: Domain;
  readonly offset: number;
  readonly width: number;
}

export interface Layout {
  readonly schema: RecordD<Record<string, Domain>>;
  readonly slots: number;
  readonly leaves: readonly Leaf[];
  /** Per slot: inclusive bounds, and the leaf it belongs to (for domain errors). */
  readonly slotMin: Int32Array;
  readonly slotMax: Int32Array;
  readonly slotLeaf: Int32Array;
  /** Makes a read-only view over a root (the state s; what properties, policies and constraints read); sub-views are created here, once. */
  makeView(root: ViewRoot): any;
  /** Makes a writable view over a root (the successor n). */
  makeWritableView(root: ViewRoot): any;
  /** Words of a packed state: each slot takes the bits of its domain, (value - min), no slot straddles two words. */
  readonly words: number;
  /** Packs slots into words; false (nothing written past the bad slot) when a slot is outside its domain. */
  pack(src: Int32Array, so: number, dst: Int32Array, dof: number): boolean;
  unpack(src: Int32Array, so: number, dst: Int32Array, dof: number): void;
  /** Copies the slots of a state (straight-line code for small states: the successor starts as a copy). */
  copy(src: Int32Array, so: number, dst: Int32Array, dof: number): void;
}

/** Field names: identifiers not starting with '$' (views keep their own bookkeeping in $-properties). */
const IDENT = /^[A-Za-z_][A-Za-z0-9_$]*$/;

export function compileLayout(fields: Record<string, Domain>): Layout {
  const schema = record(fields);
  const leaves: Leaf[] = [];
  let slots = 0;
  const walk = (d: Domain, path: string): void => {
    if (isOneSlot(d) || d.kind === 'set' || d.kind === 'list') {
      if (d.kind === 'list') slotCodecOf(d.of, `${path}[]`); else if (d.kind !== 'set') slotCodecOf(d, path); // a value too large for a slot fails here, named
      const width = widthOf(d);
      leaves.push({ path, domain: d, offset: slots, width }); slots += width; return;
    }
    switch (d.kind) {
      case 'array': for (let i = 0; i < d.length; i++) walk(d.of, `${path}[${i}]`); return;
      case 'map': for (const k of keyNames(d.keys)) walk(d.of, `${path}[${k}]`); return;
      case 'record':
        for (const [k, f] of Object.entries(d.fields)) {
          if (!IDENT.test(k)) throw new SchemaError(`field name '${k}' is not an identifier (letters, digits, _ and $, not starting with a digit or $)`);
          walk(f, path ? `${path}.${k}` : k);
        }
        return;
      default:
        throw new SchemaError(`unknown domain ${JSON.stringify(d)}`);
    }
  };
  walk(schema, '');
  const slotMin = new Int32Array(slots), slotMax = new Int32Array(slots), slotLeaf = new Int32Array(slots);
  leaves.forEach((leaf, li) => {
    const d = leaf.domain, o = leaf.offset;
    slotLeaf.fill(li, o, o + leaf.width);
    if (d.kind === 'set') {
      for (let k = 0; k < leaf.width; k++) { const m = Math.min(31, d.size - 31 * k); slotMin[o + k] = 0; slotMax[o + k] = m === 31 ? 0x7fffffff : (1 << m) - 1; }
    } else if (d.kind === 'list') {
      const el = slotCodecOf(d.of);
      slotMin[o] = 0; slotMax[o] = d.maxLength;
      for (let k = 1; k <= d.maxLength; k++) { slotMin[o + k] = el.lo; slotMax[o + k] = el.hi; }
      slotMin[o + d.maxLength + 1] = el.lo; slotMax[o + d.maxLength + 1] = el.lo; // the spare slot: zero bits
    } else {
      const c = slotCodecOf(d);
      slotMin[o] = c.lo; slotMax[o] = c.hi;
    }
  });
  const views = buildViewFactory(schema);
  const packing = buildPacking(slotMin, slotMax);
  return { schema, slots, leaves, slotMin, slotMax, slotLeaf, makeView: views.ro, makeWritableView: views.rw, ...packing };
}

/**
 * Generated pack/unpack for a layout. Packing is what the engine hashes and
 * stores (bakery.5: 20 slots in 2 words), and it doubles as the domain check:
 * (value - min) as unsigned must not exceed (max - min).
 */
function buildPacking(min: Int32Array, max: Int32Array): Pick<Layout, 'words' | 'pack' | 'unpack' | 'copy'> {
  const n = min.length;
  const packCode: string[] = [], unpackCode: string[] = [];
  let word = 0, bit = 0, started = false;
  for (let k = 0; k < n; k++) {
    const range = max[k]! - min[k]!; // fits in 32 bits unsigned for every domain the schema allows
    const bits = range === 0 ? 0 : 32 - Math.clz32(range);
    if (bit + bits > 32) { packCode.push(`d[o + ${word}] = acc;`); word++; bit = 0; started = false; }
    const lo = min[k]!;
    packCode.push(`x = (s[i + ${k}] - (${lo})) >>> 0; if (x > ${range >>> 0}) return false;`);
    packCode.push(started ? `acc |= x << ${bit};` : `acc = x${bit ? ` << ${bit}` : ''};`);
    started = true;
    const mask = bits === 32 ? '0xffffffff' : `${(2 ** bits - 1) >>> 0}`;
    unpackCode.push(`t[j + ${k}] = (((w[p + ${word}] >>> ${bit}) & ${mask}) + (${lo})) | 0;`);
    bit += bits;
  }
  const words = n === 0 ? 1 : word + 1;
  packCode.push(`d[o + ${word}] = ${n === 0 ? 0 : 'acc'};`);
  // eslint-disable-next-line no-new-func
  const pack = new Function('s', 'i', 'd', 'o', `let x = 0, acc = 0;\n${packCode.join('\n')}\nreturn true;`) as Layout['pack'];
  // eslint-disable-next-line no-new-func
  const unpack = new Function('w', 'p', 't', 'j', unpackCode.join('\n')) as Layout['unpack'];
  const copyBody = n <= 64 ? Array.from({ length: n }, (_, k) => `d[o + ${k}] = s[i + ${k}];`).join('\n') : `for (let k = 0; k < ${n}; k++) d[o + k] = s[i + k];`;
  // eslint-disable-next-line no-new-func
  const copy = new Function('s', 'i', 'd', 'o', copyBody) as Layout['copy'];
  return { words, pack, unpack, copy };
}

export function encodeState(layout: Layout, plain: Record<string, unknown>, out: Int32Array, off: number): void {
  encodeValue(layout.schema, plain, '', out, off);
}

export function decodeState(layout: Layout, buf: Int32Array, off: number): Record<string, unknown> {
  return decodeValue(layout.schema, buf, off) as Record<string, unknown>;
}

/** The printed value of one leaf: a scalar as itself, a set as {r1, r2}, a tuple as <<0, d1>>, a list as [a, b], null. */
export function formatLeaf(leaf: Leaf, buf: Int32Array, off: number): string {
  const d = leaf.domain;
  try { return formatValue(d, decodeValue(d, buf, off + leaf.offset)); } catch {
    return `<invalid: ${Array.from(buf.subarray(off + leaf.offset, off + leaf.offset + leaf.width)).join(',')}>`; // a bad successor shown in a trace
  }
}

/** Checks every slot against its domain; returns the index of the first bad slot, or -1. */
export function firstOutOfDomain(layout: Layout, buf: Int32Array, off: number): number {
  const lo = layout.slotMin, hi = layout.slotMax, n = layout.slots;
  for (let k = 0; k < n; k++) {
    const x = buf[off + k]!;
    if (x < lo[k]! || x > hi[k]!) return k;
  }
  return -1;
}

/**
 * What a `when` tests at a field named by its path ('P[2].loc', 'ctl[p1]', as traces print it): the slot and the
 * encodings of the values it may hold. An array given for a field whose values are not arrays lists the values
 * it may hold (`{ 'ctl[p1]': ['busy', 'waiting'] }`). Throws DomainError.
 */
export function whenSlot(layout: Layout, path: string, value: unknown): { slot: number; values: number[] } {
  const leaf = layout.leaves.find((l) => l.path === path);
  if (leaf === undefined) {
    const near = layout.leaves.filter((l) => l.path.split(/[.[]/)[0] === path.split(/[.[]/)[0]).slice(0, 4).map((l) => l.path);
    throw new DomainError(`'${path}' is not a field of the state${near.length ? ` (fields like it: ${near.join(', ')})` : ''}`, path);
  }
  if (!isOneSlot(leaf.domain)) throw new DomainError(`'${path}' is a ${leaf.domain.kind}, not a value a when can test (bool, int, enum, tuple, optional or oneOf)`, path);
  const c = slotCodecOf(leaf.domain);
  const alternatives = Array.isArray(value) && codecOf(leaf.domain).rank(value) < 0;
  if (alternatives && (value as unknown[]).length === 0) throw new DomainError(`'${path}': an empty list of values can never hold`, path);
  return { slot: leaf.offset, values: alternatives ? [...new Set((value as unknown[]).map((v) => c.enc(v, path)))] : [c.enc(value, path)] };
}

export function describeOutOfDomain(layout: Layout, buf: Int32Array, off: number, slot: number): DomainError {
  const leaf = layout.leaves[layout.slotLeaf[slot]!]!;
  const x = buf[off + slot]!;
  const d = leaf.domain;
  if (d.kind === 'list' && slot === leaf.offset) {
    return new DomainError(x === d.maxLength + 1 ? `${leaf.path}: push onto a full list (maxLength ${d.maxLength})` : `${leaf.path}: list length ${x} outside 0..${d.maxLength}`, leaf.path);
  }
  const what = d.kind === 'int' ? `outside ${d.min}..${d.max}` : d.kind === 'list' ? `an element outside ${describeDomain(d.of)}` : d.kind === 'bool' ? 'not a boolean (set it with true/false)'
    : d.kind === 'enum' ? 'not a valid enum index' : d.kind === 'set' ? 'set member outside the universe' : `not the rank of a value of ${describeDomain(d)}`;
  const shown = d.kind === 'int' || d.kind === 'list' ? String(x) : JSON.stringify(x);
  return new DomainError(`${leaf.path} = ${shown} is ${what}`, leaf.path);
}
