// Liveness on the explored state graph.
//
// Semantics (see the README): a behaviour is an infinite path; a state with no
// enabled action repeats forever (stutters) with every action disabled. A model
// may declare TLA+ stuttering ('anywhere'): then any state may repeat forever,
// unless an action under fairness is enabled there.
// Fairness excludes paths: WF(a) excludes a path whose cycle never takes a
// while a is enabled in every cycle state; SF(a) excludes one whose cycle never
// takes a while a is enabled in some cycle state.
//
// Unbounded properties reduce to "is there a reachable fair cycle inside a set
// of states": p ~> q fails iff a p∧¬q state reaches, through ¬q states, a fair
// cycle of ¬q states (or a ¬q terminal state); ◇q is (initial) ~> q; □◇q is
// true ~> q; ◇□q fails iff a fair cycle contains a ¬q state. Fair cycles are
// found per strongly connected component (Tarjan), removing the states where an
// unsatisfied strongly-fair action is enabled and decomposing again
// (the Emerson–Lei / Streett refinement). Bounded properties (within K) are
// checked without fairness: every path from a p-state reaches q within K steps.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { inFairnessGroup, type ActionInstance, type Fairness, type LivenessProperty } from './model.js';
import { checkAnnotated, type SymmetryJob } from './liveness-annotated.js';

/** The explored graph in compressed sparse rows: BFS expands states in index order, so each state's edges are contiguous. */
export interface StateGraph {
  readonly states: number;
  readonly start: Int32Array;
  readonly dst: Int32Array;
  readonly act: Int32Array;
  readonly parent: Int32Array;
  /** Action id that discovered each state, or -(init + 1) for an initial state. */
  readonly via: Int32Array;
  /** Per state and property k: bit 2k is p, bit 2k+1 is q. */
  readonly labels: Int32Array;
}

export interface Lasso {
  readonly init: number;
  /** Action ids from the initial state; the states after them form prefix + cycle. */
  readonly actions: number[];
  /** Index (0-based, in the state list that starts with the initial state) of the state where the cycle begins. */
  readonly loopStart: number;
  /** True when the cycle is a terminal state repeating forever. */
  readonly stutter: boolean;
  /** Per state index: which fairness obligation this step meets. */
  readonly notes: Map<number, string[]>;
}

export interface LivenessOutcome {
  readonly name: string;
  readonly status: 'holds' | 'violated';
  readonly lasso?: Lasso;
}

export interface Group { readonly label: string; readonly strong: boolean; readonly member: Uint8Array }

const P = (labels: Int32Array, k: number, s: number): boolean => (labels[s]! & (1 << (2 * k))) !== 0;
const Q = (labels: Int32Array, k: number, s: number): boolean => (labels[s]! & (1 << (2 * k + 1))) !== 0;

/**
 * Whether the fair cycles inside an SCC (its states marked in ctx.mark) can be fair: 'fair', 'unfair' (no cycle
 * inside can be), or the states to keep (those where no strongly fair group that fails is enabled), to decompose again.
 */
export type Judge = (ctx: Ctx, comp: number[], gs: Group[], needOne: ((s: number) => boolean) | null) => 'fair' | 'unfair' | number[];

export function fairnessLabel(f: Fairness): string {
  return `${f.kind === 'weak' ? 'WF' : 'SF'}(${f.action ?? f.actions?.join(' ∨ ') ?? `${f.actor}.*`})`;
}

export function groups(fairness: readonly Fairness[], actions: LivenessJob['actions']): Group[] {
  return fairness.flatMap((f) => {
    const inside = actions.filter((a) => inFairnessGroup(f, a));
    const group = (as: LivenessJob['actions'], label: string): Group => {
      const member = new Uint8Array(actions.length);
      for (const a of as) member[a.id] = 1;
      return { label, strong: f.kind === 'strong', member };
    };
    return f.each ? inside.map((a) => group([a], `${f.kind === 'weak' ? 'WF' : 'SF'}(${a.name})`)) : [group(inside, fairnessLabel(f))];
  });
}

