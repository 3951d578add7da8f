// Liveness on small hand-made graphs: leads-to under weak and strong fairness,
// ◇□ and □◇, bounded leads-to, and lasso counterexamples.
import { describe, expect, it } from 'vitest';
import { compileModel, defineModel, resolveParams, intParam, enumParam } from '../src/explorer/model.js';
import { bool, int } from '../src/explorer/schema.js';
import { explore } from '../src/explorer/search.js';
import { alwaysEventually, eventually, eventuallyAlways, leadsTo, SF, WF } from '../src/invariants/index.js';

// A client raises req; a server grants it; an idle actor can spin forever.
// With fairness 'none' nothing forces the server to act; 'weak' makes it.
const reqGrant = defineModel({
  name: 'req-grant',
  description: 'request/grant with a spinning bystander',
  params: { fairness: enumParam(['none', 'weak', 'weak-actions', 'weak-reset-only'], { default: 'weak', help: 'fairness of the server' }), within: intParam({ min: 0, max: 10, default: 0, help: 'bound (0: unbounded)' }) },
  state: () => ({ req: bool(), grant: bool(), spin: int(0, 1) }),
  init: () => [{ req: false, grant: false, spin: 0 }],
  actions: () => [
    { name: 'C.Request', actor: 'C', guard: (s) => !s.req, effect: (_s, n) => { n.req = true; } },
    { name: 'S.Grant', actor: 'S', guard: (s) => s.req && !s.grant, effect: (_s, n) => { n.grant = true; } },
    { name: 'S.Reset', actor: 'S', guard: (s) => s.grant, effect: (_s, n) => { n.req = false; n.grant = false; } },
    { name: 'I.Spin', actor: 'I', effect: (s, n) => { n.spin = 1 - s.spin; } },
  ],
  liveness: (p) => [leadsTo('RequestGranted', 'every request is granted', (s) => s.req, (s) => s.grant, {
    fairness: p.fairness === 'weak' ? [WF({ actor: 'S' })] : p.fairness === 'weak-actions' ? [WF({ actions: ['S.Grant', 'S.Reset'] })] : p.fairness === 'weak-reset-only' ? [WF({ action: 'S.Reset' })] : [],
    ...(p.within ? { within: p.within } : {}),
  })],
});

async function run(model: typeof reqGrant, params: Record<string, unknown>) {
  return explore(compileModel(model, resolveParams(model, params)));
}

describe('leads-to', () => {
  it('holds under weak fairness of the server', async () => {
    const r = await run(reqGrant, { fairness: 'weak' });
    expect(r.verdict).toBe('ok');
    expect(r.liveness).toEqual([{ name: 'RequestGranted', status: 'holds' }]);
    expect(r.stats.edges).toBeGreaterThan(0);
  });
  it('fairness over a set of actions (WF of S.Grant ∨ S.Reset) is enough; fairness of S.Reset alone is not', async () => {
    expect((await run(reqGrant, { fairness: 'weak-actions' })).verdict).toBe('ok');
    expect((await run(reqGrant, { fairness: 'weak-reset-only' })).verdict).toBe('violation');
  });
  it('fails without fairness, with a lasso whose cycle only spins', async () => {
    const r = await run(reqGrant, { fairness: 'none' });
    expect(r.verdict).toBe('violation');
    const v = r.violations[0]!;
    expect(v.property).toBe('RequestGranted');
    expect(v.kind).toBe('liveness');
    // Shortest prefix: initial, C.Request; then the cycle I.Spin, I.Spin back to the request state.
    expect(v.trace.map((s) => s.action)).toEqual([null, 'C.Request', 'I.Spin', 'I.Spin']);
    expect(v.loopStart).toBe(2);
    expect(v.trace[v.trace.length - 1]!.state).toEqual(v.trace[v.loopStart! - 1]!.state);
  });
  it('bounded: within 1 step fails (the bystander can go first), within K needs fairness-free progress', async () => {
    const r = await run(reqGrant, { fairness: 'weak', within: 3 });
    // Bounded liveness ignores fairness: the spinner can delay the grant forever.
    expect(r.verdict).toBe('violation');
    expect(r.violations[0]!.loopStart).toBeNull();
    expect(r.violations[0]!.trace).toHaveLength(2 + 3);
  });
});

