// State schemas: small finite domains, compiled to a flat layout of int32 slots.
//
// A state is a slice of an Int32Array. Models never see the slice: they read
// and write it through a *view*, an object whose accessors are generated once
// per schema (so the hot path does no per-state allocation and every property
// access is a monomorphic load at a constant offset).

export type Domain = BoolD | IntD | EnumD<string> | ArrayD<Domain> | RecordD<Record<string, Domain>> | SetD | ListD<Domain>;

export interface BoolD { readonly kind: 'bool' }
export interface IntD { readonly kind: 'int'; readonly min: number; readonly max: number }
export interface EnumD<E extends string> { readonly kind: 'enum'; readonly values: readonly E[] }
export interface ArrayD<D extends Domain> { readonly kind: 'array'; readonly length: number; readonly of: D }
export interface RecordD<F extends Record<string, Domain>> { readonly kind: 'record'; readonly fields: F }
/** A set of small integers 0..size-1 (a bitset in one slot, size <= 31). */
export interface SetD { readonly kind: 'set'; readonly size: number }
/** A bounded FIFO list: a length slot, then maxLength element slots (unused ones hold the element domain's least value, which packs to zero bits). */
export interface ListD<D extends Domain> { readonly kind: 'list'; readonly maxLength: number; readonly of: D }

export const bool = (): BoolD => ({ kind: 'bool' });
export const int = (min: number, max: number): IntD => {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min > max || min < -(2 ** 31) || max > 2 ** 31 - 1) throw new SchemaError(`int(${min}, ${max}) is not a valid range of 32-bit integers`);
  return { kind: 'int', min, max };
};
export const enumOf = <const E extends string>(values: readonly E[]): EnumD<E> => {
  if (values.length === 0 || new Set(values).size !== values.length) throw new SchemaError(`enumOf needs distinct values, got [${values.join(', ')}]`);
  return { kind: 'enum', values };
};
export const array = <D extends Domain>(length: number, of: D): ArrayD<D> => {
  if (!Number.isInteger(length) || length < 0) throw new SchemaError(`array length ${length} is not a natural number`);
  return { kind: 'array', length, of };
};
export const record = <F extends Record<string, Domain>>(fields: F): RecordD<F> => ({ kind: 'record', fields });
export const setOf = (size: number): SetD => {
  if (!Number.isInteger(size) || size < 1 || size > 31) throw new SchemaError(`setOf(${size}): size must be 1..31`);
  return { kind: 'set', size };
};
export const list = <D extends Domain>(maxLength: number, of: D): ListD<D> => {
  if (!Number.isInteger(maxLength) || maxLength < 1) throw new SchemaError(`list(${maxLength}): maxLength must be >= 1`);
  if (!isScalar(of)) throw new SchemaError('list elements must be scalar (bool, int or enum)');
  return { kind: 'list', maxLength, of };
};

export class SchemaError extends Error {}
/** A value left its declared domain, or an index left its array. Reported as a model error (exit 3). */
export class DomainError extends Error {
  constructor(message: string, readonly field: string) { super(message); }
}

type Scalar = BoolD | IntD | EnumD<string>;
export function isScalar(d: Domain): d is Scalar { return d.kind === 'bool' || d.kind === 'int' || d.kind === 'enum'; }

// The view types (ViewOf, StateView, ReadonlyStateView, PlainState, ...) are in view-types.ts.
export type * from './view-types.js';

// ---------- layout ----------

/** One leaf of the layout: a scalar, a set or a list, at a fixed slot range. */
export interface Leaf {
  readonly path: string;
  readonly domain: Scalar | SetD | ListD<Domain>;
  readonly offset: number;
  readonly width: number;
}