/** What the pass needs: plain data only (the predicates were evaluated into the graph's labels). */
export interface LivenessJob {
  graph: StateGraph;
  props: Pick<LivenessProperty<unknown>, 'name' | 'kind' | 'within' | 'fairness'>[];
  actions: Pick<ActionInstance, 'id' | 'name' | 'base' | 'actor'>[];
  stuttering: 'terminal' | 'anywhere';
  /** With symmetry and fairness of single instances or property families: what the annotated check needs (liveness-symmetry.ts). */
  symmetry?: SymmetryJob;
}

/**
 * Runs the pass in a worker thread when the compiled worker exists (from dist/), polling `stop`
 * every 50 ms; returns null if stopped. From TypeScript sources (tests) it runs inline.
 */
export async function checkLivenessAsync(job: LivenessJob, stop: () => boolean): Promise<LivenessOutcome[] | null> {
  const url = new URL('./liveness-worker.js', import.meta.url);
  if (!existsSync(fileURLToPath(url))) return checkLiveness(job.graph, job.props, job.actions, job.stuttering, job.symmetry);
  const w = new Worker(url);
  try {
    return await new Promise<LivenessOutcome[] | null>((resolve, reject) => {
      const timer = setInterval(() => { if (stop()) { clearInterval(timer); resolve(null); } }, 50);
      w.once('message', (r: LivenessOutcome[]) => { clearInterval(timer); resolve(r); });
      w.once('error', (e) => { clearInterval(timer); reject(e); });
      w.postMessage(job);
    });
  } finally {
    await w.terminate();
  }
}

export function checkLiveness(g: StateGraph, props: LivenessJob['props'], actions: LivenessJob['actions'], stuttering: 'terminal' | 'anywhere' = 'terminal', symmetry?: SymmetryJob): LivenessOutcome[] {
  if (symmetry !== undefined) return checkAnnotated(g, props, actions, stuttering, symmetry);
  const ctx = new Ctx(g, stuttering === 'anywhere');
  return props.map((prop, k) => {
    const gs = groups(prop.fairness, actions);
    const lasso = prop.within !== undefined ? bounded(ctx, prop, k) : unbounded(ctx, prop, k, gs);
    return lasso ? { name: prop.name, status: 'violated', lasso } : { name: prop.name, status: 'holds' };
  });
}

export class Ctx {
  private rev: { start: Int32Array; src: Int32Array } | null = null;
  /** Scratch marks, all zero between uses. */
  readonly mark: Uint8Array;
  private tj: { index: Int32Array; low: Int32Array; onStack: Uint8Array } | null = null;
  /** Tarjan's arrays, allocated once (sccs restores index to -1 and onStack to 0 for what it visits). */
  tarjan(): { index: Int32Array; low: Int32Array; onStack: Uint8Array } {
    return this.tj ??= { index: new Int32Array(this.g.states).fill(-1), low: new Int32Array(this.g.states), onStack: new Uint8Array(this.g.states) };
  }
  /** TLA+ semantics: any state may repeat forever unless fairness forbids it (an enabled fair action). */
  constructor(readonly g: StateGraph, readonly stutterAnywhere: boolean) { this.mark = new Uint8Array(g.states); }
  terminal(s: number): boolean { return this.g.start[s] === this.g.start[s + 1]; }
  reverse(): { start: Int32Array; src: Int32Array } {
    if (this.rev) return this.rev;
    const { states, start, dst } = this.g;
    const cnt = new Int32Array(states + 1);
    for (let e = 0; e < start[states]!; e++) cnt[dst[e]! + 1]!++;
    for (let i = 0; i < states; i++) cnt[i + 1]! += cnt[i]!;
    const src = new Int32Array(start[states]!), fill = cnt.slice(0, states);
    for (let s = 0; s < states; s++) for (let e = start[s]!; e < start[s + 1]!; e++) src[fill[dst[e]!]!++] = s;
    this.rev = { start: cnt, src };
    return this.rev;
  }
  enabled(s: number, grp: Group): boolean {
    for (let e = this.g.start[s]!; e < this.g.start[s + 1]!; e++) if (grp.member[this.g.act[e]!]) return true;
    return false;
  }
}

