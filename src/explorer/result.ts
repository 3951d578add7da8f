// A search's result (mc.result/1's content): counts and statistics, coverage, goals, the first
// violation of each property in discovery order with its trace, liveness outcomes, a model error.
import { collisionProbability } from './fingerprint.js';
import { executePath, thrownStack, traceSteps, type TraceStep } from './trace.js';
import type { Engine } from './engine.js';
import { concreteLasso, concretePath, failingStep, leavingDomain } from './symmetry-trace.js';
import type { SearchResult, SearchStats } from './search.js';

/** The trace to state `index`, then (a step property's violation) the step by `extraAction` from it. */
function traceTo(e: Engine, index: number, extraAction = -1, property = ''): TraceStep[] {
  const p = e.links.path(index);
  if (extraAction >= 0) p.actions.push(extraAction);
  if (e.c.symmetry === null) return traceSteps(e.c, executePath(e.c, p.init, p.actions), p.actions);
  // Over representatives: the concrete behaviour (see symmetry-trace.ts); a step property's last step must fail it.
  const reps = extraAction >= 0 ? executePath(e.c, p.init, p.actions) : null;
  const path = concretePath(e.c, p.init, p.actions, reps ? failingStep(e.c, property, reps[reps.length - 1]!) : undefined);
  return traceSteps(e.c, path.states, path.actions);
}

/**
 * A violation's place in discovery order, compared as a tuple: the one reported is the first. BFS: by the
 * step that found its state (parent, action; initial states first, by number), which is the order of state
 * indices, and a step property's just before the state its step reaches (recordStep), the same for any
 * number of workers. DFS and random walks: by state index.
 */
function violationKey(e: Engine, v: { index: number; key?: readonly number[] }): readonly number[] {
  if (v.key !== undefined) return v.key;
  if (e.o.strategy !== 'bfs') return [v.index, 1, 0];
  const { parent, via } = e.links.linkOf(v.index);
  return via < 0 ? [-1, -via - 1, 1] : [parent, via, 1];
}

function livenessSkipReason(e: Engine): string {
  if (e.o.strategy !== 'bfs') return `liveness is checked with --strategy bfs only (this run used ${e.o.strategy})`;
  if (!e.o.liveness) return 'liveness checking was turned off (--no-liveness)';
  if (e.c.liveness.length > 15) return 'more than 15 liveness properties in one model';
  if (e.livenessRefused !== null) return e.livenessRefused;
  if (e.failure) return 'the run stopped at a model error';
  if (e.incomplete !== undefined) return `the run stopped before the liveness pass finished (${e.incomplete})`;
  return 'the search stopped at a safety violation before the state graph was complete';
}

