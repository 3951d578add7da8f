// Round-trip checks of a state layout, shared by the property tests of test/views.test.ts (issue 26's
// domains) and test/domains.test.ts (issue 28's): each file brings its own schemas, values and ways of
// writing and reading views.
import { expect } from 'vitest';
import { decodeState, encodeState, type Layout } from '../src/explorer/schema.js';

type Plain = Record<string, unknown>;

/**
 * Encodes `a` at an offset (the engine's buffers hold many states), packs it, unpacks it: the same slots,
 * decoding to `a`. Returns the buffer it encoded `a` into, at offset 2.
 */
export function expectPackRoundTrip(L: Layout, a: Plain): Int32Array {
  const slots = new Int32Array(L.slots + 2), w = new Int32Array(L.words + 1), back = new Int32Array(L.slots + 1);
  encodeState(L, a, slots, 2);
  expect(L.pack(slots, 2, w, 1)).toBe(true);
  L.unpack(w, 1, back, 1);
  expect(Array.from(back.subarray(1))).toEqual(Array.from(slots.subarray(2)));
  expect(decodeState(L, back, 1)).toEqual(a);
  return slots;
}

/**
 * A successor holding `a` that `write` turns into `b` through its views has the slots of `b` encoded
 * (canonical: the same value, the same slots), packs, decodes to `b`, and `read` reads `b` back from a
 * read-only view of it.
 */
export function expectWrittenAsEncoded(L: Layout, a: Plain, b: Plain, write: (n: any) => void, read: (s: any) => unknown): void {
  const root = { b: new Int32Array(L.slots), o: 0 };
  encodeState(L, a, root.b, 0);
  write(L.makeWritableView(root));
  const want = new Int32Array(L.slots);
  encodeState(L, b, want, 0);
  expect(Array.from(root.b)).toEqual(Array.from(want));
  const w = new Int32Array(L.words), back = new Int32Array(L.slots);
  expect(L.pack(root.b, 0, w, 0)).toBe(true);
  L.unpack(w, 0, back, 0);
  expect(decodeState(L, back, 0)).toEqual(b);
  expect(read(L.makeView({ b: back, o: 0 }))).toEqual(b);
}

/** With s holding `a` and n holding `b`: n[k] = s[k], then n[k] = n[k], for each key; what n and s then hold. */
export function storeWhole(L: Layout, a: Plain, b: Plain, keys: readonly string[]): { n: Plain; s: Plain } {
  const sRoot = { b: new Int32Array(L.slots), o: 0 }, nRoot = { b: new Int32Array(L.slots), o: 0 };
  encodeState(L, a, sRoot.b, 0);
  encodeState(L, b, nRoot.b, 0);
  const s = L.makeView(sRoot), n = L.makeWritableView(nRoot);
  for (const k of keys) n[k] = s[k];
  for (const k of keys) n[k] = n[k]; // self-assignment leaves it as it is
  return { n: decodeState(L, nRoot.b, 0), s: decodeState(L, sRoot.b, 0) };
}