/** Tarjan's SCCs of the subgraph induced by mask (iterative). */
export function sccs(ctx: Ctx, mask: Uint8Array, roots: Iterable<number>): number[][] {
  const { start, dst } = ctx.g;
  // Scratch arrays live in ctx (index -1 = unvisited); the states visited are reset on the way out.
  const { index, low, onStack } = ctx.tarjan();
  const visited: number[] = [];
  const stack: number[] = [], out: number[][] = [];
  const callS: number[] = [], callE: number[] = [];
  let counter = 0;
  for (const r of roots) {
    if (!mask[r] || index[r]! >= 0) continue;
    callS.push(r); callE.push(start[r]!);
    index[r] = low[r] = counter++; stack.push(r); onStack[r] = 1; visited.push(r);
    while (callS.length) {
      const v = callS[callS.length - 1]!;
      let e = callE[callE.length - 1]!;
      let pushed = false;
      for (; e < start[v + 1]!; e++) {
        const w = dst[e]!;
        if (!mask[w]) continue;
        if (index[w]! < 0) {
          callE[callE.length - 1] = e + 1;
          index[w] = low[w] = counter++; stack.push(w); onStack[w] = 1; visited.push(w);
          callS.push(w); callE.push(start[w]!);
          pushed = true; break;
        } else if (onStack[w]) low[v] = Math.min(low[v]!, index[w]!);
      }
      if (pushed) continue;
      callS.pop(); callE.pop();
      if (callS.length) { const u = callS[callS.length - 1]!; low[u] = Math.min(low[u]!, low[v]!); }
      if (low[v] === index[v]) {
        const comp: number[] = [];
        let w: number;
        do { w = stack.pop()!; onStack[w] = 0; comp.push(w); } while (w !== v);
        out.push(comp);
      }
    }
  }
  for (const v of visited) index[v] = -1;
  return out;
}

interface FairCycle { states: number[]; stutter: boolean }

/** A membership array for a component (allocated only for the one component a lasso is built in). */
function membership(n: number, states: readonly number[]): Uint8Array {
  const m = new Uint8Array(n);
  for (const s of states) m[s] = 1;
  return m;
}

/**
 * A fair cycle inside mask, or a terminal state inside mask (which stutters with every action disabled).
 * needOne: the cycle must contain a state with this predicate (◇□q needs a ¬q state).
 */
function findFair(ctx: Ctx, mask: Uint8Array, candidates: number[], gs: Group[], needOne: ((s: number) => boolean) | null, all: FairCycle[] | null = null, judge: Judge = plainJudge): FairCycle | null {
  const found = (f: FairCycle): boolean => { if (all) { all.push(f); return false; } return true; };
  for (const comp of sccs(ctx, mask, candidates)) {
    if (ctx.stutterAnywhere) {
      // Stuttering forever at s is fair when no fairly-treated action is enabled at s.
      const s = comp.find((x) => (!needOne || needOne(x)) && gs.every((grp) => !ctx.enabled(x, grp)));
      if (s !== undefined) {
        const f = { states: [s], stutter: true };
        if (found(f)) return f;
        continue;
      }
    }
    if (comp.length === 1 && ctx.terminal(comp[0]!)) {
      if ((!needOne || needOne(comp[0]!)) && found({ states: comp, stutter: true })) return { states: comp, stutter: true };
      continue;
    }
    // One scratch mark array for every component (set here, cleared below): no allocation per component.
    const member = ctx.mark;
    for (const s of comp) member[s] = 1;
    const verdict = judge(ctx, comp, gs, needOne);
    for (const s of comp) member[s] = 0;
    if (verdict === 'fair') { if (found({ states: comp, stutter: false })) return { states: comp, stutter: false }; continue; }
    if (verdict !== 'unfair' && verdict.length) {
      const sub = new Uint8Array(ctx.g.states);
      for (const s of verdict) sub[s] = 1;
      const f = findFair(ctx, sub, verdict, gs, needOne, all, judge);
      if (f) return f;
    }
  }
  return null;
}