export function searchResult(e: Engine): SearchResult {
  const secs = e.elapsed();
  const mem = process.memoryUsage.rss();
  if (mem > e.peakMemory) e.peakMemory = mem;
  const byBase = new Map<string, { actor: string; fired: number }>();
  for (const a of e.c.actions) {
    const b = byBase.get(a.base);
    if (b) { b.fired += e.fires[a.id]!; if (b.actor !== a.actor && !b.actor.split('|').includes(a.actor)) b.actor += `|${a.actor}`; }
    else byBase.set(a.base, { actor: a.actor, fired: e.fires[a.id]! });
  }
  const g = e.graph;
  const graphBytes = g ? g.start.a.byteLength + g.dst.a.byteLength + g.act.a.byteLength + g.labels.a.byteLength : 0;
  const tables = e.set.bytes + e.parallelBytes + e.links.bytes + e.frontierBytes + graphBytes;
  const stats: SearchStats = {
    // Random walks give each visited state its own index (the walk is its trace); distinct counts the set.
    distinct: e.o.strategy === 'random' ? e.set.size : e.distinct, generated: e.generated, depth: e.depth, seconds: secs,
    distinctPerSecond: secs > 0 ? e.distinct / secs : 0, generatedPerSecond: secs > 0 ? e.generated / secs : 0,
    peakMemoryBytes: e.peakMemory, bytesPerState: e.distinct ? tables / e.distinct : 0,
    collisionProbability: e.o.exact ? 0 : collisionProbability(e.distinct, e.generated), exact: e.o.exact,
    workers: e.parallel ? e.workers : 1, discarded: e.x.discarded, edges: g ? g.edges : 0, livenessGraphBytes: graphBytes, livenessSeconds: e.livenessSeconds,
  };
  const sym = e.c.symmetry;
  if (sym !== null) {
    if (e.o.strategy !== 'random') stats.represented = e.represented;
    stats.symmetry = { scalarsets: Object.fromEntries(sym.sets), permutations: sym.order };
  }
  const res: SearchResult = {
    verdict: 'ok', strategy: e.o.strategy, stats, violations: [], notes: e.notes,
    coverage: [...byBase].map(([action, b]) => ({ action, actor: b.actor, fired: b.fired })),
    instanceCoverage: e.c.actions.map((a) => ({ action: a.name, actor: a.actor, fired: e.fires[a.id]! })),
    goals: e.c.goals.map((g, k) => ({ name: g.name, description: g.description, reached: e.goalHit[k]! >= 0, depth: e.goalHit[k]! >= 0 ? e.goalHit[k]! : null })),
    antecedents: e.c.invariants.flatMap((inv, k) => (inv.antecedent ? [{ name: inv.name, hits: e.antecedentHits[k]! }] : [])),
    liveness: e.c.liveness.map((l) => {
      const o = e.livenessOutcome?.find((x) => x.name === l.name);
      return o ? { name: l.name, status: o.status } : { name: l.name, status: 'not-checked' as const, reason: livenessSkipReason(e) };
    }),
  };
  if (e.failure) {
    const f = e.failure;
    let trace: TraceStep[] = [];
    try {
      const p = e.links.path(f.parent);
      if (e.c.symmetry !== null) {
        // Over representatives: the concrete behaviour, and an instance of the failing action that leaves the domain from it.
        const path = f.badSuccessor ? concretePath(e.c, p.init, [...p.actions, f.actionId], leavingDomain(e.c, f.actionId)) : concretePath(e.c, p.init, p.actions);
        trace = traceSteps(e.c, path.states, path.actions);
      } else {
        const states = executePath(e.c, p.init, p.actions);
        const ids = [...p.actions];
        if (f.badSuccessor) { states.push(f.badSuccessor); ids.push(f.actionId); }
        trace = traceSteps(e.c, states, ids);
      }
    } catch { /* the trace itself could not be rebuilt; the message still says what failed */ }
    res.verdict = 'error';
    const stack = e.o.debug ? thrownStack(f.error) : null;
    res.error = { message: f.error.message, trace, ...(f.error.details.action ? { action: f.error.details.action } : {}), ...(f.error.details.field ? { field: f.error.details.field } : {}), ...(stack ? { stack } : {}) };
    return res;
  }
  // Report violations in discovery order (see violationKey): the shortest first in BFS.
  const keyed = [...e.firstViolation].map(([property, v]) => ({ property, v, key: violationKey(e, v) }));
  keyed.sort((a, b) => a.key[0]! - b.key[0]! || a.key[1]! - b.key[1]! || a.key[2]! - b.key[2]!);
  res.violations = keyed.map(({ property, v }) => ({ property, kind: v.kind, description: v.description, trace: traceTo(e, v.index, v.action ?? -1, property) }));
  for (const o of e.livenessOutcome ?? []) {
    if (o.status !== 'violated') continue;
    const l = e.c.liveness.find((x) => x.name === o.name)!;
    // The annotated check under symmetry gives verdicts only: search.ts rebuilds the trace without symmetry.
    if (!o.lasso) { res.violations.push({ property: o.name, kind: 'liveness', description: l.description, trace: [], loopStart: null, stutter: false }); continue; }
    const lasso = e.c.symmetry === null ? o.lasso : concreteLasso(e.c, o.lasso);
    const states = executePath(e.c, lasso.init, lasso.actions);
    const steps = traceSteps(e.c, states, lasso.actions).map((st, i) => (lasso.notes.has(i) ? { ...st, notes: lasso.notes.get(i)! } : st));
    res.violations.push({ property: o.name, kind: 'liveness', description: l.description, trace: steps, loopStart: lasso.loopStart >= 0 ? lasso.loopStart + 1 : null, stutter: lasso.stutter });
  }
  if (res.violations.length > 0) res.verdict = 'violation';
  else if (e.incomplete !== undefined) { res.verdict = 'incomplete'; res.incompleteReason = e.incomplete; res.incompletePhase = e.livenessStopped ? 'liveness' : 'safety'; }
  return res;
}