// A strong-fairness example: the server's Grant is enabled only when a flag is up,
// and the flag flickers; WF does not force a flickering action, SF does.
const flicker = defineModel({
  name: 'flicker',
  description: 'an action enabled infinitely often but not continuously',
  params: { fairness: enumParam(['weak', 'strong'], { default: 'strong', help: 'fairness of S.Grant' }) },
  state: () => ({ flag: bool(), granted: bool() }),
  init: () => [{ flag: false, granted: false }],
  actions: () => [
    { name: 'E.Toggle', actor: 'E', guard: (s) => !s.granted, effect: (s, n) => { n.flag = !s.flag; } },
    { name: 'S.Grant', actor: 'S', guard: (s) => s.flag && !s.granted, effect: (_s, n) => { n.granted = true; } },
  ],
  deadlock: () => 'allowed',
  liveness: (p) => [eventually('EventuallyGranted', 'the grant happens', (s) => s.granted, {
    fairness: [p.fairness === 'strong' ? SF({ action: 'S.Grant' }) : WF({ action: 'S.Grant' }), WF({ action: 'E.Toggle' })],
  })],
});

describe('strong fairness', () => {
  it('SF forces an action that is enabled infinitely often', async () => {
    expect((await run(flicker, { fairness: 'strong' })).verdict).toBe('ok');
  });
  it('WF does not: the cycle toggles the flag forever', async () => {
    const r = await run(flicker, { fairness: 'weak' });
    expect(r.verdict).toBe('violation');
    const notes = r.violations[0]!.trace.flatMap((s) => s.notes ?? []);
    expect(notes.some((n) => n.includes('WF(S.Grant) met: disabled here'))).toBe(true);
  });
});

const counter = defineModel({
  name: 'counter3',
  description: 'counts 0..3 then stops or wraps',
  params: { wrap: enumParam(['yes', 'no'], { default: 'yes', help: 'wrap to 0 after 3' }) },
  state: () => ({ x: int(0, 3) }),
  init: () => [{ x: 0 }],
  actions: (p) => [{ name: 'Inc', actor: 'P', guard: (s) => p.wrap === 'yes' || s.x < 3, effect: (s, n) => { n.x = (s.x + 1) % 4; } }],
  deadlock: () => 'allowed',
  liveness: () => [
    alwaysEventually('InfinitelyOftenZero', 'x = 0 infinitely often', (s) => s.x === 0),
    eventuallyAlways('EventuallyThree', 'from some point on x = 3', (s) => s.x === 3),
  ],
});

describe('□◇ and ◇□', () => {
  it('a wrapping counter: □◇(x=0) holds, ◇□(x=3) fails', async () => {
    const r = await run(counter, { wrap: 'yes' });
    expect(r.liveness.map((l) => l.status)).toEqual(['holds', 'violated']);
  });
  it('a counter that stops at 3 stutters there: □◇(x=0) fails, ◇□(x=3) holds', async () => {
    const r = await run(counter, { wrap: 'no' });
    expect(r.liveness.map((l) => l.status)).toEqual(['violated', 'holds']);
    expect(r.violations[0]!.stutter).toBe(true);
    expect(r.violations[0]!.trace).toHaveLength(4);
  });
});

// Per-instance fairness: T(0) flips x forever, T(1) sets y once. WF over the group is met by T(0)
// alone; \A i: WF(T(i)) forces T(1).
const perInstance = defineModel({
  name: 'per-instance',
  description: 'fairness of each instance of a parameterised action',
  params: { each: enumParam(['group', 'each'], { default: 'each', help: 'WF of the group or of each instance' }) },
  state: () => ({ x: bool(), y: bool() }),
  init: () => [{ x: false, y: false }],
  actions: () => [{ name: 'T', actor: 'P', over: [0, 1], guard: (s, i: number) => i === 0 || !s.y,
    effect: (s, n, i: number) => { if (i === 0) n.x = !s.x; else n.y = true; } }],
  liveness: (p) => [eventually('EventuallyY', 'y is set', (s) => s.y, { fairness: [WF({ action: 'T', ...(p.each === 'each' ? { each: true } : {}) })] })],
});

describe('per-instance fairness', () => {
  it('WF of the whole group is met by one instance alone', async () => {
    expect((await run(perInstance, { each: 'group' })).verdict).toBe('violation');
  });
  it('WF of each instance holds', async () => {
    expect((await run(perInstance, { each: 'each' })).verdict).toBe('ok');
  });
});