/** A component with no edge inside (marked in ctx.mark), or without a state needOne asks for, has no fair cycle. */
export function noCycleFits(ctx: Ctx, comp: number[], needOne: ((s: number) => boolean) | null): boolean {
  const { start, dst } = ctx.g, member = ctx.mark;
  let hasEdge = false;
  for (const s of comp) for (let e = start[s]!; e < start[s + 1]! && !hasEdge; e++) if (member[dst[e]!]) hasEdge = true;
  return !hasEdge || (needOne !== null && !comp.some(needOne));
}

/** The judge over the concrete graph (no symmetry, or fairness of whole actions only). */
const plainJudge: Judge = (ctx, comp, gs, needOne) => {
  const { start, dst, act } = ctx.g;
  const member = ctx.mark;
  if (noCycleFits(ctx, comp, needOne)) return 'unfair';
  let fair = true;
  const removeFor: Group[] = [];
  for (const grp of gs) {
    let taken = false;
    for (const s of comp) { for (let e = start[s]!; e < start[s + 1]!; e++) if (member[dst[e]!] && grp.member[act[e]!]) { taken = true; break; } if (taken) break; }
    if (taken) continue;
    const enabledSomewhere = comp.some((s) => ctx.enabled(s, grp));
    const disabledSomewhere = comp.some((s) => !ctx.enabled(s, grp));
    if (!grp.strong && disabledSomewhere) continue;
    if (grp.strong && !enabledSomewhere) continue;
    fair = false;
    if (grp.strong) removeFor.push(grp);
    else { removeFor.length = 0; break; } // WF fails on the whole SCC, so on every cycle inside it
  }
  if (fair) return 'fair';
  return removeFor.length ? comp.filter((s) => !removeFor.some((grp) => ctx.enabled(s, grp))) : 'unfair';
};

/** Shortest path inside mask from `from` to a state satisfying target (at least one step if asked). */
function bfsPath(ctx: Ctx, mask: Uint8Array, from: number, target: (s: number) => boolean, atLeastOneStep = false): { states: number[]; edges: number[] } | null {
  const { start, dst } = ctx.g;
  if (!atLeastOneStep && target(from)) return { states: [from], edges: [] };
  const prevE = new Map<number, number>(), prevS = new Map<number, number>();
  const queue = [from];
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi]!;
    for (let e = start[v]!; e < start[v + 1]!; e++) {
      const w = dst[e]!;
      if (!mask[w] || prevE.has(w) || (w === from && !atLeastOneStep)) continue;
      prevE.set(w, e); prevS.set(w, v);
      if (target(w)) {
        const edges: number[] = [], states = [w];
        let x = w;
        do { edges.push(prevE.get(x)!); x = prevS.get(x)!; states.push(x); } while (x !== from);
        return { states: states.reverse(), edges: edges.reverse() };
      }
      queue.push(w);
    }
  }
  return null;
}

/** Actions from an initial state to s along the BFS tree (a shortest path). */
function treePath(g: StateGraph, s: number): { init: number; actions: number[]; states: number[] } {
  const actions: number[] = [], states = [s];
  let x = s;
  while (g.via[x]! >= 0) { actions.push(g.via[x]!); x = g.parent[x]!; states.push(x); }
  return { init: -g.via[x]! - 1, actions: actions.reverse(), states: states.reverse() };
}

