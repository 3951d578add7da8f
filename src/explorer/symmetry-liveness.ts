// What liveness under symmetry needs from the model, worked out once per run: how each element of the group
// relabels each action instance (Reap(d1,x3) under d1 ↔ d2 is Reap(d2,x3)) and each member of a property
// family, and whether the fairness assumptions are closed under the group (the image of an assumption must be
// an assumption). With fairness of whole actions only and no families, the plain check over representatives
// is sound and none of this is needed (symmetry-audit.ts, livenessRefusedUnderSymmetry).
import { codecOf } from './codec.js';
import { groups } from './liveness.js';
import type { FamilyTrack, SymmetryJob } from './liveness-annotated.js';
import type { CompiledModel, Family } from './model.js';
import type { Symmetry } from './symmetry.js';

/** Whether the liveness properties need the annotated check: a family, or fairness of single instances or of an actor. */
export function needsAnnotated(c: CompiledModel): boolean {
  return c.liveness.some((l) => l.family !== undefined || l.fairness.some((f) => f.each === true || f.actor !== undefined));
}

/** The image of one plain value an `over` array holds: strings that are scalarset values are relabelled, records and arrays walked. */
function relabelLoose(v: unknown, names: ReadonlyMap<string, { set: string; i: number }>, sym: Symmetry, g: number): unknown {
  if (typeof v === 'string') { const x = names.get(v); return x === undefined ? v : `${x.set}${sym.indexImage(x.set, x.i, g) + 1}`; }
  if (Array.isArray(v)) return v.map((y) => relabelLoose(y, names, sym, g));
  if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, y]) => [k, relabelLoose(y, names, sym, g)]));
  return v;
}

const instanceKey = (base: string, arg: unknown): string => `${base}\u0000${JSON.stringify(arg) ?? ''}`;

/** actImage[g * A + a]: instance a relabelled by element g, or -1 when no instance of its action has that argument. */
export function actionImages(c: CompiledModel, sym: Symmetry): Int32Array {
  const A = c.actions.length, out = new Int32Array(sym.order * A);
  const byKey = new Map(c.actions.map((a) => [instanceKey(a.base, a.arg), a.id]));
  const names = new Map<string, { set: string; i: number }>();
  for (const [set, n] of sym.sets) for (let i = 0; i < n; i++) names.set(`${set}${i + 1}`, { set, i });
  for (let g = 0; g < sym.order; g++) for (const a of c.actions) {
    const img = g === 0 ? a.arg : a.over !== undefined ? sym.valueImage(a.over, a.arg, g) : relabelLoose(a.arg, names, sym, g);
    out[g * A + a.id] = g === 0 ? a.id : byKey.get(instanceKey(a.base, img)) ?? -1;
  }
  return out;
}

/** The plan for the annotated check, or why liveness cannot be checked under symmetry. */
export function annotatedPlan(c: CompiledModel, sym: Symmetry): { job: Omit<SymmetryJob, 'perm'> } | { refused: string } {
  let algebra: { mul: Uint16Array; inv: Uint16Array };
  try { algebra = sym.algebra(); } catch (e) { return { refused: (e as Error).message }; }
  const A = c.actions.length, actImage = actionImages(c, sym);
  for (let g = 1; g < sym.order; g++) for (const a of c.actions) {
    if (actImage[g * A + a.id]! < 0) return { refused: `liveness under symmetry relabels action instances, and ${a.name} relabelled (${sym.describe(g)}) is no instance of ${a.base}: give ${a.base} its arguments as a domain (over: D) whose values name the scalarsets, or run with --no-symmetry` };
  }
  const acts = c.actions.map(({ id, name, base, actor }) => ({ id, name, base, actor }));
  for (const l of c.liveness) {
    const gs = groups(l.fairness, acts);
    const keys = new Set(gs.map((grp) => members(grp.member).join(',')));
    for (const g of sym.generators) for (const grp of gs) {
      const img = members(grp.member).map((x) => actImage[g * A + x]!).sort((x, y) => x - y).join(',');
      if (!keys.has(img)) return { refused: `liveness property ${l.name}: its fairness assumption ${grp.label} relabelled (${sym.describe(g)}) is none of its assumptions; fairness must treat the scalarsets' values alike (for example WF of each instance, or of every actor of a scalarset), or run with --no-symmetry` };
    }
  }
  const { checkedAs, tracks } = familyTracks(c, sym);
  return { job: { order: sym.order, mul: algebra.mul, inv: algebra.inv, actImage, checkedAs, tracks } };
}

const members = (m: Uint8Array): number[] => { const l: number[] = []; m.forEach((x, i) => { if (x) l.push(i); }); return l; };

/** Each family's members split into orbits: the first of an orbit is checked, tracked over the others. */
function familyTracks(c: CompiledModel, sym: Symmetry): { checkedAs: Int32Array; tracks: (FamilyTrack | null)[] } {
  const L = c.liveness, checkedAs = Int32Array.from(L, (_, k) => k), tracks: (FamilyTrack | null)[] = L.map(() => null);
  const families = new Map<string, number[]>();
  L.forEach((l, k) => { if (l.family) families.set(l.family.name, [...(families.get(l.family.name) ?? []), k]); });
  for (const ks of families.values()) {
    const fam = (k: number): Family => L[k]!.family!;
    const codec = codecOf(fam(ks[0]!).domain);
    const byIndex = new Map(ks.map((k) => [fam(k).index, k]));
    /** The property that is member k's image under g. */
    const image = (k: number, g: number): number => byIndex.get(codec.rank(sym.valueImage(fam(k).domain, fam(k).value, g)))!;
    const done = new Set<number>();
    for (const k0 of ks) {
      if (done.has(k0)) continue;
      const orbit = [k0];
      done.add(k0);
      for (let g = 1; g < sym.order; g++) { const x = image(k0, g); if (!done.has(x)) { done.add(x); orbit.push(x); } }
      if (orbit.length === 1) continue; // fixed by every element: symmetric on its own
      const m = orbit.length, pos = new Map(orbit.map((k, j) => [k, j]));
      const img = new Int32Array(sym.order * m), tau = new Uint16Array(m);
      for (let g = 0; g < sym.order; g++) orbit.forEach((k, j) => { img[g * m + j] = pos.get(image(k, g))!; });
      orbit.forEach((_, j) => { let g = 0; while (img[g * m + j] !== 0) g++; tau[j] = g; });
      for (const k of orbit) checkedAs[k] = k0;
      tracks[k0] = { members: Int32Array.from(orbit), image: img, tau };
    }
  }
  return { checkedAs, tracks };
}

