// Plain values <-> slots (the cold path: initial states, traces, replay, whole-value stores).
//
// Where a domain sits in the layout decides its slots: records, arrays and
// maps are laid out field by field (views read their scalars in place); a
// set is a bitset over its domain's ranks, 31 bits per slot; a list is a
// length slot, its element slots and one spare slot (a push past the bound
// lands there, so the state constraint can see the overflow before it is an
// error); any other value (a scalar, a tuple, an optional, a union, and
// every set member or list element) takes one slot.
import { codecOf, explainNotIn, scalarBounds, plainOf, toPlain } from './codec.js';
import { describeDomain, isScalar, DomainError, SchemaError, type Domain, type KeyDomain, type MapD, type Scalar } from './domains.js';
import { shownAs, showValue } from './messages.js';

/** How a value sits in one slot: its bounds and its encoding. */
export interface SlotCodec {
  readonly lo: number;
  readonly hi: number;
  /** The slot value; throws DomainError naming `path` when v is not a value of the domain. */
  enc(v: unknown, path: string): number;
  /** The slot value, or undefined when v is not a value of the domain (views write with it, and build a path only for enc's error). */
  tryEnc(v: unknown): number | undefined;
  dec(x: number): unknown;
}

const slotCodecs = new WeakMap<Domain, SlotCodec>();

/** The one-slot encoding of a domain: scalars as themselves (bools 0/1, enums by index), anything else by rank. */
export function slotCodecOf(d: Domain, path = ''): SlotCodec {
  let c = slotCodecs.get(d);
  if (c !== undefined) return c;
  if (isScalar(d)) {
    const [lo, hi] = scalarBounds(d);
    const rank = codecOf(d).rank;
    c = { lo, hi, enc: (v, p) => encodeScalar(d, v, p), tryEnc: (v) => { const r = rank(v); return r < 0 ? undefined : r + lo; }, dec: (x) => decodeScalar(d, x) };
  } else {
    const codec = codecOf(d);
    if (codec.card > 2 ** 31 - 1) throw new SchemaError(`${path || 'a value'}: ${describeDomain(d)} has ${codec.card === Infinity ? 'too many' : codec.card} values; a value kept in one slot (a tuple, optional or union field, a set member, a list element) may have at most 2^31 - 1`);
    c = {
      lo: 0, hi: codec.card - 1,
      enc: (v, p) => { const r = codec.rank(v); if (r < 0) { const e = explainNotIn(d, v, p); throw new DomainError(e.message, e.field); } return r; },
      tryEnc: (v) => { const r = codec.rank(v); return r < 0 ? undefined : r; },
      dec: (x) => codec.value(x),
    };
  }
  slotCodecs.set(d, c);
  return c;
}

/** Domains kept in one slot where they appear as a field or an element of an array or map. */
export const isOneSlot = (d: Domain): boolean => isScalar(d) || d.kind === 'tuple' || d.kind === 'optional' || d.kind === 'oneOf';

/** Slots of a set's bitset: 31 members per slot (bit 31 would make the slot negative). */
export const setWords = (size: number): number => Math.max(1, Math.ceil(size / 31));

export function widthOf(d: Domain): number {
  switch (d.kind) {
    case 'set': return setWords(d.size);
    case 'list': return 2 + d.maxLength;
    case 'array': return d.length * widthOf(d.of);
    case 'map': return codecOf(d.keys).card * widthOf(d.of);
    case 'record': return Object.values(d.fields).reduce((a, f) => a + widthOf(f), 0);
    default: return 1;
  }
}

/** The names of a map's keys, in rank order ('p1', or '1' for int keys): how paths and plain values name its entries. */
export function keyNames(d: Domain): string[] {
  const kc = codecOf(d);
  return Array.from({ length: kc.card }, (_, i) => String(kc.value(i)));
}