/** Builds a fair cycle through `entry` inside the component: visits one witness for each fairness obligation, then returns. */
function cycleThrough(ctx: Ctx, fc: FairCycle, entry: number, gs: Group[], needOne: ((s: number) => boolean) | null, notes: Map<number, string[]>, offset: number): number[] {
  const { start, dst, act } = ctx.g;
  const member = membership(ctx.g.states, fc.states);
  const edges: number[] = [];
  let cur = entry, pos = offset;
  const note = (i: number, t: string): void => { const l = notes.get(i) ?? []; l.push(t); notes.set(i, l); };
  const walkTo = (target: (s: number) => boolean, atLeastOne = false): void => {
    const p = bfsPath(ctx, member, cur, target, atLeastOne)!;
    edges.push(...p.edges); pos += p.edges.length; cur = p.states[p.states.length - 1]!;
  };
  if (needOne) { walkTo(needOne); }
  for (const grp of gs) {
    let edge = -1, src = -1;
    for (const s of fc.states) { for (let e = start[s]!; e < start[s + 1]!; e++) if (member[dst[e]!] && grp.member[act[e]!]) { edge = e; src = s; break; } if (edge >= 0) break; }
    if (edge >= 0) {
      walkTo((s) => s === src);
      edges.push(edge); pos++; cur = dst[edge]!;
      note(pos, `${grp.label} met: taken`);
    } else {
      const off = fc.states.find((s) => !ctx.enabled(s, grp));
      if (off !== undefined) { walkTo((s) => s === off); note(pos, `${grp.label} met: disabled here`); }
      else note(pos, `${grp.label} met: never enabled in the cycle`);
    }
  }
  walkTo((s) => s === entry, cur === entry);
  if (edges.length === 0) walkTo((s) => s === entry, true);
  return edges;
}

/** A lasso violating the property, or null. verdictOnly (with a judge): whether there is one, as an empty lasso. */
export function unbounded(ctx: Ctx, prop: LivenessJob['props'][number], k: number, gs: Group[], judge: Judge = plainJudge, verdictOnly = false): Lasso | null {
  const none: Lasso = { init: 0, actions: [], loopStart: 0, stutter: false, notes: new Map() };
  const g = ctx.g, n = g.states, labels = g.labels;
  const notes = new Map<number, string[]>();
  if (prop.kind === 'eventuallyAlways') {
    const all = new Uint8Array(n).fill(1);
    const fc = findFair(ctx, all, Array.from({ length: n }, (_, i) => i), gs, (s) => !Q(labels, k, s), null, judge);
    if (!fc) return null;
    if (verdictOnly) return none;
    const entry = Math.min(...fc.states);
    const pre = treePath(g, entry);
    if (fc.stutter) return { init: pre.init, actions: pre.actions, loopStart: pre.actions.length, stutter: true, notes };
    const cyc = cycleThrough(ctx, fc, entry, gs, (s) => !Q(labels, k, s), notes, pre.actions.length);
    return { init: pre.init, actions: [...pre.actions, ...cyc.map((e) => g.act[e]!)], loopStart: pre.actions.length, stutter: false, notes };
  }
  // p ~> q (eventually: p = initial; alwaysEventually: p = true)
  const trigger = (s: number): boolean => prop.kind === 'leadsTo' ? P(labels, k, s) : prop.kind === 'eventually' ? g.via[s]! < 0 : true;
  const notQ = new Uint8Array(n);
  const candidates: number[] = [];
  for (let s = 0; s < n; s++) if (!Q(labels, k, s)) { notQ[s] = 1; candidates.push(s); }
  // Collect every fair component inside ¬q, then find the trigger state (smallest index = shortest prefix) that reaches one.
  const comps: FairCycle[] = [];
  findFair(ctx, notQ, candidates, gs, null, comps, judge);
  if (comps.length === 0) return null;
  // bad[s] = 1 + the index of the fair component s belongs to.
  const bad = new Int32Array(n);
  comps.forEach((fc, i) => { for (const s of fc.states) bad[s] = i + 1; });
  // Backward reachability to a bad component inside ¬q.
  const rev = ctx.reverse();
  const canReach = new Uint8Array(n);
  for (let s = 0; s < n; s++) if (bad[s]) canReach[s] = 1;
  const queue: number[] = [];
  for (let s = 0; s < n; s++) if (bad[s]) queue.push(s);
  for (let qi = 0; qi < queue.length; qi++) {
    const v = queue[qi]!;
    for (let e = rev.start[v]!; e < rev.start[v + 1]!; e++) { const u = rev.src[e]!; if (notQ[u] && !canReach[u]) { canReach[u] = 1; queue.push(u); } }
  }
  let s0 = -1;
  for (let s = 0; s < n; s++) if (canReach[s] && trigger(s)) { s0 = s; break; }
  if (s0 < 0) return null;
  if (verdictOnly) return none;
  const pre = treePath(g, s0);
  const mid = bfsPath(ctx, notQ, s0, (s) => bad[s]! > 0)!;
  const entry = mid.states[mid.states.length - 1]!;
  const fc = comps[bad[entry]! - 1]!;
  const actions = [...pre.actions, ...mid.edges.map((e) => g.act[e]!)];
  const loopStart = actions.length;
  const l = notes.get(pre.actions.length) ?? [];
  l.push(prop.kind === 'leadsTo' ? 'p holds here; q never holds from here on' : 'q never holds from here on');
  notes.set(pre.actions.length, l);
  if (fc.stutter) return { init: pre.init, actions, loopStart, stutter: true, notes };
  const cyc = cycleThrough(ctx, fc, entry, gs, null, notes, loopStart);
  return { init: pre.init, actions: [...actions, ...cyc.map((e) => g.act[e]!)], loopStart, stutter: false, notes };
}