/** The root of a view: the buffer and the offset of the state in it. Re-pointing it re-targets every sub-view. */
export interface ViewRoot { b: Int32Array; o: number }

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
    switch (d.kind) {
      case 'bool': case 'int': case 'enum': case 'set':
        leaves.push({ path, domain: d, offset: slots, width: 1 }); slots += 1; return;
      case 'list':
        leaves.push({ path, domain: d, offset: slots, width: 1 + d.maxLength }); slots += 1 + d.maxLength; return;
      case 'array':
        for (let i = 0; i < d.length; i++) walk(d.of, `${path}[${i}]`);
        return;
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
    const d = leaf.domain;
    const [lo, hi] = scalarBounds(d.kind === 'list' ? d.of : d);
    for (let k = 0; k < leaf.width; k++) { slotMin[leaf.offset + k] = lo; slotMax[leaf.offset + k] = hi; slotLeaf[leaf.offset + k] = li; }
    if (d.kind === 'list') { slotMin[leaf.offset] = 0; slotMax[leaf.offset] = d.maxLength; }
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

function scalarBounds(d: Domain): [number, number] {
  switch (d.kind) {
    case 'bool': return [0, 1];
    case 'int': return [d.min, d.max];
    case 'enum': return [0, d.values.length - 1];
    case 'set': return [0, d.size === 31 ? 0x7fffffff : (1 << d.size) - 1];
    default: throw new SchemaError(`not a scalar: ${d.kind}`);
  }
}

export function widthOf(d: Domain): number {
  switch (d.kind) {
    case 'bool': case 'int': case 'enum': case 'set': return 1;
    case 'list': return 1 + d.maxLength;
    case 'array': return d.length * widthOf(d.of);
    case 'record': return Object.values(d.fields).reduce((a, f) => a + widthOf(f), 0);
  }
}

// ---------- view code generation ----------
// Each record type becomes a class with getters/setters reading `this.$r.b[this.$r.o + this.$b + k]`.
// Generated with `new Function` so offsets are constants V8 can fold. Every record type has two classes:
// a writable one (the successor n) and a read-only one (the state s, and what properties, guards and
// policies read), whose setters throw: a setter is a function call, so this catches writes in sloppy-mode
// JavaScript too, where a write to a frozen or non-extensible object is silently ignored.
//
// A write to a name no class defines (a typo: `n.cuont = 1`, or `n.pc[1] = x` on an array view) walks
// the prototype chain to UNKNOWN_FIELD, a Proxy at its end whose `set` trap throws, in strict and sloppy
// code alike. Reads and writes of real fields stop at the class prototype before it, so the hot path never
// reaches the proxy. Views are frozen, so their own bookkeeping ($-properties) cannot be replaced either.
// Not caught: a read of a name a view does not have (`s.cuont` is undefined, as on any object: trapping
// reads would also trap what Node and libraries probe, such as then, toJSON and inspect; a TypeScript
// model gets a compile error), and in sloppy code only, a write to a view's $-bookkeeping or to a
// method's name (`n.q.push = f`), which the frozen view ignores.

/** A view used wrongly: a write to a read-only view, to a field the state does not have, or to a fixed property (an array's length). */
export class ViewError extends Error {
  constructor(readonly kind: 'input' | 'unknown' | 'fixed', readonly field: string, readonly hint = '') {
    super(kind === 'input' ? `wrote field '${field}' of a read-only view of the state`
      : kind === 'unknown' ? (hint ? `wrote '${field}', which is not a field (${hint})` : `wrote field '${field}', which the state does not have`)
      : `wrote '${field}', which cannot be written (${hint})`);
  }
  /** The message for an action (which may write its successor n) or for a reader (a property, policy or constraint: `who` names it). */
  explain(who: string, isAction: boolean): string {
    if (this.kind === 'input') return isAction ? `${who} wrote its input state s (field '${this.field}'): write the successor n` : `${who} wrote field '${this.field}' of the state it reads (properties, policies and constraints only read the state)`;
    return `${who} ${this.message}`;
  }
}

const keyPath = (path: string, k: string | symbol): string =>
  typeof k === 'string' && /^\d+$/.test(k) ? `${path}[${k}]` : path ? `${path}.${String(k)}` : String(k);

const UNKNOWN_FIELD: object = new Proxy(Object.create(Object.prototype) as object, {
  set(_target, k, v, receiver: { $p?: string; $hint?: string }): boolean {
    // A view's constructor sets its own $-bookkeeping through here (no field is named $...): defined on the
    // view as a plain assignment would, so the fields keep exact representations (a Smi offset, a tracked
    // root map), which class fields, first set to undefined, would lose. Once the view is frozen this fails.
    if (typeof k === 'string' && k.charCodeAt(0) === 36 /* $ */) return Reflect.defineProperty(receiver, k, { value: v, writable: true, enumerable: true, configurable: true });
    throw new ViewError('unknown', keyPath(receiver.$p ?? '', k), receiver.$hint ?? '');
  },
});

const readOnly = (field: string): never => { throw new ViewError('input', field); };
const fixed = (field: string, hint: string): never => { throw new ViewError('fixed', field, hint); };

/** The two view factories of a schema: read-only (the state s and what only reads a state) and writable (the successor n). */
function buildViewFactory(schema: RecordD<Record<string, Domain>>): { ro: (root: ViewRoot) => any; rw: (root: ViewRoot) => any } {
  const helpers = { DomainError, enumIndex, notBoolean, ScalarArray, RecordArray, SetViewImpl, ListViewImpl, fail, notInteger, readOnly, storeValue, decodeValue, UNKNOWN_FIELD };
  // One class per record *domain* and variant (all elements of an array of records share it, so a property
  // access stays monomorphic); an instance knows its root, its base slot and its path (for error messages).
  const classes = new Map<RecordD<Record<string, Domain>>, string>();
  const classDefs: string[] = [];
  const consts: unknown[] = [];
  const constRef = (v: unknown): string => { consts.push(v); return `C[${consts.length - 1}]`; };
  const join = (k: string): string => `(this.$p ? this.$p + '.${k}' : '${k}')`;

  const recordClass = (d: RecordD<Record<string, Domain>>, ro: boolean): string => {
    const known = classes.get(d);
    if (known) return `${known}${ro ? 'R' : 'W'}`;
    const name = `V${classes.size}`;
    classes.set(d, name);
    for (const variant of [false, true]) {
      const cls = `${name}${variant ? 'R' : 'W'}`;
      let ctor = ` constructor(r, b, p) { this.$r = r; this.$b = b; this.$p = p;`;
      let accessors = '';
      let off = 0;
      for (const [k, f] of Object.entries(d.fields)) {
        const at = `this.$r.b[this.$r.o + this.$b + ${off}]`;
        const ref = variant ? ` set ${k}(v) { H.readOnly(${join(k)}); }\n` : '';
        switch (f.kind) {
          case 'bool':
            accessors += ` get ${k}() { return ${at} !== 0; }\n${ref || ` set ${k}(v) { ${at} = v === true ? 1 : v === false ? 0 : H.notBoolean(${join(k)}, v); }\n`}`;
            break;
          case 'int':
            accessors += ` get ${k}() { return ${at}; }\n${ref || ` set ${k}(v) { if ((v | 0) !== v) H.notInteger(${join(k)}, v, ${f.min}, ${f.max}); ${at} = v; }\n`}`;
            break;
          case 'enum': {
            const vals = constRef(f.values), idx = constRef(new Map(f.values.map((v, i) => [v, i])));
            // Small enums: compare against the literals (interned strings compare by pointer), else a Map.
            const lookup = f.values.length <= 16
              ? `${f.values.map((v, i) => `v === ${JSON.stringify(v)} ? ${i} : `).join('')}H.enumIndex(${idx}, v, ${join(k)})`
              : `H.enumIndex(${idx}, v, ${join(k)})`;
            accessors += ` get ${k}() { return ${vals}[${at}]; }\n${ref || ` set ${k}(v) { ${at} = ${lookup}; }\n`}`;
            break;
          }
          default:
            // A compound field: a getter for its sub-view (created once, here), and a setter that stores a whole
            // value (a plain value or another view of the same shape) slot by slot, with every domain checked.
            ctor += ` this.$_${k} = ${subView(f, `b + ${off}`, join(k).replaceAll('this.$p', 'p'), variant)};`;
            accessors += ` get ${k}() { return this.$_${k}; }\n${ref || ` set ${k}(v) { H.storeValue(${constRef(f)}, ${widthOf(f)}, v, ${join(k)}, this.$r, this.$b + ${off}); }\n`}`;
        }
        off += widthOf(f);
      }
      accessors += ` $plain() { return H.decodeValue(${constRef(d)}, this.$r.b, this.$r.o + this.$b); }\n`;
      classDefs.push(`class ${cls} {\n${ctor} Object.freeze(this); }\n${accessors}}\nObject.setPrototypeOf(${cls}.prototype, H.UNKNOWN_FIELD);`);
    }
    return `${name}${ro ? 'R' : 'W'}`;
  };

  /** Code creating the view of `d` at slot expression `base` with path expression `path` (inside a constructor: r, b, p in scope). */
  const subView = (d: Domain, base: string, path: string, ro: boolean): string => {
    switch (d.kind) {
      case 'array': {
        const w = widthOf(d.of);
        if (isScalar(d.of)) return `new H.ScalarArray(r, ${base}, ${d.length}, ${constRef(d.of)}, ${path}, ${ro})`;
        const elems = Array.from({ length: d.length }, (_, i) => subView(d.of, `${base} + ${i * w}`, `${path} + '[${i}]'`, ro));
        return `new H.RecordArray([${elems.join(', ')}], r, ${base}, ${constRef(d)}, ${path})`;
      }
      case 'record': return `new ${recordClass(d, ro)}(r, ${base}, ${path})`;
      case 'set': return `new H.SetViewImpl(r, ${base}, ${d.size}, ${path}, ${ro})`;
      case 'list': return `new H.ListViewImpl(r, ${base}, ${d.maxLength}, ${constRef(d.of)}, ${path}, ${ro})`;
      default: throw new SchemaError(`scalar ${d.kind} is not a sub-view`);
    }
  };

  const rw = recordClass(schema, false), ro = recordClass(schema, true);
  const code = `${classDefs.join('\n')}\nreturn { ro: (r) => new ${ro}(r, 0, ''), rw: (r) => new ${rw}(r, 0, '') };`;
  // eslint-disable-next-line no-new-func
  return new Function('H', 'C', code)(helpers, consts) as { ro: (root: ViewRoot) => any; rw: (root: ViewRoot) => any };
}

/** A bool field set to something other than true or false ('yes', 1): never stored as truthy. */
function notBoolean(path: string, v: unknown): never { return encodeScalar({ kind: 'bool' }, v, path) as never; }

function fail(msg: string, field: string): never { throw new DomainError(msg, field); }

// ---------- values in messages ----------

/**
 * A value as a message shows it: numbers as JavaScript prints them (NaN, Infinity: JSON would say null), strings
 * quoted, arrays and objects element by element (shortened), a view as the value it holds.
 */
export function showValue(v: unknown, depth = 0): string {
  switch (typeof v) {
    case 'number': case 'boolean': case 'undefined': return String(v);
    case 'string': return JSON.stringify(v);
    case 'bigint': return `${v}n`;
    case 'symbol': return v.toString();
    case 'function': return `function ${v.name || '(anonymous)'}`;
  }
  if (v === null) return 'null';
  if (depth > 2) return '...';
  const plain = (v as { $plain?: unknown }).$plain;
  if (typeof plain === 'function') { try { return showValue(plain.call(v), depth); } catch { /* not one of mc's views */ } }
  const more = (n: number): string => (n > 8 ? ', ...' : '');
  let text: string;
  if (Array.isArray(v)) text = `[${v.slice(0, 8).map((x) => showValue(x, depth + 1)).join(', ')}${more(v.length)}]`;
  else {
    let keys: string[];
    try { keys = Object.keys(v as object); } catch { return Object.prototype.toString.call(v); }
    text = keys.length ? `{ ${keys.slice(0, 8).map((k) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : JSON.stringify(k)}: ${showValue((v as Record<string, unknown>)[k], depth + 1)}`).join(', ')}${more(keys.length)} }` : '{}';
  }
  return text.length > 100 ? `${text.slice(0, 97)}...` : text;
}

/** What kind of value v is, as a message names it ('a string', 'an array'), or null for null and undefined (which name themselves). */
export function kindOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return typeof (v as { $plain?: unknown }).$plain === 'function' ? 'a view' : 'an object';
  return typeof v === 'number' ? 'a number' : typeof v === 'string' ? 'a string' : typeof v === 'boolean' ? 'a boolean' : `a ${typeof v}`;
}

/** A wrong value as a message shows it, with its kind when that is not the kind the field holds: `"2" (a string)`, but `NaN`, `7`. */
function shownAs(v: unknown, expected: 'a number' | 'a string' | 'a boolean' | 'an array' | 'an object'): string {
  const k = kindOf(v);
  return k === null || k === expected ? showValue(v) : `${showValue(v)} (${k})`;
}

/** The message of a value an int field (min..max) cannot take: not an integer (with its kind when not a number), or outside the range. */
function intProblem(path: string, v: unknown, min: number, max: number): string {
  if (typeof v !== 'number' || !Number.isInteger(v)) return `${path} := ${shownAs(v, 'a number')} is not an integer`;
  return `${path} := ${v} is outside ${min}..${max}`;
}

/**
 * What the model's code threw, as a message: an Error's message, after its name unless that is plain Error
 * (`TypeError: Cannot read properties of undefined`); a string as itself; anything else shown with its kind.
 */
export function thrownMessage(e: unknown): string {
  const name = (e as { name?: unknown })?.name, message = (e as { message?: unknown })?.message;
  if (e instanceof Error || (typeof e === 'object' && e !== null && typeof message === 'string' && typeof name === 'string')) {
    const text = typeof message === 'string' && message !== '' ? message : '(an error with no message)';
    return typeof name === 'string' && name !== '' && name !== 'Error' ? `${name}: ${text}` : text;
  }
  if (typeof e === 'string') return e;
  const kind = kindOf(e);
  return `${showValue(e)} (${kind ? `${kind}, ` : ''}thrown instead of an Error)`;
}

/** The generated int setters' failure: the value is not a 32-bit integer (not a number, not whole, or far outside min..max). */
function notInteger(path: string, v: unknown, min: number, max: number): never { throw new DomainError(intProblem(path, v, min, max), path); }

function enumIndex(idx: Map<string, number>, v: unknown, path: string): number {
  const i = idx.get(v as string);
  if (i === undefined) throw new DomainError(`${path} := ${shownAs(v, 'a string')} is not one of {${[...idx.keys()].join(', ')}}`, path);
  return i;
}

function encodeScalar(d: Scalar, v: unknown, path: string): number {
  switch (d.kind) {
    case 'bool':
      if (typeof v !== 'boolean') throw new DomainError(`${path} := ${shownAs(v, 'a boolean')} is not a boolean`, path);
      return v ? 1 : 0;
    case 'int':
      if (typeof v !== 'number' || !Number.isInteger(v) || v < d.min || v > d.max) throw new DomainError(intProblem(path, v, d.min, d.max), path);
      return v;
    case 'enum': {
      const i = d.values.indexOf(v as string);
      if (i < 0) throw new DomainError(`${path} := ${shownAs(v, 'a string')} is not one of {${d.values.join(', ')}}`, path);
      return i;
    }
  }
}
function decodeScalar(d: Scalar, x: number): boolean | number | string {
  switch (d.kind) {
    case 'bool': return x !== 0;
    case 'int': return x;
    case 'enum': return d.values[x] ?? `<invalid ${x}>`;
  }
}
/** The slot value of a scalar domain's least value: what an unused list slot holds (it packs to zero bits; 0 may be outside int(1, 3)). */
function leastSlot(d: Scalar): number { return d.kind === 'int' ? d.min : 0; }

// The sub-views. Their own properties are $-named and frozen; what a model reads of them (length, size...)
// are getters whose setters throw, so `n.q.length = 0` is an error in sloppy code too, not a silent no-op.
// `$ro` marks the read-only views (of s): one class per kind keeps helpers that take s or n monomorphic.

class ScalarArray {
  declare $r: ViewRoot; declare $b: number; declare $n: number; declare $d: Scalar; declare $p: string; declare $ro: boolean;
  constructor(r: ViewRoot, base: number, length: number, d: Scalar, path: string, ro: boolean) {
    this.$r = r; this.$b = base; this.$n = length; this.$d = d; this.$p = path; this.$ro = ro;
    Object.freeze(this);
  }
  get length(): number { return this.$n; }
  set length(_v: number) { fixed(`${this.$p}.length`, 'an array has the length its schema gives'); }
  private idx(i: number): number {
    if (!(i >= 0 && i < this.$n && Number.isInteger(i))) fail(indexProblem(this.$p, i, `0..${this.$n - 1}`), this.$p);
    return this.$r.o + this.$b + i;
  }
  get(i: number): unknown {
    const x = this.$r.b[this.idx(i)]!;
    const d = this.$d;
    return d.kind === 'int' ? x : d.kind === 'bool' ? x !== 0 : d.values[x];
  }
  set(i: number, v: unknown): void {
    if (this.$ro) readOnly(`${this.$p}[${i}]`);
    const d = this.$d;
    const at = this.idx(i);
    this.$r.b[at] = d.kind === 'int' && ((v as number) | 0) === v ? (v as number) : d.kind === 'bool' && typeof v === 'boolean' ? (v ? 1 : 0) : encodeScalar(d, v, `${this.$p}[${i}]`);
  }
  toArray(): unknown[] { return Array.from({ length: this.$n }, (_, i) => this.get(i)); }
  $plain(): unknown { return this.toArray(); }
}

class RecordArray {
  declare $e: unknown[]; declare $r: ViewRoot; declare $b: number; declare $d: ArrayD<Domain>; declare $p: string;
  constructor(elems: unknown[], r: ViewRoot, base: number, d: ArrayD<Domain>, path: string) {
    this.$e = elems; this.$r = r; this.$b = base; this.$d = d; this.$p = path;
    Object.freeze(this);
  }
  get length(): number { return this.$e.length; }
  set length(_v: number) { fixed(`${this.$p}.length`, 'an array has the length its schema gives'); }
  at(i: number): unknown {
    const e = this.$e[i];
    if (e === undefined) fail(indexProblem(this.$p, i, `0..${this.$e.length - 1}`), this.$p);
    return e;
  }
  $plain(): unknown { return decodeValue(this.$d, this.$r.b, this.$r.o + this.$b); }
}

class SetViewImpl {
  declare $r: ViewRoot; declare $b: number; declare $u: number; declare $p: string; declare $ro: boolean;
  constructor(r: ViewRoot, base: number, universe: number, path: string, ro: boolean) {
    this.$r = r; this.$b = base; this.$u = universe; this.$p = path; this.$ro = ro;
    Object.freeze(this);
  }
  get universe(): number { return this.$u; }
  set universe(_v: number) { fixed(`${this.$p}.universe`, 'the schema gives it'); }
  private check(x: number): number {
    if (!(x >= 0 && x < this.$u && Number.isInteger(x))) fail(`${this.$p}: element ${shownAs(x, 'a number')} outside 0..${this.$u - 1}`, this.$p);
    return x;
  }
  private w(): number { if (this.$ro) readOnly(this.$p); return this.$r.o + this.$b; }
  get bits(): number { return this.$r.b[this.$r.o + this.$b]!; }
  set bits(v: number) { this.$r.b[this.w()] = v; }
  has(x: number): boolean { return (this.$r.b[this.$r.o + this.$b]! & (1 << this.check(x))) !== 0; }
  add(x: number): void { const at = this.w(); this.$r.b[at]! |= 1 << this.check(x); }
  delete(x: number): void { const at = this.w(); this.$r.b[at]! &= ~(1 << this.check(x)); }
  clear(): void { this.$r.b[this.w()] = 0; }
  get size(): number { let v = this.$r.b[this.$r.o + this.$b]!, n = 0; while (v) { v &= v - 1; n++; } return n; }
  set size(_v: number) { fixed(`${this.$p}.size`, 'a set view is written with add, delete or clear'); }
  toArray(): number[] { const out: number[] = []; for (let x = 0; x < this.$u; x++) if (this.has(x)) out.push(x); return out; }
  $plain(): unknown { return this.toArray(); }
}

class ListViewImpl {
  declare $r: ViewRoot; declare $b: number; declare $m: number; declare $d: Scalar; declare $lo: number; declare $p: string; declare $ro: boolean;
  constructor(r: ViewRoot, base: number, maxLength: number, d: Scalar, path: string, ro: boolean) {
    this.$r = r; this.$b = base; this.$m = maxLength; this.$d = d; this.$lo = leastSlot(d); this.$p = path; this.$ro = ro;
    Object.freeze(this);
  }
  get length(): number { return this.$r.b[this.$r.o + this.$b]!; }
  set length(_v: number) { fixed(`${this.$p}.length`, 'a list view is written with push, shift, removeAt or clear'); }
  get maxLength(): number { return this.$m; }
  set maxLength(_v: number) { fixed(`${this.$p}.maxLength`, 'the schema gives it'); }
  private enc(v: unknown, i: number): number {
    const d = this.$d;
    return d.kind === 'int' && ((v as number) | 0) === v ? (v as number) : d.kind === 'bool' && typeof v === 'boolean' ? (v ? 1 : 0) : encodeScalar(d, v, `${this.$p}[${i}]`);
  }
  private dec(x: number): unknown { const d = this.$d; return d.kind === 'int' ? x : d.kind === 'bool' ? x !== 0 : d.values[x]; }
  private idx(i: number): number {
    if (!(i >= 0 && i < this.length && Number.isInteger(i))) fail(indexProblem(this.$p, i, `the list (length ${this.length})`), this.$p);
    return this.$r.o + this.$b + 1 + i;
  }
  get(i: number): unknown { return this.dec(this.$r.b[this.idx(i)]!); }
  set(i: number, v: unknown): void {
    if (this.$ro) readOnly(`${this.$p}[${i}]`);
    this.$r.b[this.idx(i)] = this.enc(v, i);
  }
  push(v: unknown): void {
    if (this.$ro) readOnly(this.$p);
    const n = this.length;
    if (n >= this.$m) fail(`${this.$p}: push onto a full list (maxLength ${this.$m})`, this.$p);
    this.$r.b[this.$r.o + this.$b + 1 + n] = this.enc(v, n);
    this.$r.b[this.$r.o + this.$b] = n + 1;
  }
  shift(): unknown {
    if (this.$ro) readOnly(this.$p);
    const v = this.get(0); this.removeAt(0); return v;
  }
  removeAt(i: number): void {
    if (this.$ro) readOnly(this.$p);
    const n = this.length, b = this.$r.b, s = this.$r.o + this.$b + 1;
    this.idx(i);
    for (let k = i; k < n - 1; k++) b[s + k] = b[s + k + 1]!;
    b[s + n - 1] = this.$lo; // canonical: an unused slot holds the least value (zero bits packed)
    b[this.$r.o + this.$b] = n - 1;
  }
  clear(): void {
    if (this.$ro) readOnly(this.$p);
    const b = this.$r.b, s = this.$r.o + this.$b;
    b[s] = 0;
    for (let k = 1; k <= this.$m; k++) b[s + k] = this.$lo;
  }
  toArray(): unknown[] { return Array.from({ length: this.length }, (_, i) => this.get(i)); }
  $plain(): unknown { return this.toArray(); }
}

// What a write of an unknown name to each kind of view is told (UNKNOWN_FIELD reads it from the prototype).
for (const [cls, hint] of [[ScalarArray, 'an array view is written with set(i, v)'], [RecordArray, 'an element of an array of records is reached with at(i)'], [SetViewImpl, 'a set view is written with add, delete or clear'], [ListViewImpl, 'a list view is written with set, push, shift, removeAt or clear']] as const) {
  Object.defineProperty(cls.prototype, '$hint', { value: hint });
  Object.setPrototypeOf(cls.prototype, UNKNOWN_FIELD);
}

// ---------- plain values <-> slots (cold path: init states, traces, replay, whole-value stores) ----------

/** A view (of s or n) given where a plain value is expected: its value (a copy, so a store may overlap its source). */
function plainOf(v: unknown): unknown {
  return typeof v === 'object' && v !== null && typeof (v as { $plain?: unknown }).$plain === 'function' ? (v as { $plain(): unknown }).$plain() : v;
}

/** Encodes the plain value `v` of domain `d` into out[at..]; throws DomainError (naming the field) on any value outside it. */
export function encodeValue(d: Domain, v: unknown, path: string, out: Int32Array, at: number): void {
  v = plainOf(v);
  switch (d.kind) {
    case 'bool': case 'int': case 'enum': out[at] = encodeScalar(d, v, path); return;
    case 'set': {
      if (!Array.isArray(v)) throw new DomainError(`${path} := ${shownAs(v, 'an array')} is not an array of set members`, path);
      let bits = 0;
      for (const x of v) {
        if (!Number.isInteger(x) || x < 0 || x >= d.size) throw new DomainError(`${path}: element ${shownAs(x, 'a number')} outside 0..${d.size - 1}`, path);
        bits |= 1 << x;
      }
      out[at] = bits; return;
    }
    case 'list': {
      if (!Array.isArray(v) || v.length > d.maxLength) throw new DomainError(`${path} := ${shownAs(v, 'an array')} is not a list of at most ${d.maxLength}`, path);
      const el = d.of as Scalar, lo = leastSlot(el);
      const enc = v.map((x, i) => encodeScalar(el, x, `${path}[${i}]`)); // all checked before any slot is written
      out[at] = v.length;
      for (let i = 0; i < d.maxLength; i++) out[at + 1 + i] = i < enc.length ? enc[i]! : lo;
      return;
    }
    case 'array': {
      if (!Array.isArray(v) || v.length !== d.length) throw new DomainError(`${path} := ${shownAs(v, 'an array')} is not an array of length ${d.length}`, path);
      const w = widthOf(d.of);
      v.forEach((x, i) => encodeValue(d.of, x, `${path}[${i}]`, out, at + i * w));
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
      throw new DomainError(`${path} := ${showValue(v)}: a value of kind '${(d as { kind: string }).kind}' cannot be stored whole`, path);
  }
}

/** An index that is not an integer says so, with its kind when it is not a number; an integer one is outside `range`. */
function indexProblem(path: string, i: unknown, range: string): string {
  if (typeof i === 'number' && Number.isInteger(i)) return `${path}[${i}]: index outside ${range}`;
  return `${path}[${showValue(i)}]: the index ${shownAs(i, 'a number')} is not an integer (indices: ${range})`;
}

/** Where storeValue encodes a value before copying it in (grown as needed; encodeValue never stores, so one buffer serves every call). */
let storeScratch = new Int32Array(64);

/** Stores a whole value into a compound field of a successor: encoded aside first, so a bad value leaves the field as it was. */
function storeValue(d: Domain, w: number, v: unknown, path: string, r: ViewRoot, base: number): void {
  if (w > storeScratch.length) storeScratch = new Int32Array(w);
  encodeValue(d, v, path, storeScratch, 0);
  const b = r.b, at = r.o + base;
  for (let k = 0; k < w; k++) b[at + k] = storeScratch[k]!;
}

/** The plain value of domain `d` at buf[at..]. */
export function decodeValue(d: Domain, buf: Int32Array, at: number): unknown {
  switch (d.kind) {
    case 'bool': case 'int': case 'enum': return decodeScalar(d, buf[at]!);
    case 'set': { const out: number[] = []; for (let x = 0; x < d.size; x++) if (buf[at]! & (1 << x)) out.push(x); return out; }
    case 'list': return Array.from({ length: buf[at]! }, (_, i) => decodeScalar(d.of as Scalar, buf[at + 1 + i]!));
    case 'array': { const w = widthOf(d.of); return Array.from({ length: d.length }, (_, i) => decodeValue(d.of, buf, at + i * w)); }
    case 'record': {
      const o: Record<string, unknown> = {};
      let p = at;
      for (const [k, f] of Object.entries(d.fields)) { o[k] = decodeValue(f, buf, p); p += widthOf(f); }
      return o;
    }
  }
}

export function encodeState(layout: Layout, plain: Record<string, unknown>, out: Int32Array, off: number): void {
  encodeValue(layout.schema, plain, '', out, off);
}

export function decodeState(layout: Layout, buf: Int32Array, off: number): Record<string, unknown> {
  return decodeValue(layout.schema, buf, off) as Record<string, unknown>;
}

/** The printed value of one leaf (a scalar, a set as {a,b}, a list as [a,b]). */
export function formatLeaf(leaf: Leaf, buf: Int32Array, off: number): string {
  const d = leaf.domain, at = off + leaf.offset;
  switch (d.kind) {
    case 'bool': case 'int': case 'enum': return String(decodeScalar(d, buf[at]!));
    case 'set': { const xs: number[] = []; for (let x = 0; x < d.size; x++) if (buf[at]! & (1 << x)) xs.push(x); return `{${xs.join(',')}}`; }
    case 'list': return `[${Array.from({ length: buf[at]! }, (_, i) => String(decodeScalar(d.of as Scalar, buf[at + 1 + i]!))).join(',')}]`;
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

/** The slot of a scalar field named by its path ('P[2].loc', as traces print it) and the encoding of `value` there. Throws DomainError. */
export function scalarSlot(layout: Layout, path: string, value: unknown): { slot: number; value: number } {
  const leaf = layout.leaves.find((l) => l.path === path);
  if (leaf === undefined) {
    const near = layout.leaves.filter((l) => l.path.split(/[.[]/)[0] === path.split(/[.[]/)[0]).slice(0, 4).map((l) => l.path);
    throw new DomainError(`'${path}' is not a field of the state${near.length ? ` (fields like it: ${near.join(', ')})` : ''}`, path);
  }
  if (!isScalar(leaf.domain)) throw new DomainError(`'${path}' is a ${leaf.domain.kind}, not a scalar (bool, int or enum)`, path);
  return { slot: leaf.offset, value: encodeScalar(leaf.domain, value, path) };
}

export function describeOutOfDomain(layout: Layout, buf: Int32Array, off: number, slot: number): DomainError {
  const leaf = layout.leaves[layout.slotLeaf[slot]!]!;
  const x = buf[off + slot]!;
  const d = leaf.domain;
  const what = d.kind === 'int' ? `outside ${d.min}..${d.max}` : d.kind === 'list' ? (slot === leaf.offset ? `list length outside 0..${d.maxLength}` : 'element outside its domain') : d.kind === 'bool' ? 'not a boolean (set it with true/false)' : d.kind === 'enum' ? 'not a valid enum index' : 'set member outside the universe';
  const shown = d.kind === 'int' || d.kind === 'list' ? String(x) : JSON.stringify(x);
  return new DomainError(`${leaf.path} = ${shown} is ${what}`, leaf.path);
}