/** Encodes the plain value `v` of domain `d` into out[at..]; throws DomainError (naming the field) on any value outside it. */
export function encodeValue(d: Domain, v: unknown, path: string, out: Int32Array, at: number): void {
  v = plainOf(v);
  if (isOneSlot(d)) { out[at] = slotCodecOf(d).enc(v, path); return; }
  switch (d.kind) {
    case 'set': {
      if (!Array.isArray(v)) throw new DomainError(`${path} := ${shownAs(v, 'an array')} is not an array of set members`, path);
      const of = codecOf(d.of), words = setWords(d.size);
      for (let k = 0; k < words; k++) out[at + k] = 0;
      for (const x of v) {
        const r = of.rank(x);
        if (r < 0) throw new DomainError(memberProblem(d.of, x, path), path);
        out[at + ((r / 31) | 0)]! |= 1 << r % 31;
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(v) || v.length > d.maxLength) throw new DomainError(`${path} := ${shownAs(v, 'an array')} is not a list of at most ${d.maxLength}`, path);
      const el = slotCodecOf(d.of);
      const enc = v.map((x, i) => el.enc(x, `${path}[${i}]`)); // all checked before any slot is written
      out[at] = v.length;
      for (let i = 0; i <= d.maxLength; i++) out[at + 1 + i] = i < enc.length ? enc[i]! : el.lo;
      return;
    }
    case 'array': case 'map': {
      const names = d.kind === 'map' ? keyNames(d.keys) : null, n = names ? names.length : (d as { length: number }).length;
      const w = widthOf(d.of);
      if (Array.isArray(v)) {
        if (v.length !== n) throw new DomainError(`${path} := ${shownAs(v, 'an array')} is not an array of length ${n}`, path);
        v.forEach((x, i) => encodeValue(d.of, x, `${path}[${names ? names[i] : i}]`, out, at + i * w));
        return;
      }
      if (names === null || typeof v !== 'object' || v === null) throw new DomainError(`${path} := ${shownAs(v, names ? 'an object' : 'an array')} is not ${names ? `a map keyed by ${names.join(', ')}` : `an array of length ${n}`}`, path);
      const extra = Object.keys(v).filter((k) => !names.includes(k));
      if (extra.length) throw new DomainError(`${path} has keys not in ${describeDomain((d as MapD<KeyDomain, Domain>).keys)}: ${extra.join(', ')}`, `${path}[${extra[0]!}]`);
      names.forEach((k, i) => {
        if (!Object.hasOwn(v as object, k)) throw new DomainError(`${path}[${k}] is missing`, `${path}[${k}]`);
        encodeValue(d.of, (v as Record<string, unknown>)[k], `${path}[${k}]`, out, at + i * w);
      });
      return;
    }
    case 'record': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new DomainError(`${path || 'state'} := ${shownAs(v, 'an object')} is not a record`, path);
      const extra = Object.keys(v).filter((k) => !Object.hasOwn(d.fields, k));
      if (extra.length) throw new DomainError(`${path || 'state'} has fields not in the schema: ${extra.join(', ')}`, path ? `${path}.${extra[0]!}` : extra[0]!);
      let o = at;
      for (const [k, f] of Object.entries(d.fields)) {
        const p = path ? `${path}.${k}` : k;
        if (!(k in v)) throw new DomainError(`${p} is missing`, p);
        encodeValue(f, (v as Record<string, unknown>)[k], p, out, o);
        o += widthOf(f);
      }
      return;
    }
    default: // a domain kind added without its encoding: an error, never a value left unwritten
      throw new DomainError(`${path}: a value of kind '${(d as { kind: string }).kind}' cannot be stored whole`, path);
  }
}

/** The plain value of domain `d` at buf[at..]. */
export function decodeValue(d: Domain, buf: Int32Array, at: number): unknown {
  if (isOneSlot(d)) return toPlain(slotCodecOf(d).dec(buf[at]!));
  switch (d.kind) {
    case 'set': {
      const of = codecOf(d.of), out: unknown[] = [];
      for (let r = 0; r < d.size; r++) if (buf[at + ((r / 31) | 0)]! & (1 << r % 31)) out.push(toPlain(of.value(r)));
      return out;
    }
    case 'list': { const el = slotCodecOf(d.of); return Array.from({ length: Math.min(buf[at]!, d.maxLength + 1) }, (_, i) => toPlain(el.dec(buf[at + 1 + i]!))); }
    case 'array': { const w = widthOf(d.of); return Array.from({ length: d.length }, (_, i) => decodeValue(d.of, buf, at + i * w)); }
    case 'map': {
      const w = widthOf(d.of), o: Record<string, unknown> = {};
      keyNames(d.keys).forEach((k, i) => { o[k] = decodeValue(d.of, buf, at + i * w); });
      return o;
    }
    case 'record': {
      const o: Record<string, unknown> = {};
      let p = at;
      for (const [k, f] of Object.entries(d.fields)) { o[k] = decodeValue(f, buf, p); p += widthOf(f); }
      return o;
    }
    default: throw new Error(`unreachable: ${d.kind}`);
  }
}

/** Where storeValue encodes a value before copying it in (grown as needed; encodeValue never stores, so one buffer serves every call). */
let storeScratch = new Int32Array(64);

/** Stores a whole value into a compound field of a successor: encoded aside first, so a bad value leaves the field as it was. */
export function storeValue(d: Domain, w: number, v: unknown, path: string, r: { b: Int32Array; o: number }, base: number): void {
  if (w > storeScratch.length) storeScratch = new Int32Array(w);
  encodeValue(d, v, path, storeScratch, 0);
  const b = r.b, at = r.o + base;
  for (let k = 0; k < w; k++) b[at + k] = storeScratch[k]!;
}

export function encodeScalar(d: Scalar, v: unknown, path: string): number {
  switch (d.kind) {
    case 'bool':
      if (typeof v !== 'boolean') throw new DomainError(`${path} := ${shownAs(v, 'a boolean')} is not a boolean`, path);
      return v ? 1 : 0;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < d.min || v > d.max) throw new DomainError(explainNotIn(d, v, path).message, path);
      return v;
    case 'enum': {
      const i = d.values.indexOf(v as string);
      if (i < 0) throw new DomainError(`${path} := ${shownAs(v, 'a string')} is not one of {${d.values.join(', ')}}`, path);
      return i;
    }
  }
}

export function decodeScalar(d: Scalar, x: number): boolean | number | string {
  switch (d.kind) {
    case 'bool': return x !== 0;
    case 'int': return x;
    case 'enum': return d.values[x] ?? `<invalid ${x}>`;
  }
}

/** Why x cannot be a member of a set over `of` at `path`: an int outside its range, or the innermost part of a compound member at fault. */
export function memberProblem(of: Domain, x: unknown, path: string): string {
  if (of.kind === 'int') return `${path}: element ${shownAs(x, 'a number')} outside ${of.min}..${of.max}`;
  if (isScalar(of)) return `${path}: element ${explainNotIn(of, x, '').message.replace(/^ := /, '')}`;
  return `${path}: element ${showValue(x)} cannot be a member (${explainNotIn(of, x, 'element').message})`;
}