/** Bounded: from every p-state every path reaches q within K steps (no fairness: a bound is a safety property). */
export function bounded(ctx: Ctx, prop: LivenessJob['props'][number], k: number): Lasso | null {
  const g = ctx.g, n = g.states, labels = g.labels, K = prop.within!;
  const trigger = (s: number): boolean => prop.kind === 'leadsTo' ? P(labels, k, s) : prop.kind === 'eventually' ? g.via[s]! < 0 : true;
  // ok[j][s]: every path from s meets q within j steps.
  const ok: Uint8Array[] = [new Uint8Array(n)];
  for (let s = 0; s < n; s++) ok[0]![s] = Q(labels, k, s) ? 1 : 0;
  for (let j = 1; j <= K; j++) {
    const prev = ok[j - 1]!, cur = new Uint8Array(n);
    for (let s = 0; s < n; s++) {
      if (Q(labels, k, s)) { cur[s] = 1; continue; }
      if (ctx.terminal(s)) continue;
      let all = 1;
      for (let e = g.start[s]!; e < g.start[s + 1]!; e++) if (!prev[g.dst[e]!]) { all = 0; break; }
      cur[s] = all;
    }
    ok.push(cur);
  }
  let s0 = -1;
  for (let s = 0; s < n; s++) if (trigger(s) && !ok[K]![s]) { s0 = s; break; }
  if (s0 < 0) return null;
  const pre = treePath(g, s0);
  const notes = new Map<number, string[]>([[pre.actions.length, [`${prop.kind === 'leadsTo' ? 'p holds here; ' : ''}q is not reached within ${K} steps`]]]);
  const actions = [...pre.actions];
  let cur = s0;
  for (let j = K; j >= 1 && !ctx.terminal(cur); j--) {
    let next = -1;
    for (let e = g.start[cur]!; e < g.start[cur + 1]!; e++) if (!ok[j - 1]![g.dst[e]!]) { next = e; break; }
    if (next < 0) break;
    actions.push(g.act[next]!); cur = g.dst[next]!;
  }
  return { init: pre.init, actions, loopStart: ctx.terminal(cur) ? actions.length : -1, stutter: ctx.terminal(cur), notes };
}
