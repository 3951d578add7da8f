// State views: the objects a model's code reads and writes a state through.
//
// A state is a slice of an Int32Array. Models never see the slice: they read
// and write it through a *view*, an object whose accessors are generated once
// per schema (so the hot path does no per-state allocation and every property
// access is a monomorphic load at a constant offset).
import { codecOf, type Codec } from './codec.js';
import { isScalar, DomainError, SchemaError, type ArrayD, type Domain, type MapD, type RecordD, type Scalar } from './domains.js';
import { showValue, shownAs, ViewError } from './messages.js';

export { ViewError };
import { decodeValue, encodeScalar, memberProblem, isOneSlot, keyNames, setWords, slotCodecOf, storeValue, widthOf, type SlotCodec } from './values.js';

/** The root of a view: the buffer and the offset of the state in it. Re-pointing it re-targets every sub-view. */
export interface ViewRoot { b: Int32Array; o: number }

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
export function buildViewFactory(schema: RecordD<Record<string, Domain>>): { ro: (root: ViewRoot) => any; rw: (root: ViewRoot) => any } {
  const helpers = { DomainError, enumIndex, notBoolean, ScalarArray, RecordArray, MapView, SetViewImpl, ListViewImpl, fail, notInteger, readOnly, storeValue, decodeValue, slotCodecOf, UNKNOWN_FIELD };
  // One class per record *domain* and variant (all elements of an array of records share it, so a property
  // access stays monomorphic); an instance knows its root, its base slot and its path (for error messages).
  const classes = new Map<RecordD<Record<string, Domain>>, string>();
  const classDefs: string[] = [];
  const consts: unknown[] = [];
  // Constants are declared once at the top of the generated code (C_3, not C[3]: one load, no bounds check).
  const constRef = (v: unknown): string => { consts.push(v); return `C_${consts.length - 1}`; };
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
          case 'tuple': case 'optional': case 'oneOf': {
            // A value kept in one slot by its rank: read as a frozen plain value, written whole.
            const c = constRef(slotCodecOf(f, join(k)));
            accessors += ` get ${k}() { return ${c}.dec(${at}); }\n${ref || ` set ${k}(v) { const x = ${c}.tryEnc(v); ${at} = x !== undefined ? x : ${c}.enc(v, ${join(k)}); }\n`}`;
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

  // A map's get and set find the key's index by comparing it with each key (a few: ===, which for the very
  // string objects the keys are is one pointer test) and read the entry in place, in one method per map domain:
  // `s.page.get(p).st` is a monomorphic call with no codec lookup. Anything else (a key that is not one, or
  // many keys) takes MapView's generic path, which also words the errors.
  const maps = new Map<MapD<never, Domain>, string>();
  const mapClass = (d: MapD<never, Domain>, ro: boolean): string => {
    const known = maps.get(d);
    if (known) return `${known}${ro ? 'R' : 'W'}`;
    const name = `M${maps.size}`;
    maps.set(d, name);
    const kd = d.keys as Domain;
    const index = kd.kind === 'int' ? `(k | 0) === k && k >= ${kd.min} && k <= ${kd.max} ? k - ${kd.min} : -1`
      : kd.kind === 'enum' && kd.values.length <= 16 ? `${kd.values.map((_, i) => `k === ${constRef(kd.values[i])} ? ${i} : `).join('')}-1`
        : 'this.$kc.rank(k)';
    let read: string;
    if (!isOneSlot(d.of)) read = 'return this.$a.$e[i];';
    else {
      const at = 'const a = this.$a, r = a.$r, x = r.b[r.o + a.$b + i];';
      const f = d.of;
      read = f.kind === 'bool' ? `${at} return x !== 0;` : f.kind === 'int' ? `${at} return x;`
        : f.kind === 'enum' ? `${at} return ${constRef(f.values)}[x];` : `${at} return ${constRef(slotCodecOf(f))}.dec(x);`;
    }
    for (const variant of [false, true]) {
      classDefs.push(`class ${name}${variant ? 'R' : 'W'} extends H.MapView {
 get(k) { const i = ${index}; if (i < 0) return super.get(k); ${read} }
 set(k, v) { const i = ${index}; if (i < 0) return super.set(k, v); this.$a.set(i, v); }
}`);
    }
    return `${name}${ro ? 'R' : 'W'}`;
  };

  /** Code creating the view of `d` at slot expression `base` with path expression `path` (inside a constructor: r, b, p in scope). */
  const subView = (d: Domain, base: string, path: string, ro: boolean): string => {
    switch (d.kind) {
      case 'array': case 'map': {
        const names = d.kind === 'map' ? keyNames(d.keys) : null;
        const n = names ? names.length : (d as ArrayD<Domain>).length, w = widthOf(d.of);
        const inner = isOneSlot(d.of) ? `new H.ScalarArray(r, ${base}, ${n}, ${constRef(isScalar(d.of) ? d.of : null)}, ${constRef(slotCodecOf(d.of))}, ${path}, ${ro}, ${constRef(names)})`
          : `new H.RecordArray([${Array.from({ length: n }, (_, i) => subView(d.of, `${base} + ${i * w}`, `${path} + ${JSON.stringify(`[${names ? names[i] : i}]`)}`, ro)).join(', ')}], r, ${base}, ${constRef(d.kind === 'map' ? { kind: 'array', length: n, of: d.of } : d)}, ${path}, ${ro}, ${constRef(names)})`;
        return d.kind === 'map' ? `new ${mapClass(d as MapD<never, Domain>, ro)}(${inner}, ${constRef(codecOf(d.keys))}, ${constRef(d)})` : inner;
      }
      case 'record': return `new ${recordClass(d, ro)}(r, ${base}, ${path})`;
      case 'set': return `new H.SetViewImpl(r, ${base}, ${constRef(codecOf(d.of))}, ${path}, ${ro})`;
      case 'list': return `new H.ListViewImpl(r, ${base}, ${d.maxLength}, ${constRef(slotCodecOf(d.of, `${path}[]`))}, ${constRef(isScalar(d.of) ? d.of : null)}, ${path}, ${ro})`;
      default: throw new SchemaError(`${d.kind} is not a sub-view`);
    }
  };

  const rw = recordClass(schema, false), ro = recordClass(schema, true);
  const decls = consts.length ? `const ${consts.map((_, i) => `C_${i} = C[${i}]`).join(', ')};\n` : '';
  const code = `${decls}${classDefs.join('\n')}\nreturn { ro: (r) => new ${ro}(r, 0, ''), rw: (r) => new ${rw}(r, 0, '') };`;
  // eslint-disable-next-line no-new-func
  return new Function('H', 'C', code)(helpers, consts) as { ro: (root: ViewRoot) => any; rw: (root: ViewRoot) => any };
}

/** A bool field set to something other than true or false ('yes', 1): never stored as truthy. */
function notBoolean(path: string, v: unknown): never { return encodeScalar({ kind: 'bool' }, v, path) as never; }

function fail(msg: string, field: string): never { throw new DomainError(msg, field); }

// The sub-views. Their own properties are $-named and frozen; what a model reads of them (length, size...)
// are getters whose setters throw, so `n.q.length = 0` is an error in sloppy code too, not a silent no-op.
// `$ro` marks the read-only views (of s): one class per kind keeps helpers that take s or n monomorphic.
// `$k` names the elements of a map's inner array by key ('ctl[p1]'), null for an array ('pc[0]').

const elemPath = (p: string, names: readonly string[] | null, i: number): string => `${p}[${names ? names[i] : i}]`;

/** An index that is not an integer says so, with its kind when it is not a number; an integer one is outside `range`. */
function indexProblem(path: string, i: unknown, range: string): string {
  if (typeof i === 'number' && Number.isInteger(i)) return `${path}[${i}]: index outside ${range}`;
  return `${path}[${showValue(i)}]: the index ${shownAs(i, 'a number')} is not an integer (indices: ${range})`;
}

/** An array (or map) of values kept in one slot each: scalars ($d, read in place), or tuples, optionals and unions ($d null: frozen plain values, written whole). */
class ScalarArray {
  declare $r: ViewRoot; declare $b: number; declare $n: number; declare $d: Scalar | null; declare $c: SlotCodec; declare $p: string; declare $ro: boolean; declare $k: readonly string[] | null;
  constructor(r: ViewRoot, base: number, length: number, d: Scalar | null, c: SlotCodec, path: string, ro: boolean, names: readonly string[] | null) {
    this.$r = r; this.$b = base; this.$n = length; this.$d = d; this.$c = c; this.$p = path; this.$ro = ro; this.$k = names;
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
    return d === null ? this.$c.dec(x) : d.kind === 'int' ? x : d.kind === 'bool' ? x !== 0 : d.values[x];
  }
  set(i: number, v: unknown): void {
    if (this.$ro) readOnly(elemPath(this.$p, this.$k, i));
    const d = this.$d;
    const at = this.idx(i);
    // The element's path is built only for the error (a string per write otherwise).
    const x = d !== null && d.kind === 'int' && ((v as number) | 0) === v ? (v as number) : d !== null && d.kind === 'bool' && typeof v === 'boolean' ? (v ? 1 : 0) : this.$c.tryEnc(v);
    this.$r.b[at] = x !== undefined ? x : this.$c.enc(v, elemPath(this.$p, this.$k, i));
  }
  toArray(): unknown[] { return Array.from({ length: this.$n }, (_, i) => this.get(i)); }
  $plain(): unknown { return this.toArray(); }
}

/** An array (or map) of records, arrays, sets, lists or maps: element views by index; set(i, v) stores a whole element. */
class RecordArray {
  declare $e: unknown[]; declare $r: ViewRoot; declare $b: number; declare $d: ArrayD<Domain>; declare $p: string; declare $ro: boolean; declare $k: readonly string[] | null; declare $w: number;
  constructor(elems: unknown[], r: ViewRoot, base: number, d: ArrayD<Domain>, path: string, ro: boolean, names: readonly string[] | null) {
    this.$e = elems; this.$r = r; this.$b = base; this.$d = d; this.$p = path; this.$ro = ro; this.$k = names; this.$w = widthOf(d.of);
    Object.freeze(this);
  }
  get length(): number { return this.$e.length; }
  set length(_v: number) { fixed(`${this.$p}.length`, 'an array has the length its schema gives'); }
  at(i: number): unknown {
    const e = this.$e[i];
    if (e === undefined) fail(indexProblem(this.$p, i, `0..${this.$e.length - 1}`), this.$p);
    return e;
  }
  get(i: number): unknown { return this.at(i); }
  set(i: number, v: unknown): void {
    if (this.$ro) readOnly(elemPath(this.$p, this.$k, i));
    this.at(i);
    storeValue(this.$d.of, this.$w, v, elemPath(this.$p, this.$k, i), this.$r, this.$b + i * this.$w);
  }
  $plain(): unknown { return decodeValue(this.$d, this.$r.b, this.$r.o + this.$b); }
}

/** A map over enum values or an int range: the array of its entries, reached by key. */
class MapView {
  declare $a: ScalarArray | RecordArray; declare $kc: Codec; declare $d: MapD<never, Domain>; declare $p: string;
  constructor(inner: ScalarArray | RecordArray, keys: Codec, d: MapD<never, Domain>) {
    this.$a = inner; this.$kc = keys; this.$d = d; this.$p = inner.$p;
    Object.freeze(this);
  }
  private idx(k: unknown): number {
    const i = this.$kc.rank(k);
    if (i < 0) fail(`${this.$p}[${showValue(k)}]: ${shownAs(k, this.$kc.domain.kind === 'int' ? 'a number' : 'a string')} is not a key (keys: ${keyNames(this.$kc.domain).join(', ')})`, this.$p);
    return i;
  }
  get size(): number { return this.$kc.card; }
  set size(_v: number) { fixed(`${this.$p}.size`, 'a map has one entry per key'); }
  get(k: unknown): unknown { return this.$a.get(this.idx(k)); }
  set(k: unknown, v: unknown): void { this.$a.set(this.idx(k), v); }
  keys(): unknown[] { const n = this.$kc.card, out = new Array<unknown>(n); for (let i = 0; i < n; i++) out[i] = this.$kc.value(i); return out; }
  values(): unknown[] { const n = this.$kc.card, out = new Array<unknown>(n); for (let i = 0; i < n; i++) out[i] = this.$a.get(i); return out; }
  entries(): [unknown, unknown][] { const n = this.$kc.card, out = new Array<[unknown, unknown]>(n); for (let i = 0; i < n; i++) out[i] = [this.$kc.value(i), this.$a.get(i)]; return out; }
  [Symbol.iterator](): Iterator<[unknown, unknown]> { return this.entries()[Symbol.iterator](); }
  $plain(): unknown { return decodeValue(this.$d, this.$a.$r.b, this.$a.$r.o + this.$a.$b); }
}

/** A set of values of a finite domain: a bitset over their ranks, 31 per slot, iterated in rank order. */
class SetViewImpl {
  declare $r: ViewRoot; declare $b: number; declare $c: Codec; declare $u: number; declare $w: number; declare $p: string; declare $ro: boolean;
  /** The members of each bitmask, for a one-word set (null for a larger one). */
  declare $m: Map<number, readonly unknown[]> | null;
  constructor(r: ViewRoot, base: number, c: Codec, path: string, ro: boolean) {
    this.$r = r; this.$b = base; this.$c = c; this.$u = c.card; this.$w = setWords(c.card); this.$p = path; this.$ro = ro;
    this.$m = this.$w === 1 ? membersMemo(c) : null;
    Object.freeze(this);
  }
  get universe(): number { return this.$u; }
  set universe(_v: number) { fixed(`${this.$p}.universe`, 'the schema gives it'); }
  private rank(x: unknown): number {
    const r = this.$c.rank(x);
    if (r < 0) fail(memberProblem(this.$c.domain, x, this.$p), this.$p);
    return r;
  }
  private w(): number { if (this.$ro) readOnly(this.$p); return this.$r.o + this.$b; }
  get bits(): number { if (this.$w !== 1) fixed(`${this.$p}.bits`, 'only a set of at most 31 possible members has a one-word bitmask'); return this.$r.b[this.$r.o + this.$b]!; }
  set bits(v: number) { if (this.$w !== 1) fixed(`${this.$p}.bits`, 'only a set of at most 31 possible members has a one-word bitmask'); this.$r.b[this.w()] = v; }
  has(x: unknown): boolean { return this.$hasRank(this.rank(x)); }
  /** Membership by rank in the set's domain (an action's `in` over the same domain tests its argument this way). */
  $hasRank(r: number): boolean { return (this.$r.b[this.$r.o + this.$b + ((r / 31) | 0)]! & (1 << r % 31)) !== 0; }
  add(x: unknown): void { const r = this.rank(x), at = this.w() + ((r / 31) | 0); this.$r.b[at]! |= 1 << r % 31; }
  delete(x: unknown): void { const r = this.rank(x), at = this.w() + ((r / 31) | 0); this.$r.b[at]! &= ~(1 << r % 31); }
  clear(): void { const at = this.w(); for (let k = 0; k < this.$w; k++) this.$r.b[at + k] = 0; }
  get size(): number {
    let n = 0;
    for (let k = 0; k < this.$w; k++) { let v = this.$r.b[this.$r.o + this.$b + k]!; while (v) { v &= v - 1; n++; } }
    return n;
  }
  set size(_v: number) { fixed(`${this.$p}.size`, 'a set view is written with add, delete or clear'); }
  toArray(): unknown[] {
    const out: unknown[] = [], b = this.$r.b, at = this.$r.o + this.$b;
    for (let k = 0; k < this.$w; k++) for (let v = b[at + k]!; v !== 0; v &= v - 1) out.push(this.$c.value(k * 31 + 31 - Math.clz32(v & -v)));
    return out;
  }
  [Symbol.iterator](): Iterator<unknown> {
    if (this.$m === null) return this.toArray()[Symbol.iterator]();
    return membersOf(this.$m, this.$r.b[this.$r.o + this.$b]!, this)[Symbol.iterator]();
  }
  $plain(): unknown { return this.toArray(); }
}

// `for (const x of s.q.inflight)` runs in guards and properties at every state: the members of a one-word set are
// decoded once per bitmask and member domain, so iterating allocates no array (toArray still returns a fresh one).
const NO_MEMBERS: readonly unknown[] = Object.freeze([]);
/** At most this many bitmasks are kept per member domain; past it, iteration decodes as toArray does. */
const MEMBERS_KEPT = 1 << 14;
const membersByCodec = new WeakMap<Codec, Map<number, readonly unknown[]>>();
function membersMemo(c: Codec): Map<number, readonly unknown[]> {
  let memo = membersByCodec.get(c);
  if (memo === undefined) { memo = new Map(); membersByCodec.set(c, memo); }
  return memo;
}
function membersOf(memo: Map<number, readonly unknown[]>, bits: number, set: SetViewImpl): readonly unknown[] {
  if (bits === 0) return NO_MEMBERS;
  let m = memo.get(bits);
  if (m === undefined) {
    m = Object.freeze(set.toArray());
    if (memo.size < MEMBERS_KEPT) memo.set(bits, m);
  }
  return m;
}

/** A bounded FIFO list; elements are scalars or frozen plain values. The spare slot after the last takes a push past the bound (see values.ts). */
class ListViewImpl {
  declare $r: ViewRoot; declare $b: number; declare $m: number; declare $c: SlotCodec; declare $d: Scalar | null; declare $p: string; declare $ro: boolean;
  constructor(r: ViewRoot, base: number, maxLength: number, c: SlotCodec, scalar: Scalar | null, path: string, ro: boolean) {
    this.$r = r; this.$b = base; this.$m = maxLength; this.$c = c; this.$d = scalar; this.$p = path; this.$ro = ro;
    Object.freeze(this);
  }
  get length(): number { return this.$r.b[this.$r.o + this.$b]!; }
  set length(_v: number) { fixed(`${this.$p}.length`, 'a list view is written with push, shift, removeAt or clear'); }
  get maxLength(): number { return this.$m; }
  set maxLength(_v: number) { fixed(`${this.$p}.maxLength`, 'the schema gives it'); }
  private enc(v: unknown, i: number): number {
    const d = this.$d;
    if (d !== null && d.kind === 'int' && ((v as number) | 0) === v) return v as number;
    const x = this.$c.tryEnc(v);
    return x !== undefined ? x : this.$c.enc(v, `${this.$p}[${i}]`);
  }
  private dec(x: number): unknown { const d = this.$d; return d !== null && d.kind === 'int' ? x : this.$c.dec(x); }
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
    // One push past the bound lands in the spare slot: packing then fails on the length, which the state
    // constraint may drop (TLC's semantics) or the engine reports; a second one has nowhere to go.
    if (n > this.$m) fail(`${this.$p}: push onto a full list (maxLength ${this.$m})`, this.$p);
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
    b[s + n - 1] = this.$c.lo; // canonical: an unused slot holds the least value (zero bits packed)
    b[this.$r.o + this.$b] = n - 1;
  }
  clear(): void {
    if (this.$ro) readOnly(this.$p);
    const b = this.$r.b, s = this.$r.o + this.$b;
    b[s] = 0;
    for (let k = 1; k <= this.$m + 1; k++) b[s + k] = this.$c.lo;
  }
  /** Whether the list holds the value (compared as values: records and tuples by their fields). */
  includes(v: unknown): boolean {
    const n = this.length, b = this.$r.b, s = this.$r.o + this.$b + 1;
    let x: number;
    try { x = this.enc(v, 0); } catch (e) { if (e instanceof DomainError) return false; throw e; }
    for (let k = 0; k < n; k++) if (b[s + k] === x) return true;
    return false;
  }
  toArray(): unknown[] { return Array.from({ length: this.length }, (_, i) => this.get(i)); }
  [Symbol.iterator](): Iterator<unknown> { return this.toArray()[Symbol.iterator](); }
  $plain(): unknown { return this.toArray(); }
}

// What a write of an unknown name to each kind of view is told (UNKNOWN_FIELD reads it from the prototype).
for (const [cls, hint] of [[ScalarArray, 'an array view is written with set(i, v)'], [RecordArray, 'an element of an array of records is reached with at(i)'], [MapView, 'a map view is written with set(key, v)'], [SetViewImpl, 'a set view is written with add, delete or clear'], [ListViewImpl, 'a list view is written with set, push, shift, removeAt or clear']] as const) {
  Object.defineProperty(cls.prototype, '$hint', { value: hint });
  Object.setPrototypeOf(cls.prototype, UNKNOWN_FIELD);
}

/** The generated int setters' failure: the value is not a 32-bit integer (not a number, not whole, or far outside min..max). */
function notInteger(path: string, v: unknown, min: number, max: number): never {
  return encodeScalar({ kind: 'int', min, max }, v, path) as never;
}

function enumIndex(idx: Map<string, number>, v: unknown, path: string): number {
  const i = idx.get(v as string);
  if (i === undefined) throw new DomainError(`${path} := ${shownAs(v, 'a string')} is not one of {${[...idx.keys()].join(', ')}}`, path);
  return i;
}
